import { Body, Controller, Delete, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { CreateCaseDto, CreateDeadlineDto, ListCasesQuery, StatusChangeDto, StrategyInputDto, TransferCaseDto, UpdateCaseDto } from './case.dto';
import { CaseListService } from './case-list.service';
import { CasePlanService } from './case-plan.service';
import { CaseService } from './case.service';
import { CaseTransferService } from './case-transfer.service';
import { CaseDetailView, CasePageView, DeadlineView, StrategyPageView, StrategyView, TransferView } from './case-view';
import { Versioned } from '../common/etag';

const DISCLOSED = 'Fields of categories your organisation is not granted by the covenant of the case\'s table are absent.';
const CATEGORY_403 = 'The body touches a category your organisation is not granted (`category_not_granted`); nothing was changed.';

@ApiTags('cases')
@Controller()
export class CaseController {
  constructor(
    private readonly cases: CaseService,
    private readonly lists: CaseListService,
    private readonly plans: CasePlanService,
    private readonly transfers: CaseTransferService,
  ) {}

  @Post('tables/:tableId/cases')
  @Authenticated({ permission: Permission.CaseWrite })
  @ApiOperation({
    summary: 'Open a case at a table',
    description: `Finds the person by V-number or registers them, and opens an \`intake\` case with the next reference. ${DISCLOSED}`,
  })
  @ApiCreatedResponse({ type: CaseDetailView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, CATEGORY_403)
  @ApiProblem(409, 'The person already has an open case at this table (`open_case_exists`).')
  create(@Ctx() ctx: RequestContext, @Param('tableId', uuidParam('tableId')) tableId: string, @Body() dto: CreateCaseDto) {
    return this.cases.create(ctx, tableId, dto);
  }

  @Get('tables/:tableId/cases')
  @Authenticated({ permission: Permission.CaseRead })
  @ApiOperation({
    summary: "List a table's cases",
    description: `Newest first unless \`sort\` says otherwise, a page at a time (cursor); \`q\` searches references, and names and V-numbers where you are granted \`identity\`. ${DISCLOSED}`,
  })
  @ApiOkResponse({ type: CasePageView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(
    403,
    'Filtering on status, risk level or overdue actions, or sorting on risk level or next due date, needs the `deliberation` category; sorting on the last incident needs `incidents` or `criminal` (`category_not_granted`).',
  )
  list(@Ctx() ctx: RequestContext, @Param('tableId', uuidParam('tableId')) tableId: string, @Query() query: ListCasesQuery) {
    return this.lists.list(ctx, tableId, query);
  }

  @Get('cases/:id')
  @Versioned('case_file')
  @Authenticated({ permission: Permission.CaseRead })
  @ApiOperation({ summary: 'One case', description: `With its strategy, deadlines, transfers, status history and action counts. ${DISCLOSED}` })
  @ApiOkResponse({ type: CaseDetailView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.cases.get(ctx, id);
  }

  @Patch('cases/:id')
  @Versioned('case_file')
  @Authenticated({ permission: Permission.CaseWrite })
  @ApiOperation({ summary: 'Change case and person fields', description: `Only the fields in the body change; \`null\` clears a field. ${DISCLOSED}` })
  @ApiOkResponse({ type: CaseDetailView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, CATEGORY_403)
  update(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: UpdateCaseDto) {
    return this.cases.update(ctx, id, dto);
  }

  @Post('cases/:id/status-changes')
  @Authenticated({ permission: Permission.CaseWrite })
  @ApiOperation({ summary: 'Move the case to another status', description: 'Closing sets `closedAt`; reopening (closed → active) clears it. Answers with the case.' })
  @ApiCreatedResponse({ type: CaseDetailView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, CATEGORY_403)
  @ApiProblem(409, 'The transition is not allowed from the current status (`illegal_transition`, with `fromStatus` and `toStatus`), or reopening would give the person a second open case.')
  changeStatus(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: StatusChangeDto) {
    return this.cases.changeStatus(ctx, id, dto);
  }

  @Post('cases/:id/strategies')
  @Authenticated({ permission: Permission.CaseWrite })
  @ApiOperation({ summary: 'Record a new strategy revision', description: 'Earlier revisions are kept.' })
  @ApiCreatedResponse({ type: StrategyView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, CATEGORY_403)
  addStrategy(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: StrategyInputDto) {
    return this.plans.addStrategy(ctx, id, dto);
  }

  @Get('cases/:id/strategies')
  @Authenticated({ permission: Permission.CaseRead })
  @ApiOperation({ summary: 'Every strategy revision of the case', description: `Oldest first, a page at a time. ${DISCLOSED}` })
  @ApiOkResponse({ type: StrategyPageView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  listStrategies(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto) {
    return this.plans.listStrategies(ctx, id, query);
  }

  @Post('cases/:id/deadlines')
  @Authenticated({ permission: Permission.CaseWrite })
  @ApiOperation({ summary: 'Add an external deadline', description: 'Its kind decides its category, which your organisation must be granted.' })
  @ApiCreatedResponse({ type: DeadlineView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, CATEGORY_403)
  addDeadline(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CreateDeadlineDto) {
    return this.plans.addDeadline(ctx, id, dto);
  }

  @Delete('cases/:id/deadlines/:deadlineId')
  @HttpCode(204)
  @Authenticated({ permission: Permission.CaseWrite })
  @ApiOperation({ summary: 'Remove an external deadline' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiInvalidInput()
  @ApiNotFound('The case or the deadline (also one of a category you are not granted)')
  async removeDeadline(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Param('deadlineId', uuidParam('deadlineId')) deadlineId: string,
  ): Promise<void> {
    await this.plans.removeDeadline(ctx, id, deadlineId);
  }

  @Post('cases/:id/transfers')
  @Authenticated({ permission: Permission.CaseTransfer })
  @ApiOperation({
    summary: 'Transfer the case to another table',
    description: "The person moved to another azc. Only the chair of the case's table may do this. History stays on the case; from then on the new table's members and covenant apply.",
  })
  @ApiCreatedResponse({ type: TransferView })
  @ApiInvalidInput()
  @ApiNotFound('The case or the target table')
  @ApiProblem(403, "You are not the chair of the case's table (`chair_only`), or not granted `residence`.")
  @ApiProblem(409, 'The person already has an open case at the target table, the case is closed, or it is at that table already.')
  transfer(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: TransferCaseDto) {
    return this.transfers.transfer(ctx, id, dto);
  }
}
