import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageViewOf } from '../common/pagination';
import { MEMBER_ORGANISATION_TYPES, type MemberOrganisationType } from '../sharing/categories';
import { Category, NotPersonal, PER_RECORD } from '../sharing/disclosure';
import { IsDateTime } from './incident.dto';
import { MEASURE_CATEGORIES, MEASURE_TYPE_CODES, type MeasureCategory } from './measure-catalogue';
import { MEASURE_STATUSES, type MeasureStatus } from './measure.entity';

export class CreateMeasureDto {
  @ApiProperty({ enum: MEASURE_TYPE_CODES, description: 'A code from `GET /measure-types`.' })
  @IsIn(MEASURE_TYPE_CODES)
  type: string;

  @ApiProperty({ format: 'date-time', example: '2026-03-04T09:00:00+01:00' })
  @IsDateTime()
  startsAt: string;

  @ApiPropertyOptional({ format: 'date-time', description: "After `startsAt`. Default: `startsAt` plus the type's default duration, if it has one." })
  @IsOptional()
  @IsDateTime()
  endsAt?: string;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @Length(1, 2000)
  note?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: "Default: the caller's organisation. Must be an active member organisation of the case's table, of a type that imposes this measure.",
  })
  @IsOptional()
  @IsUUID()
  imposingOrganisationId?: string;
}

export class UpdateMeasureDto {
  @ApiProperty({ enum: MEASURE_STATUSES, description: 'planned → active | revoked; active → ended | revoked. The same status again only changes `endsAt`.' })
  @IsIn(MEASURE_STATUSES)
  status: MeasureStatus;

  @ApiPropertyOptional({ format: 'date-time', description: 'After `startsAt`. Ending a running measure without it sets it to now.' })
  @IsOptional()
  @IsDateTime()
  endsAt?: string;
}

/** One measure as the viewer may see it. A record whose category is not granted is never sent at all. */
export class MeasureView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) caseId: string;
  @NotPersonal({ enum: MEASURE_CATEGORIES, description: 'The category under which this record was disclosed (from its type).' }) category: MeasureCategory;
  @Category(PER_RECORD, { enum: MEASURE_TYPE_CODES }) type: string;
  @Category(PER_RECORD, { format: 'uuid' }) imposingOrganisationId: string;
  @Category(PER_RECORD, { description: 'As it was when the measure was recorded.' }) legalBasis: string;
  @Category(PER_RECORD, { format: 'date-time' }) startsAt: string;
  @Category(PER_RECORD, { type: String, format: 'date-time', nullable: true }) endsAt: string | null;
  @Category(PER_RECORD, { enum: MEASURE_STATUSES }) status: MeasureStatus;
  @Category(PER_RECORD, { type: String, nullable: true }) note: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

/** An entry of the measures catalogue. Holds no personal data. */
export class MeasureTypeView {
  @NotPersonal({ example: 'area_ban' }) code: string;
  @NotPersonal({ example: 'Gebiedsverbod' }) labelNl: string;
  @NotPersonal({ example: 'Area ban' }) labelEn: string;
  @NotPersonal({ enum: MEMBER_ORGANISATION_TYPES, isArray: true, description: 'Organisation types that impose (or record) it.' }) imposedBy: MemberOrganisationType[];
  @NotPersonal({ example: 'Gemeentewet art. 172 lid 3 of art. 172a, of de APV' }) legalBasis: string;
  @NotPersonal({ enum: MEASURE_CATEGORIES, description: 'The category its measures are shared under.' }) category: MeasureCategory;
  @NotPersonal({ required: false, example: 24, description: 'Applied when a measure is recorded without `endsAt`.' }) defaultDurationHours?: number;
}

/** The catalogue is fixed in code: paged in memory (pageOfBounded), keyed by the type's code. */
export const MeasureTypePage = PageViewOf(MeasureTypeView, 'MeasureTypePage');
