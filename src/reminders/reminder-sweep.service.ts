import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { JobsOptions, Queue } from 'bullmq';
import { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { QueueName, ReminderJob } from '../jobs/queues';
import { datesDue, Direction } from './reminder-calendar';
import { draftJobId, OCCASION_LIST, OCCASIONS, Occasion, occasionJobId } from './reminder-occasion';
import { DueOccasion, OccasionWindow, ReminderRepository } from './reminder.repository';
import type { NoticeItem } from './reminder-notice.service';
import type { ReminderSetting } from './reminder-settings.defaults';

/** Candidates of one kind read per statement: the sweep reads them page by page, so its memory is bounded by a page. */
export const SWEEP_LIMIT = 10_000;
/** Entities per SendNotices job: a batch is one transaction of a few statements. */
export const NOTICE_BATCH = 200;
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

export interface NoticesJobData {
  occasion: Occasion;
  items: NoticeItem[];
}

/** The job of one entity's occasion, under the id its retries keep. */
export function entityJob(occasion: Occasion, d: DueOccasion): SweepJob {
  const data: NoticeJobData = { occasion, entityId: d.id, date: d.date };
  return { name: ReminderJob.SendNotice, data, opts: { ...ENTITY_JOB_OPTIONS, jobId: occasionJobId(occasion, d.id, d.date) } };
}

/**
 * The jobs for occasions of one kind: a batch job per NOTICE_BATCH entities, and a batch of one as the
 * entity's own SendNotice job, under the id its retry has (so a sweep that finds only an entity whose job
 * waits for its retry adds nothing). A batch's id names its first and last entity: two sweeps at once
 * that find the same occasions enqueue the same jobs, and BullMQ keeps one.
 */
export function noticeJobs(occasion: Occasion, due: DueOccasion[]): SweepJob[] {
  const jobs: SweepJob[] = [];
  for (let i = 0; i < due.length; i += NOTICE_BATCH) {
    const batch = due.slice(i, i + NOTICE_BATCH);
    if (batch.length === 1) {
      jobs.push(entityJob(occasion, batch[0]));
      continue;
    }
    const first = batch[0];
    const last = batch[batch.length - 1];
    const data: NoticesJobData = { occasion, items: batch.map((d) => ({ entityId: d.id, date: d.date })) };
    jobs.push({
      name: ReminderJob.SendNotices,
      data,
      opts: { ...ENTITY_JOB_OPTIONS, jobId: `${occasionJobId(occasion, first.id, first.date)}-to-${last.id}-${last.date}-${batch.length}` },
    });
  }
  return jobs;
}

export interface SweepResult {
  today: string;
  found: Record<Occasion | 'draft', number>;
  /** Occasions and meetings enqueued (each found one). */
  enqueued: number;
  /** Jobs they were enqueued in. */
  jobs: number;
}

export interface SweepJob {
  name: ReminderJob.SendNotice | ReminderJob.SendNotices | ReminderJob.DraftAgenda;
  data: NoticeJobData | NoticesJobData | { meetingId: string };
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
 * The scheduled sweep (every five minutes, worker processes): finds, with a few set-based statements per
 * page of SWEEP_LIMIT, every occasion due today (the Clock's day in Amsterdam) that is not handled yet, and
 * enqueues them in batches of NOTICE_BATCH entities of one occasion (see noticeJobs). It writes nothing
 * itself: each job re-checks its occasions and writes in its own transaction; a batch that fails is split
 * into one job per entity, so that one entity's failure is retried on its own and never holds up the
 * others. Running it twice, or on two workers at once, enqueues the same job ids (BullMQ keeps one) and in
 * any case writes every notice once.
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
    const today = this.clock.today();
    const m = this.dataSource.manager;
    const found = {} as SweepResult['found'];
    let enqueued = 0;
    let jobCount = 0;
    const publish = async (jobs: SweepJob[]) => {
      for (let i = 0; i < jobs.length; i += CHUNK) {
        await withTimeout(this.queue.addBulk(jobs.slice(i, i + CHUNK)), PUBLISH_TIMEOUT_MS, 'enqueuing reminder jobs');
      }
      jobCount += jobs.length;
    };
    for (const occasion of OCCASION_LIST) {
      const spec = OCCASIONS[occasion];
      const windows = await this.windows(spec.setting, spec.fixedWorkingDays, spec.direction, today);
      found[occasion] = 0;
      let after: DueOccasion | undefined;
      while (windows.length) {
        const { due, next } = await this.repository.findDueOccasions(m, occasion, windows, SWEEP_LIMIT, after);
        found[occasion] += due.length;
        await publish(noticeJobs(occasion, due));
        enqueued += due.length;
        if (!next) break;
        after = next;
      }
    }
    const drafts = await this.draftJobs(today);
    found.draft = drafts.length;
    await publish(drafts);
    enqueued += drafts.length;
    if (enqueued) this.logger.log({ event: 'reminders_enqueued', today, found, enqueued, jobs: jobCount }, 'reminder jobs enqueued');
    return { today, found, enqueued, jobs: jobCount };
  }

  /**
   * One job per occasion due today and not handled yet (among the first SWEEP_LIMIT candidates of each kind), read with one
   * statement per kind of occasion: the plan, unbatched, for tests and diagnosis (sweep() enqueues batches).
   */
  async findDue(): Promise<SweepPlan> {
    const today = this.clock.today();
    const m = this.dataSource.manager;
    const found = {} as SweepResult['found'];
    const jobs: SweepJob[] = [];
    for (const occasion of OCCASION_LIST) {
      const spec = OCCASIONS[occasion];
      const windows = await this.windows(spec.setting, spec.fixedWorkingDays, spec.direction, today);
      const due = windows.length ? (await this.repository.findDueOccasions(m, occasion, windows, SWEEP_LIMIT)).due : [];
      found[occasion] = due.length;
      jobs.push(...due.map((d) => entityJob(occasion, d)));
    }
    const drafts = await this.draftJobs(today);
    found.draft = drafts.length;
    jobs.push(...drafts);
    return { today, found, jobs };
  }

  private async draftJobs(today: string): Promise<SweepJob[]> {
    const draftWindows = await this.windows('agendaDraftWorkingDays', 0, 'before', today);
    const meetings = draftWindows.length ? await this.repository.findMeetingsToDraft(this.dataSource.manager, draftWindows, this.clock.now(), SWEEP_LIMIT) : [];
    return meetings.map((meeting) => ({ name: ReminderJob.DraftAgenda, data: { meetingId: meeting.id }, opts: { ...ENTITY_JOB_OPTIONS, jobId: draftJobId(meeting.id) } }));
  }

  /** The dates due today for every value of `setting` some table runs on (or the fixed working days). */
  private async windows(setting: ReminderSetting | null, fixed: number, direction: Direction, today: string): Promise<OccasionWindow[]> {
    const values = setting ? await this.repository.settingValuesInUse(this.dataSource.manager, setting) : [fixed];
    return values.flatMap((workingDays) => datesDue(today, workingDays, direction).map((date) => ({ workingDays, date })));
  }
}
