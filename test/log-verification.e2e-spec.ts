import { monitorEventLoopDelay } from 'node:perf_hooks';
import { Client } from 'pg';
import { fillSealedLog } from '../bench/log-fill';
import { LogVerificationRepository } from '../src/sharing/log-verification.repository';
import { batchSql, LogVerifier } from '../src/sharing/log-verifier';
import { startTestApp, TestApp } from './support/test-app';
import { ownerClient } from './support/test-database';

const LOG = 'processing_log';
const INITIAL = 20_000;

interface PlanNode {
  'Node Type': string;
  'Index Name'?: string;
  'Relation Name'?: string;
  'Actual Rows'?: number;
  'Actual Loops'?: number;
  Plans?: PlanNode[];
}
const nodes = (plan: PlanNode): PlanNode[] => [plan, ...(plan.Plans ?? []).flatMap(nodes)];

describe('log verification (incremental, recorded, as a job)', () => {
  let t: TestApp;
  let owner: Client;
  let sut: LogVerifier;
  const entryAt = async (seq: number) =>
    (await t.dataSource.query(`SELECT entry_id::text AS id FROM log_seal WHERE log = $1 AND seq = $2`, [LOG, seq]))[0].id as string;
  /** What a privileged person could do: switch the append-only trigger off around a change. */
  const tamper = async (table: string, sql: string, params: unknown[]) => {
    await owner.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    try {
      expect((await owner.query(sql, params)).rowCount).toBe(1);
    } finally {
      await owner.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    }
  };
  const setStatus = (seq: number, status: string) =>
    entryAt(seq).then((id) => tamper(LOG, `UPDATE processing_log SET status = $2 WHERE id = $1`, [id, status]));
  /** The worker's own scheduled run may hold the log for a moment. */
  const run = async (options: { full?: boolean; batchSize?: number } = {}) => {
    for (let i = 0; i < 100; i++) {
      const result = await sut.run(LOG, options);
      if (result) return result;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('the log stayed locked by another verifier');
  };
  const recorded = async () => (await t.dataSource.query(`SELECT verified_seq::int AS seq, chain_hash, intact, broken_seq::int AS broken FROM log_verification WHERE log = $1`, [LOG]))[0];

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    owner = await ownerClient(t.db);
    sut = t.app.get(LogVerifier);
    // No planner statistics at all (autovacuum off, never analyzed), as on a development server: the
    // verifier's plan must not depend on them.
    for (const table of [LOG, 'log_seal']) await owner.query(`ALTER TABLE ${table} SET (autovacuum_enabled = false)`);
    await fillSealedLog(owner, LOG, INITIAL);
  });
  afterAll(async () => {
    await owner.end();
    await t.close();
  });

  it('hashes only the seals of its batch, by primary key, without planner statistics', async () => {
    // From seq 1, as a full run starts: a plan that joins or sorts before it limits would hash the whole log here.
    const [{ 'QUERY PLAN': [explained] }] = await t.dataSource.transaction(async (m) => {
      await m.query(`SET LOCAL TIME ZONE 'UTC'`); // the verifier's own settings, without its enable_seqscan = off
      return m.query(`EXPLAIN (ANALYZE, FORMAT JSON) ${batchSql(LOG)}`, [LOG, '1', '1000', '0'.repeat(64), '0']);
    });
    const plan = nodes(explained.Plan as PlanNode);
    expect(plan.filter((n) => /Seq Scan|Hash Join|Merge Join/.test(n['Node Type']))).toEqual([]);
    expect(plan.filter((n) => n['Actual Rows']! * n['Actual Loops']! > 1000).map((n) => n['Node Type'])).toEqual([]);
    expect(plan).toContainEqual(expect.objectContaining({ 'Node Type': 'Index Scan', 'Index Name': 'log_seal_pkey' }));
    // The entry hash: one primary-key lookup per seal of the batch.
    expect(plan).toContainEqual(expect.objectContaining({ 'Node Type': 'Index Scan', 'Index Name': 'processing_log_pkey', 'Actual Loops': 1000 }));
  });

  it('records its progress, continues from it, and finds a change after the recorded point but not before it', async () => {
    const delay = monitorEventLoopDelay({ resolution: 10 });
    delay.enable();
    const first = await run();
    delay.disable();
    expect(first).toMatchObject({ intact: true, sealed: INITIAL, lastSeq: String(INITIAL), verifiedAt: expect.any(Date), unsealed: 0 });
    // Each batch is one statement answering one row: nothing heavy runs on the event loop.
    expect(delay.max / 1e6).toBeLessThan(100);
    const [head] = await t.dataSource.query(`SELECT chain_hash FROM log_seal WHERE log = $1 AND seq = $2`, [LOG, INITIAL]);
    expect(await recorded()).toEqual({ seq: INITIAL, chain_hash: head.chain_hash, intact: true, broken: null });
    expect(first.headChainHash).toBe(head.chain_hash);

    await setStatus(10, 'error'); // before the recorded point
    await fillSealedLog(owner, LOG, 500);
    await setStatus(INITIAL + 200, 'denied'); // after it
    const next = await run({ batchSize: 64 });
    expect(next).toMatchObject({ intact: false, firstBroken: { seq: String(INITIAL + 200), reason: 'entry_modified' }, lastSeq: String(INITIAL + 199) });
    expect(await recorded()).toMatchObject({ seq: INITIAL + 199, intact: false, broken: INITIAL + 200 });

    // Sticky: a later incremental run keeps reporting the break.
    expect((await run()).firstBroken).toMatchObject({ seq: String(INITIAL + 200) });

    // A requested full re-verification starts from seq 1 and finds the earlier change; the request is then done.
    await t.app.get(LogVerificationRepository).requestFull();
    const full = await run();
    expect(full).toMatchObject({ intact: false, firstBroken: { seq: '10', entryId: await entryAt(10), reason: 'entry_modified' }, lastSeq: '9', fullRequestedAt: null });
    expect(full.fullVerifiedAt).toEqual(expect.any(Date));
  });

  it('is intact again once a full run no longer finds a break, and then catches a rewritten recorded seal', async () => {
    await setStatus(10, 'ok');
    await setStatus(INITIAL + 200, 'ok');
    expect(await run({ full: true })).toMatchObject({ intact: true, firstBroken: null, sealed: INITIAL + 500 });

    // The seal the next run continues from is rewritten (as when a tail is re-chained): found without walking back.
    const forged = '1'.repeat(64);
    await tamper('log_seal', `UPDATE log_seal SET chain_hash = $2 WHERE log = $1 AND seq = $3`, [LOG, forged, INITIAL + 500]);
    expect(await run()).toMatchObject({ intact: false, firstBroken: { seq: String(INITIAL + 500), reason: 'chain_broken' } });
  });
});
