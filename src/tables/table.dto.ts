import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayUnique, IsArray, IsBoolean, IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, MaxLength, Min, MinLength } from 'class-validator';
import { ORGANISATION_TYPES, TableRole, type OrganisationType } from '../auth/permissions';
import { SearchParam, SortField, SortParam, sortValues } from '../common/list-query';
import { PageQueryDto, PageViewOf } from '../common/pagination';
import { IsRrule, RRULE_EXAMPLE } from './rrule';
import type { HolidayPolicy } from './table.entity';

export const HOLIDAY_POLICIES = ['skip', 'next_working_day', 'previous_working_day'] as const satisfies readonly HolidayPolicy[];

const RRULE_DOC = { example: RRULE_EXAMPLE, maxLength: 500, description: 'Meeting cadence as an RFC 5545 RRULE, interpreted in Europe/Amsterdam.' };
const HOLIDAY_DOC = { enum: HOLIDAY_POLICIES, description: 'What happens to a meeting that falls on a public holiday.' };
const RETENTION_DOC = { minimum: 1, maximum: 120, description: 'Months after closing a case before its personal data is erased.' };

export class CreateTableDto {
  @ApiProperty({ example: 'LKO Harderwijk', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiProperty({ example: 'azc Harderwijk', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  coaLocation: string;

  @ApiProperty({ example: 'GM0243', pattern: '^GM[0-9]{4}$', description: 'CBS municipality code.' })
  @Matches(/^GM[0-9]{4}$/, { message: '$property must be a CBS municipality code such as GM0243' })
  municipalityCode: string;

  @ApiProperty(RRULE_DOC)
  @IsRrule()
  cadenceRrule: string;

  @ApiPropertyOptional({ ...HOLIDAY_DOC, default: 'skip' })
  @IsOptional()
  @IsIn(HOLIDAY_POLICIES)
  holidayPolicy?: HolidayPolicy;

  @ApiPropertyOptional({ ...RETENTION_DOC, default: 24 })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  retentionMonths?: number;

  @ApiProperty({ example: 'HWK', pattern: '^[A-Z]{2,6}$', description: 'Prefix of case references (HWK → HWK-2026-0001); unique.' })
  @Matches(/^[A-Z]{2,6}$/, { message: '$property must be 2 to 6 capital letters, such as HWK' })
  caseReferencePrefix: string;

  @ApiProperty({
    type: 'string',
    format: 'uuid',
    isArray: true,
    description: 'Active chain partner organisations that sit at the table (not ADMINISTRATION).',
  })
  @IsArray()
  @ArrayMaxSize(50)
  @ArrayUnique()
  @IsUUID('all', { each: true, message: '$property must hold UUIDs only' })
  memberOrganisationIds: string[];
}

export class UpdateTableDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  coaLocation?: string;

  @ApiPropertyOptional(RRULE_DOC)
  @IsOptional()
  @IsRrule()
  cadenceRrule?: string;

  @ApiPropertyOptional(HOLIDAY_DOC)
  @IsOptional()
  @IsIn(HOLIDAY_POLICIES)
  holidayPolicy?: HolidayPolicy;

  @ApiPropertyOptional(RETENTION_DOC)
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(120)
  retentionMonths?: number;

  @ApiPropertyOptional({ description: 'An inactive table keeps its history but holds no new meetings.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class AddMemberOrganisationDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  organisationId: string;
}

export class TableMemberOrganisationDto {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) type: OrganisationType;
  @ApiProperty() name: string;
  @ApiProperty({ format: 'date-time' }) joinedAt: string;
}

export class TableSummaryDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() coaLocation: string;
  @ApiProperty({ example: 'GM0243' }) municipalityCode: string;
  @ApiProperty({ example: 'HWK' }) caseReferencePrefix: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ enum: TableRole, nullable: true, description: "The caller's active role at the table; null for an administrator without one." })
  role: TableRole | null;
}

export const TABLE_SORT: Record<string, SortField> = { name: { column: 't.name', kind: 'text' } };

export class ListTablesQuery extends PageQueryDto {
  @SearchParam('Only tables whose name contains this.')
  q?: string;

  @SortParam(sortValues(TABLE_SORT), 'name')
  sort?: string;
}

export const TableSummaryPage = PageViewOf(TableSummaryDto, 'TableSummaryPage');

export class TableDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() name: string;
  @ApiProperty() coaLocation: string;
  @ApiProperty({ example: 'GM0243' }) municipalityCode: string;
  @ApiProperty({ example: RRULE_EXAMPLE }) cadenceRrule: string;
  @ApiProperty({ enum: HOLIDAY_POLICIES }) holidayPolicy: HolidayPolicy;
  @ApiProperty({ minimum: 1, maximum: 120 }) retentionMonths: number;
  @ApiProperty({ example: 'HWK' }) caseReferencePrefix: string;
  @ApiProperty() active: boolean;
  @ApiProperty({ type: TableMemberOrganisationDto, isArray: true, description: 'Current member organisations only.' })
  memberOrganisations: TableMemberOrganisationDto[];
  @ApiProperty({ type: 'integer', nullable: true, description: 'Number of the covenant version in force.' })
  currentCovenantVersion: number | null;
}
