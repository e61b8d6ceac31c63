import { Module } from '@nestjs/common';
import { CaseController } from './case.controller';
import { CaseListService } from './case-list.service';
import { CasePlanService } from './case-plan.service';
import { CaseRepository } from './case.repository';
import { CaseService } from './case.service';
import { CaseTransferService } from './case-transfer.service';
import { SubjectController } from './subject.controller';
import { SubjectService } from './subject.service';

/** Subjects and cases: status, strategy, deadlines, transfer, lists and search. */
@Module({
  controllers: [CaseController, SubjectController],
  providers: [CaseRepository, CaseService, CaseListService, CasePlanService, CaseTransferService, SubjectService],
  exports: [CaseRepository, CaseService, CasePlanService],
})
export class CasesModule {}
