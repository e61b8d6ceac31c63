import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsOptional, IsString, IsUUID, MaxLength, ValidateNested } from 'class-validator';
import { StrategyInputDto } from '../../cases/case.dto';

export const ITEM_OUTCOMES = ['discussed', 'postponed', 'escalated', 'closed_case'] as const;
export type ItemOutcome = (typeof ITEM_OUTCOMES)[number];

export class AttendanceEntryDto {
  @ApiProperty({ format: 'uuid', description: 'An active member organisation of the table.' })
  @IsUUID()
  organisationId: string;

  @ApiProperty()
  @IsBoolean()
  present: boolean;

  @ApiPropertyOptional({ maxLength: 200, description: 'E.g. "sent apologies". Not for personal data.' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  note?: string;
}

export class PutAttendanceDto {
  @ApiProperty({ type: () => AttendanceEntryDto, isArray: true, description: 'Replaces the recorded attendance; each organisation at most once.' })
  @IsArray()
  @ArrayMaxSize(100)
  @ValidateNested({ each: true })
  @Type(() => AttendanceEntryDto)
  organisations: AttendanceEntryDto[];
}

/** PUT: the decision as a whole. A strategy is history, so it is added as a revision, never replaced. */
export class DecisionDto {
  @ApiPropertyOptional({ type: String, maxLength: 5000, nullable: true, description: 'Absent or null clears it. Category: deliberation.' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  decisionText?: string | null;

  @ApiPropertyOptional({ enum: ITEM_OUTCOMES, nullable: true, description: 'Absent or null clears it. Category: deliberation.' })
  @IsOptional()
  @IsIn(ITEM_OUTCOMES)
  outcome?: ItemOutcome | null;

  @ApiPropertyOptional({
    type: () => StrategyInputDto,
    description: "A new strategy revision of the item's case, linked to the item; without it the item keeps the revision it has. Case items only.",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => StrategyInputDto)
  strategy?: StrategyInputDto;
}
