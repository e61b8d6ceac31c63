import type { Client } from 'pg';
import { entryHashSql, GENESIS_HASH, type LogName } from '../src/sharing/log-seal.service';

/**
 * Fills a log fast, for benchmarks and tests: entries by one set-based INSERT, then seals by one set-based
 * INSERT whose chain hashes come from a running aggregate, instead of the sealing job's batches. Runs as
 * the schema owner (`client`); the helper functions live in pg_temp and vanish with the session. The
 * chain is exactly the sealer's (same entry hash, same order, same horizon), so the verifier cannot tell.
 */
export async function fillSealedLog(client: Client, log: LogName, count: number): Promise<void> {
  const lastId = await insertEntries(client, log, count);
  // The sealing horizon is cluster-wide: another session's open transaction may hold it back a moment.
  for (let attempt = 0; ; attempt++) {
    await sealAllPending(client, log);
    const { rowCount } = await client.query(`SELECT 1 FROM log_seal WHERE log = $1 AND entry_id = $2`, [log, lastId]);
    if (rowCount) return;
    if (attempt > 100) throw new Error(`${log} entries did not get sealed`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

const LOCK_CLASS = 0x4b54;
const SEAL_LOCK_KEY: Record<LogName, number> = { processing_log: 1, audit_log: 2 };

/** Inserts `count` entries in one statement; returns the id of the last one. */
export async function insertEntries(client: Client, log: LogName, count: number): Promise<string> {
  const sql: Record<LogName, string> = {
    processing_log: `
      INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at, data_subject_id)
      SELECT 'fill-' || i, gen_random_uuid(), 'case.read', 'ok', now() - make_interval(secs => $1 - i), now() - make_interval(secs => $1 - i),
             encode(sha256(convert_to(i::text, 'UTF8')), 'hex')
        FROM generate_series(1, $1::int) i`,
    audit_log: `
      INSERT INTO audit_log (trace_id, operation_id, occurred_at, actor_kind, action, result, categories, subject_count)
      SELECT 'fill-' || i, gen_random_uuid(), now() - make_interval(secs => $1 - i), 'system', 'case.read', 'allowed', '{identity}', 1
        FROM generate_series(1, $1::int) i`,
  };
  const { rows } = await client.query(`WITH inserted AS (${sql[log]} RETURNING id) SELECT max(id)::text AS id FROM inserted`, [count]);
  return rows[0].id as string;
}

/** Seals every entry the sealing job would seal now, in one statement. */
export async function sealAllPending(client: Client, log: LogName): Promise<number> {
  await client.query(`
    CREATE OR REPLACE FUNCTION pg_temp.chain_step(state text, entry_hash text, head text) RETURNS text LANGUAGE sql IMMUTABLE AS
      $$ SELECT encode(sha256(convert_to(coalesce(state, head) || entry_hash, 'UTF8')), 'hex') $$`);
  await client.query(`DROP AGGREGATE IF EXISTS pg_temp.chain_agg(text, text)`);
  await client.query(`CREATE AGGREGATE pg_temp.chain_agg(text, text) (SFUNC = pg_temp.chain_step, STYPE = text)`);
  await client.query('BEGIN');
  try {
    await client.query(`SET LOCAL TIME ZONE 'UTC'`);
    await client.query(`SELECT pg_advisory_xact_lock($1, $2)`, [LOCK_CLASS, SEAL_LOCK_KEY[log]]);
    const { rows } = await client.query(
      `SELECT s.seq::text AS seq, s.chain_hash, e.xact_id::text AS xact_id, e.id::text AS id
         FROM log_seal s LEFT JOIN ${log} e ON e.id = s.entry_id WHERE s.log = $1 ORDER BY s.seq DESC LIMIT 1`,
      [log],
    );
    const last = rows[0] as { seq: string; chain_hash: string; xact_id: string | null; id: string | null } | undefined;
    if (last && last.id === null) throw new Error(`the newest seal of ${log} has no entry: fill a fresh log only`);
    const result = await client.query(
      `WITH todo AS (
         SELECT e.id, ${entryHashSql('e')} AS entry_hash, row_number() OVER (ORDER BY e.xact_id, e.id) AS n
           FROM ${log} e
          WHERE (e.xact_id, e.id) > ($3::xid8, $4::bigint)
            AND e.xact_id < pg_snapshot_xmin(pg_current_snapshot())
            AND NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $1 AND s.entry_id = e.id)
       )
       INSERT INTO log_seal (log, seq, entry_id, entry_hash, chain_hash)
       SELECT $1, $5::bigint + t.n, t.id, t.entry_hash, pg_temp.chain_agg(t.entry_hash, $2) OVER (ORDER BY t.n ROWS UNBOUNDED PRECEDING)
         FROM todo t`,
      [log, last?.chain_hash ?? GENESIS_HASH, last?.xact_id ?? '0', last?.id ?? '0', last?.seq ?? '0'],
    );
    await client.query('COMMIT');
    return result.rowCount ?? 0;
  } catch (e) {
    await client.query('ROLLBACK');
    throw e;
  }
}
