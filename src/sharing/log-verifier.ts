import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { assertLog, chainHash, entryHashSql, GENESIS_HASH, LogName, readWatermark, utcTransaction } from './log-seal.service';

export type BreakReason = 'entry_modified' | 'entry_missing' | 'chain_broken' | 'seq_gap';

export interface BrokenSeal {
  log: LogName;
  seq: string;
  entryId: string;
  reason: BreakReason;
}

export interface LogVerification {
  log: LogName;
  /** No broken seal. Unsealed entries do not make a log non-intact: they cannot be verified yet. */
  intact: boolean;
  firstBroken: BrokenSeal | null;
  sealed: number;
  unsealed: number;
  /** Age of the oldest unsealed entry (by its own timestamp), null when everything is sealed. */
  oldestUnsealedAgeSeconds: number | null;
  /**
   * Unsealed entries behind the chain's end. The sealer never leaves one behind, so each is an entry
   * inserted with a forged (backdated) xact_id: it will never be sealed and deserves a look.
   */
  unsealedBehindChain: number;
  lastSeq: string | null;
  /** The newest chain hash: recorded outside the database, it lets a later check prove nothing was rewritten. */
  headChainHash: string | null;
}

/** The timestamp that says how old an entry is. */
const ENTRY_TIME: Record<LogName, string> = { processing_log: 'ended_at', audit_log: 'occurred_at' };

interface SealRow {
  seq: string;
  entry_id: string;
  entry_hash: string;
  chain_hash: string;
  actual_hash: string | null;
}

/**
 * Walks a log's seals in seq order and recomputes, from the rows as they are now, each entry's hash and
 * the chain. Reports the first broken seal: later ones are not meaningful once the chain is broken.
 * Runs in one REPEATABLE READ, read-only transaction so that counts and walk describe the same moment;
 * being read-only it takes no xact id and so does not hold back the sealer.
 */
@Injectable()
export class LogVerifier {
  constructor(private readonly dataSource: DataSource) {}

  verify(log: LogName, options: { batchSize?: number } = {}): Promise<LogVerification> {
    assertLog(log);
    return utcTransaction(
      this.dataSource,
      async (m) => {
        await m.query('SET TRANSACTION READ ONLY');
        const walk = await this.walk(m, log, options.batchSize ?? 5000);
        const counts = await this.unsealed(m, log);
        return {
          log,
          intact: walk.firstBroken === null,
          firstBroken: walk.firstBroken,
          sealed: walk.sealed,
          ...counts,
          lastSeq: walk.lastSeq,
          headChainHash: walk.lastSeq === null ? null : walk.previous,
        };
      },
      'REPEATABLE READ',
    );
  }

  private async walk(m: EntityManager, log: LogName, batchSize: number) {
    let expected = 1n;
    let previous = GENESIS_HASH;
    let sealed = 0;
    let lastSeq: string | null = null;
    for (;;) {
      // Keyset on seq over the primary key (log, seq); LEFT JOIN so a deleted entry shows as null.
      const rows: SealRow[] = await m.query(
        `SELECT s.seq::text AS seq, s.entry_id::text AS entry_id, s.entry_hash, s.chain_hash,
                CASE WHEN e.id IS NULL THEN NULL ELSE ${entryHashSql('e')} END AS actual_hash
           FROM log_seal s LEFT JOIN ${log} e ON e.id = s.entry_id
          WHERE s.log = $1 AND s.seq >= $2::bigint
          ORDER BY s.seq
          LIMIT $3`,
        [log, expected.toString(), batchSize],
      );
      for (const row of rows) {
        const reason = this.check(row, expected, previous);
        if (reason) return { firstBroken: { log, seq: row.seq, entryId: row.entry_id, reason }, sealed, lastSeq, previous };
        sealed += 1;
        expected += 1n;
        previous = row.chain_hash;
        lastSeq = row.seq;
      }
      if (rows.length < batchSize) return { firstBroken: null, sealed, lastSeq, previous };
    }
  }

  /** The most specific reason first: a missing seal, then the entry itself, then the chain. */
  private check(row: SealRow, expectedSeq: bigint, previous: string): BreakReason | null {
    if (BigInt(row.seq) !== expectedSeq) return 'seq_gap';
    if (row.actual_hash === null) return 'entry_missing';
    if (row.actual_hash !== row.entry_hash) return 'entry_modified';
    if (row.chain_hash !== chainHash(previous, row.entry_hash)) return 'chain_broken';
    return null;
  }

  private async unsealed(m: EntityManager, log: LogName) {
    const watermark = await readWatermark(m, log);
    const [row] = await m.query(
      `SELECT count(*) AS unsealed,
              extract(epoch FROM now() - min(e.${ENTRY_TIME[log]}))::float8 AS age,
              count(*) FILTER (WHERE (e.xact_id, e.id) < ($2::xid8, $3::bigint)) AS behind
         FROM ${log} e
        WHERE NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $1 AND s.entry_id = e.id)`,
      [log, watermark?.xactId ?? '0', watermark?.id ?? '0'],
    );
    return {
      unsealed: Number(row.unsealed),
      oldestUnsealedAgeSeconds: row.age === null ? null : Math.max(0, Math.round(row.age)),
      unsealedBehindChain: Number(row.behind),
    };
  }
}
