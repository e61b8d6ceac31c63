import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, IsUUID, Length, Matches, MaxLength, registerDecorator, ValidateIf, ValidationArguments } from 'class-validator';
import { PageViewOf } from '../common/pagination';
import type { Category as CategoryName } from '../sharing/categories';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';
import {
  INCIDENT_CLASSIFICATIONS,
  INCIDENT_KINDS,
  SEVERITIES,
  VICTIM_KINDS,
  type IncidentClassification,
  type IncidentKind,
  type Severity,
  type VictimKind,
} from './incident.entity';
import { validatorNow } from '../common/clock';

// An offset is required: a local time without one is ambiguous around the DST change.
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
/** Partner systems' clocks drift; a push stamped a moment ahead of ours is not "in the future". */
const CLOCK_SKEW_MS = 2 * 60_000;

function isDateTime(value: unknown): value is string {
  const match = typeof value === 'string' ? DATE_TIME.exec(value) : null;
  if (!match) return false;
  const [, y, m, d] = match.map(Number);
  const day = new Date(Date.UTC(y, m - 1, d));
  // Date.parse rolls 2026-02-30 over to March; refuse it instead.
  return day.getUTCMonth() === m - 1 && day.getUTCDate() === d && !Number.isNaN(Date.parse(value as string));
}

/** An ISO 8601 date-time with a UTC offset (`2026-03-03T21:15:00+01:00` or `…Z`). */
export function IsDateTime(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'isDateTime',
      target: target.constructor,
      propertyName: String(property),
      validator: { validate: isDateTime, defaultMessage: () => '$property must be an ISO 8601 date-time with a UTC offset' },
    });
}

export function NotInFuture(): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'notInFuture',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown) => !isDateTime(value) || Date.parse(value) <= validatorNow().getTime() + CLOCK_SKEW_MS,
        defaultMessage: () => '$property must not be in the future',
      },
    });
}

/** This field may not be combined with any of `others`. */
function NotCombinedWith(others: string[]): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'notCombinedWith',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (_: unknown, args: ValidationArguments) => others.every((o) => (args.object as Record<string, unknown>)[o] === undefined),
        defaultMessage: () => `$property must not be combined with ${others.join(' or ')}`,
      },
    });
}

/** The incident itself, as members and partner systems submit it. */
export class CreateIncidentDto {
  @ApiProperty({ enum: INCIDENT_KINDS })
  @IsIn(INCIDENT_KINDS)
  kind: IncidentKind;

  @ApiPropertyOptional({
    enum: INCIDENT_CLASSIFICATIONS,
    description: '`nuisance` is shared as category `incidents`, `offence` as category `criminal`. Default: `offence` when the caller is POLICE or OM, else `nuisance`.',
  })
  @IsOptional()
  @IsIn(INCIDENT_CLASSIFICATIONS)
  classification?: IncidentClassification;

  @ApiProperty({ enum: SEVERITIES })
  @IsIn(SEVERITIES)
  severity: Severity;

  @ApiProperty({ format: 'date-time', example: '2026-03-03T21:15:00+01:00', description: 'With a UTC offset; not in the future.' })
  @IsDateTime()
  @NotInFuture()
  occurredAt: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Winkelcentrum Stadsdennen' })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  place?: string;

  @ApiPropertyOptional({ maxLength: 4000 })
  @IsOptional()
  @IsString()
  @Length(1, 4000)
  description?: string;

  @ApiPropertyOptional({ default: false, description: 'A formal criminal complaint (aangifte) was filed.' })
  @IsOptional()
  @IsBoolean()
  reportedToPolice?: boolean;

  @ApiPropertyOptional({ enum: VICTIM_KINDS, description: '`staff_public_duty`: staff on public duty (VPT).' })
  @IsOptional()
  @IsIn(VICTIM_KINDS)
  victimKind?: VictimKind;

  @ApiPropertyOptional({
    maxLength: 100,
    description: "The source organisation's own id for the incident; unique per organisation. Required for partner systems. A repeat with the same id and content answers 200 with the incident recorded the first time; the same id with other content is 409.",
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  externalReference?: string;
}

/**
 * A push by a partner system (or a member): the case is named by its reference, or by table and V-number
 * (the open case of that person at that table).
 */
export class PushIncidentDto extends CreateIncidentDto {
  @ApiPropertyOptional({ example: 'HWK-2026-0001', description: 'The case reference. Give this, or `tableId` with `vNumber`.' })
  @ValidateIf((o: PushIncidentDto) => o.caseReference !== undefined || (o.tableId === undefined && o.vNumber === undefined))
  @IsString({ message: '$property is required unless tableId and vNumber are given' })
  @MaxLength(50)
  @NotCombinedWith(['tableId', 'vNumber'])
  caseReference?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'With `vNumber`, instead of `caseReference`.' })
  @ValidateIf((o: PushIncidentDto) => o.caseReference === undefined)
  @IsUUID(undefined, { message: '$property must be a UUID (or give caseReference)' })
  tableId?: string;

  @ApiPropertyOptional({ pattern: '^[0-9]{10}$', description: 'Vreemdelingennummer, with `tableId`, instead of `caseReference`.' })
  @ValidateIf((o: PushIncidentDto) => o.caseReference === undefined)
  @IsString()
  @Matches(/^[0-9]{10}$/, { message: '$property must be 10 digits (or give caseReference)' })
  vNumber?: string;
}

/** One incident as the viewer may see it. A record whose category is not granted is never sent at all. */
export class IncidentView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) caseId: string;
  @NotPersonal({ enum: ['incidents', 'criminal'], description: 'The category under which this record was disclosed.' }) category: CategoryName;
  @NotPersonal({ format: 'uuid' }) sourceOrganisationId: string;
  @Category(PER_RECORD, { enum: INCIDENT_KINDS }) kind: IncidentKind;
  @Category(PER_RECORD, { enum: INCIDENT_CLASSIFICATIONS }) classification: IncidentClassification;
  @Category(PER_RECORD, { enum: SEVERITIES }) severity: Severity;
  @Category(PER_RECORD, { format: 'date-time' }) occurredAt: string;
  @Category(PER_RECORD, { type: String, nullable: true }) place: string | null;
  @Category(PER_RECORD, { type: String, nullable: true }) description: string | null;
  @Category(PER_RECORD, { description: 'Aangifte.' }) reportedToPolice: boolean;
  @Category(PER_RECORD, { enum: VICTIM_KINDS, nullable: true }) victimKind: VictimKind | null;
  @NotPersonal({ type: String, nullable: true, description: "The source organisation's own id." }) externalReference: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

/** A page of a case's incidents. */
export const IncidentPageView = PageViewOf(IncidentView, 'IncidentPage', 'Latest occurred first; only incidents of categories granted to you, each disclosed under its own.');
