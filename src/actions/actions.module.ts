import { Module } from '@nestjs/common';
import { ActionController } from './action.controller';
import { ActionRepository } from './action.repository';
import { ActionReviewService } from './action-review.service';
import { ActionService } from './action.service';

/** Actions between meetings: owners mark them done or ask to re-plan; partner systems read and update their own. */
@Module({
  controllers: [ActionController],
  providers: [ActionRepository, ActionService, ActionReviewService],
  exports: [ActionRepository, ActionService, ActionReviewService],
})
export class ActionsModule {}
