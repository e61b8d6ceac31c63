import { PageQueryDto } from '../common/pagination';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsISO8601,
  isISO31661Alpha3,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  ValidationOptions,
} from 'class-validator';
import { validatorToday } from '../common/clock';
import { SearchParam } from '../common/list-query';
import { CASE_STATUSES, CaseStatus, RISK_LEVELS, RiskLevel } from './case.entity';
import { DEADLINE_KINDS, DeadlineKind } from './case-deadline.entity';
import { STRATEGY_KINDS, StrategyKind } from './case-strategy.entity';
import { CASE_SORT_FIELDS } from './case.repository';

/** Vreemdelingennummer: exactly ten digits. */
export const V_NUMBER = /^[0-9]{10}$/;
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** ICAO 9303 codes for stateless persons, refugees and unknown nationality, used in immigration records. */
const STATELESS_CODES = new Set(['XXA', 'XXB', 'XXC', 'XXX']);

/** ISO 3166-1 alpha-3, or the ICAO codes for stateless (XXA), refugee (XXB, XXC) and unknown (XXX). */
export const isNationalityCode = (value: unknown): value is string =>
  typeof value === 'string' && /^[A-Z]{3}$/.test(value) && (STATELESS_CODES.has(value) || isISO31661Alpha3(value));

const NotInFuture = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'notInFuture',
      validator: {
        // Today in the Netherlands (YYYY-MM-DD): "not in the future" is judged where the table sits.
        validate: (value: unknown) => typeof value === 'string' && value <= validatorToday(),
        defaultMessage: () => '$property must not be in the future',
      },
    },
    options,
  );

const Nationality = () =>
  ValidateBy({
    name: 'nationality',
    validator: {
      validate: isNationalityCode,
      defaultMessage: () => '$property must be an upper-case ISO 3166-1 alpha-3 code (or XXA, XXB, XXC, XXX)',
    },
  });

/** Fields shared by creating and updating a case; each is written only under its category's grant. */
class CaseFieldsDto {
  @ApiPropertyOptional({ type: String, maxLength: 200, nullable: true, description: 'Category: identity.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  familyName?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 200, nullable: true, description: 'Category: identity.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  givenNames?: string | null;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'Not in the future. Category: identity.' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'dateOfBirth must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  @NotInFuture()
  dateOfBirth?: string | null;

  @ApiPropertyOptional({ type: String, example: 'ERI', nullable: true, description: 'ISO 3166-1 alpha-3 (XXA/XXB/XXC/XXX for stateless, refugee, unknown). Category: identity.' })
  @IsOptional()
  @Nationality()
  nationality?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 200, nullable: true, example: 'azc Harderwijk', description: 'Category: residence.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  receptionLocation?: string | null;

  @ApiPropertyOptional({ enum: RISK_LEVELS, description: 'Category: deliberation. Default `medium`.' })
  @ValidateIf((_, v) => v !== undefined)
  @IsIn(RISK_LEVELS)
  riskLevel?: RiskLevel;

  @ApiPropertyOptional({ type: String, format: 'date', nullable: true, description: 'When the table reviews the case next. Category: deliberation.' })
  @IsOptional()
  @Matches(ISO_DATE, { message: 'reviewDate must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  reviewDate?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'A member organisation of the table. Category: deliberation.' })
  @IsOptional()
  @IsUUID()
  coordinatorOrganisationId?: string | null;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true, description: 'A user with a membership of the table. Category: deliberation.' })
  @IsOptional()
  @IsUUID()
  coordinatorUserId?: string | null;

  @ApiPropertyOptional({ type: String, maxLength: 200, nullable: true, example: 'aanmeldfase', description: 'Asylum procedure stage. Category: procedure.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  procedureStage?: string | null;

  @ApiPropertyOptional({ description: "On the IND intervention team's priority track. Category: procedure." })
  @ValidateIf((_, v) => v !== undefined)
  @IsBoolean()
  indPriority?: boolean;

  @ApiPropertyOptional({ type: String, maxLength: 5000, nullable: true, description: 'Health, vulnerability, guardianship (art. 9 AVG). Category: care.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  careNotes?: string | null;
}

export class StrategyInputDto {
  @ApiProperty({ enum: STRATEGY_KINDS, description: 'A departure strategy within the legal departure period, an approach to nuisance, or other.' })
  @IsIn(STRATEGY_KINDS)
  kind: StrategyKind;

  @ApiProperty({ minLength: 1, maxLength: 5000, description: 'The agreed approach. Category: deliberation.' })
  @IsString()
  @MinLength(1)
  @MaxLength(5000)
  text: string;
}

export class CreateCaseDto extends CaseFieldsDto {
  @ApiProperty({ example: '1234567890', description: 'Vreemdelingennummer, exactly 10 digits. The person is found by it or created. Category: identity.' })
  @IsString()
  @Matches(V_NUMBER, { message: 'vNumber must be exactly 10 digits' })
  vNumber: string;

  @ApiPropertyOptional({ type: () => StrategyInputDto, description: 'The first strategy revision. Category: deliberation.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => StrategyInputDto)
  strategy?: StrategyInputDto;
}

export class UpdateCaseDto extends CaseFieldsDto {
  @ApiPropertyOptional({
    example: 'AVG-2026-0012',
    pattern: '^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$',
    description: 'When the change rectifies data on a data-subject request (art. 16 AVG): its reference, recorded in the audit log. Changes nothing else.',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._/-]{0,99}$/, { message: 'requestReference must be a request reference: 1 to 100 letters, digits, dots, underscores, slashes or hyphens' })
  requestReference?: string;
}

export class StatusChangeDto {
  @ApiProperty({ enum: CASE_STATUSES, description: 'intake → active | closed; active → monitoring | closed; monitoring → active | closed; closed → active.' })
  @IsIn(CASE_STATUSES)
  status: CaseStatus;

  @ApiPropertyOptional({ maxLength: 1000, description: 'Why. Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export class CreateDeadlineDto {
  @ApiProperty({ enum: DEADLINE_KINDS, description: 'Decides the category: departure_period_end → return, procedure_decision → procedure, other → deliberation.' })
  @IsIn(DEADLINE_KINDS)
  kind: DeadlineKind;

  @ApiProperty({ format: 'date' })
  @Matches(ISO_DATE, { message: 'dueDate must be a date (YYYY-MM-DD)' })
  @IsISO8601({ strict: true })
  dueDate: string;

  @ApiPropertyOptional({ maxLength: 1000 })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  note?: string;
}

export class TransferCaseDto {
  @ApiProperty({ format: 'uuid', description: 'The table of the azc the person moved to; it must exist and be active.' })
  @IsUUID()
  toTableId: string;

  @ApiPropertyOptional({ maxLength: 1000, description: 'Category: residence.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reason?: string;
}

export const CASE_SORTS = CASE_SORT_FIELDS.flatMap((f) => [f, `-${f}`] as const);
export type CaseSort = (typeof CASE_SORTS)[number];

/** `?status=active&status=closed` and `?status=active,closed` both mean the same. */
const toList = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);

export class ListCasesQuery extends PageQueryDto {
  @ApiPropertyOptional({ enum: CASE_STATUSES, isArray: true, description: 'Repeatable or comma-separated.' })
  @IsOptional()
  @Transform(toList)
  @IsIn(CASE_STATUSES, { each: true })
  status?: CaseStatus[];

  @ApiPropertyOptional({ enum: RISK_LEVELS, isArray: true, description: 'Repeatable or comma-separated.' })
  @IsOptional()
  @Transform(toList)
  @IsIn(RISK_LEVELS, { each: true })
  riskLevel?: RiskLevel[];

  @ApiPropertyOptional({ type: Boolean, description: 'Has an open action whose due date (Europe/Amsterdam) has passed.' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  hasOverdueActions?: boolean;

  @ApiPropertyOptional({ format: 'date-time', description: 'Has an incident that occurred at or after this moment (only incidents of categories granted to you count).' })
  @IsOptional()
  @IsISO8601({ strict: true })
  incidentSince?: string;

  @ApiPropertyOptional({
    enum: CASE_SORTS,
    default: '-openedAt',
    description:
      'One field, `-` for descending; ties by opened, in the same direction. `riskLevel` (high is highest) and `nextDueDate` (the earliest due date ' +
      'of the open actions; a case without one sorts after every date) need the `deliberation` category. `lastIncidentAt` orders on the incidents ' +
      'you may see only (nuisance with `incidents`, offences with `criminal`; a case without one sorts as the oldest), and needs at least one of ' +
      'those categories. Sorting on anything but opened leaves out restricted persons\' cases, as filters do.',
  })
  @IsOptional()
  @IsIn(CASE_SORTS)
  sort?: CaseSort;

  @SearchParam(
    "The case reference; where your organisation is granted `identity` at the table, also the person's names and V-number (else those are " +
      'not searched at all: a hit would disclose them).',
  )
  q?: string;
}
