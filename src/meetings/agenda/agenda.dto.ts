import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsArray, IsIn, IsOptional, IsString, IsUUID, MaxLength, MinLength, ValidateNested } from 'class-validator';
import { CaseIdOrTopic, NOMINATION_REASON_CODES, NominationReasonCode } from './nomination.dto';

/** A reason the chair gives; always of category deliberation, and kept by every re-draft. */
export class AgendaReasonInputDto {
  @ApiProperty({ enum: NOMINATION_REASON_CODES })
  @IsIn(NOMINATION_REASON_CODES)
  code: NominationReasonCode;

  @ApiPropertyOptional({ maxLength: 1000, description: 'Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MaxLength(1000)
  detail?: string;
}

export class CreateAgendaItemDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'An open case at the meeting\'s table, not on the agenda yet. Give either `caseId` or `topic`.' })
  @CaseIdOrTopic(['caseId', 'topic'])
  caseId?: string;

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, description: 'A non-case topic. Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  topic?: string;

  @ApiPropertyOptional({ type: () => AgendaReasonInputDto, isArray: true, maxItems: 20 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AgendaReasonInputDto)
  reasons?: AgendaReasonInputDto[];
}

export class UpdateAgendaItemDto {
  @ApiPropertyOptional({
    type: () => AgendaReasonInputDto,
    isArray: true,
    maxItems: 20,
    description: "Replaces the chair's reasons of the item; the drafted reasons stay (a re-draft recomputes them).",
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => AgendaReasonInputDto)
  reasons?: AgendaReasonInputDto[];

  @ApiPropertyOptional({ minLength: 1, maxLength: 500, description: 'For a topic item only. Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  topic?: string;
}

export class ReorderAgendaDto {
  @ApiProperty({ type: String, format: 'uuid', isArray: true, description: "Every item of the meeting's agenda exactly once, in the new order." })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @IsUUID(undefined, { each: true })
  itemIds: string[];
}
