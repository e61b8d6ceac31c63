import { Module } from '@nestjs/common';
import { ActionsModule } from '../../actions/actions.module';
import { CasesModule } from '../../cases/cases.module';
import { IncidentsModule } from '../../cases/incidents.module';
import { EscalationsModule } from '../../escalations/escalations.module';
import { MeetingsModule } from '../meetings.module';
import { SessionController } from './session.controller';
import { SessionService } from './session.service';

/** The session: attendance, decisions, actions, measures and escalation proposals per item, action reviews. */
@Module({
  imports: [CasesModule, IncidentsModule, ActionsModule, EscalationsModule, MeetingsModule],
  controllers: [SessionController],
  providers: [SessionService],
  exports: [SessionService],
})
export class SessionModule {}
