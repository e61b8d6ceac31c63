import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { CasesModule } from '../cases/cases.module';
import { IncidentsModule } from '../cases/incidents.module';
import { EscalationService } from '../escalations/escalation.service';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';

/** The session: attendance, decisions, actions, measures and escalation proposals per item, action reviews. */
@Module({
  imports: [CasesModule, IncidentsModule, ActionsModule],
  controllers: [SessionController],
  providers: [SessionService, EscalationService],
  exports: [SessionService, EscalationService],
})
export class SessionModule {}
