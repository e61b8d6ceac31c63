import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  MaxLength,
  MinLength,
  ValidateBy,
  ValidateIf,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';

/** Who a contact point is: the toolbox's examples (police, COA, security, the municipality), 112, and others. */
export const CONTACT_POINT_KINDS = ['emergency', 'police', 'coa', 'security', 'municipality', 'other'] as const;
export type ContactPointKind = (typeof CONTACT_POINT_KINDS)[number];

/**
 * A Dutch or international phone number as people write it (spaces, hyphens, brackets), normalised to
 * the digits a phone dials: 112, the municipal 14 + area code (14 0341), 0800/0900 service numbers,
 * ten-digit national numbers, or +country numbers. Anything else is refused.
 */
export function dialable(phone: string): string | undefined {
  if (!/^\+?[0-9][0-9 ()-]{1,23}$/.test(phone.trim())) return undefined;
  const digits = phone.replace(/[^0-9+]/g, '');
  if (/^(112|14\d{3,4}|0(800|900|906|909)\d{4,7}|0[1-9]\d{8}|\+[1-9]\d{7,14})$/.test(digits)) return digits;
  return undefined;
}

/** `tel:` in international form where the number is national (0341 … → +31341 …). */
export const phoneUri = (digits: string) => `tel:${/^0[1-9]\d{8}$/.test(digits) ? `+31${digits.slice(1)}` : digits}`;

const IsDialable = (options: ValidationOptions) =>
  ValidateBy({ name: 'isDialable', validator: { validate: (value: unknown) => typeof value === 'string' && dialable(value) !== undefined } }, options);
const NO_EMAIL = { message: '$property must not hold an e-mail address: a meldkaart lists services, not people' };
const NO_AT = /^[^@]*$/;

export class ContactPointInputDto {
  @ApiProperty({ enum: CONTACT_POINT_KINDS })
  @IsIn(CONTACT_POINT_KINDS, { message: `$property must be one of ${CONTACT_POINT_KINDS.join(', ')}` })
  kind: ContactPointKind;

  @ApiProperty({ minLength: 2, maxLength: 120, example: 'Politie, basisteam Noord-Veluwe', description: 'The name of a service, never of a person.' })
  @IsString()
  @MinLength(2)
  @MaxLength(120)
  @Matches(/\S/, { message: '$property must not be blank' })
  @Matches(NO_AT, NO_EMAIL)
  serviceName: string;

  @ApiPropertyOptional({
    maxLength: 24,
    example: '0900-8844',
    description: 'Required without `url`. A Dutch number (112, 14 + area code, 0800/0900, ten digits) or +country number; spaces, hyphens and brackets allowed.',
  })
  @ValidateIf((p: ContactPointInputDto) => p.phone !== undefined || p.url === undefined)
  @IsString({ message: '$property is required when there is no url' })
  @IsDialable({ message: '$property must be a phone number such as 0900-8844, 14 0341 or +31 341 123 456' })
  phone?: string;

  @ApiPropertyOptional({ maxLength: 200, example: 'Maandag t/m vrijdag 8.30–17.00 uur' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  @Matches(NO_AT, NO_EMAIL)
  openingHours?: string;

  @ApiPropertyOptional({ maxLength: 300, example: 'https://www.politie.nl', description: 'Required without `phone`. https only, without credentials.' })
  @ValidateIf((p: ContactPointInputDto) => p.url !== undefined || p.phone === undefined)
  @IsString({ message: '$property is required when there is no phone' })
  @MaxLength(300)
  @IsUrl({ protocols: ['https'], require_protocol: true, require_tld: true, disallow_auth: true }, { message: '$property must be an https address such as https://www.politie.nl' })
  url?: string;

  @ApiPropertyOptional({ maxLength: 300, example: 'Geen spoed: overlast, diefstal of vernieling melden.', description: 'When to call this one.' })
  @IsOptional()
  @IsString()
  @MaxLength(300)
  @Matches(NO_AT, NO_EMAIL)
  note?: string;
}

export class ReplaceContactCardDto {
  @ApiProperty({ minLength: 3, maxLength: 120, example: 'Meldkaart overlast en criminaliteit Harderwijk' })
  @IsString()
  @MinLength(3)
  @MaxLength(120)
  @Matches(/\S/, { message: '$property must not be blank' })
  @Matches(NO_AT, NO_EMAIL)
  heading: string;

  @ApiPropertyOptional({ maxLength: 1000, description: 'Who the card is for and what to report.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  @Matches(NO_AT, NO_EMAIL)
  introduction?: string;

  @ApiProperty({ type: ContactPointInputDto, isArray: true, minItems: 1, maxItems: 20, description: 'In the order printed.' })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ContactPointInputDto)
  contactPoints: ContactPointInputDto[];
}

export class ContactPointView {
  @ApiProperty({ enum: CONTACT_POINT_KINDS }) kind: ContactPointKind;
  @ApiProperty({ example: 'Politie' }) kindLabel: string;
  @ApiProperty() serviceName: string;
  @ApiProperty({ type: String, nullable: true, example: '0900-8844' }) phone: string | null;
  @ApiProperty({ type: String, nullable: true, example: 'tel:09008844' }) phoneUri: string | null;
  @ApiProperty({ type: String, nullable: true }) openingHours: string | null;
  @ApiProperty({ type: String, nullable: true }) url: string | null;
  @ApiProperty({ type: String, nullable: true }) note: string | null;
}

/** The public contact card of a table: contact points of services, no personal data. */
export class ContactCardView {
  @ApiProperty({ format: 'uuid' }) tableId: string;
  @ApiProperty({ example: 'GM0243' }) municipalityCode: string;
  @ApiProperty({ type: String, nullable: true, example: 'Gemeente Harderwijk' }) municipalityName: string | null;
  @ApiProperty() heading: string;
  @ApiProperty({ type: String, nullable: true }) introduction: string | null;
  @ApiProperty({ type: ContactPointView, isArray: true }) contactPoints: ContactPointView[];
  @ApiProperty({ format: 'date-time' }) updatedAt: string;
}
