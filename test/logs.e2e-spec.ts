import { getQueueToken } from '@nestjs/bullmq';
import { createHash } from 'node:crypto';
import { Job, Queue } from 'bullmq';
import { Client } from 'pg';
import { Permission } from '../src/auth/permissions';
import type { RequestContext } from '../src/common/request-context';
import { AuditJob, QueueName } from '../src/jobs/queues';
import { AccessService } from '../src/sharing/access.service';
import { LOG_SEARCH_PURPOSE } from '../src/sharing/log-query.service';
import { LogSealProcessor } from '../src/sharing/log-seal.processor';
import { LogSealService } from '../src/sharing/log-seal.service';
import { LogVerifier } from '../src/sharing/log-verifier';
import { ProcessingLogService } from '../src/sharing/processing-log.service';
import { pseudonymise } from '../src/sharing/pseudonym';
import { givenCase, givenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';
import { ownerClient } from './support/test-database';
import { Purpose } from '../src/sharing/purposes';

/** Writes one processing entry per subject and one audit entry, as a feature's `case.read` would. */
async function produceEntries(t: TestApp, subjectCount: number, vNumber?: string) {
  const table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE'] });
  const user = await givenTableUser(t.dataSource, table, 'COA');
  const ctx: RequestContext = {
    principal: { kind: 'user', id: user.id, organisationId: table.organisations.COA!, organisationType: 'COA', roles: [], scopes: [] },
    traceId: `trace-${Math.random().toString(36).slice(2)}`,
    ip: '127.0.0.1',
  };
  const cases = await Promise.all(Array.from({ length: subjectCount }, () => givenCase(t.dataSource, table)));
  const subjects = await t.dataSource.query(`SELECT id AS "subjectId", v_number AS "vNumber" FROM subject WHERE id = ANY($1)`, [cases.map((c) => c.subjectId)]);
  if (vNumber) subjects[0].vNumber = vNumber;
  const access = await t.app.get(AccessService).require(ctx, 'table', table.id, { permission: Permission.CaseRead, operation: 'case.read' });
  const rec = { operation: 'case.read', activityCategory: 'identity' as const, categories: ['identity' as const], subjects, purpose: Purpose.CaseDiscussion, startedAt: new Date() };
  const operationId = await t.dataSource.transaction((m) => t.app.get(ProcessingLogService).record(m, ctx, access, rec));
  return { operationId, tableId: table.id };
}

const sealedIds = async (t: TestApp, log: string, ids: string[]) =>
  (await t.dataSource.query(`SELECT entry_id::text AS id FROM log_seal WHERE log = $1 AND entry_id = ANY($2::bigint[])`, [log, ids])).map((r: { id: string }) => r.id);

/**
 * Seals until nothing committed is left. The sealing horizon is cluster-wide: another test file's open
 * transaction (a migration, say) may hold it back for a moment, so this retries for a few seconds.
 */
async function sealAll(t: TestApp, log: 'processing_log' | 'audit_log', batchSize?: number): Promise<void> {
  for (let i = 0; i < 100; i++) {
    await t.app.get(LogSealService).sealPending(log, { batchSize });
    const [{ n }] = await t.dataSource.query(`SELECT count(*)::int AS n FROM ${log} e WHERE NOT EXISTS (SELECT 1 FROM log_seal s WHERE s.log = $1 AND s.entry_id = e.id)`, [log]);
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${log} did not get sealed`);
}

/** A full verification now (the worker's own scheduled run may hold the log for a moment). */
async function verifyFull(verifier: LogVerifier, log: 'processing_log' | 'audit_log', options: { batchSize?: number } = {}) {
  for (let i = 0; i < 100; i++) {
    const result = await verifier.run(log, { full: true, ...options });
    if (result) return result;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${log} stayed locked by another verifier`);
}

const INSERT_ENTRY = `INSERT INTO processing_log (trace_id, operation_id, operation_name, status, started_at, ended_at, data_subject_id)
  VALUES ('trace-open', gen_random_uuid(), $1, 'ok', now(), now(), repeat('a', 64)) RETURNING id::text AS id`;

describe('processing and audit logs', () => {
  let t: TestApp;
  let sealer: LogSealService;
  let verifier: LogVerifier;
  beforeAll(async () => {
    t = await startTestApp();
    sealer = t.app.get(LogSealService);
    verifier = t.app.get(LogVerifier);
    await produceEntries(t, 2);
  });
  afterAll(() => t.close());

  describe('append-only', () => {
    it.each([
      ['UPDATE processing_log SET status = status'],
      ['DELETE FROM audit_log'],
      ['UPDATE log_seal SET chain_hash = chain_hash'],
      ['TRUNCATE processing_log'],
      // xact_id always comes from the default: a backdated entry could hide behind the sealing horizon.
      [`INSERT INTO processing_log (xact_id, trace_id, operation_id, operation_name, status, started_at, ended_at, data_subject_id)
        VALUES ('1'::xid8, 't', gen_random_uuid(), 'x', 'ok', now(), now(), repeat('a', 64))`],
    ])('refuses the application role: %s', async (sql) => {
      await expect(t.dataSource.query(sql)).rejects.toThrow(/permission denied/);
    });

    it('raises for the owner role too (trigger), on rows and on TRUNCATE', async () => {
      await sealAll(t, 'processing_log'); // so that log_seal has a row for the row trigger to fire on
      const owner = await ownerClient(t.db);
      try {
        for (const sql of ['UPDATE processing_log SET status = status', 'DELETE FROM log_seal', 'TRUNCATE audit_log']) {
          await expect(owner.query(sql)).rejects.toThrow(/is append-only/);
        }
      } finally {
        await owner.end();
      }
    });
  });

  describe('sealing', () => {
    it('seals in batches, in (xact_id, id) order, into a chain anyone can recompute; a second run seals nothing', async () => {
      for (let i = 0; i < 3; i++) await produceEntries(t, 3);
      await sealAll(t, 'processing_log', 4);
      await sealAll(t, 'audit_log', 2);
      expect((await sealer.sealPending('processing_log')).sealed).toBe(0);
      for (const log of ['processing_log', 'audit_log']) {
        const seals = await t.dataSource.query(
          `SELECT s.seq::text AS seq, s.entry_hash, s.chain_hash FROM log_seal s JOIN ${log} e ON e.id = s.entry_id
            WHERE s.log = $1 ORDER BY e.xact_id, e.id`,
          [log],
        );
        expect(seals.length).toBeGreaterThanOrEqual(4);
        let previous = '0'.repeat(64);
        seals.forEach((s: { seq: string; entry_hash: string; chain_hash: string }, i: number) => {
          expect(s.seq).toBe(String(i + 1));
          previous = createHash('sha256').update(previous + s.entry_hash).digest('hex');
          expect(s.chain_hash).toBe(previous);
        });
      }
      const result = await verifyFull(verifier, 'processing_log', { batchSize: 3 });
      expect(result).toMatchObject({ intact: true, firstBroken: null, unsealed: 0, unsealedBehindChain: 0, oldestUnsealedAgeSeconds: null });
      expect(result.sealed).toBeGreaterThan(9);
    });

    it('never seals past an entry of a transaction still open, and seals it once committed', async () => {
      const open = new Client({ connectionString: t.config.DATABASE_URL }); // the application role
      await open.connect();
      try {
        await open.query('BEGIN');
        const [held] = (await open.query(INSERT_ENTRY, ['test.open'])).rows;
        const [later] = await t.dataSource.query(INSERT_ENTRY, ['test.later']); // committed, after it
        await sealer.sealPending('processing_log');
        expect(await sealedIds(t, 'processing_log', [held.id, later.id])).toEqual([]);
        const meanwhile = await verifyFull(verifier, 'processing_log');
        expect(meanwhile).toMatchObject({ intact: true, unsealed: 1, unsealedBehindChain: 0 });
        expect(meanwhile.oldestUnsealedAgeSeconds).toEqual(expect.any(Number));

        await open.query('COMMIT');
        await sealAll(t, 'processing_log');
        const seqs = await t.dataSource.query(`SELECT entry_id::text AS id FROM log_seal WHERE log = 'processing_log' AND entry_id = ANY($1::bigint[]) ORDER BY seq`, [
          [held.id, later.id],
        ]);
        expect(seqs.map((r: { id: string }) => r.id)).toEqual([held.id, later.id]);
        expect(await verifyFull(verifier, 'processing_log')).toMatchObject({ intact: true, unsealed: 0 });
      } finally {
        await open.end();
      }
    });
  });

  describe('privacy officer API', () => {
    let privacy: string;
    let coa: string;
    const vNumber = '1234509876';
    const search = (body: object, token = privacy) => t.http().post('/api/v1/privacy/processing-log/_search').set(bearer(token)).send(body);
    beforeAll(async () => {
      privacy = (await login(t, 'privacy@demo.ketentafel.nl')).accessToken;
      coa = (await login(t, 'coa@demo.ketentafel.nl')).accessToken;
    });

    it('finds entries by V-number, without the V-number or its hash, and logs the search itself', async () => {
      const first = await produceEntries(t, 2, vNumber);
      const second = await produceEntries(t, 1, vNumber);
      const res = await search({ vNumber }).expect(200);
      expect(res.body.items.map((e: { operationId: string }) => e.operationId).sort()).toEqual([first.operationId, second.operationId].sort());
      expect(res.body.items[0]).toEqual({
        id: expect.stringMatching(/^\d+$/),
        traceId: expect.any(String),
        operationId: second.operationId, // newest first
        operationName: 'case.read',
        status: 'ok',
        startedAt: expect.any(String),
        endedAt: expect.any(String),
        processingActivityId: expect.any(String),
        dataSubjectType: 'vreemdelingennummer',
        apiClientId: null,
        tableId: second.tableId,
        sealed: expect.any(Boolean),
      });
      const hash = pseudonymise(t.config.PSEUDONYM_KEY, vNumber);
      expect(res.text).not.toContain(vNumber);
      expect(res.text).not.toContain(hash);

      const [officer] = await t.dataSource.query(`SELECT id FROM app_user WHERE email = 'privacy@demo.ketentafel.nl'`);
      const audits = await t.dataSource.query(`SELECT * FROM audit_log WHERE action = 'log.search' AND actor_id = $1`, [officer.id]);
      expect(audits).toHaveLength(1);
      expect(audits[0]).toMatchObject({ result: 'allowed', purpose: LOG_SEARCH_PURPOSE, subject_count: 1, table_id: null, role: 'privacy_officer' });
      const [lookup] = await t.dataSource.query(`SELECT * FROM processing_log WHERE operation_id = $1`, [audits[0].operation_id]);
      expect(lookup).toMatchObject({ operation_name: 'log.search', data_subject_id: hash });

      await sealAll(t, 'processing_log');
      const again = await search({ vNumber, operation: 'case.read' }).expect(200);
      expect(again.body.items.map((e: { sealed: boolean }) => e.sealed)).toEqual([true, true]);
    });

    it('pages newest first with a cursor, and joins the audit log by operation id', async () => {
      const { operationId } = await produceEntries(t, 5);
      const all = (await search({ operationId }).expect(200)).body.items.map((e: { id: string }) => e.id);
      expect(all).toHaveLength(5);
      const paged: string[] = [];
      let cursor: string | undefined;
      do {
        const res = await search({ operationId, limit: 2, ...(cursor ? { cursor } : {}) }).expect(200);
        paged.push(...res.body.items.map((e: { id: string }) => e.id));
        cursor = res.body.nextCursor ?? undefined;
      } while (cursor);
      expect(paged).toEqual(all);

      const audit = await t.http().get('/api/v1/privacy/audit-log').query({ operationId }).set(bearer(privacy)).expect(200);
      expect(audit.body.items).toHaveLength(1);
      expect(audit.body.items[0]).toMatchObject({ operationId, action: 'case.read', actorKind: 'user', result: 'allowed', subjectCount: 5, categories: ['identity'] });
      expect(audit.body.nextCursor).toBeNull();
    });

    it('answers 403 to a COA member on every log route', async () => {
      await search({ vNumber }, coa).expect(403);
      await t.http().get('/api/v1/privacy/audit-log').set(bearer(coa)).expect(403);
      await t.http().get('/api/v1/privacy/logs/_verify').set(bearer(coa)).expect(403);
      await t.http().post('/api/v1/privacy/logs/_verify').set(bearer(coa)).send({ full: true }).expect(403);
    });

    it('rejects malformed input with 400 listing every field, echoing nothing', async () => {
      const res = await search({ vNumber: '123456789', limit: 0, from: '2026-03-01T10:00:00', to: 'yesterday', extra: 1 }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['extra', 'from', 'limit', 'to', 'vNumber']);
      expect(res.body.invalidParams).toContainEqual({ name: 'vNumber', reason: 'must be a V-number of 10 digits' });
      expect(res.text).not.toContain('123456789');
      const bad = await t.http().get('/api/v1/privacy/audit-log').query({ limit: 500, result: 'maybe', userId: 'x' }).set(bearer(privacy)).expect(400);
      expect(bad.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['limit', 'result', 'userId']);
      const cursor = await search({ cursor: 'bm90LWEtY3Vyc29y' }).expect(400);
      expect(cursor.body.invalidParams).toEqual([{ name: 'cursor', reason: expect.any(String) }]);
    });

    it('starts a full verification of both logs as a job, and reports its recorded result', async () => {
      await sealAll(t, 'audit_log');
      await sealAll(t, 'processing_log');
      const requested = await t.http().post('/api/v1/privacy/logs/_verify').set(bearer(privacy)).send({ full: true }).expect(202);
      expect(requested.body).toMatchObject({ enqueued: true, processingLog: { fullRequestedAt: expect.any(String) }, auditLog: { fullRequestedAt: expect.any(String) } });
      let res = requested;
      for (let i = 0; i < 100 && (res.body.processingLog.fullRequestedAt || res.body.auditLog.fullRequestedAt); i++) {
        await new Promise((r) => setTimeout(r, 100));
        res = await t.http().get('/api/v1/privacy/logs/_verify').set(bearer(privacy)).expect(200);
      }
      expect(res.body).toMatchObject({
        checkedAt: expect.any(String),
        intact: true,
        processingLog: { log: 'processing_log', intact: true, firstBroken: null, fullRequestedAt: null, fullVerifiedAt: expect.any(String), unsealed: 0 },
        auditLog: { intact: true, fullRequestedAt: null },
      });
      expect(res.body.auditLog.headChainHash).toMatch(/^[0-9a-f]{64}$/);
      expect(res.body.processingLog.sealed).toBeGreaterThan(0);
      expect(new Date(res.body.processingLog.fullVerifiedAt).getTime()).toBeGreaterThanOrEqual(new Date(requested.body.processingLog.fullRequestedAt).getTime());
      await t.http().post('/api/v1/privacy/logs/_verify').set(bearer(privacy)).send({ full: 'yes' }).expect(400);
      const incremental = await t.http().post('/api/v1/privacy/logs/_verify').set(bearer(privacy)).expect(202);
      expect(incremental.body).toMatchObject({ enqueued: true, processingLog: { fullRequestedAt: null } });
    });
  });

  describe('sealing job', () => {
    it('is scheduled every 10 seconds on the audit queue, and its handler seals both logs', async () => {
      const queue = t.app.get<Queue>(getQueueToken(QueueName.Audit), { strict: false });
      const schedulers = await queue.getJobSchedulers();
      expect(schedulers.find((s) => s.key === AuditJob.SealLogs)).toMatchObject({ name: AuditJob.SealLogs, every: 10_000 });

      const { operationId } = await produceEntries(t, 1);
      const [entry] = await t.dataSource.query(`SELECT id::text AS id FROM processing_log WHERE operation_id = $1`, [operationId]);
      const [audit] = await t.dataSource.query(`SELECT id::text AS id FROM audit_log WHERE operation_id = $1`, [operationId]);
      const processor = t.app.get(LogSealProcessor);
      let results: { log: string }[] = [];
      for (let i = 0; i < 50; i++) {
        results = (await processor.process({ name: AuditJob.SealLogs } as Job)) as { log: string }[];
        const done = (await sealedIds(t, 'processing_log', [entry.id])).length + (await sealedIds(t, 'audit_log', [audit.id])).length;
        if (done === 2) break;
        await new Promise((r) => setTimeout(r, 100));
      }
      expect(results.map((r) => r.log)).toEqual(['processing_log', 'audit_log']);
      expect(await sealedIds(t, 'processing_log', [entry.id])).toEqual([entry.id]);
      expect(await sealedIds(t, 'audit_log', [audit.id])).toEqual([audit.id]);
      await expect(processor.process({ name: 'no-such-job' } as Job)).rejects.toThrow(/No handler/);
    });
  });
});

describe('tamper detection', () => {
  let t: TestApp;
  let owner: Client;
  let verifier: LogVerifier;
  /** What a privileged person could do: switch the append-only trigger off around a change. */
  const tamper = async (table: string, sql: string, params: unknown[]) => {
    await owner.query(`ALTER TABLE ${table} DISABLE TRIGGER ${table}_append_only`);
    try {
      expect((await owner.query(sql, params)).rowCount).toBe(1);
    } finally {
      await owner.query(`ALTER TABLE ${table} ENABLE TRIGGER ${table}_append_only`);
    }
  };
  const sealAt = async (log: string, seq: number) =>
    (await t.dataSource.query(`SELECT entry_id::text AS id FROM log_seal WHERE log = $1 AND seq = $2`, [log, seq]))[0].id as string;

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    owner = await ownerClient(t.db);
    verifier = t.app.get(LogVerifier);
    for (let i = 0; i < 4; i++) await produceEntries(t, 2);
    await sealAll(t, 'processing_log');
    await sealAll(t, 'audit_log');
  });
  afterAll(async () => {
    await owner.end();
    await t.close();
  });

  it('is intact before anyone tampers', async () => {
    expect(await verifyFull(verifier, 'processing_log')).toMatchObject({ intact: true, sealed: 8 });
    expect(await verifyFull(verifier, 'audit_log')).toMatchObject({ intact: true, sealed: 4 });
  });

  it('reports a modified processing entry as exactly that seal, also through the API', async () => {
    const entryId = await sealAt('processing_log', 5);
    await tamper('processing_log', `UPDATE processing_log SET operation_name = 'case.list' WHERE id = $1`, [entryId]);
    expect((await verifyFull(verifier, 'processing_log')).firstBroken).toEqual({ log: 'processing_log', seq: '5', entryId, reason: 'entry_modified' });

    const org = (await t.dataSource.query(`INSERT INTO organisation (type, name) VALUES ('ADMINISTRATION', 'Beheer') RETURNING id`))[0].id;
    const officer = await givenUser(t.dataSource, org, ['privacy_officer']);
    const token = (await login(t, officer.email)).accessToken;
    const res = await t.http().get('/api/v1/privacy/logs/_verify').set(bearer(token)).expect(200);
    expect(res.body).toMatchObject({ intact: false, processingLog: { intact: false, firstBroken: { seq: '5', entryId, reason: 'entry_modified' } }, auditLog: { intact: true } });
  });

  it('reports a re-hashed seal (entry and seal both rewritten) as a broken chain', async () => {
    const entryId = await sealAt('processing_log', 2);
    await tamper('processing_log', `UPDATE processing_log SET status = 'error' WHERE id = $1`, [entryId]);
    const [{ h }] = await t.dataSource.query(`SELECT encode(sha256(convert_to(row_to_json(e)::text, 'UTF8')), 'hex') AS h FROM processing_log e WHERE id = $1`, [entryId]);
    await tamper('log_seal', `UPDATE log_seal SET entry_hash = $2 WHERE log = 'processing_log' AND entry_id = $1`, [entryId, h]);
    expect((await verifyFull(verifier, 'processing_log')).firstBroken).toEqual({ log: 'processing_log', seq: '2', entryId, reason: 'chain_broken' });
  });

  it('reports a deleted audit entry as missing, and keeps sealing after the newest sealed one is deleted', async () => {
    const entryId = await sealAt('audit_log', 2);
    await tamper('audit_log', `DELETE FROM audit_log WHERE id = $1`, [entryId]);
    await tamper('audit_log', `DELETE FROM audit_log WHERE id = $1`, [await sealAt('audit_log', 4)]);
    const { operationId } = await produceEntries(t, 1);
    await sealAll(t, 'audit_log');
    const [fresh] = await t.dataSource.query(`SELECT id::text AS id FROM audit_log WHERE operation_id = $1`, [operationId]);
    expect(await sealedIds(t, 'audit_log', [fresh.id])).toEqual([fresh.id]);
    expect(await verifyFull(verifier, 'audit_log')).toMatchObject({ intact: false, firstBroken: { log: 'audit_log', seq: '2', entryId, reason: 'entry_missing' }, unsealed: 0 });
  });

  it('reports a deleted seal as a gap', async () => {
    await tamper('log_seal', `DELETE FROM log_seal WHERE log = 'audit_log' AND seq = 1`, []);
    expect((await verifyFull(verifier, 'audit_log')).firstBroken).toMatchObject({ seq: '2', reason: 'seq_gap' });
  });
});
