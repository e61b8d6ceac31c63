import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsIn, IsInt, IsOptional, Max, Min, ValidateNested } from 'class-validator';
import { NotPersonal } from '../sharing/disclosure';
import { ESCALATION_TRACKS, type EscalationTrack } from './escalation.entity';
import { ESCALATION_RULE_KINDS, type EscalationRuleKind } from './escalation-rule.entity';
import { PageViewOf } from '../common/pagination';

const TRACKS = Object.keys(ESCALATION_TRACKS) as EscalationTrack[];
const KINDS_DOC =
  '`incident_count`: `threshold` (2–100) or more incidents that occurred within `windowDays` (1–365) days; `severe_incident`: any ' +
  'incident of severity `severe`; `staff_public_duty_incident`: any incident against staff on public duty (VPT); ' +
  '`action_not_acted_on`: an action a review found not acted on `threshold` (1–20) times.';

export class EscalationRuleInput {
  @ApiProperty({ enum: ESCALATION_RULE_KINDS, description: KINDS_DOC })
  @IsIn(ESCALATION_RULE_KINDS)
  kind: EscalationRuleKind;

  @ApiProperty({ enum: TRACKS, description: 'The track the rule proposes.' })
  @IsIn(TRACKS)
  track: EscalationTrack;

  @ApiPropertyOptional({ type: 'integer', description: 'For `incident_count` and `action_not_acted_on` only.' })
  @IsOptional()
  @IsInt()
  threshold?: number;

  @ApiPropertyOptional({ type: 'integer', description: 'For `incident_count` only.' })
  @IsOptional()
  @IsInt()
  windowDays?: number;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  active?: boolean;
}

export class PutEscalationRulesDto {
  @ApiProperty({
    type: () => EscalationRuleInput,
    isArray: true,
    maxItems: 20,
    description: 'The whole set, one rule per kind and track. A rule of the table not listed is made inactive (kept, since escalations refer to it).',
  })
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => EscalationRuleInput)
  rules: EscalationRuleInput[];
}

export class EscalationRuleView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ enum: ESCALATION_RULE_KINDS, description: KINDS_DOC }) kind: EscalationRuleKind;
  @NotPersonal({ enum: TRACKS }) track: EscalationTrack;
  @NotPersonal({ type: 'integer', nullable: true }) threshold: number | null;
  @NotPersonal({ type: 'integer', nullable: true }) windowDays: number | null;
  @NotPersonal() active: boolean;
}

/** A table's rules are a handful: paged in memory (pageOfBounded), keyed by id. */
export const EscalationRulePage = PageViewOf(EscalationRuleView, 'EscalationRulePage');

export class ResponseDeadlineInput {
  @ApiProperty({ enum: TRACKS })
  @IsIn(TRACKS)
  track: EscalationTrack;

  @ApiProperty({ type: 'integer', minimum: 1, maximum: 60, description: 'Working days (Algemene termijnenwet) from the day of the request.' })
  @IsInt()
  @Min(1)
  @Max(60)
  workingDays: number;
}

export class DepartureInterviewInput {
  @ApiProperty({ description: 'Whether a negative IND decision creates the DT&V departure interview action.' })
  @IsBoolean()
  enabled: boolean;

  @ApiProperty({ type: 'integer', minimum: 0, maximum: 60, description: 'Working days from the day the decision is recorded.' })
  @IsInt()
  @Min(0)
  @Max(60)
  workingDays: number;
}

export class PutEscalationSettingsDto {
  @ApiPropertyOptional({
    type: () => ResponseDeadlineInput,
    isArray: true,
    description: 'Response deadlines per track; a track not listed has the default (5 working days).',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(TRACKS.length)
  @ValidateNested({ each: true })
  @Type(() => ResponseDeadlineInput)
  responseWorkingDays?: ResponseDeadlineInput[];

  @ApiPropertyOptional({ type: () => DepartureInterviewInput, description: 'Default: enabled, 2 working days.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => DepartureInterviewInput)
  departureInterview?: DepartureInterviewInput;
}

export class ResponseDeadlineView {
  @NotPersonal({ enum: TRACKS }) track: EscalationTrack;
  @NotPersonal({ type: 'integer' }) workingDays: number;
}

export class DepartureInterviewView {
  @NotPersonal() enabled: boolean;
  @NotPersonal({ type: 'integer' }) workingDays: number;
}

/** The table's configuration between meetings: no personal data. */
export class EscalationSettingsView {
  @NotPersonal({ type: () => ResponseDeadlineView, isArray: true, description: 'Every track, with the table\'s own value or the default.' })
  responseWorkingDays: ResponseDeadlineView[];
  @NotPersonal({ type: () => DepartureInterviewView, description: 'Chain automation: the DT&V departure interview after a negative IND decision.' })
  departureInterview: DepartureInterviewView;
}
