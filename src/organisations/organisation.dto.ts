import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsIn, IsOptional, IsString, Matches, MaxLength, MinLength } from 'class-validator';
import { ORGANISATION_TYPES, type OrganisationType } from '../auth/permissions';
import { SearchParam, SortField, SortParam, sortValues } from '../common/list-query';
import { PageQueryDto, PageViewOf } from '../common/pagination';

export class CreateOrganisationDto {
  @ApiProperty({ enum: ORGANISATION_TYPES, description: 'Chain partner type (see the glossary).' })
  @IsIn(ORGANISATION_TYPES)
  type: OrganisationType;

  @ApiProperty({ example: 'COA locatie Harderwijk', maxLength: 200 })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name: string;

  @ApiPropertyOptional({ example: 'GM0243', pattern: '^GM[0-9]{4}$', description: 'CBS municipality code.' })
  @IsOptional()
  @Matches(/^GM[0-9]{4}$/, { message: 'must be a CBS municipality code such as GM0243' })
  municipalityCode?: string;
}

export class UpdateOrganisationDto {
  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional({ example: 'GM0243', pattern: '^GM[0-9]{4}$' })
  @IsOptional()
  @Matches(/^GM[0-9]{4}$/, { message: 'must be a CBS municipality code such as GM0243' })
  municipalityCode?: string;

  @ApiPropertyOptional({ description: 'An inactive organisation\'s users and systems cannot log in or get tokens.' })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class OrganisationDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) type: OrganisationType;
  @ApiProperty() name: string;
  @ApiProperty({ type: String, nullable: true, example: 'GM0243' }) municipalityCode: string | null;
  @ApiProperty() active: boolean;
}

export const ORGANISATION_SORT: Record<string, SortField> = { name: { column: 'o.name', kind: 'text' } };

export class ListOrganisationsQuery extends PageQueryDto {
  @SearchParam('Only organisations whose name contains this.')
  q?: string;

  @SortParam(sortValues(ORGANISATION_SORT), 'name')
  sort?: string;
}

export const OrganisationPage = PageViewOf(OrganisationDto, 'OrganisationPage');
