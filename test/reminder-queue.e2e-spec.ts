import { getQueueToken } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import { QueueName, ReminderJob } from '../src/jobs/queues';
import { REMINDER_SWEEP_PATTERN } from '../src/jobs/scheduler.service';
import { Occasion, occasionJobId } from '../src/reminders/reminder-occasion';
import { ReminderSweepService } from '../src/reminders/reminder-sweep.service';
import { setClock } from './support/clock';
import { givenAction, givenCase, givenTable, givenTableUser } from './support/factories';
import { startTestApp, TestApp } from './support/test-app';
import { ownerClient } from './support/test-database';

async function eventually(check: () => Promise<boolean>, ms: number, what: string): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

/** The sweep and its jobs through the real `reminders` queue and the in-process worker. */
describe('reminders through the queue', () => {
  let t: TestApp;
  let clock: ReturnType<typeof setClock>;
  beforeAll(async () => {
    t = await startTestApp({ seed: false, env: { OUTBOX_LISTEN: 'false' } });
    clock = setClock(t, '2027-06-15T08:00:00Z'); // Tuesday
  });
  afterAll(async () => {
    clock.restore();
    await t.close();
  });

  it('is scheduled every five minutes in Amsterdam', async () => {
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Reminders));
    expect(await queue.getJobScheduler(ReminderJob.Sweep)).toMatchObject({ pattern: REMINDER_SWEEP_PATTERN, tz: 'Europe/Amsterdam' });
  });

  it('enqueues one job per action: two sweeps at once write each notice once, and a failing action is retried on its own', async () => {
    const ds = t.dataSource;
    const table = await givenTable(ds);
    const c = await givenCase(ds, table);
    const police = [(await givenTableUser(ds, table, 'POLICE')).id, (await givenTableUser(ds, table, 'POLICE')).id];
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) ids.push((await givenAction(ds, c.id, table.organisations.POLICE!, { dueDate: '2027-06-17' })).id);
    const poisoned = ids[1];
    const count = async (id: string) => (await ds.query(`SELECT count(*)::int AS n FROM notification WHERE resource_id = $1`, [id]))[0].n as number;
    const queue = t.app.get<Queue>(getQueueToken(QueueName.Reminders));
    const jobId = occasionJobId(Occasion.ActionDue, poisoned, '2027-06-17');

    // This action's notices fail to be written (as a row that breaks inside the job would).
    const owner = await ownerClient(t.db);
    try {
      await owner.query(`
        CREATE FUNCTION kt_test_poison() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN IF NEW.resource_id = '${poisoned}' THEN RAISE EXCEPTION 'poisoned notice'; END IF; RETURN NEW; END $$`);
      await owner.query(`CREATE TRIGGER kt_test_poison BEFORE INSERT ON notification FOR EACH ROW EXECUTE FUNCTION kt_test_poison()`);

      const sweeper = t.app.get(ReminderSweepService);
      const runs = await Promise.all([sweeper.sweep(), sweeper.sweep()]);
      for (const run of runs) expect(run.found[Occasion.ActionDue]).toBe(3);

      await eventually(async () => (await count(ids[0])) === 2 && (await count(ids[2])) === 2, 15_000, 'the other actions reminded');
      await eventually(async () => ((await queue.getJob(jobId))?.attemptsMade ?? 0) >= 1 && (await queue.getJobState(jobId)) === 'delayed', 15_000, 'the failing job retried');
      expect((await queue.getJob(jobId))!.failedReason).toMatch(/poisoned notice/);
      expect(await count(poisoned)).toBe(0);
      // While it waits for its retry, a sweep enqueues nothing new: the others are handled, its job is still there.
      expect(await sweeper.sweep()).toMatchObject({ found: { [Occasion.ActionDue]: 1 }, enqueued: 1 });
      expect(await queue.getJobCounts('waiting', 'active')).toEqual({ waiting: 0, active: 0 });

      await owner.query(`DROP TRIGGER kt_test_poison ON notification`);
      await (await queue.getJob(jobId))!.promote();
      await eventually(async () => (await count(poisoned)) === 2, 15_000, 'the retried action reminded');
    } finally {
      await owner.query(`DROP TRIGGER IF EXISTS kt_test_poison ON notification; DROP FUNCTION IF EXISTS kt_test_poison()`);
      await owner.end();
    }
    const recipients = await ds.query(`SELECT DISTINCT recipient_user_id AS id FROM notification WHERE resource_id = ANY($1::uuid[]) ORDER BY 1`, [ids]);
    expect(recipients.map((r: { id: string }) => r.id)).toEqual([...police].sort());
    for (const id of ids) expect(await count(id)).toBe(2);
    expect((await t.app.get(ReminderSweepService).sweep()).found[Occasion.ActionDue]).toBe(0);
  });
});
