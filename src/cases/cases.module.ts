import { Module } from '@nestjs/common';
import { ActionsModule } from '../actions/actions.module';
import { CaseController } from './case.controller';
import { CaseListService } from './case-list.service';
import { CasePlanService } from './case-plan.service';
import { CaseRepository } from './case.repository';
import { CaseService } from './case.service';
import { CaseTransferService } from './case-transfer.service';
import { IndDecisionController } from './ind-decision.controller';
import { IndDecisionService } from './ind-decision.service';
import { SubjectController } from './subject.controller';
import { SubjectService } from './subject.service';

/** Subjects and cases: status, strategy, deadlines, IND decisions, transfer, lists and search. */
@Module({
  imports: [ActionsModule],
  controllers: [CaseController, SubjectController, IndDecisionController],
  providers: [CaseRepository, CaseService, CaseListService, CasePlanService, CaseTransferService, SubjectService, IndDecisionService],
  exports: [CaseRepository, CaseService, CasePlanService],
})
export class CasesModule {}
