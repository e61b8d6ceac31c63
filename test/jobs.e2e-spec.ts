import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { MaintenanceProcessor } from '../src/jobs/maintenance.processor';
import { AuditJob, MaintenanceJob, QueueName } from '../src/jobs/queues';
import { givenTable } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';

const countMeetings = async (t: TestApp, tableId: string) =>
  Number((await t.dataSource.query(`SELECT count(*)::int AS n FROM meeting WHERE table_id = $1`, [tableId]))[0].n);

async function eventually(check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 100));
  }
}

describe('scheduled jobs (worker in-process)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp({ seed: false });
  });
  afterAll(() => t.close());

  it('registers the nightly and periodic job schedulers idempotently', async () => {
    const maintenance = t.app.get<Queue>(getQueueToken(QueueName.Maintenance));
    const audit = t.app.get<Queue>(getQueueToken(QueueName.Audit));
    const names = (await maintenance.getJobSchedulers()).map((s) => s.key ?? s.name);
    expect(names).toEqual(expect.arrayContaining([MaintenanceJob.PurgeExpiredSessions, MaintenanceJob.GenerateMeetings]));
    expect((await audit.getJobSchedulers()).map((s) => s.key ?? s.name)).toContain(AuditJob.SealLogs);
  });

  it('generates meetings ahead for every active table through one job per table, and a second run adds none', async () => {
    const table = await givenTable(t.dataSource);
    const inactive = await givenTable(t.dataSource);
    await t.dataSource.query(`UPDATE chain_table SET active = false WHERE id = $1`, [inactive.id]);
    const sut = t.app.get(MaintenanceProcessor);

    const { tables } = await sut.enqueueMeetingGeneration();
    expect(tables).toBeGreaterThanOrEqual(1);
    // The in-process worker runs the per-table jobs; one table's meetings appear in one transaction.
    await eventually(async () => (await countMeetings(t, table.id)) > 0);
    const generated = await countMeetings(t, table.id);
    expect(generated).toBeGreaterThanOrEqual(6); // eight weekly Tuesdays, fewer only when holidays are skipped
    expect(await countMeetings(t, inactive.id)).toBe(0);

    await sut.generateMeetings(table.id);
    expect(await countMeetings(t, table.id)).toBe(generated);
  });
});
