import { Module } from '@nestjs/common';
import { IncidentController } from './incident.controller';
import { IncidentService } from './incident.service';
import { MeasureController } from './measure.controller';
import { MeasureService } from './measure.service';

/** Incidents (members and partner systems) and measures with their catalogue. */
@Module({ controllers: [IncidentController, MeasureController], providers: [IncidentService, MeasureService], exports: [IncidentService, MeasureService] })
export class IncidentsModule {}
