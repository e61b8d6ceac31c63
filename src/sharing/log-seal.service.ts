import { Injectable, Logger } from '@nestjs/common';
import { createHash } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';

export const LOGS = ['processing_log', 'audit_log'] as const;
export type LogName = (typeof LOGS)[number];

/** The chain hash that precedes seq 1. */
export const GENESIS_HASH = '0'.repeat(64);

/**
 * The hash of one whole log row, computed by PostgreSQL so that sealer and verifier hash exactly the same
 * bytes. row_to_json renders timestamptz in the session time zone: every caller must run it with
 * `SET LOCAL TIME ZONE 'UTC'` (see `utcTransaction`). Adding a column to a log table changes every row's
 * JSON and therefore every hash: new columns belong in a new table, or the hash needs a versioned column list.
 */
export const entryHashSql = (alias: string) => `encode(sha256(convert_to(row_to_json(${alias})::text, 'UTF8')), 'hex')`;

export const chainHash = (previous: string, entryHash: string): string =>
  createHash('sha256')
    .update(previous + entryHash)
    .digest('hex');

/** Any value not in LOGS would be interpolated into SQL: refuse it at run time as well as in the type. */
export function assertLog(log: string): asserts log is LogName {
  if (!(LOGS as readonly string[]).includes(log)) throw new Error(`not a sealed log: ${log}`);
}

/** Advisory lock keys (pg_advisory_xact_lock(int, int)): one per log, so the two logs seal in parallel. */
const LOCK_CLASS = 0x4b54; // "KT"
const LOCK_KEY: Record<LogName, number> = { processing_log: 1, audit_log: 2 };

export interface Watermark {
  xactId: string;
  id: string;
}

/**
 * The (xact_id, id) of the newest sealed entry that still exists. Seals are appended in (xact_id, id)
 * order, so everything after it is unsealed. Skipping seals whose entry was deleted keeps the sealer
 * running after tampering; the verifier reports the deletion.
 */
export async function readWatermark(m: EntityManager, log: LogName): Promise<Watermark | null> {
  assertLog(log);
  const [row] = await m.query(
    `SELECT e.xact_id::text AS "xactId", e.id::text AS id
       FROM log_seal s JOIN ${log} e ON e.id = s.entry_id
      WHERE s.log = $1
      ORDER BY s.seq DESC
      LIMIT 1`,
    [log],
  );
  return row ?? null;
}

/** READ COMMITTED (each statement sees what committed before it) with timestamps rendered in UTC. */
export function utcTransaction<T>(ds: DataSource, work: (m: EntityManager) => Promise<T>, isolation?: 'REPEATABLE READ'): Promise<T> {
  const run = async (m: EntityManager) => {
    await m.query(`SET LOCAL TIME ZONE 'UTC'`);
    return work(m);
  };
  return isolation ? ds.transaction(isolation, run) : ds.transaction(run);
}

export interface SealResult {
  log: LogName;
  sealed: number;
  lastSeq: string | null;
}

/**
 * Appends log entries to the hash chain in log_seal, in batches, from a background job.
 *
 * Writers never wait for the chain: they only INSERT (xact_id defaults to their transaction id). The
 * sealer takes entries in (xact_id, id) order, but only those with xact_id below the oldest transaction
 * still running (the snapshot's xmin): every transaction that can still insert has an xact_id at or above
 * that horizon, so no entry can later appear behind the chain's end. An entry written by a long-open
 * transaction holds back the entries after it until it commits (or, if it rolls back, simply vanishes).
 */
@Injectable()
export class LogSealService {
  private readonly logger = new Logger(LogSealService.name);

  constructor(private readonly dataSource: DataSource) {}

  /** Seals everything that can be sealed now. Safe to run concurrently (advisory lock, unique seq). */
  async sealPending(log: LogName, options: { batchSize?: number } = {}): Promise<SealResult> {
    assertLog(log);
    const batchSize = options.batchSize ?? 5000;
    let total = 0;
    let lastSeq: string | null = null;
    // One transaction per batch: a large backlog never becomes one long transaction (which would itself
    // hold back the horizon of every other sealer).
    for (;;) {
      const batch = await utcTransaction(this.dataSource, (m) => this.sealBatch(m, log, batchSize));
      total += batch.sealed;
      lastSeq = batch.lastSeq ?? lastSeq;
      if (batch.sealed < batchSize) break;
    }
    if (total > 0) this.logger.debug({ log, sealed: total, lastSeq }, 'sealed log entries');
    return { log, sealed: total, lastSeq };
  }

  private async sealBatch(m: EntityManager, log: LogName, batchSize: number): Promise<{ sealed: number; lastSeq: string | null }> {
    await m.query(`SELECT pg_advisory_xact_lock($1, $2)`, [LOCK_CLASS, LOCK_KEY[log]]);
    // Read only after taking the lock (READ COMMITTED): a sealer that held it before us has committed.
    // ORDER BY s.seq, qualified: a bare `seq` would sort by the text alias ('9' after '10').
    const [last] = await m.query(`SELECT s.seq::text AS seq, s.chain_hash FROM log_seal s WHERE s.log = $1 ORDER BY s.seq DESC LIMIT 1`, [log]);
    const watermark = (await readWatermark(m, log)) ?? { xactId: '0', id: '0' };
    // NOT EXISTS is cheap insurance (unique index probe): if a sealed entry was deleted, the watermark
    // falls back and an already-sealed entry must not be sealed twice (the unique key would jam the job).
    const entries: { id: string; entry_hash: string }[] = await m.query(
      `SELECT e.id::text AS id, ${entryHashSql('e')} AS entry_hash
         FROM ${log} e
        WHERE (e.xact_id, e.id) > ($1::xid8, $2::bigint)
          AND e.xact_id < pg_snapshot_xmin(pg_current_snapshot())
          AND NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $3 AND s.entry_id = e.id)
        ORDER BY e.xact_id, e.id
        LIMIT $4`,
      [watermark.xactId, watermark.id, log, batchSize],
    );
    if (entries.length === 0) return { sealed: 0, lastSeq: last?.seq ?? null };

    let seq = BigInt(last?.seq ?? 0);
    let previous: string = last?.chain_hash ?? GENESIS_HASH;
    const seqs: string[] = [];
    const chain: string[] = [];
    for (const e of entries) {
      seq += 1n;
      previous = chainHash(previous, e.entry_hash);
      seqs.push(seq.toString());
      chain.push(previous);
    }
    await m.query(
      `INSERT INTO log_seal (log, seq, entry_id, entry_hash, chain_hash)
       SELECT $1, u.seq, u.entry_id, u.entry_hash, u.chain_hash
         FROM unnest($2::bigint[], $3::bigint[], $4::text[], $5::text[]) AS u(seq, entry_id, entry_hash, chain_hash)`,
      [log, seqs, entries.map((e) => e.id), entries.map((e) => e.entry_hash), chain],
    );
    return { sealed: entries.length, lastSeq: seq.toString() };
  }
}
