import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsIn, IsOptional, IsString, IsUUID, Length } from 'class-validator';
import { PageQueryDto } from '../common/pagination';
import { ESCALATION_STATUSES, ESCALATION_TRACKS, type EscalationStatus, type EscalationTrack } from './escalation.entity';

export const TRACKS = Object.keys(ESCALATION_TRACKS) as EscalationTrack[];

export class ProposeEscalationDto {
  @ApiProperty({
    enum: TRACKS,
    description: 'Decides the target organisation type: ind_priority → IND, htl/pbl_placement and coa_ladder → COA, ttov_referral → DTV, top_x → MUNICIPALITY, chain_marine → CHAIN_MARINE.',
  })
  @IsIn(TRACKS)
  track: EscalationTrack;

  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Why the table escalates. Category: deliberation.' })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

/** Every status change of an escalation says why. */
export class EscalationReasonDto {
  @ApiProperty({ minLength: 1, maxLength: 2000, description: 'Kept in the history. Category: deliberation.' })
  @IsString()
  @Length(1, 2000)
  reason: string;
}

/** `?status=requested&status=accepted` and `?status=requested,accepted` both mean the same. */
const toList = ({ value }: { value: unknown }) =>
  value === undefined ? undefined : (Array.isArray(value) ? value : [value]).flatMap((v) => String(v).split(',')).map((v) => v.trim()).filter(Boolean);

export class ListEscalationsQuery extends PageQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: 'Only the escalations of cases at this table.' })
  @IsOptional()
  @IsUUID()
  tableId?: string;

  @ApiPropertyOptional({ enum: ESCALATION_STATUSES, isArray: true, description: 'Repeatable or comma-separated. Default: `requested` and `accepted`.' })
  @IsOptional()
  @Transform(toList)
  @IsIn(ESCALATION_STATUSES, { each: true })
  status?: EscalationStatus[];
}
