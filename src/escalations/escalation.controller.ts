import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { EscalationService } from './escalation.service';
import { EscalationView } from './escalation-view';

/** Escalations (opschaling) of a case. Proposed in session (see the session routes); read here. */
@ApiTags('escalations')
@Controller()
export class EscalationController {
  constructor(private readonly escalations: EscalationService) {}

  @Get('cases/:caseId/escalations')
  @Authenticated({ permission: Permission.CaseRead })
  @ApiOperation({ summary: "A case's escalations, newest first", description: 'Empty unless your organisation is granted `deliberation`.' })
  @ApiOkResponse({ type: EscalationView, isArray: true })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  listEscalations(@Ctx() ctx: RequestContext, @Param('caseId', uuidParam('caseId')) caseId: string) {
    return this.escalations.listForCase(ctx, caseId);
  }
}
