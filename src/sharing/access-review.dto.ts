import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsISO8601, IsOptional, Matches } from 'class-validator';
import { ORGANISATION_TYPES, type OrganisationType } from '../auth/permissions';
import type { SortField } from '../common/list-query';
import { PageQueryDto } from '../common/pagination';
import { CATEGORIES, LAWFUL_GROUNDS, type Category, type LawfulGround } from './categories';

const DATE_TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d(:\d\d(\.\d{1,6})?)?(Z|[+-]\d\d:\d\d)$/;
const DATE_TIME_MESSAGE = { message: '$property must be an ISO 8601 date-time with offset, e.g. 2026-03-01T00:00:00Z' };

export class CategoryAccessDto {
  @ApiProperty({ enum: CATEGORIES }) category: Category;
  @ApiProperty({ example: 'Opgelegde maatregelen' }) categoryLabel: string;
  @ApiProperty({ format: 'date-time', description: 'Since when this access has held without interruption: the latest of the membership, the organisation\'s seat at the table and the grant.' })
  since: string;
  @ApiProperty({ enum: LAWFUL_GROUNDS }) lawfulGround: LawfulGround;
  @ApiProperty() legalBasis: string;
}

class AccessHolderDto {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() organisationName: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) organisationType: OrganisationType;
  @ApiProperty({ format: 'date-time', description: "The organisation's seat at the table since." }) organisationMemberSince: string;
  @ApiProperty({ type: CategoryAccessDto, isArray: true, description: 'The categories the covenant in force grants the organisation type, in category order. Empty: sits at the table but sees no case data.' })
  categories: CategoryAccessDto[];
}

export class UserAccessDto extends AccessHolderDto {
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty({ description: "The account's name, for re-certification." }) name: string;
  @ApiProperty({ enum: ['chair', 'member'] }) role: string;
  @ApiProperty({ format: 'date-time', description: 'Membership of the table since.' }) memberSince: string;
  @ApiProperty({ type: String, format: 'date-time', nullable: true, description: 'The last sign-in; an account unused for long is a candidate for removal.' })
  lastSignInAt: string | null;
}

export class ApiClientAccessDto extends AccessHolderDto {
  @ApiProperty({ format: 'uuid' }) apiClientId: string;
  @ApiProperty() name: string;
  @ApiProperty() clientId: string;
  @ApiProperty({ type: String, isArray: true, description: 'OAuth2 scopes: which routes the partner system may call; the categories decide what they show.' }) scopes: string[];
  @ApiProperty({ format: 'date-time' }) registeredAt: string;
}

export class AccessReviewDto {
  @ApiProperty({ format: 'uuid' }) tableId: string;
  @ApiProperty() tableName: string;
  @ApiProperty({ format: 'date-time', description: 'The moment the review describes.' }) reviewedAt: string;
  @ApiProperty({ type: 'integer', nullable: true }) covenantVersion: number | null;
  @ApiProperty({ type: UserAccessDto, isArray: true, description: 'People with an active membership whose account and organisation are active, by organisation then name.' })
  users: UserAccessDto[];
  @ApiProperty({ type: ApiClientAccessDto, isArray: true, description: 'Partner systems of member organisations that are not disabled.' })
  apiClients: ApiClientAccessDto[];
}

export class RefusedAttemptsQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'Inclusive lower bound (ISO 8601 with offset); default 90 days before `to`.' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(DATE_TIME, DATE_TIME_MESSAGE)
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Exclusive upper bound (ISO 8601 with offset); default now.' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  @Matches(DATE_TIME, DATE_TIME_MESSAGE)
  to?: string;
}

/** The attempts newest first, a keyset over the audit log's (occurred_at, id). */
export const REFUSED_ATTEMPT_ORDER: Record<string, SortField> = { occurredAt: { column: 'e.occurred_at', kind: 'timestamp' } };

export class RefusedAttemptDto {
  @ApiProperty({ pattern: '^[0-9]+$', description: 'The audit entry.' }) id: string;
  @ApiProperty({ format: 'uuid' }) operationId: string;
  @ApiProperty({ format: 'date-time' }) occurredAt: string;
  @ApiProperty({ enum: ['user', 'client'] }) actorKind: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ type: String, nullable: true, description: 'The account or partner system.' }) actorName: string | null;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) organisationId: string | null;
  @ApiProperty({ type: String, nullable: true }) organisationName: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'member' }) role: string | null;
  @ApiProperty({ example: 'case.read' }) action: string;
  @ApiProperty({ type: String, nullable: true }) originIp: string | null;
}

export class ActionCountDto {
  @ApiProperty() action: string;
  @ApiProperty({ type: 'integer' }) count: number;
}

export class ActorCountDto {
  @ApiProperty({ enum: ['user', 'client'] }) actorKind: string;
  @ApiProperty({ type: String, format: 'uuid', nullable: true }) actorId: string | null;
  @ApiProperty({ type: String, nullable: true }) actorName: string | null;
  @ApiProperty({ type: String, nullable: true }) organisationName: string | null;
  @ApiProperty({ type: 'integer' }) count: number;
}

export class RefusedAttemptsDto {
  @ApiProperty({ format: 'uuid' }) tableId: string;
  @ApiProperty({ format: 'date-time' }) from: string;
  @ApiProperty({ format: 'date-time' }) to: string;
  @ApiProperty({ type: 'integer', description: 'Refused attempts in the period.' }) total: number;
  @ApiProperty({ type: ActionCountDto, isArray: true, description: 'Per action, most refused first.' }) byAction: ActionCountDto[];
  @ApiProperty({ type: ActorCountDto, isArray: true, description: 'Per account or partner system, most refused first.' }) byActor: ActorCountDto[];
  @ApiProperty({ type: RefusedAttemptDto, isArray: true, description: 'This page of the attempts, newest first, at most `limit`; the counts above cover the whole period.' })
  items: RefusedAttemptDto[];
  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` (with the same `from` and `to`) for the next page (also sent as a `Link` header with `rel="next"`); null on the last page.' })
  nextCursor: string | null;
  @ApiProperty({ description: 'More attempts in the period than this page lists (`nextCursor` is not null).' }) truncated: boolean;
}
