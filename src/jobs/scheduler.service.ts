import { Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { AppConfig } from '../config/app-config';
import { InjectQueueMap, QueueMap } from './queue-map';
import { AuditJob, MailJob, MaintenanceJob, OutboxJob, QueueName, ReminderJob, RetentionJob, VerificationJob, WebhookJob } from './queues';

const TZ = 'Europe/Amsterdam';

/**
 * How often the logs are sealed. An entry stays unsealed for at most this interval plus the longest
 * transaction open when it was written (see LogSealService).
 */
export const SEAL_INTERVAL_MS = 10_000;

/** How often the verifier continues from the last verified seal (a full run from seq 1 is nightly or on request). */
export const VERIFY_INTERVAL_MS = 60_000;

interface Schedule {
  id: string;
  queue: QueueName;
  repeat: { pattern: string; tz: string } | { every: number };
  name: string;
  data?: Record<string, unknown>;
}

/** How often the outbox is relayed when no NOTIFY arrives, and how often the sweep looks for lost deliveries. */
export const OUTBOX_RELAY_INTERVAL_MS = 2_000;
export const OUTBOX_SWEEP_INTERVAL_MS = 5_000;

/** The reminders sweep: every five minutes, on the clock's five-minute marks in Amsterdam. */
export const REMINDER_SWEEP_PATTERN = '*/5 * * * *';
/** The retention sweep: nightly at 03:45 in Amsterdam (the Clock decides which cases are due, not the schedule). */
export const RETENTION_SWEEP_PATTERN = '45 3 * * *';
/** How often due e-mails are sent when no commit in this process kicked the dispatcher (retries fall due by the clock). */
export const MAIL_DISPATCH_INTERVAL_MS = 2_000;
/** How often due webhook deliveries are sent: the first attempt waits at most this long, a retry this long past its time. */
export const WEBHOOK_DISPATCH_INTERVAL_MS = 2_000;

/** Every repeatable job; a scheduler's id is its key in Redis. */
export const SCHEDULES: readonly Schedule[] = [
  { id: MaintenanceJob.PurgeExpiredSessions, queue: QueueName.Maintenance, repeat: { pattern: '15 3 * * *', tz: TZ }, name: MaintenanceJob.PurgeExpiredSessions },
  { id: MaintenanceJob.GenerateMeetings, queue: QueueName.Maintenance, repeat: { pattern: '30 2 * * *', tz: TZ }, name: MaintenanceJob.GenerateMeetings },
  // A fixed interval, not a cron pattern: the delay before an entry is sealed should not depend on the clock.
  { id: AuditJob.SealLogs, queue: QueueName.Audit, repeat: { every: SEAL_INTERVAL_MS }, name: AuditJob.SealLogs },
  { id: VerificationJob.VerifyLogs, queue: QueueName.Verification, repeat: { every: VERIFY_INTERVAL_MS }, name: VerificationJob.VerifyLogs },
  {
    id: `${VerificationJob.VerifyLogs}-full`,
    queue: QueueName.Verification,
    repeat: { pattern: '45 4 * * *', tz: TZ },
    name: VerificationJob.VerifyLogs,
    data: { full: true },
  },
  { id: OutboxJob.Relay, queue: QueueName.Outbox, repeat: { every: OUTBOX_RELAY_INTERVAL_MS }, name: OutboxJob.Relay },
  { id: OutboxJob.Sweep, queue: QueueName.Outbox, repeat: { every: OUTBOX_SWEEP_INTERVAL_MS }, name: OutboxJob.Sweep },
  // Reminders fall on days in Amsterdam, which the Clock decides, not the schedule: the pattern only bounds how
  // long after midnight (or after a re-plan) a day's occasions wait, and, on the wall clock's five-minute marks,
  // does not sweep again at every restart as an interval would.
  { id: ReminderJob.Sweep, queue: QueueName.Reminders, repeat: { pattern: REMINDER_SWEEP_PATTERN, tz: TZ }, name: ReminderJob.Sweep },
  { id: MailJob.Dispatch, queue: QueueName.Mail, repeat: { every: MAIL_DISPATCH_INTERVAL_MS }, name: MailJob.Dispatch },
  { id: WebhookJob.Dispatch, queue: QueueName.Webhooks, repeat: { every: WEBHOOK_DISPATCH_INTERVAL_MS }, name: WebhookJob.Dispatch },
  { id: RetentionJob.Sweep, queue: QueueName.Retention, repeat: { pattern: RETENTION_SWEEP_PATTERN, tz: TZ }, name: RetentionJob.Sweep },
];

/**
 * Registers the repeatable jobs (idempotent: upsert by scheduler id), in worker processes.
 *
 * Schedulers live in Redis only. A Redis that comes back without its data (restart without an append-only
 * file, failover to an empty replica, a flush) has lost them, and nothing would run again until a restart.
 * So they are ensured again whenever a queue connection becomes ready, and checked every
 * JOB_SCHEDULE_CHECK_SECONDS (a flush does not even drop the connection).
 */
@Injectable()
export class SchedulerService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger('Schedulers');
  private timer?: NodeJS.Timeout;
  private checking?: Promise<string[]>;
  private stopped = false;

  constructor(
    @InjectQueueMap() private readonly queues: QueueMap,
    private readonly config: AppConfig,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    // Every one is upserted at start, so that a changed interval or pattern takes effect.
    for (const schedule of SCHEDULES) await this.upsert(schedule);
    for (const queue of Object.values(this.queues)) queue.getBackend().on('ready', () => void this.ensure('reconnected'));
    this.timer = setInterval(() => void this.ensure('periodic check'), this.config.JOB_SCHEDULE_CHECK_SECONDS * 1000);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** The ids of the schedulers that do not exist in Redis. Fails at once when a queue is not connected. */
  async missing(): Promise<string[]> {
    for (const queue of Object.values(this.queues)) {
      if ((await queue.getBackend().client).status !== 'ready') throw new Error(`queue ${queue.name} is not connected to Redis`);
    }
    const found = await Promise.all(SCHEDULES.map((s) => this.queues[s.queue].getJobScheduler(s.id)));
    return SCHEDULES.filter((_, i) => !found[i]).map((s) => s.id);
  }

  /** Re-creates the missing schedulers and returns their ids. One check at a time. */
  ensure(trigger: string): Promise<string[]> {
    if (this.stopped) return Promise.resolve([]);
    this.checking ??= this.recreateMissing(trigger).finally(() => (this.checking = undefined));
    return this.checking;
  }

  private async recreateMissing(trigger: string): Promise<string[]> {
    try {
      const missing = await this.missing();
      for (const schedule of SCHEDULES.filter((s) => missing.includes(s.id))) await this.upsert(schedule);
      if (missing.length) this.logger.warn({ event: 'job_schedulers_recreated', missing, trigger }, 'job schedulers were missing in Redis and are re-created');
      return missing;
    } catch (e) {
      // Redis is down or going away: the queues report that themselves, and the next check retries.
      this.logger.debug({ trigger, reason: (e as Error).message }, 'job scheduler check skipped');
      return [];
    }
  }

  private async upsert(s: Schedule): Promise<void> {
    await this.queues[s.queue].upsertJobScheduler(s.id, s.repeat, { name: s.name, data: s.data ?? {}, opts: { removeOnComplete: 100, removeOnFail: 500 } });
  }
}
