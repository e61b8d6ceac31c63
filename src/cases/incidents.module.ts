import { Module } from '@nestjs/common';
import { EscalationsModule } from '../escalations/escalations.module';
import { IncidentController } from './incident.controller';
import { IncidentService } from './incident.service';
import { MeasureController } from './measure.controller';
import { MeasureService } from './measure.service';

/** Incidents (members and partner systems) and measures with their catalogue. A new incident runs the table's escalation rules. */
@Module({
  imports: [EscalationsModule],
  controllers: [IncidentController, MeasureController],
  providers: [IncidentService, MeasureService],
  exports: [IncidentService, MeasureService],
})
export class IncidentsModule {}
