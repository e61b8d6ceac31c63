import { applyDecorators, Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { EscalationReasonDto, ListEscalationsQuery } from './escalation.dto';
import { EscalationService } from './escalation.service';
import { ESCALATION_ACTIONS, EscalationAction } from './escalation-status';
import { EscalationTransitionService } from './escalation-transition.service';
import { CaseEscalationPageView, EscalationPageView, EscalationView } from './escalation-view';

const WHO_SEES = 'Members of the case\'s table whose covenant grants `deliberation`; a partner system (`escalations:read` or `escalations:write`) only those addressed to its organisation\'s type.';
const BY_TABLE = 'By the chair of the case\'s table (403 `chair_only` for other members).';
const BY_TARGET =
  'By an official of an organisation of the track\'s target type at the case\'s table, or its partner system with `escalations:write` ' +
  '(403 `not_target_organisation` for anyone else).';
const ILLEGAL = (from: readonly string[]) =>
  `The escalation is not ${from.join(' or ')} (\`illegal_transition\`, with \`fromStatus\`, \`toStatus\` and \`allowed\`); nothing was changed.`;

/** The permission and documentation of a status change, read from ESCALATION_ACTIONS. */
const Transition = (action: EscalationAction, summary: string, extra = '') => {
  const spec = ESCALATION_ACTIONS[action];
  return applyDecorators(
    HttpCode(200),
    Authenticated({ permission: spec.by === 'table' ? Permission.EscalationManage : Permission.EscalationRespond }),
    ApiOperation({ summary, description: `${spec.by === 'table' ? BY_TABLE : BY_TARGET} From ${spec.from.join(' or ')} to ${spec.to}. ${extra}`.trim() }),
    ApiOkResponse({ type: EscalationView, description: 'The escalation with its history.' }),
    ApiInvalidInput(),
    ApiNotFound('The escalation'),
    ApiProblem(403, spec.by === 'table' ? 'You are not the chair of the case\'s table (`chair_only`).' : 'Your organisation is not the track\'s target (`not_target_organisation`).'),
    ApiProblem(409, ILLEGAL(spec.from)),
  );
};

/** Escalations (opschaling): the case's list, one with its history, what awaits my organisation, and the status changes. */
@ApiTags('escalations')
@Controller()
export class EscalationController {
  constructor(
    private readonly escalations: EscalationService,
    private readonly transitions: EscalationTransitionService,
  ) {}

  @Get('cases/:caseId/escalations')
  @Authenticated({ permission: Permission.CaseRead })
  @ApiOperation({ summary: "A case's escalations, newest first", description: 'Empty unless your organisation is granted `deliberation`.' })
  @ApiOkResponse({ type: CaseEscalationPageView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  listEscalations(@Ctx() ctx: RequestContext, @Param('caseId', uuidParam('caseId')) caseId: string, @Query() query: PageQueryDto) {
    return this.escalations.listForCase(ctx, caseId, query);
  }

  @Get('escalations')
  @Authenticated({ permission: Permission.EscalationRead })
  @ApiOperation({
    summary: 'What awaits my organisation: escalations addressed to it, earliest response deadline first',
    description:
      "Escalations whose track targets your organisation's type, at the tables your organisation sits at (and, for people, you do) whose covenant grants it `deliberation`. " +
      'By default those `requested` (an answer is due) or `accepted` (completion is due).',
  })
  @ApiOkResponse({ type: EscalationPageView })
  @ApiInvalidInput()
  @ApiNotFound('The table given as `tableId`')
  @ApiProblem(403, 'The covenant of the table given as `tableId` does not grant your organisation `deliberation`.')
  listForTarget(@Ctx() ctx: RequestContext, @Query() query: ListEscalationsQuery): Promise<EscalationPageView> {
    return this.escalations.listForTarget(ctx, query);
  }

  @Get('escalations/:id')
  @Authenticated({ permission: Permission.EscalationRead })
  @ApiOperation({ summary: 'One escalation with its history', description: WHO_SEES })
  @ApiOkResponse({ type: EscalationView })
  @ApiInvalidInput()
  @ApiNotFound('The escalation')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.escalations.get(ctx, id);
  }

  @Post('escalations/:id/_request')
  @Transition('request', 'Request the escalation of the target', 'Sets the response deadline: the table\'s working days for the track (default 5), from today (Europe/Amsterdam).')
  request(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: EscalationReasonDto) {
    return this.transitions.apply(ctx, id, 'request', dto);
  }

  @Post('escalations/:id/_withdraw')
  @Transition('withdraw', 'Withdraw the escalation')
  withdraw(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: EscalationReasonDto) {
    return this.transitions.apply(ctx, id, 'withdraw', dto);
  }

  @Post('escalations/:id/_accept')
  @Transition('accept', 'Accept the escalation', 'The reason is the answer (`outcome`).')
  accept(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: EscalationReasonDto) {
    return this.transitions.apply(ctx, id, 'accept', dto);
  }

  @Post('escalations/:id/_reject')
  @Transition('reject', 'Reject the escalation', 'The reason is the answer (`outcome`).')
  reject(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: EscalationReasonDto) {
    return this.transitions.apply(ctx, id, 'reject', dto);
  }

  @Post('escalations/:id/_complete')
  @Transition('complete', 'Report the accepted escalation as completed', 'The reason is the outcome.')
  complete(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: EscalationReasonDto) {
    return this.transitions.apply(ctx, id, 'complete', dto);
  }
}
