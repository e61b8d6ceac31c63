import { Purpose } from '../sharing/purposes';
import { InjectQueue } from '@nestjs/bullmq';
import { Injectable, Logger } from '@nestjs/common';
import { Queue } from 'bullmq';
import { DataSource, EntityManager } from 'typeorm';
import { Clock } from '../common/clock';
import { amsterdamDate } from '../common/working-days';
import { QueueName, RetentionJob } from '../jobs/queues';
import { newSystemTraceId } from '../meetings/agenda/agenda-draft.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ErasureOutcome, ErasureService } from './erasure.service';
import { holdStands } from './legal-hold.service';

/** Cases enqueued per sweep at most; the rest wait for the next night. */
export const RETENTION_SWEEP_LIMIT = 10_000;

export interface DueCase {
  id: string;
  table_id: string;
}

/**
 * SQL: the closed, not yet erased cases whose table's retention period (`chain_table.retention_months`, set by
 * the covenant; the demo uses 24) has passed at `$1` (the Clock's instant), and on which no legal hold stands
 * on `$2` (the Clock's date in Amsterdam). A restricted person's cases wait: restriction may have been asked
 * precisely to keep the data (art. 18(1)(c) AVG), so they are erased once it is lifted. The first condition
 * bounds the scan by the retention index (the shortest period a table can set is one month).
 */
const DUE = `
  FROM case_file c
  JOIN chain_table t ON t.id = c.table_id
  JOIN subject s ON s.id = c.subject_id
 WHERE c.status = 'closed' AND c.erased_at IS NULL
   AND c.closed_at <= $1::timestamptz - interval '1 month'
   AND c.closed_at + make_interval(months => t.retention_months) <= $1::timestamptz
   AND s.restricted_at IS NULL
   AND NOT EXISTS (SELECT 1 FROM legal_hold h WHERE h.case_id = c.id AND ${holdStands('h', '$2')})`;

export interface RetentionResult {
  erased: boolean;
  outcome?: ErasureOutcome;
}

/**
 * The retention sweep (DOMAIN.md sections 7 and 8, nightly): erases the personal data of closed cases past
 * their table's retention period, as an erasure does (ErasureService), one job per case so that one case's
 * failure is retried on its own. A job re-checks its case under the case's lock, so running it twice, or
 * after a hold was set or the person restricted, erases nothing it should not. Logged as the system's
 * processing, under the table's processing activity for identity, with the person's V-number as it was.
 */
@Injectable()
export class RetentionService {
  private readonly logger = new Logger('Retention');

  constructor(
    private readonly dataSource: DataSource,
    private readonly erasure: ErasureService,
    private readonly log: ProcessingLogService,
    private readonly clock: Clock,
    @InjectQueue(QueueName.Retention) private readonly queue: Queue,
  ) {}

  /** The cases due now, oldest closure first. */
  async findDue(m: EntityManager = this.dataSource.manager, limit = RETENTION_SWEEP_LIMIT): Promise<DueCase[]> {
    const now = this.clock.now();
    return m.query(`SELECT c.id, c.table_id ${DUE} ORDER BY c.closed_at, c.id LIMIT $3`, [now, amsterdamDate(now), limit]);
  }

  /** The nightly sweep: one EraseCase job per due case (job id per case, so a second sweep adds none while one waits). */
  async sweep(): Promise<{ due: number }> {
    const due = await this.findDue();
    await this.queue.addBulk(
      due.map((c) => ({
        name: RetentionJob.EraseCase,
        data: { caseId: c.id },
        opts: { jobId: `erase-case-${c.id}`, attempts: 5, backoff: { type: 'exponential', delay: 60_000 }, removeOnComplete: true, removeOnFail: { age: 86_400 } },
      })),
    );
    if (due.length) this.logger.log({ event: 'retention_sweep', due: due.length }, 'retention sweep enqueued erasures');
    return { due: due.length };
  }

  /** Erases the case if it is (still) due; in one transaction with its log entries. */
  async eraseIfDue(caseId: string): Promise<RetentionResult> {
    const startedAt = this.clock.now();
    return this.dataSource.transaction(async (m) => {
      // The person before the case, in the order an erasure request locks them, so the two never deadlock.
      const [found] = await m.query(`SELECT subject_id FROM case_file WHERE id = $1`, [caseId]);
      if (!found) return { erased: false };
      await m.query(`SELECT 1 FROM subject WHERE id = $1 FOR UPDATE`, [found.subject_id]);
      const [locked] = await this.erasure.lockCases(m, { caseId });
      // Moved to another person meanwhile (an erasure of theirs): the next sweep decides again.
      if (!locked || locked.subject_id !== found.subject_id) return { erased: false };
      const now = this.clock.now();
      const [due]: (DueCase & { v_number: string })[] = await m.query(`SELECT c.id, c.table_id, s.v_number ${DUE} AND c.id = $3`, [now, amsterdamDate(now), caseId]);
      if (!due) return { erased: false };
      const outcome = await this.erasure.eraseCase(m, locked, now);
      await this.log.recordBySystem(m, newSystemTraceId(), due.table_id, {
        operation: 'case.erase_by_retention',
        activityCategory: 'identity',
        categories: ['identity', 'incidents', 'criminal', 'care'],
        subjects: [{ subjectId: locked.subject_id, vNumber: due.v_number }],
        purpose: Purpose.Retention,
        startedAt,
      });
      return { erased: true, outcome };
    });
  }
}
