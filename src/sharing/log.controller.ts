import { Body, Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput } from '../common/api-docs';
import { Ctx, type RequestContext } from '../common/request-context';
import { LogQueryService } from './log-query.service';
import { LOGS } from './log-seal.service';
import { LogVerifier } from './log-verifier';
import { AuditLogPageDto, AuditLogQueryDto, LogsVerificationDto, ProcessingLogPageDto, ProcessingLogSearchDto } from './log.dto';

@ApiTags('privacy')
@Controller('privacy')
export class LogController {
  constructor(
    private readonly logs: LogQueryService,
    private readonly verifier: LogVerifier,
  ) {}

  // POST, not GET: the V-number must never appear in a URI (access logs, proxies, browser history).
  @Post('processing-log/_search')
  @HttpCode(200)
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({
    summary: 'Search the processing log',
    description:
      'Newest first, keyset-paged. A V-number is hashed with the same key as the log before the query; neither it nor its hash is ' +
      'returned. A search by V-number is itself a processing of personal data and is written to both logs (`log.search`).',
  })
  @ApiOkResponse({ type: ProcessingLogPageDto })
  @ApiInvalidInput()
  searchProcessingLog(@Ctx() ctx: RequestContext, @Body() dto: ProcessingLogSearchDto): Promise<ProcessingLogPageDto> {
    return this.logs.searchProcessingLog(ctx, dto);
  }

  @Get('audit-log')
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({ summary: 'List the audit log', description: 'Who did what, including refused attempts; newest first, keyset-paged. Filter by `operationId` to join an entry with its processing-log entries.' })
  @ApiOkResponse({ type: AuditLogPageDto })
  @ApiInvalidInput()
  listAuditLog(@Query() dto: AuditLogQueryDto): Promise<AuditLogPageDto> {
    return this.logs.listAuditLog(dto);
  }

  @Get('logs/_verify')
  @Authenticated({ permission: Permission.LogRead })
  @ApiOperation({
    summary: 'Verify the hash chains of both logs',
    description:
      'Recomputes every sealed entry\'s hash from the row as it is now, and the chain. Reports per log the first broken seal ' +
      '(`entry_modified`, `entry_missing`, `chain_broken`, `seq_gap`) and how many entries are not sealed yet: those cannot be ' +
      'verified until the sealing job reaches them and do not make a log non-intact.',
  })
  @ApiOkResponse({ type: LogsVerificationDto })
  async verify(): Promise<LogsVerificationDto> {
    const [processingLog, auditLog] = await Promise.all(LOGS.map((log) => this.verifier.verify(log)));
    return { checkedAt: new Date(), intact: processingLog.intact && auditLog.intact, processingLog, auditLog };
  }
}
