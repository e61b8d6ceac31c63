import { Module } from '@nestjs/common';
import { CasesModule } from '../../cases/cases.module';
import { MeetingsModule } from '../meetings.module';
import { AgendaController } from './agenda.controller';
import { AgendaDraftService } from './agenda-draft.service';
import { AgendaRepository } from './agenda.repository';
import { AgendaService } from './agenda.service';
import { ListImportController } from './list-import.controller';
import { ListImportService } from './list-import.service';
import { NominationController } from './nomination.controller';
import { NominationService } from './nomination.service';

/** Nominations, list imports, the draft agenda, editing and publishing, the per-viewer agenda. */
@Module({
  imports: [CasesModule, MeetingsModule],
  controllers: [NominationController, ListImportController, AgendaController],
  providers: [AgendaRepository, AgendaDraftService, AgendaService, NominationService, ListImportService],
  exports: [AgendaDraftService],
})
export class AgendaModule {}
