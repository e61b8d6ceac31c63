import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { QueueName, ReminderJob } from '../jobs/queues';
import { datesDue, Direction } from './reminder-calendar';
import { draftJobId, OCCASION_LIST, OCCASIONS, Occasion, occasionJobId } from './reminder-occasion';
import { OccasionWindow, ReminderRepository } from './reminder.repository';
import type { ReminderSetting } from './reminder-settings.defaults';

/** Occasions of one kind enqueued per run at most; the rest wait for the next run, five minutes later. */
export const SWEEP_LIMIT = 10_000;
/** Jobs per addBulk call. */
const CHUNK = 500;
/** Longest one addBulk may take; the sweep job fails (and the next one tries again) rather than hang on Redis. */
const PUBLISH_TIMEOUT_MS = 10_000;

/**
 * A failing entity job is retried with backoff (10 s, 20 s, 40 s, 80 s). One that failed for good is dropped
 * from Redis after an hour, so that a later sweep enqueues its occasion again while it is still due; a
 * completed one at once (the database then says it is handled, or no longer due).
 */
export const ENTITY_JOB_OPTIONS: JobsOptions = {
  attempts: 5,
  backoff: { type: 'exponential', delay: 10_000 },
  removeOnComplete: true,
  removeOnFail: { age: 3600 },
};

export interface NoticeJobData {
  occasion: Occasion;
  entityId: string;
  date: string;
}

export interface SweepResult {
  today: string;
  found: Record<Occasion | 'draft', number>;
  enqueued: number;
}

export interface SweepJob {
  name: ReminderJob.SendNotice | ReminderJob.DraftAgenda;
  data: NoticeJobData | { meetingId: string };
  opts: JobsOptions;
}

export interface SweepPlan {
  today: string;
  found: SweepResult['found'];
  jobs: SweepJob[];
}

function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish within ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * The scheduled sweep (every five minutes, worker processes): finds, with a few set-based statements, every
 * occasion due today (the Clock's day in Amsterdam) that is not handled yet, and enqueues one job per entity
 * and occasion, so that one entity's failure is retried on its own and never holds up the others. It writes
 * nothing itself: each job re-checks its occasion and writes in its own transaction. Running it twice, or on
 * two workers at once, enqueues the same job ids (BullMQ keeps one) and in any case writes every notice once.
 */
@Injectable()
export class ReminderSweepService {
  private readonly logger = new Logger('Reminders');

  constructor(
    private readonly dataSource: DataSource,
    private readonly repository: ReminderRepository,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Reminders) private readonly queue: Queue,
  ) {}

  async sweep(): Promise<SweepResult> {
    const { today, found, jobs } = await this.findDue();
    for (let i = 0; i < jobs.length; i += CHUNK) {
      await withTimeout(this.queue.addBulk(jobs.slice(i, i + CHUNK)), PUBLISH_TIMEOUT_MS, 'enqueuing reminder jobs');
    }
    if (jobs.length) this.logger.log({ event: 'reminders_enqueued', today, found, enqueued: jobs.length }, 'reminder jobs enqueued');
    return { today, found, enqueued: jobs.length };
  }

  /** The jobs of every occasion due today and not handled yet, read with one statement per kind of occasion. */
  async findDue(): Promise<SweepPlan> {
    const today = this.clock.today();
    const m = this.dataSource.manager;
    const found = {} as SweepResult['found'];
    const jobs: SweepJob[] = [];
    for (const occasion of OCCASION_LIST) {
      const spec = OCCASIONS[occasion];
      const windows = await this.windows(spec.setting, spec.fixedWorkingDays, spec.direction, today);
      const due = windows.length ? await this.repository.findDueOccasions(m, occasion, windows, SWEEP_LIMIT) : [];
      found[occasion] = due.length;
      for (const d of due) {
        const data: NoticeJobData = { occasion, entityId: d.id, date: d.date };
        jobs.push({ name: ReminderJob.SendNotice, data, opts: { ...ENTITY_JOB_OPTIONS, jobId: occasionJobId(occasion, d.id, d.date) } });
      }
    }
    const draftWindows = await this.windows('agendaDraftWorkingDays', 0, 'before', today);
    const meetings = draftWindows.length ? await this.repository.findMeetingsToDraft(m, draftWindows, this.clock.now(), SWEEP_LIMIT) : [];
    found.draft = meetings.length;
    for (const meeting of meetings) {
      jobs.push({ name: ReminderJob.DraftAgenda, data: { meetingId: meeting.id }, opts: { ...ENTITY_JOB_OPTIONS, jobId: draftJobId(meeting.id) } });
    }
    return { today, found, jobs };
  }

  /** The dates due today for every value of `setting` some table runs on (or the fixed working days). */
  private async windows(setting: ReminderSetting | null, fixed: number, direction: Direction, today: string): Promise<OccasionWindow[]> {
    const values = setting ? await this.repository.settingValuesInUse(this.dataSource.manager, setting) : [fixed];
    return values.flatMap((workingDays) => datesDue(today, workingDays, direction).map((date) => ({ workingDays, date })));
  }
}
