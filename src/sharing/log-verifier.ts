import { Injectable, Logger } from '@nestjs/common';
import { DataSource, EntityManager, QueryRunner } from 'typeorm';
import { BreakReason, BrokenSeal, LogVerification, LogVerificationRepository, VerificationRecord } from './log-verification.repository';
import { assertLog, entryHashSql, GENESIS_HASH, LogName, readWatermark } from './log-seal.service';

/** The timestamp that says how old an entry is. */
const ENTRY_TIME: Record<LogName, string> = { processing_log: 'ended_at', audit_log: 'occurred_at' };

/** One verifier per log at a time, across processes (session advisory lock; the sealer uses keys 1 and 2). */
const LOCK_CLASS = 0x4b54; // "KT"
const LOCK_KEY: Record<LogName, number> = { processing_log: 11, audit_log: 12 };

/** Seals per batch: one statement of roughly 100 ms here, far below any statement timeout. */
const BATCH_SIZE = 10_000;
/** Entries per statement when looking for entries behind the chain. */
const BEHIND_RANGE = 100_000;

/**
 * Checks one batch of seals, seq lo..hi, entirely in PostgreSQL, and answers with one row: how many seals
 * it found, the first broken one, the last good one, and the chain hash at the anchor seq if in range.
 *
 * Each seal is checked against its own predecessor only (the seq before it, and the chain hash stored
 * there, or $4 for the first of the batch): by induction that is the whole chain, so batches need nothing
 * from each other but the last good chain hash. The plan does not depend on planner statistics: the range
 * is bounded on the primary key (log, seq) on both sides, and each entry is hashed in a correlated scalar
 * subquery on the entry's primary key, which PostgreSQL runs once per seal in the range (a SubPlan cannot
 * become a join that hashes a whole log). Sequential scans are switched off for the transaction as well.
 */
export const batchSql = (log: LogName) => `
  WITH b AS (
    SELECT s.seq, s.entry_id, s.entry_hash, s.chain_hash,
           coalesce(lag(s.seq) OVER w, $2::bigint - 1) AS prev_seq,
           coalesce(lag(s.chain_hash) OVER w, $4::text) AS prev_chain,
           (SELECT ${entryHashSql('e')} FROM ${log} e WHERE e.id = s.entry_id) AS actual_hash
      FROM log_seal s
     WHERE s.log = $1 AND s.seq BETWEEN $2::bigint AND $3::bigint
    WINDOW w AS (ORDER BY s.seq)
  ), c AS (
    SELECT b.seq, b.entry_id, b.chain_hash,
           CASE
             WHEN b.seq <> b.prev_seq + 1 THEN 'seq_gap'
             WHEN b.actual_hash IS NULL THEN 'entry_missing'
             WHEN b.actual_hash <> b.entry_hash THEN 'entry_modified'
             WHEN b.chain_hash <> encode(sha256(convert_to(b.prev_chain || b.entry_hash, 'UTF8')), 'hex') THEN 'chain_broken'
           END AS reason
      FROM b
  ), f AS (
    SELECT seq, entry_id, reason FROM c WHERE reason IS NOT NULL ORDER BY seq LIMIT 1
  )
  SELECT (SELECT count(*) FROM c)::int AS checked,
         f.seq::text AS broken_seq, f.entry_id::text AS broken_entry_id, f.reason AS broken_reason,
         l.seq::text AS last_seq, l.entry_id::text AS last_entry_id, l.chain_hash AS last_chain_hash,
         (SELECT c.chain_hash FROM c WHERE c.seq = $5::bigint) AS anchor_chain_hash
    FROM (SELECT 1) one
    LEFT JOIN f ON true
    LEFT JOIN LATERAL (
      SELECT c.seq, c.entry_id, c.chain_hash FROM c WHERE f.seq IS NULL OR c.seq < f.seq ORDER BY c.seq DESC LIMIT 1
    ) l ON true`;

interface BatchRow {
  checked: number;
  broken_seq: string | null;
  broken_entry_id: string | null;
  broken_reason: BreakReason | null;
  last_seq: string | null;
  last_entry_id: string | null;
  last_chain_hash: string | null;
  anchor_chain_hash: string | null;
}

interface Position {
  seq: string;
  entryId: string | null;
  chainHash: string;
}

export interface VerifyOptions {
  /** From seq 1 instead of from the recorded progress (also when a full run was requested). */
  full?: boolean;
  batchSize?: number;
  /** Asked between batches: a run that stops early records the progress it made (an incremental one). */
  shouldStop?: () => boolean;
}

/**
 * Verifies a log's hash chain incrementally, from a background job (LogVerificationProcessor), and records
 * the progress and result in log_verification.
 *
 * A run continues from the last verified seq and the chain hash recorded there; it first checks that this
 * anchor seal still exists unchanged (a rewritten or cut-off tail shows there), then walks the newer seals
 * in batches. A full run starts at seq 1 and, passing the anchor, compares the chain hash with the recorded
 * one, so that a chain rewritten consistently from an earlier point is caught too. A break is sticky:
 * later incremental runs keep reporting it (refreshing only the unsealed counts) until a full run, requested
 * once the break has been looked into, no longer finds it.
 *
 * Nothing heavy runs in Node: each batch is one statement that answers one row, so the event loop is never
 * blocked, and each batch is its own short transaction (no long snapshot, nothing held back).
 */
@Injectable()
export class LogVerifier {
  private readonly logger = new Logger(LogVerifier.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly records: LogVerificationRepository,
  ) {}

  /** Runs and records a verification of `log`; null when another verifier is already running on it. */
  async run(log: LogName, options: VerifyOptions = {}): Promise<LogVerification | null> {
    assertLog(log);
    const runner = this.dataSource.createQueryRunner();
    await runner.connect();
    try {
      const [{ locked }] = await runner.query(`SELECT pg_try_advisory_lock($1, $2) AS locked`, [LOCK_CLASS, LOCK_KEY[log]]);
      if (!locked) return null;
      try {
        return await this.verify(runner, log, options);
      } finally {
        await runner.query(`SELECT pg_advisory_unlock($1, $2)`, [LOCK_CLASS, LOCK_KEY[log]]);
      }
    } finally {
      await runner.release();
    }
  }

  private async verify(runner: QueryRunner, log: LogName, options: VerifyOptions): Promise<LogVerification | null> {
    const m = runner.manager;
    const [{ started }]: { started: Date }[] = await m.query(`SELECT clock_timestamp() AS started`);
    const record = await this.records.findRecord(m, log);
    const full = options.full === true || record.fullRequestedAt !== null;
    const anchor: Position | null = record.verifiedSeq === '0' ? null : { seq: record.verifiedSeq, entryId: record.verifiedEntryId, chainHash: record.chainHash };
    let position: Position = full || !anchor ? { seq: '0', entryId: null, chainHash: GENESIS_HASH } : anchor;

    // A break is sticky: only a full run (requested once it has been looked into) starts over.
    let broken: BrokenSeal | null = full ? null : (record.broken ?? (anchor ? await this.checkAnchor(m, log, anchor) : null));
    while (!broken) {
      if (options.shouldStop?.()) {
        if (full) return null; // all or nothing: it stays requested and runs again
        break;
      }
      const lo = BigInt(position.seq) + 1n;
      const hi = BigInt(position.seq) + BigInt(options.batchSize ?? BATCH_SIZE);
      const batch = await this.batch(runner, log, lo, hi, position.chainHash, full && anchor ? anchor.seq : '0');
      if (
        full &&
        anchor &&
        batch.anchor_chain_hash !== null &&
        batch.anchor_chain_hash !== anchor.chainHash &&
        (batch.broken_seq === null || BigInt(anchor.seq) < BigInt(batch.broken_seq))
      ) {
        // Every link up to it checks out, yet the chain differs from the one verified before: rewritten from an earlier point.
        broken = { log, seq: anchor.seq, entryId: anchor.entryId ?? '0', reason: 'chain_broken' };
        break;
      }
      if (batch.last_seq !== null) position = { seq: batch.last_seq, entryId: batch.last_entry_id, chainHash: batch.last_chain_hash! };
      if (batch.broken_seq !== null) broken = { log, seq: batch.broken_seq, entryId: batch.broken_entry_id!, reason: batch.broken_reason! };
      else if (batch.checked === 0) {
        broken = await this.checkEnd(m, log, position, full ? anchor : null);
        break;
      }
    }

    const unsealed = await this.unsealed(
      runner,
      log,
      full ? { count: 0, checkedEntryId: '0' } : { count: record.unsealedBehindChain, checkedEntryId: record.behindCheckedEntryId },
    );
    const result = await this.records.save(m, log, {
      verifiedSeq: position.seq,
      verifiedEntryId: position.entryId,
      chainHash: position.chainHash,
      broken,
      ...unsealed,
      fullStartedAt: full ? started : null,
    });
    if (broken && (full || record.broken === null)) this.reportBreak(broken, record);
    return result;
  }

  /** The seal a run continues from must still be there with the chain hash it had. */
  private async checkAnchor(m: EntityManager, log: LogName, anchor: Position): Promise<BrokenSeal | null> {
    const [seal] = await m.query(`SELECT chain_hash FROM log_seal WHERE log = $1 AND seq = $2`, [log, anchor.seq]);
    if (!seal) return { log, seq: anchor.seq, entryId: anchor.entryId ?? '0', reason: 'seq_gap' };
    if (seal.chain_hash !== anchor.chainHash) return { log, seq: anchor.seq, entryId: anchor.entryId ?? '0', reason: 'chain_broken' };
    return null;
  }

  /** No seal after `position` in its batch: either the end of the chain, or a gap wider than a batch. */
  private async checkEnd(m: EntityManager, log: LogName, position: Position, anchor: Position | null): Promise<BrokenSeal | null> {
    const [next] = await m.query(`SELECT seq::text AS seq, entry_id::text AS entry_id FROM log_seal WHERE log = $1 AND seq > $2 ORDER BY seq LIMIT 1`, [log, position.seq]);
    if (next) return { log, seq: next.seq, entryId: next.entry_id, reason: 'seq_gap' };
    // A full run that ends before the seal verified earlier: the newest seals were cut off.
    if (anchor && BigInt(position.seq) < BigInt(anchor.seq)) return { log, seq: anchor.seq, entryId: anchor.entryId ?? '0', reason: 'seq_gap' };
    return null;
  }

  private async batch(runner: QueryRunner, log: LogName, lo: bigint, hi: bigint, previous: string, anchorSeq: string): Promise<BatchRow> {
    return this.transaction(runner, async (m) => {
      const [row]: BatchRow[] = await m.query(batchSql(log), [log, lo.toString(), hi.toString(), previous, anchorSeq]);
      return row;
    });
  }

  /**
   * Entries not in the chain: those after its end (waiting for the sealer), and those behind it, which the
   * sealer will never reach. An entry can only get behind the chain by being inserted with a backdated
   * xact_id, so a run looks only at entries newer than the ones already checked (a full run at all of
   * them), in primary-key ranges so that no statement runs long.
   */
  private async unsealed(runner: QueryRunner, log: LogName, behindSoFar: { count: number; checkedEntryId: string }) {
    const { watermark, pending, lastId } = await this.transaction(runner, async (m) => {
      const watermark = (await readWatermark(m, log)) ?? { xactId: '0', id: '0' };
      const [pending] = await m.query(
        `SELECT count(*)::int AS n, min(e.${ENTRY_TIME[log]}) AS oldest
           FROM ${log} e
          WHERE (e.xact_id, e.id) > ($2::xid8, $3::bigint)
            AND NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $1 AND s.entry_id = e.id)`,
        [log, watermark.xactId, watermark.id],
      );
      const [{ last }] = await m.query(`SELECT coalesce(max(id), 0)::text AS last FROM ${log}`);
      return { watermark, pending: pending as { n: number; oldest: Date | null }, lastId: BigInt(last) };
    });
    let behind = behindSoFar.count;
    let checked = BigInt(behindSoFar.checkedEntryId);
    while (checked < lastId) {
      const to = checked + BigInt(BEHIND_RANGE) < lastId ? checked + BigInt(BEHIND_RANGE) : lastId;
      const [{ n }] = await this.transaction(runner, (m) =>
        m.query(
          `SELECT count(*)::int AS n
             FROM ${log} e
            WHERE e.id > $4::bigint AND e.id <= $5::bigint
              AND (e.xact_id, e.id) < ($2::xid8, $3::bigint)
              AND NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $1 AND s.entry_id = e.id)`,
          [log, watermark.xactId, watermark.id, checked.toString(), to.toString()],
        ),
      );
      behind += n as number;
      checked = to;
    }
    return {
      unsealed: pending.n + behind,
      oldestUnsealedAt: pending.oldest,
      unsealedBehindChain: behind,
      behindCheckedEntryId: checked.toString(),
    };
  }

  /** A short transaction with the sealer's time zone (row_to_json renders timestamptz in it) and no sequential scans. */
  private async transaction<T>(runner: QueryRunner, work: (m: EntityManager) => Promise<T>): Promise<T> {
    await runner.startTransaction();
    try {
      await runner.query(`SET LOCAL TIME ZONE 'UTC'; SET LOCAL enable_seqscan = off`);
      const result = await work(runner.manager);
      await runner.commitTransaction();
      return result;
    } catch (e) {
      await runner.rollbackTransaction();
      throw e;
    }
  }

  private reportBreak(broken: BrokenSeal, before: VerificationRecord): void {
    this.logger.error(
      { event: 'log_chain_broken', log: broken.log, seq: broken.seq, entryId: broken.entryId, reason: broken.reason, verifiedSeqBefore: before.verifiedSeq },
      'hash chain of a log is broken: an entry or seal was changed or deleted',
    );
  }
}
