import { ApiProperty } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayUnique, IsArray, IsIn, IsString, Matches, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { PageViewOf } from '../common/pagination';
import { CATEGORIES, LAWFUL_GROUNDS, MEMBER_ORGANISATION_TYPES, type Category, type LawfulGround, type MemberOrganisationType } from '../sharing/categories';

const GROUND_DOC = {
  enum: LAWFUL_GROUNDS,
  description: 'Lawful ground of art. 6(1) AVG. Consent, contract and legitimate interest are not open to public partners.',
};

export class CovenantGrantInputDto {
  @ApiProperty({ enum: MEMBER_ORGANISATION_TYPES })
  @IsIn(MEMBER_ORGANISATION_TYPES, { message: '$property must be the type of a chain partner that can sit at a table' })
  organisationType: MemberOrganisationType;

  @ApiProperty({ enum: CATEGORIES })
  @IsIn(CATEGORIES, { message: `$property must be one of ${CATEGORIES.join(', ')}` })
  category: Category;

  @ApiProperty(GROUND_DOC)
  @IsIn(LAWFUL_GROUNDS, {
    message: `$property must be one of ${LAWFUL_GROUNDS.join(', ')}: consent (or contract, or legitimate interest) cannot be chosen for public partners`,
  })
  lawfulGround: LawfulGround;

  @ApiProperty({ minLength: 3, maxLength: 500, example: 'Art. 6 lid 1 sub e AVG; Wet politiegegevens art. 19 en 20' })
  @IsString()
  @MinLength(3)
  @MaxLength(500)
  legalBasis: string;
}

export class ReplaceCovenantDto {
  @ApiProperty({ minLength: 1, maxLength: 500, example: 'KMar joins; criminal data for KMar on Wpg art. 19' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  @Matches(/\S/, { message: '$property must not be blank' })
  changeNote: string;

  @ApiProperty({
    type: CovenantGrantInputDto,
    isArray: true,
    description: 'The whole covenant: what is not listed is not granted. At most one grant per organisation type and category.',
  })
  @IsArray()
  @ArrayMaxSize(MEMBER_ORGANISATION_TYPES.length * CATEGORIES.length)
  @ArrayUnique((g: CovenantGrantInputDto | null) => (g && typeof g === 'object' ? `${g.organisationType}/${g.category}` : g), {
    message: '$property must not grant the same category to the same organisation type twice',
  })
  @ValidateNested({ each: true })
  @Type(() => CovenantGrantInputDto)
  grants: CovenantGrantInputDto[];
}

export class CovenantGrantDto {
  @ApiProperty({ enum: MEMBER_ORGANISATION_TYPES }) organisationType: MemberOrganisationType;
  @ApiProperty({ enum: CATEGORIES }) category: Category;
  @ApiProperty(GROUND_DOC) lawfulGround: LawfulGround;
  @ApiProperty() legalBasis: string;
  @ApiProperty({ format: 'uuid', description: "The entry in the table's register of processing activities." }) processingActivityId: string;
}

class CovenantVersionHeaderDto {
  @ApiProperty({ type: 'integer', minimum: 1 }) version: number;
  @ApiProperty({ format: 'date-time', description: 'The version applies from this moment until the next one.' }) createdAt: string;
  @ApiProperty({ type: 'string', format: 'uuid', nullable: true }) createdBy: string | null;
  @ApiProperty({ type: 'string', nullable: true }) createdByName: string | null;
  @ApiProperty() changeNote: string;
}

export class CovenantDto extends CovenantVersionHeaderDto {
  @ApiProperty({ type: CovenantGrantDto, isArray: true, description: 'Sorted by category, then organisation type.' })
  grants: CovenantGrantDto[];
}

export class GrantTermsDto {
  @ApiProperty(GROUND_DOC) lawfulGround: LawfulGround;
  @ApiProperty() legalBasis: string;
}

export class CovenantGrantChangeDto {
  @ApiProperty({ enum: MEMBER_ORGANISATION_TYPES }) organisationType: MemberOrganisationType;
  @ApiProperty({ enum: CATEGORIES }) category: Category;
  @ApiProperty({ type: GrantTermsDto }) from: GrantTermsDto;
  @ApiProperty({ type: GrantTermsDto }) to: GrantTermsDto;
}

export class CovenantVersionDto extends CovenantVersionHeaderDto {
  @ApiProperty({ type: CovenantGrantDto, isArray: true, description: 'Granted in this version, not in the previous one (version 1: everything).' })
  added: CovenantGrantDto[];
  @ApiProperty({ type: CovenantGrantDto, isArray: true, description: 'Granted in the previous version, not in this one.' })
  removed: CovenantGrantDto[];
  @ApiProperty({ type: CovenantGrantChangeDto, isArray: true, description: 'Still granted, with another lawful ground or legal basis.' })
  changed: CovenantGrantChangeDto[];
}

/** A table's covenant versions: a few a year, paged in memory (pageOfBounded); the key is the version number. */
export const CovenantVersionPage = PageViewOf(CovenantVersionDto, 'CovenantVersionPage');
