import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { CompleteActionDto, ListActionsQuery, RequestReplanDto } from './action.dto';
import { ActionService } from './action.service';
import { ActionPageView, ActionView } from './action-view';

const WHO_SEES =
  "People see the actions of cases at the tables they sit at, when the covenant grants their organisation `deliberation`; a partner system sees only its own organisation's actions.";
const OWNER_403 = 'Your organisation does not own this action (`not_owner_organisation`).';

@ApiTags('actions')
@Controller('actions')
export class ActionController {
  constructor(private readonly actions: ActionService) {}

  @Get()
  @Authenticated({ permission: Permission.ActionRead })
  @ApiOperation({
    summary: 'Agreed actions, earliest due first',
    description: `${WHO_SEES} \`overdue\` is derived: open and past the due date in Europe/Amsterdam; \`workingDaysOverdue\` skips weekends and Dutch public holidays.`,
  })
  @ApiOkResponse({ type: ActionPageView })
  @ApiInvalidInput()
  @ApiNotFound('The table given as `tableId`')
  @ApiProblem(403, 'The covenant of the table given as `tableId` does not grant your organisation `deliberation`.')
  list(@Ctx() ctx: RequestContext, @Query() query: ListActionsQuery): Promise<ActionPageView> {
    return this.actions.list(ctx, query);
  }

  @Get(':id')
  @Authenticated({ permission: Permission.ActionRead })
  @ApiOperation({ summary: 'One action', description: WHO_SEES })
  @ApiOkResponse({ type: ActionView })
  @ApiInvalidInput()
  @ApiNotFound('The action')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<Partial<ActionView>> {
    return this.actions.get(ctx, id);
  }

  @Post(':id/_complete')
  @HttpCode(200)
  @Authenticated({ permission: Permission.ActionWrite })
  @ApiOperation({
    summary: 'Report the action as done',
    description:
      'By a member of the owner organisation, or its partner system with `actions:write`. Sets `completedAt`; the chair is notified. ' +
      'Idempotent: sending the same `resultNote` again for an action it completed answers 200 with the same body and changes nothing.',
  })
  @ApiOkResponse({ type: ActionView })
  @ApiInvalidInput()
  @ApiNotFound('The action')
  @ApiProblem(403, OWNER_403)
  @ApiProblem(409, 'The action is not open, and was not completed with this `resultNote` (`action_not_open`).')
  complete(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CompleteActionDto): Promise<Partial<ActionView>> {
    return this.actions.complete(ctx, id, dto);
  }

  @Post(':id/_replan')
  @HttpCode(200)
  @Authenticated({ permission: Permission.ActionWrite })
  @ApiOperation({
    summary: 'Ask the table to re-plan the action',
    description: 'By the owner organisation. Stores the proposed due date and reason; the due date itself changes only when the table reviews the action.',
  })
  @ApiOkResponse({ type: ActionView })
  @ApiInvalidInput()
  @ApiNotFound('The action')
  @ApiProblem(403, OWNER_403)
  @ApiProblem(409, 'The action is not open (`action_not_open`).')
  requestReplan(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: RequestReplanDto): Promise<Partial<ActionView>> {
    return this.actions.requestReplan(ctx, id, dto);
  }
}
