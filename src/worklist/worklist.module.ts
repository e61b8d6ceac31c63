import { Module } from '@nestjs/common';
import { CasesModule } from '../cases/cases.module';
import { WorklistController } from './worklist.controller';
import { WorklistRepository } from './worklist.repository';
import { WorklistService } from './worklist.service';

/** The chair's worklist: reads cases, actions, escalations and incidents through the case summary. */
@Module({ imports: [CasesModule], controllers: [WorklistController], providers: [WorklistRepository, WorklistService] })
export class WorklistModule {}
