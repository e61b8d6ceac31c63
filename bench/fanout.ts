/**
 * Reminder fan-out (issue 9): N open actions fall due at once; how fast does the whole chain deliver their
 * reminders to a real SMTP server and a real webhook receiver on loopback, each once, and with how much
 * memory? The chain is the production one, in real processes: the reminders sweep enqueues one job per
 * action, each job writes its notification with one e-mail and one webhook delivery (the police organisation
 * subscribes to `action_due_soon`), and the dispatchers send them.
 *
 *   npm run build && node dist/bench/fanout.js        # FANOUT_ACTIONS=100000 FANOUT_WORKERS=2 by default
 *
 * Needs PostgreSQL (owner role, BENCH_DATABASE_OWNER_URL) and Redis (REDIS_URL); creates and drops its own
 * database and Redis prefix. Starts one `all` process (API and worker: the API is used to subscribe) and
 * FANOUT_WORKERS - 1 more `worker` processes, all from dist/. Prints a markdown table and appends it to
 * bench/RESULTS.md.
 */
import 'reflect-metadata';
import { type ChildProcess, spawn } from 'node:child_process';
import { appendFileSync, readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { Queue } from 'bullmq';
import { Redis } from 'ioredis';
import { Client } from 'pg';
import { addWorkingDays, amsterdamDate } from '../src/common/working-days';
import { withDatabase } from '../src/db/bootstrap';
import { DEMO_PASSWORD } from '../src/db/demo-seed';
import { QueueName, ReminderJob } from '../src/jobs/queues';
import { startMailSink, startWebhookSink } from './sinks';
import { freePort, positiveInt } from './support';

const ACTIONS = positiveInt('FANOUT_ACTIONS', 100_000);
const WORKERS = positiveInt('FANOUT_WORKERS', 2);
const TIMEOUT_S = positiveInt('FANOUT_TIMEOUT_SECONDS', 900);
const OWNER_URL = process.env.BENCH_DATABASE_OWNER_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
const ROOT = resolve(__dirname, '..', '..');
const RESULTS_FILE = resolve(ROOT, 'bench', 'RESULTS.md');

async function sql<T = Record<string, unknown>>(url: string, text: string, values: unknown[] = []): Promise<T[]> {
  const c = new Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query(text, values)).rows as T[];
  } finally {
    await c.end();
  }
}

/** Resident memory of a process in MiB, from /proc (Linux). */
function rssMiB(pid: number): number {
  try {
    const kb = Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0);
    return kb / 1024;
  } catch {
    return 0;
  }
}

/** Log lines the app processes wrote (at LOG_LEVEL=warn): a fan-out should not be a flood of warnings. */
const logLines: string[] = [];
let logLineCount = 0;

function startProcess(role: 'all' | 'worker', env: Record<string, string>): { child: ChildProcess; ready: Promise<void> } {
  const child = spawn(process.execPath, [resolve(ROOT, 'dist', 'src', 'main.js'), role], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const ready = new Promise<void>((ok, fail) => {
    const onLine = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        lines.push(line);
        if (lines.length > 200) lines.shift();
        logLineCount += 1;
        if (logLines.length < 5) logLines.push(line.slice(0, 300));
        if (process.env.FANOUT_LOG_FILE) appendFileSync(process.env.FANOUT_LOG_FILE, `${line}\n`);
        if (/listening on|worker started/.test(line)) ok();
      }
    };
    child.stdout!.on('data', onLine);
    child.stderr!.on('data', onLine);
    child.once('exit', (code) => fail(new Error(`${role} process exited with ${code}:\n${lines.join('\n')}`)));
  });
  return { child, ready };
}

async function main(): Promise<void> {
  const name = `kt_bench_fanout_${process.pid}`;
  const prefix = `kt-bench-fanout-${process.pid}`;
  const cleanups: (() => Promise<unknown>)[] = [];
  const mail = await startMailSink();
  const hooks = await startWebhookSink();
  cleanups.push(() => mail.close(), () => hooks.close());
  try {
    await sql(OWNER_URL, `CREATE DATABASE ${name}`);
    cleanups.push(() => sql(OWNER_URL, `DROP DATABASE IF EXISTS ${name} WITH (FORCE)`));
    const port = await freePort();
    const env = {
      NODE_ENV: 'development',
      LOG_LEVEL: process.env.FANOUT_LOG_LEVEL ?? 'warn',
      PORT: String(port),
      HOST: '127.0.0.1',
      PUBLIC_BASE_URL: `http://127.0.0.1:${port}`,
      DATABASE_URL: withDatabase(OWNER_URL, name, 'ketentafel_app'),
      MIGRATION_DATABASE_URL: withDatabase(OWNER_URL, name),
      REDIS_URL,
      REDIS_PREFIX: prefix,
      SMTP_URL: mail.url,
      DEMO_SEED: 'true',
      // The schedules are not re-created behind the benchmark's back during the run.
      JOB_SCHEDULE_CHECK_SECONDS: '3600',
    };
    const processes: ChildProcess[] = [];
    const stopAll = async () => {
      for (const p of processes) p.kill('SIGTERM');
      await Promise.all(processes.map((p) => (p.exitCode === null ? new Promise((r) => p.once('exit', r)) : undefined)));
    };
    cleanups.unshift(stopAll);
    const first = startProcess('all', env);
    processes.push(first.child);
    await first.ready;

    const base = `${env.PUBLIC_BASE_URL}/api/v1`;
    const post = async (path: string, body: unknown, token?: string) => {
      const res = await fetch(`${base}${path}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
        body: JSON.stringify(body),
      });
      const json = (await res.json()) as Record<string, unknown>;
      if (!res.ok) throw new Error(`POST ${path} answered ${res.status}: ${JSON.stringify(json)}`);
      return json;
    };
    const admin = (await post('/auth/login', { email: 'admin@demo.ketentafel.nl', password: DEMO_PASSWORD })).accessToken as string;
    const dbUrl = withDatabase(OWNER_URL, name);
    const [police] = await sql<{ id: string }>(dbUrl, `SELECT id FROM organisation WHERE type = 'POLICE' ORDER BY name LIMIT 1`);
    const [table] = await sql<{ id: string }>(dbUrl, `SELECT id FROM chain_table ORDER BY created_at LIMIT 1`);
    const subscription = await post('/webhook-subscriptions', { organisationId: police.id, url: hooks.url, eventTypes: ['action_due_soon'] }, admin);
    hooks.setSecret(subscription.secret as string);

    const connection = new Redis(REDIS_URL, { maxRetriesPerRequest: null });
    const queue = new Queue(QueueName.Reminders, { connection, prefix: `${prefix}:bull` });
    cleanups.unshift(async () => {
      await queue.close();
      connection.disconnect();
    });
    for (let i = 1; i < WORKERS; i++) {
      const worker = startProcess('worker', env);
      worker.ready.catch(() => undefined); // its exit at the end is no failure
      processes.push(worker.child);
      // A worker process says nothing at LOG_LEVEL=warn: it is up when its reminders worker is connected.
      const up = Date.now();
      while ((await queue.getWorkersCount()) < i + 1) {
        if (worker.child.exitCode !== null || Date.now() - up > 60_000) throw new Error('a worker process did not start');
        await new Promise((r) => setTimeout(r, 200));
      }
    }

    // The sweep runs when this benchmark says, not on its five-minute schedule in the middle of the seeding.
    await queue.removeJobScheduler(ReminderJob.Sweep);
    const before = { mail: mail.counter.distinct, hooks: hooks.counter.distinct };

    // N open actions of the police, due in 2 working days (the reminder falls today; on a weekend it is caught up),
    // on N cases of N subjects, in a few set-based statements.
    const dueDate = addWorkingDays(amsterdamDate(new Date()), 2);
    const seedStarted = Date.now();
    await sql(
      dbUrl,
      `WITH s AS (
         INSERT INTO subject (v_number, family_name, given_names, date_of_birth, nationality, reception_location)
         SELECT '7' || lpad(g::text, 9, '0'), 'Bench', 'B.', DATE '1990-01-01', 'DZA', 'azc Bench' FROM generate_series(1, $1::int) g
         RETURNING id, v_number),
       c AS (
         INSERT INTO case_file (table_id, subject_id, reference, status)
         SELECT $2, id, 'BEN-' || v_number, 'active' FROM s
         RETURNING id)
       INSERT INTO action (case_id, owner_organisation_id, description, due_date, status)
       SELECT id, $3, 'Bench action', $4::date, 'open' FROM c`,
      [ACTIONS, table.id, police.id, dueDate],
    );
    await sql(dbUrl, 'ANALYZE');
    const seedSeconds = (Date.now() - seedStarted) / 1000;

    // The sweep, now.
    const started = Date.now();
    await queue.add(ReminderJob.Sweep, {}, { removeOnComplete: true });

    let peakRss = 0;
    const deadline = started + TIMEOUT_S * 1000;
    const done = () => mail.counter.distinct - before.mail >= ACTIONS && hooks.counter.distinct - before.hooks >= ACTIONS;
    while (!done() && Date.now() < deadline) {
      for (const p of processes) peakRss = Math.max(peakRss, rssMiB(p.pid!));
      await new Promise((r) => setTimeout(r, 250));
    }
    // A little longer, so that a duplicate sent late is counted too.
    await new Promise((r) => setTimeout(r, 3000));

    // Where the time went: each stage's first and last write, from the rows themselves.
    const [rows] = await sql<Record<string, string>>(
      dbUrl,
      `SELECT (SELECT count(*) FROM notification WHERE kind = 'action_due_soon') AS notifications,
              (SELECT count(*) FROM email_delivery WHERE status = 'sent') AS mails_sent,
              (SELECT count(*) FROM webhook_delivery WHERE status = 'delivered') AS webhooks_delivered,
              (SELECT extract(epoch FROM max(created_at) - min(created_at)) FROM notification WHERE kind = 'action_due_soon') AS notify_span,
              (SELECT extract(epoch FROM max(d.sent_at) - min(d.sent_at)) FROM email_delivery d
                 JOIN notification n ON n.id = d.notification_id WHERE n.kind = 'action_due_soon') AS mail_span,
              (SELECT extract(epoch FROM max(delivered_at) - min(delivered_at)) FROM webhook_delivery) AS hook_span`,
    );
    const rate = (span: string) => (Number(span) > 0 ? `${(ACTIONS / Number(span)).toFixed(0)} per second` : 'n/a');
    const seconds = (at: number) => (at ? (at - started) / 1000 : NaN);
    const mailSeconds = seconds(mail.counter.lastAt);
    const hookSeconds = seconds(hooks.counter.lastAt);
    const total = mail.counter.distinct + hooks.counter.distinct - before.mail - before.hooks;
    const allSeconds = Math.max(mailSeconds, hookSeconds);
    const report = [
      '',
      `### Reminder fan-out, ${new Date().toISOString().slice(0, 10)} (\`node dist/bench/fanout.js\`, ${ACTIONS.toLocaleString('en')} actions, ${WORKERS} worker process(es))`,
      '',
      '| figure | value |',
      '|---|---|',
      `| actions falling due at once | ${ACTIONS.toLocaleString('en')} (seeded in ${seedSeconds.toFixed(1)} s) |`,
      `| notifications written | ${Number(rows.notifications).toLocaleString('en')} |`,
      `| e-mails received (distinct / duplicates) | ${mail.counter.distinct - before.mail} / ${mail.counter.duplicates} in ${mailSeconds.toFixed(1)} s: ${((mail.counter.distinct - before.mail) / mailSeconds).toFixed(0)} per second |`,
      `| webhooks received (distinct / duplicates / bad signatures) | ${hooks.counter.distinct - before.hooks} / ${hooks.counter.duplicates} / ${hooks.badSignatures} in ${hookSeconds.toFixed(1)} s: ${((hooks.counter.distinct - before.hooks) / hookSeconds).toFixed(0)} per second |`,
      `| deliveries (e-mail + webhook) per second, sweep to last | ${(total / allSeconds).toFixed(0)} |`,
      `| first e-mail, first webhook after the sweep | ${seconds(mail.counter.firstAt).toFixed(1)} s, ${seconds(hooks.counter.firstAt).toFixed(1)} s |`,
      `| marked sent / delivered in the database | ${rows.mails_sent} / ${rows.webhooks_delivered} |`,
      `| stages, first to last write: notifications (reminder jobs), e-mails sent, webhooks delivered | ${rate(rows.notify_span)}, ${rate(rows.mail_span)}, ${rate(rows.hook_span)} |`,
      `| peak resident memory of an app process | ${peakRss.toFixed(0)} MiB |`,
      `| log lines written by the app processes (LOG_LEVEL=warn) | ${logLineCount} |`,
      '',
    ].join('\n');
    console.log(report);
    if (logLines.length) console.log(`first log lines:\n${logLines.join('\n')}`);
    appendFileSync(RESULTS_FILE, report);
    if (!done()) {
      process.exitCode = 1;
      console.error(`not everything arrived within ${TIMEOUT_S} s`);
    }
  } finally {
    for (const cleanup of cleanups) await cleanup().catch((e: unknown) => console.error('cleanup failed:', e));
    const redis = new Redis(REDIS_URL);
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}:*`, 'COUNT', 1000);
      if (keys.length) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
    redis.disconnect();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
