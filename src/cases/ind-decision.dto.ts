import { PageViewOf } from '../common/pagination';
import { ApiProperty } from '@nestjs/swagger';
import { IsIn } from 'class-validator';
import { IsIsoDate } from '../actions/action.dto';
import { Category, NotPersonal } from '../sharing/disclosure';
import { IND_DECISION_OUTCOMES, type IndDecisionOutcome } from './ind-decision.entity';

export class RecordIndDecisionDto {
  @ApiProperty({ enum: IND_DECISION_OUTCOMES, description: 'The decision on the asylum application. Category: procedure.' })
  @IsIn(IND_DECISION_OUTCOMES)
  outcome: IndDecisionOutcome;

  @ApiProperty({ format: 'date', description: 'The date of the decision; not after today (Europe/Amsterdam). Category: procedure.' })
  @IsIsoDate()
  decidedOn: string;
}

/** An IND decision as the viewer may see it: the procedure category, and the action it started. */
export class IndDecisionView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ format: 'uuid' }) caseId: string;
  @Category('procedure', { enum: IND_DECISION_OUTCOMES }) outcome: IndDecisionOutcome;
  @Category('procedure', { format: 'date' }) decidedOn: string;
  @Category('procedure', { format: 'uuid', description: 'The organisation that recorded it.' }) recordedByOrganisationId: string;
  @Category('deliberation', {
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The departure interview (an action of DT&V) the chain automation created for a negative decision; null when the table turned it off or has no DT&V member.',
  })
  departureActionId: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

/** A page of a case's IND decisions. */
export const IndDecisionPageView = PageViewOf(IndDecisionView, 'IndDecisionPage', 'Newest decision first.');
