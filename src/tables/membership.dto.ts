import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsEnum, IsOptional, IsUUID } from 'class-validator';
import { ORGANISATION_TYPES, TableRole, type OrganisationType } from '../auth/permissions';
import { PageQueryDto, PageViewOf } from '../common/pagination';

const ROLE_DOC = { enum: TableRole, description: 'A table has at most one chair; naming a new one makes the current chair a member.' };

export class MembershipQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ type: 'boolean', default: false, description: 'Also list ended memberships (the history).' })
  @IsOptional()
  // Query values arrive as text; anything but exactly "true"/"false" stays text and fails @IsBoolean.
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  includeEnded?: boolean;
}

export class CreateMembershipDto {
  @ApiProperty({ format: 'uuid', description: 'A user of an organisation that currently sits at the table.' })
  @IsUUID()
  userId: string;

  @ApiProperty(ROLE_DOC)
  @IsEnum(TableRole)
  role: TableRole;
}

export class UpdateMembershipDto {
  @ApiProperty(ROLE_DOC)
  @IsEnum(TableRole)
  role: TableRole;
}

export class TableMembershipDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) userId: string;
  @ApiProperty() userName: string;
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) organisationType: OrganisationType;
  @ApiProperty({ enum: TableRole }) role: TableRole;
  @ApiProperty({ format: 'date-time' }) startedAt: string;
  @ApiProperty({ type: 'string', format: 'date-time', nullable: true, description: 'Null while the membership is active.' }) endedAt: string | null;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true, description: 'Who made the latest change to this row (started or ended it).' })
  changedBy: string | null;
}

/** A table's memberships are a handful of people and their history: paged in memory (pageOfBounded). */
export const TableMembershipPage = PageViewOf(TableMembershipDto, 'TableMembershipPage');
