import { ApiProperty, ApiPropertyOptional, IntersectionType, PickType } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength, MinLength } from 'class-validator';
import { UpdateCaseDto, V_NUMBER } from '../cases/case.dto';
import { SortField } from '../common/list-query';
import { PageQueryDto, PageViewOf } from '../common/pagination';
import { REQUEST_KINDS, RequestKind } from './data-subject-request.entity';

/** A request's own reference (the privacy office's number): letters, digits and `. _ / -`, so it cannot hold a name. */
export const REQUEST_REFERENCE = /^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/;
/** A reason is stored and shown to privacy officers: it must not carry a V-number (ten digits in a row). */
const NO_V_NUMBER = /^(?![\s\S]*[0-9]{10})[\s\S]*$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

class RequestRecordDto {
  @ApiProperty({ example: 'AVG-2026-0012', pattern: REQUEST_REFERENCE.source, description: "The request's own reference, e.g. the privacy office's number. Letters, digits and `. _ / -`." })
  @IsString()
  @Matches(REQUEST_REFERENCE, { message: 'reference must be 1 to 100 letters, digits, dots, underscores, slashes or hyphens, starting with a letter or digit' })
  reference: string;

  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Verzoek van betrokkene per brief ontvangen op 3 maart 2026.', description: 'Why, as recorded with the request. Never a V-number or name.' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(NO_V_NUMBER, { message: 'reason must not contain a V-number (ten digits in a row)' })
  reason: string;
}

/** A request about one person, named by V-number in the body (never in a URI). */
export class SubjectRequestDto extends RequestRecordDto {
  @ApiProperty({ example: '9000000001', description: 'Vreemdelingennummer, exactly 10 digits. Hashed for the logs; never stored with the request.' })
  @IsString()
  @Matches(V_NUMBER, { message: 'vNumber must be exactly 10 digits' })
  vNumber: string;
}

/** The identity and residence fields the privacy officer may rectify (art. 16 AVG), validated as on a case. */
export class RectificationDto extends IntersectionType(
  SubjectRequestDto,
  PickType(UpdateCaseDto, ['familyName', 'givenNames', 'dateOfBirth', 'nationality', 'receptionLocation'] as const),
) {}

export class LegalHoldDto {
  @ApiProperty({ format: 'uuid', description: 'The case to hold.' })
  @IsUUID()
  caseId: string;

  @ApiProperty({ minLength: 1, maxLength: 2000, example: 'Lopende procedure bij de rechtbank; gegevens nodig als bewijs.', description: 'Why the data must be kept. Never a V-number or name.' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(NO_V_NUMBER, { message: 'reason must not contain a V-number (ten digits in a row)' })
  reason: string;

  @ApiProperty({ format: 'date', example: '2027-06-30', description: 'The last day the hold stands (Europe/Amsterdam); today or later.' })
  @Matches(ISO_DATE, { message: 'endsOn must be a date (YYYY-MM-DD)' })
  endsOn: string;
}

export class LiftLegalHoldDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Why the hold is lifted. Never a V-number or name.' })
  @IsString()
  @MinLength(1)
  @MaxLength(2000)
  @Matches(NO_V_NUMBER, { message: 'reason must not contain a V-number (ten digits in a row)' })
  reason: string;
}

export class ListRequestsQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: REQUEST_KINDS })
  @IsOptional()
  @IsIn(REQUEST_KINDS)
  kind?: RequestKind;

  @ApiPropertyOptional({ example: 'AVG-2026-0012', description: 'Exact request reference.' })
  @IsOptional()
  @IsString()
  @Matches(REQUEST_REFERENCE, { message: 'reference must be a request reference' })
  reference?: string;
}

export class ListLegalHoldsQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  caseId?: string;

  @ApiPropertyOptional({ description: 'Only holds that stand today (not lifted, end date not passed).' })
  @IsOptional()
  @IsIn(['true', 'false'])
  standing?: 'true' | 'false';
}

// --- views -----------------------------------------------------------------------------------------

/** What a request did, in counts and field names only (which members are present depends on its kind). */
export class RequestOutcomeView {
  @ApiPropertyOptional({ description: 'access: whether a person with the V-number is held.' }) found?: boolean;
  @ApiPropertyOptional({ type: 'integer', description: 'access: cases exported; erasure: cases erased.' }) cases?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'access: processing-log entries exported.' }) processing?: number;
  @ApiPropertyOptional({ type: [String], description: 'rectification: the fields set, by name (never their values).' }) fields?: string[];
  @ApiPropertyOptional({ format: 'date-time', description: 'lifting: since when the processing had been restricted.' }) restrictedSince?: string;
  @ApiPropertyOptional({ type: 'integer', description: 'erasure: open cases closed by it.' }) casesClosed?: number;
  @ApiPropertyOptional({ type: 'integer', description: "erasure: incidents whose free text and source reference were deleted." }) incidentsScrubbed?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'erasure: notes of criminal and care measures deleted.' }) measureNotesDeleted?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'erasure: items taken off agendas of meetings not held yet.' }) agendaItemsRemoved?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'erasure: frozen minutes rewritten without the criminal and care details.' }) minutesRewritten?: number;
  @ApiPropertyOptional({ type: 'integer', description: 'erasure (retention): cases moved to a placeholder person because the person keeps other cases.' }) casesUnlinked?: number;
  @ApiPropertyOptional({ description: 'erasure: the person was anonymised.' }) subjectErased?: boolean;
}

/** The person as recorded, in an access export. */
export class ExportedSubjectView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: '9000000001' }) vNumber: string;
  @ApiProperty({ type: String, nullable: true }) familyName: string | null;
  @ApiProperty({ type: String, nullable: true }) givenNames: string | null;
  @ApiProperty({ type: String, format: 'date', nullable: true }) dateOfBirth: string | null;
  @ApiProperty({ type: String, nullable: true }) nationality: string | null;
  @ApiProperty({ type: String, nullable: true }) receptionLocation: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Since when the processing is restricted, if it is.' }) restrictedAt: string | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}

export class DataSubjectRequestView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: REQUEST_KINDS }) kind: RequestKind;
  @ApiProperty({ example: 'AVG-2026-0012' }) reference: string;
  @ApiProperty() reason: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The person, by id (never the V-number); null for an access request about nobody held.' })
  subjectId: string | null;
  @ApiProperty({ format: 'uuid' }) handledByUserId: string;
  @ApiProperty({ format: 'uuid', description: 'Links the request to its audit and processing log entries.' }) operationId: string;
  @ApiProperty({ type: () => RequestOutcomeView, description: 'What was done, in counts and field names only.' }) outcome: RequestOutcomeView;
  @ApiProperty({ format: 'date-time' }) handledAt: string;
}

export class RestrictionView extends DataSubjectRequestView {
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'Since when processing is restricted; null once lifted.' }) restrictedAt: string | null;
}

export class LegalHoldView {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) caseId: string;
  @ApiProperty({ example: 'HWK-2026-0001' }) caseReference: string;
  @ApiProperty() reason: string;
  @ApiProperty({ format: 'date' }) endsOn: string;
  @ApiProperty({ description: 'Not lifted and its end date not passed: erasure of the case is refused.' }) standing: boolean;
  @ApiProperty({ format: 'uuid' }) setByUserId: string;
  @ApiProperty({ format: 'date-time' }) setAt: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) liftedByUserId: string | null;
  @ApiProperty({ type: String, format: 'date-time', nullable: true }) liftedAt: string | null;
  @ApiProperty({ type: String, nullable: true }) liftReason: string | null;
}

export class AccessExportView {
  @ApiProperty({ type: () => DataSubjectRequestView, description: 'The access request as recorded.' }) request: DataSubjectRequestView;
  @ApiProperty({ format: 'date-time' }) generatedAt: string;
  @ApiProperty({ description: 'Whether a person with this V-number is held. The processing log is searched either way.' }) found: boolean;
  @ApiProperty({ type: () => ExportedSubjectView, nullable: true, description: 'The person as recorded; null when nobody with the V-number is held.' })
  subject: ExportedSubjectView | null;
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description:
      'Every case of the person at every table, history included (transfers, status changes, strategy revisions), with its deadlines, incidents, ' +
      'measures, IND decisions, actions and their reviews, escalations and their history, nominations, agenda items (reasons, decisions, minutes addenda) and legal holds. Codes as codes.',
  })
  cases: Record<string, unknown>[];
  @ApiProperty({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'From the processing log, oldest first: when, which operation, which organisation, under which processing activity (name, purpose, category) of which table, purpose and legal basis.',
  })
  processing: Record<string, unknown>[];
  @ApiProperty({ type: 'array', items: { type: 'object', additionalProperties: true }, description: 'Earlier data-subject requests about the person (kind, reference, when).' })
  requests: Record<string, unknown>[];
}

/** Newest first, as a keyset over (handled_at, id): the requests of years. */
export const REQUEST_ORDER: Record<string, SortField> = { handledAt: { column: 'handled_at', kind: 'timestamp' } };
export const DataSubjectRequestPage = PageViewOf(DataSubjectRequestView, 'DataSubjectRequestPage');

/** Newest first, as a keyset over (set_at, id). */
export const LEGAL_HOLD_ORDER: Record<string, SortField> = { setAt: { column: 'h.set_at', kind: 'timestamp' } };
export const LegalHoldPage = PageViewOf(LegalHoldView, 'LegalHoldPage');
