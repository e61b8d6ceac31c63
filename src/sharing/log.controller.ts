import { InjectQueue } from '@nestjs/bullmq';
import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiAcceptedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Queue } from 'bullmq';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput } from '../common/api-docs';
import { Ctx, type RequestContext } from '../common/request-context';
import { QueueName, VerificationJob } from '../jobs/queues';
import { LogQueryService } from './log-query.service';
import { LogVerificationRepository } from './log-verification.repository';
import {
  AuditLogPageDto,
  AuditLogQueryDto,
  LogsVerificationDto,
  LogsVerificationRequestDto,
  ProcessingLogPageDto,
  ProcessingLogSearchDto,
  VerifyLogsDto,
} from './log.dto';

/** A request never waits for Redis longer than this to hand over a job. */
const ENQUEUE_TIMEOUT_MS = 1000;

const within = <T>(p: Promise<T>, ms: number, fallback: T): Promise<T> =>
  Promise.race([p.catch(() => fallback), new Promise<T>((resolve) => setTimeout(() => resolve(fallback), ms).unref())]);

@ApiTags('privacy')
@Controller('privacy')
export class LogController {
  constructor(
    private readonly logs: LogQueryService,
    private readonly verifications: LogVerificationRepository,
    @InjectQueue(QueueName.Verification) private readonly verificationQueue: Queue,
  ) {}

  // POST, not GET: the V-number must never appear in a URI (access logs, proxies, browser history).
  @Post('processing-log/_search')
  @HttpCode(200)
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({
    summary: 'Search the processing log',
    description:
      'Newest first, keyset-paged. A V-number is hashed with the same key as the log before the query; neither it nor its hash is ' +
      'returned. Every search is audited, with the filter in the audit entry\'s `detail`: `processing_log.read`, or `log.search` for a search by ' +
      'V-number, which is also a processing of personal data and is written to the processing log under that person too.',
  })
  @ApiOkResponse({ type: ProcessingLogPageDto })
  @ApiInvalidInput()
  searchProcessingLog(@Ctx() ctx: RequestContext, @Body() dto: ProcessingLogSearchDto): Promise<ProcessingLogPageDto> {
    return this.logs.searchProcessingLog(ctx, dto);
  }

  @Get('audit-log')
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({
    summary: 'List the audit log',
    description:
      'Who did what, including refused attempts; newest first, keyset-paged. Filter by `operationId` to join an entry with its processing-log ' +
      'entries. Reading is itself audited (`audit_log.read`, with the filter in `detail`), committed before the answer: the read shows on the next one.',
  })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiInvalidInput()
  listAuditLog(@Ctx() ctx: RequestContext, @Query() dto: AuditLogQueryDto): Promise<AuditLogPageDto> {
    return this.logs.listAuditLog(ctx, dto);
  }

  @Get('logs/_verify')
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({
    summary: 'The latest verification of both logs\' hash chains',
    description:
      'A background job verifies both logs every minute from where it stopped (nightly, and on request, from seq 1) and records the ' +
      'result; this reads that record. Per log: the first broken seal (`entry_modified`, `entry_missing`, `chain_broken`, `seq_gap`), ' +
      'how far it is verified, and how many entries are not sealed yet: those cannot be verified until the sealing job reaches them and ' +
      'do not make a log non-intact. `verifiedAt` says how fresh the result is.',
  })
  @ApiOkResponse({ type: LogsVerificationDto })
  verify(): Promise<LogsVerificationDto> {
    return this.latest();
  }

  @Post('logs/_verify')
  @HttpCode(202)
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({
    summary: 'Start a verification of both logs\' hash chains',
    description:
      'Hands a verification run to the job queue and answers at once with the latest recorded result; poll `GET` for the new one. With ' +
      '`full: true` the run starts from seq 1 instead of from the last verified seal, which also detects a change before it; a requested ' +
      'full run is recorded (`fullRequestedAt`) and happens even when the queue cannot be reached right now.',
  })
  @ApiAcceptedResponse({ type: LogsVerificationRequestDto })
  @ApiInvalidInput()
  async requestVerification(@Body() dto: VerifyLogsDto): Promise<LogsVerificationRequestDto> {
    const full = dto?.full === true;
    if (full) await this.verifications.requestFull();
    const job = this.verificationQueue.add(VerificationJob.VerifyLogs, { full }, { removeOnComplete: 100, removeOnFail: 500 });
    const enqueued = await within(
      job.then(() => true),
      ENQUEUE_TIMEOUT_MS,
      false,
    );
    return { ...(await this.latest()), enqueued };
  }

  private async latest(): Promise<LogsVerificationDto> {
    const [processingLog, auditLog] = await this.verifications.findLatest();
    const times = [processingLog.verifiedAt, auditLog.verifiedAt];
    const checkedAt = times.some((t) => t === null) ? null : new Date(Math.min(...times.map((t) => t!.getTime())));
    return { checkedAt, intact: processingLog.intact && auditLog.intact, processingLog, auditLog };
  }
}
