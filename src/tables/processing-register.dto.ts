import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsUUID } from 'class-validator';
import { ORGANISATION_TYPES, type OrganisationType } from '../auth/permissions';
import { PageQueryDto, PageViewOf } from '../common/pagination';
import { CATEGORIES, LAWFUL_GROUNDS, MEMBER_ORGANISATION_TYPES, type Category, type LawfulGround, type MemberOrganisationType } from '../sharing/categories';

/** A code with its Dutch label, as the register is read by people. */
export class LabelledCodeDto {
  @ApiProperty() code: string;
  @ApiProperty() label: string;
}

export class RegisterRecipientDto {
  @ApiProperty({ enum: MEMBER_ORGANISATION_TYPES }) organisationType: MemberOrganisationType;
  @ApiProperty({ example: 'Politie' }) organisationTypeLabel: string;
  @ApiProperty({ enum: LAWFUL_GROUNDS }) lawfulGround: LawfulGround;
  @ApiProperty({ example: 'Taak van algemeen belang of openbaar gezag (art. 6 lid 1 sub e AVG)' }) lawfulGroundLabel: string;
  @ApiProperty({ example: 'Art. 6 lid 1 sub e AVG; Wet politiegegevens art. 19 en 20 (samenwerkingsverband)' }) legalBasis: string;
  @ApiProperty({ format: 'date-time', description: 'Granted without interruption since this covenant version was saved.' }) grantedSince: string;
}

export class JointControllerDto {
  @ApiProperty({ format: 'uuid' }) organisationId: string;
  @ApiProperty() name: string;
  @ApiProperty({ enum: ORGANISATION_TYPES }) type: OrganisationType;
  @ApiProperty() typeLabel: string;
}

export class RetentionDto {
  @ApiProperty({ type: 'integer', minimum: 1, description: "Months after a case is closed (the table's retention period, set by its covenant)." }) months: number;
  @ApiProperty({ description: 'The retention rule in Dutch.' }) description: string;
}

/**
 * An entry of the register of processing activities (art. 30(1) AVG): every `processingActivityId` of a
 * covenant grant and of the processing log resolves to one of these.
 */
export class ProcessingActivityDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ format: 'uuid' }) tableId: string;
  @ApiProperty({ example: 'LKO Harderwijk' }) tableName: string;
  @ApiProperty({ enum: CATEGORIES, description: 'The category of personal data this activity processes.' }) category: Category;
  @ApiProperty({ example: 'LKO Harderwijk: Opgelegde maatregelen' }) name: string;
  @ApiProperty({ description: 'The purpose of the processing (art. 30(1)(b)), in Dutch.' }) purpose: string;
  @ApiProperty({ type: LabelledCodeDto, isArray: true, description: 'Categories of personal data (art. 30(1)(c)), with what each holds.' })
  personalDataCategories: LabelledCodeDto[];
  @ApiProperty({ type: LabelledCodeDto, isArray: true, description: 'Categories of data subjects (art. 30(1)(c)).' }) dataSubjectCategories: LabelledCodeDto[];
  @ApiProperty({ type: LabelledCodeDto, isArray: true, description: 'The lawful grounds of art. 6(1) AVG of the grants in force.' }) lawfulGrounds: LabelledCodeDto[];
  @ApiProperty({ type: String, isArray: true, description: 'The legal bases of the grants in force, each once.' }) legalBases: string[];
  @ApiProperty({
    type: RegisterRecipientDto,
    isArray: true,
    description: 'Categories of recipients (art. 30(1)(d)): the organisation types the covenant in force grants this category, each on its legal basis. Empty when nobody is granted it.',
  })
  recipients: RegisterRecipientDto[];
  @ApiProperty({ type: JointControllerDto, isArray: true, description: 'The member organisations of the table: joint controllers under its covenant (art. 26 AVG).' })
  jointControllers: JointControllerDto[];
  @ApiProperty({ type: RetentionDto, description: 'Time limit for erasure (art. 30(1)(f)).' }) retention: RetentionDto;
  @ApiProperty({ type: 'integer', nullable: true, description: 'The covenant version the legal bases and recipients are read from.' }) covenantVersion: number | null;
}

export class ProcessingRegisterQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this table's entries." })
  @IsOptional()
  @IsUUID()
  tableId?: string;
}

/**
 * The register: one entry per category per table, a few hundred in an installation: paged in memory (pageOfBounded),
 * keyed by the activity's id.
 */
export const ProcessingActivityPage = PageViewOf(ProcessingActivityDto, 'ProcessingActivityPage');
