import { ApiProperty } from '@nestjs/swagger';
import { IsIn, IsString, Length } from 'class-validator';
import { ESCALATION_TRACKS, type EscalationTrack } from './escalation.entity';

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
