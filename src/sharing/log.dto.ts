import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsISO8601, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PageQueryDto } from '../common/pagination';
import { PURPOSES } from './purposes';

// An offset is required: a bare local time would be read in the database session's time zone.
const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$/;
const DATE_TIME_MESSAGE = { message: '$property must be an ISO 8601 date-time with offset, e.g. 2026-03-01T00:00:00Z' };
const AUDIT_RESULTS = ['allowed', 'denied', 'error'] as const;
const BREAK_REASONS = ['entry_modified', 'entry_missing', 'chain_broken', 'seq_gap'] as const;

/** Filters and paging shared by both logs. `from` is inclusive, `to` exclusive. */
export class LogPageQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  tableId?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'Links an entry of one log to the entries of the other.' })
  @IsOptional()
  @IsUUID()
  operationId?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound (ISO 8601 with offset).' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(DATE_TIME, DATE_TIME_MESSAGE)
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound (ISO 8601 with offset).' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(DATE_TIME, DATE_TIME_MESSAGE)
  to?: string;
}

export class ProcessingLogSearchDto extends LogPageQuery {
  @ApiPropertyOptional({
    pattern: '^[0-9]{10}$',
    description: 'The data subject\'s V-number. Hashed before the query; never stored or returned in clear. A search by V-number is itself logged.',
  })
  @IsOptional()
  @Matches(/^[0-9]{10}$/, { message: '$property must be a V-number of 10 digits' })
  vNumber?: string;

  @ApiPropertyOptional({ example: 'case.read', maxLength: 100, description: 'Operation name.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  operation?: string;
}

export class AuditLogQueryDto extends LogPageQuery {
  @ApiPropertyOptional({ format: 'uuid', description: 'The acting user (or API client).' })
  @IsOptional()
  @IsUUID()
  userId?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  organisationId?: string;

  @ApiPropertyOptional({ enum: AUDIT_RESULTS })
  @IsOptional()
  @IsIn(AUDIT_RESULTS)
  result?: (typeof AUDIT_RESULTS)[number];

  @ApiPropertyOptional({ example: 'audit_log.read', maxLength: 100, description: 'The action (operation name), e.g. `audit_log.read` for the reads of this log.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  action?: string;
}

export class ProcessingLogEntryDto {
  @ApiProperty({ pattern: '^[0-9]+$', description: 'Sequential id (64-bit, as a string).' }) id: string;
  @ApiProperty() traceId: string;
  @ApiProperty({ format: 'uuid' }) operationId: string;
  @ApiProperty({ example: 'case.read' }) operationName: string;
  @ApiProperty({ enum: ['ok', 'error', 'denied'] }) status: string;
  @ApiProperty({ format: 'date-time' }) startedAt: Date;
  @ApiProperty({ format: 'date-time' }) endedAt: Date;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'Resolves in the table\'s register of processing activities.' })
  processingActivityId: string | null;
  @ApiProperty({ example: 'vreemdelingennummer' }) dataSubjectType: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The calling partner system, if any.' }) apiClientId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tableId: string | null;
  @ApiProperty({ description: 'Whether the entry is in the hash chain yet.' }) sealed: boolean;
}

/** The filter of an audited read, as recorded: ids, codes and times only. */
export class AuditDetailFilterDto {
  @ApiPropertyOptional({ format: 'uuid' }) tableId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) operationId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) userId?: string;
  @ApiPropertyOptional({ format: 'uuid' }) organisationId?: string;
  @ApiPropertyOptional({ enum: AUDIT_RESULTS }) result?: string;
  @ApiPropertyOptional() action?: string;
  @ApiPropertyOptional() operation?: string;
  @ApiPropertyOptional({ format: 'date-time' }) from?: string;
  @ApiPropertyOptional({ format: 'date-time' }) to?: string;
  @ApiPropertyOptional({ type: 'integer' }) limit?: number;
  @ApiPropertyOptional({ enum: ['next'], description: 'A next page was asked for (the cursor itself is not kept).' }) page?: string;
  @ApiPropertyOptional({ description: 'The search was by a V-number (which is not kept here, not even hashed).' }) byVNumber?: boolean;
}

export class AuditDetailDto {
  @ApiPropertyOptional({ enum: ['processing_log', 'audit_log'], description: 'The log that was read.' }) log?: string;
  @ApiPropertyOptional({ enum: ['access', 'refused_attempts'], description: 'The access review that was read.' }) review?: string;
  @ApiPropertyOptional({ type: AuditDetailFilterDto }) filter?: AuditDetailFilterDto;
  @ApiPropertyOptional({ type: 'integer', description: 'Entries returned.' }) returned?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'People listed by an access review.' }) returnedUsers?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'Partner systems listed by an access review.' }) returnedApiClients?: number;
  @ApiPropertyOptional({ description: 'The reference of the data-subject request an operation was performed on (e.g. a rectification).' }) requestReference?: string;
}

export class AuditLogEntryDto {
  @ApiProperty({ pattern: '^[0-9]+$', description: 'Sequential id (64-bit, as a string).' }) id: string;
  @ApiProperty() traceId: string;
  @ApiProperty({ format: 'uuid' }) operationId: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: Date;
  @ApiProperty({ enum: ['user', 'client', 'system'] }) actorKind: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId: string | null;
  @ApiProperty({
    type: String,
    nullable: true,
    enum: ['chair', 'member', 'partner_system', 'admin', 'privacy_officer'],
    example: 'chair',
    description: "The caller's role: at the table (`chair`, `member`, `partner_system`), else its first global role; null for the system.",
  })
  role: string | null;
  @ApiProperty({ type: String, nullable: true }) originIp: string | null;
  @ApiProperty({ example: 'case.read' }) action: string;
  @ApiProperty({ enum: AUDIT_RESULTS }) result: string;
  @ApiProperty({ type: [String], example: ['identity'] }) categories: string[];
  @ApiProperty({ type: String, nullable: true, enum: PURPOSES, description: 'Why, as a code of the fixed set (entries written before the set existed may hold free text).' })
  purpose: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The purpose in Dutch, as a privacy officer reports it.', example: 'Casus bespreken in het casusoverleg' })
  purposeLabel: string | null;
  @ApiProperty({ type: String, nullable: true }) legalBasis: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) tableId: string | null;
  @ApiProperty({ type: 'integer' }) subjectCount: number;
  @ApiProperty({
    type: () => AuditDetailDto,
    nullable: true,
    description:
      'What the operation asked for, where it says more than the columns above: for a read of a log (`audit_log.read`, `processing_log.read`, ' +
      '`log.search`) or an access review, the filter and how many entries were returned. Never personal data in clear (a search by V-number ' +
      'says only `byVNumber`).',
  })
  detail: AuditDetailDto | null;
  @ApiProperty({ description: 'Whether the entry is in the hash chain yet.' }) sealed: boolean;
}

export class ProcessingLogPageDto {
  @ApiProperty({ type: [ProcessingLogEntryDto], description: 'Newest first.' }) items: ProcessingLogEntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}

export class AuditLogPageDto {
  @ApiProperty({ type: [AuditLogEntryDto], description: 'Newest first.' }) items: AuditLogEntryDto[];
  @ApiProperty({ nullable: true, type: String, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}

export class BrokenSealDto {
  @ApiProperty({ enum: ['processing_log', 'audit_log'] }) log: string;
  @ApiProperty({ pattern: '^[0-9]+$' }) seq: string;
  @ApiProperty({ pattern: '^[0-9]+$' }) entryId: string;
  @ApiProperty({ enum: BREAK_REASONS }) reason: string;
}

export class LogVerificationDto {
  @ApiProperty({ enum: ['processing_log', 'audit_log'] }) log: string;
  @ApiProperty({
    description:
      'No sealed entry was found modified or deleted and the chain is whole, as far as verified (`lastSeq`). Unsealed entries are not counted against it. ' +
      'Once false, it stays false until a full re-verification no longer finds the break.',
  })
  intact: boolean;
  @ApiProperty({ type: BrokenSealDto, nullable: true, description: 'The first broken seal; later ones are not meaningful.' })
  firstBroken: BrokenSealDto | null;
  @ApiProperty({ type: 'integer', description: 'Seals verified (seq 1 up to `lastSeq`).' }) sealed: number;
  @ApiProperty({ type: 'integer', description: 'Entries not yet in the chain (cannot be verified yet), when verified.' }) unsealed: number;
  @ApiProperty({ nullable: true, type: 'integer', description: 'Age of the oldest unsealed entry in seconds, when verified.' }) oldestUnsealedAgeSeconds: number | null;
  @ApiProperty({ type: 'integer', description: 'Unsealed entries behind the end of the chain: never sealed, so a sign of a forged insert.' })
  unsealedBehindChain: number;
  @ApiProperty({ nullable: true, type: String, pattern: '^[0-9]+$', description: 'The last verified seq.' }) lastSeq: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'The chain hash at `lastSeq`; keep a copy outside the database to detect a rewritten tail.' })
  headChainHash: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When this result was recorded; null before the first run. Alert when it grows old.' })
  verifiedAt: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'When a verification from seq 1 last completed.' }) fullVerifiedAt: Date | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'A full re-verification was requested then and has not completed yet.' })
  fullRequestedAt: Date | null;
}

export class LogsVerificationDto {
  @ApiProperty({ format: 'date-time', nullable: true, type: String, description: 'The older of the two results\' `verifiedAt`; null before the first run.' })
  checkedAt: Date | null;
  @ApiProperty({ description: 'Both logs are intact.' }) intact: boolean;
  @ApiProperty({ type: LogVerificationDto }) processingLog: LogVerificationDto;
  @ApiProperty({ type: LogVerificationDto }) auditLog: LogVerificationDto;
}

export class VerifyLogsDto {
  @ApiPropertyOptional({ default: false, description: 'Verify from seq 1 instead of from the last verified seal, which also detects a change before it.' })
  @IsOptional()
  @IsBoolean()
  full?: boolean;
}

export class LogsVerificationRequestDto extends LogsVerificationDto {
  @ApiProperty({
    description:
      'The run was handed to the job queue. When false (Redis cannot be reached), a requested full run is still recorded and starts with the next scheduled run.',
  })
  enqueued: boolean;
}
