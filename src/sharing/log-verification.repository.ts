import { Injectable } from '@nestjs/common';
import { DataSource, EntityManager } from 'typeorm';
import { LOGS, LogName } from './log-seal.service';

export type BreakReason = 'entry_modified' | 'entry_missing' | 'chain_broken' | 'seq_gap';

export interface BrokenSeal {
  log: LogName;
  seq: string;
  entryId: string;
  reason: BreakReason;
}

/** The latest recorded verification of one log (see LogVerifier). */
export interface LogVerification {
  log: LogName;
  /** No broken seal found. Unsealed entries do not make a log non-intact: they cannot be verified yet. */
  intact: boolean;
  firstBroken: BrokenSeal | null;
  /** Seals verified: seq 1 up to lastSeq. */
  sealed: number;
  unsealed: number;
  /** Age of the oldest unsealed entry (by its own timestamp) when verified, null when everything was sealed. */
  oldestUnsealedAgeSeconds: number | null;
  /**
   * Unsealed entries behind the chain's end. The sealer never leaves one behind, so each is an entry
   * inserted with a forged (backdated) xact_id: it will never be sealed and deserves a look.
   */
  unsealedBehindChain: number;
  lastSeq: string | null;
  /** The chain hash at lastSeq: recorded outside the database, it lets a later check prove nothing was rewritten. */
  headChainHash: string | null;
  /** When this result was recorded; null before the first run. */
  verifiedAt: Date | null;
  /** When a run from seq 1 last completed. */
  fullVerifiedAt: Date | null;
  /** A full re-verification was requested then and has not completed since. */
  fullRequestedAt: Date | null;
}

export interface VerificationRecord {
  log: LogName;
  verifiedSeq: string;
  verifiedEntryId: string | null;
  chainHash: string;
  /** The break found earlier, if any: kept until a full run no longer finds it. */
  broken: BrokenSeal | null;
  unsealedBehindChain: number;
  behindCheckedEntryId: string;
  fullRequestedAt: Date | null;
}

const ROW = `log, verified_seq::text AS verified_seq, verified_entry_id::text AS verified_entry_id, chain_hash, intact,
  broken_seq::text AS broken_seq, broken_entry_id::text AS broken_entry_id, broken_reason, unsealed, unsealed_behind_chain,
  behind_checked_entry_id::text AS behind_checked_entry_id,
  extract(epoch FROM verified_at - oldest_unsealed_at)::float8 AS oldest_unsealed_age,
  verified_at, full_verified_at, full_requested_at`;

interface Row {
  log: LogName;
  verified_seq: string;
  verified_entry_id: string | null;
  chain_hash: string;
  intact: boolean;
  broken_seq: string | null;
  broken_entry_id: string | null;
  broken_reason: BreakReason | null;
  unsealed: number;
  unsealed_behind_chain: number;
  behind_checked_entry_id: string;
  oldest_unsealed_age: number | null;
  verified_at: Date | null;
  full_verified_at: Date | null;
  full_requested_at: Date | null;
}

/** The verifier's recorded progress and results, one row per log (table log_verification). */
@Injectable()
export class LogVerificationRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** Both logs' latest results, processing log first. */
  async findLatest(): Promise<LogVerification[]> {
    const rows: Row[] = await this.dataSource.query(`SELECT ${ROW} FROM log_verification`);
    return LOGS.map((log) => {
      const row = rows.find((r) => r.log === log);
      if (!row) throw new Error(`log_verification has no row for ${log}`);
      return toResult(row);
    });
  }

  /** The progress a run continues from. */
  async findRecord(m: EntityManager, log: LogName): Promise<VerificationRecord> {
    const [row]: Row[] = await m.query(`SELECT ${ROW} FROM log_verification WHERE log = $1`, [log]);
    if (!row) throw new Error(`log_verification has no row for ${log}`);
    return {
      log,
      verifiedSeq: row.verified_seq,
      verifiedEntryId: row.verified_entry_id,
      chainHash: row.chain_hash,
      broken: toResult(row).firstBroken,
      unsealedBehindChain: row.unsealed_behind_chain,
      behindCheckedEntryId: row.behind_checked_entry_id,
      fullRequestedAt: row.full_requested_at,
    };
  }

  /** Asks the next run of each log to start from seq 1 (kept until a full run has completed). */
  async requestFull(): Promise<void> {
    await this.dataSource.query(`UPDATE log_verification SET full_requested_at = coalesce(full_requested_at, now())`);
  }

  async save(
    m: EntityManager,
    log: LogName,
    result: {
      verifiedSeq: string;
      verifiedEntryId: string | null;
      chainHash: string;
      broken: BrokenSeal | null;
      unsealed: number;
      oldestUnsealedAt: Date | null;
      unsealedBehindChain: number;
      behindCheckedEntryId: string;
      /** Set when this was a completed run from seq 1 that started at this (database) time. */
      fullStartedAt: Date | null;
    },
  ): Promise<LogVerification> {
    const [[row]]: [Row[], number] = await m.query(
      `UPDATE log_verification
          SET verified_seq = $2, verified_entry_id = $3, chain_hash = $4, intact = $5,
              broken_seq = $6, broken_entry_id = $7, broken_reason = $8,
              unsealed = $9, oldest_unsealed_at = $10, unsealed_behind_chain = $11, behind_checked_entry_id = $12,
              verified_at = now(),
              full_verified_at = CASE WHEN $13::timestamptz IS NULL THEN full_verified_at ELSE now() END,
              -- a request made while this full run was already going is kept for the next one
              full_requested_at = CASE WHEN full_requested_at <= $13::timestamptz THEN NULL ELSE full_requested_at END
        WHERE log = $1
        RETURNING ${ROW}`,
      [
        log,
        result.verifiedSeq,
        result.verifiedEntryId,
        result.chainHash,
        result.broken === null,
        result.broken?.seq ?? null,
        result.broken?.entryId ?? null,
        result.broken?.reason ?? null,
        result.unsealed,
        result.oldestUnsealedAt,
        result.unsealedBehindChain,
        result.behindCheckedEntryId,
        result.fullStartedAt,
      ],
    );
    return toResult(row);
  }
}

function toResult(row: Row): LogVerification {
  const verified = row.verified_seq !== '0';
  return {
    log: row.log,
    intact: row.intact,
    firstBroken: row.broken_seq === null ? null : { log: row.log, seq: row.broken_seq, entryId: row.broken_entry_id ?? '0', reason: row.broken_reason! },
    sealed: Number(row.verified_seq),
    unsealed: row.unsealed,
    oldestUnsealedAgeSeconds: row.oldest_unsealed_age === null ? null : Math.max(0, Math.round(row.oldest_unsealed_age)),
    unsealedBehindChain: row.unsealed_behind_chain,
    lastSeq: verified ? row.verified_seq : null,
    headChainHash: verified ? row.chain_hash : null,
    verifiedAt: row.verified_at,
    fullVerifiedAt: row.full_verified_at,
    fullRequestedAt: row.full_requested_at,
  };
}
