import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, isUUID, MaxLength, MinLength, registerDecorator, ValidationArguments } from 'class-validator';
import { PageViewOf } from '../../common/pagination';
import { Category, NotPersonal } from '../../sharing/disclosure';

/** Why a member puts something on the agenda (the DT&V guideline's grounds, plus non-case topics). */
export const NOMINATION_REASON_CODES = [
  'nuisance_during_procedure',
  'trafficking_or_smuggling_signs',
  'escalation_needed',
  'progress_stalled',
  'new_information',
  'policy_change',
  'cooperation',
  'other',
] as const;
export type NominationReasonCode = (typeof NOMINATION_REASON_CODES)[number];

/**
 * On the first of `fields`: exactly one of them is given, and this one, when given, is a UUID. (A
 * conditional validator would skip the check itself when the field is absent.)
 */
export function CaseIdOrTopic(fields: [string, string]): PropertyDecorator {
  return (target, property) =>
    registerDecorator({
      name: 'caseIdOrTopic',
      target: target.constructor,
      propertyName: String(property),
      validator: {
        validate: (value: unknown, args: ValidationArguments) => {
          const given = fields.filter((f) => (args.object as Record<string, unknown>)[f] !== undefined).length;
          return given === 1 && (value === undefined || (typeof value === 'string' && isUUID(value)));
        },
        defaultMessage: () => `exactly one of ${fields.join(' and ')} must be given; $property must be a UUID`,
      },
    });
}

export class CreateNominationDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'A case at this table. Give either `caseId` or `topic`.' })
  @CaseIdOrTopic(['caseId', 'topic'])
  caseId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, description: 'A non-case topic (policy change, cooperation). Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  topic?: string;

  @ApiProperty({ enum: NOMINATION_REASON_CODES })
  @IsIn(NOMINATION_REASON_CODES)
  reasonCode: NominationReasonCode;

  @ApiPropertyOptional({ maxLength: 1000, description: 'Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  reasonText?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "A planned meeting of this table; default: the table's next planned meeting." })
  @IsOptional()
  @IsUUID()
  meetingId?: string;
}

export class NominationView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) tableId: string;
  @NotPersonal({ format: 'uuid' }) meetingId: string;
  @NotPersonal({ type: String, format: 'uuid', nullable: true }) caseId: string | null;
  @NotPersonal({ type: String, nullable: true, example: 'HWK-2026-0001' }) caseReference: string | null;
  @Category('deliberation', { type: String, nullable: true }) topic: string | null;
  @Category('deliberation', { description: `One of ${NOMINATION_REASON_CODES.join(', ')}, or for a list import the list kind.` }) reasonCode: string;
  @Category('deliberation', { type: String, nullable: true }) reasonText: string | null;
  @NotPersonal({ enum: ['member', 'list'] }) source: 'member' | 'list';
  @Category('deliberation', { format: 'uuid', description: 'The nominating organisation.' }) organisationId: string;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

export const NominationPage = PageViewOf(NominationView, 'NominationPage');
