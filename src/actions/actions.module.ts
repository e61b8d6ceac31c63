import { Module } from '@nestjs/common';
import { EscalationsModule } from '../escalations/escalations.module';
import { ActionController } from './action.controller';
import { ActionRepository } from './action.repository';
import { ActionReviewService } from './action-review.service';
import { ActionService } from './action.service';
import { DepartureInterviewService } from './departure-interview.service';

/** Actions between meetings: owners mark them done or ask to re-plan; partner systems read and update their own. */
@Module({
  imports: [EscalationsModule],
  controllers: [ActionController],
  providers: [ActionRepository, ActionService, ActionReviewService, DepartureInterviewService],
  exports: [ActionRepository, ActionService, ActionReviewService, DepartureInterviewService],
})
export class ActionsModule {}
