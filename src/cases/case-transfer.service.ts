import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { Permission } from '../auth/permissions';
import { Clock } from '../common/clock';
import type { RequestContext } from '../common/request-context';
import { conflict, notFound } from '../common/problem';
import { AccessService } from '../sharing/access.service';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { TransferCaseDto } from './case.dto';
import { CaseRepository } from './case.repository';
import { actorUserId, mapOpenCaseViolation, openCaseExists, requireStillAt } from './case-support';
import { transferView, TransferView } from './case-view';
import { CaseError } from './cases.errors';
import { Purpose } from '../sharing/purposes';

/**
 * The person moved to another azc: the case moves to that table. Its history (status changes, strategies,
 * incidents, actions) stays on the case; from then on the new table's members and covenant apply, which
 * follows from AccessService resolving access through case_file.table_id.
 */
@Injectable()
export class CaseTransferService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: AccessService,
    private readonly log: ProcessingLogService,
    private readonly cases: CaseRepository,
    private readonly clock: Clock,
  ) {}

  async transfer(ctx: RequestContext, caseId: string, dto: TransferCaseDto): Promise<Partial<TransferView>> {
    const startedAt = this.clock.now();
    return this.dataSource
      .transaction(async (m) => {
        const access = await this.access.require(ctx, 'case', caseId, { permission: Permission.CaseTransfer, operation: 'case.transfer' }, m);
        await this.access.requireCategories(ctx, access, ['residence'], 'case.transfer');
        // Existence and being active are all the caller learns of the target table.
        if (!(await this.cases.isActiveTable(m, dto.toTableId))) throw notFound('Table');
        if (dto.toTableId === access.tableId) throw conflict(CaseError.AlreadyAtTable, 'The case is at that table already.');

        const current = await this.cases.lockCase(m, caseId);
        requireStillAt(access, current);
        if (current.status === 'closed') throw conflict(CaseError.CaseClosed, 'A closed case is not transferred; reopen it first if the person is discussed again.');
        // Serialises with case creation at the target table, which holds the same lock.
        await this.cases.lockTable(m, dto.toTableId);
        if (await this.cases.findOpenCase(m, dto.toTableId, access.subjectId)) {
          throw openCaseExists('The person already has an open case at the target table.');
        }
        const transfer = await this.cases.moveCase(m, caseId, access.tableId, dto.toTableId, dto.reason ?? null, actorUserId(ctx));
        await this.log.record(m, ctx, access, {
          operation: 'case.transfer',
          activityCategory: 'residence',
          categories: ['residence'],
          subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
          purpose: Purpose.CaseTransfer,
          startedAt,
        });
        return transferView(transfer, access.categories);
      })
      .catch((e) => {
        throw mapOpenCaseViolation(e);
      });
  }
}
