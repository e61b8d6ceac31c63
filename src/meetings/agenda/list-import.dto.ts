import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { Allow, ArrayMaxSize, ArrayMinSize, IsArray, IsIn, ValidateNested } from 'class-validator';
import { NotPersonal } from '../../sharing/disclosure';
import { LIST_KINDS, type ListKind } from './list-import.entity';

/**
 * One line of a partner's list. Its fields are checked line by line in the service, not here: a line with
 * a malformed V-number or date is reported as invalid while the other lines are imported. Unknown fields
 * are still refused for the whole request.
 */
export class ListLineDto {
  @ApiProperty({ type: String, pattern: '^[0-9]{10}$', example: '1234567890', description: 'Vreemdelingennummer, exactly 10 digits. Category: identity.' })
  @Allow()
  vNumber: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 200, description: 'Used only when the person is new. Category: identity.' })
  @Allow()
  familyName?: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 200, description: 'Used only when the person is new. Category: identity.' })
  @Allow()
  givenNames?: unknown;

  @ApiPropertyOptional({ type: String, format: 'date', example: '1990-06-15', description: 'YYYY-MM-DD, not in the future; used only when the person is new. Category: identity.' })
  @Allow()
  dateOfBirth?: unknown;

  @ApiPropertyOptional({ type: String, pattern: '^[A-Z]{3}$', example: 'ERI', description: 'ISO 3166-1 alpha-3 (or XXA, XXB, XXC, XXX); used only when the person is new. Category: identity.' })
  @Allow()
  nationality?: unknown;

  @ApiPropertyOptional({ type: String, maxLength: 1000, description: 'Why the case is on the list; becomes the nomination text. Category: deliberation.' })
  @Allow()
  note?: unknown;
}

export class ListImportDto {
  @ApiProperty({ enum: LIST_KINDS, description: "DT&V's caseload, COA's residents, the Top-X list, or the intake/transfer/outflow list." })
  @IsIn(LIST_KINDS)
  kind: ListKind;

  @ApiProperty({ type: () => ListLineDto, isArray: true, minItems: 1, maxItems: 1000 })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ValidateNested({ each: true })
  @Type(() => ListLineDto)
  lines: ListLineDto[];
}

/** `restricted`: the person's processing is restricted (art. 18 AVG); the line is skipped and nothing else is said. */
export const LINE_OUTCOMES = ['nominated', 'case_opened_and_nominated', 'already_nominated', 'invalid', 'restricted'] as const;
export type LineOutcome = (typeof LINE_OUTCOMES)[number];

/** The report holds line numbers, case ids and references only, never V-numbers or names: it is stored. */
export class ListLineReportView {
  @NotPersonal({ type: 'integer', minimum: 1, description: 'Line number in the submitted list, from 1.' }) line: number;
  @NotPersonal({ enum: LINE_OUTCOMES }) outcome: LineOutcome;
  @NotPersonal({ format: 'uuid' }) caseId?: string;
  @NotPersonal({ example: 'HWK-2026-0001' }) caseReference?: string;
  @NotPersonal({ description: 'Why an invalid line was skipped (the fields at fault, never their values).' }) reason?: string;
}

export class ListImportCountsView {
  @NotPersonal({ type: 'integer' }) lines: number;
  @NotPersonal({ type: 'integer', description: 'Lines nominated, including those whose case was opened.' }) nominated: number;
  @NotPersonal({ type: 'integer' }) casesOpened: number;
  @NotPersonal({ type: 'integer' }) alreadyNominated: number;
  @NotPersonal({ type: 'integer' }) invalid: number;
  @NotPersonal({ type: 'integer', description: "Lines skipped because the person's processing is restricted." }) restricted: number;
}

export class ListImportReportView {
  @NotPersonal({ format: 'uuid' }) importId: string;
  @NotPersonal({ enum: LIST_KINDS }) kind: ListKind;
  @NotPersonal({ format: 'uuid', description: 'The meeting the cases were nominated for.' }) meetingId: string;
  @NotPersonal({ description: 'True when the same list was imported before: this is that report, and nothing changed.' }) repeated: boolean;
  @NotPersonal({ type: () => ListImportCountsView }) counts: ListImportCountsView;
  @NotPersonal({ type: () => ListLineReportView, isArray: true }) lines: ListLineReportView[];
}
