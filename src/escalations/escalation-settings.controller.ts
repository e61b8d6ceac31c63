import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { Page, pageOfBounded, PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { EscalationRulePage, EscalationRuleView, EscalationSettingsView, PutEscalationRulesDto, PutEscalationSettingsDto } from './escalation-settings.dto';
import { EscalationSettingsService } from './escalation-settings.service';

const CHAIR_403 = 'You are not the chair of this table (`chair_only`).';

/** A table's escalation rules and its settings between meetings: members read them, the chair sets them. */
@ApiTags('escalations')
@Controller('tables/:id')
export class EscalationSettingsController {
  constructor(private readonly settings: EscalationSettingsService) {}

  @Get('escalation-rules')
  @Authenticated({ permission: Permission.EscalationSettingsRead })
  @ApiOperation({
    summary: "The table's escalation rules",
    description: 'Rules propose, never decide: when a recorded fact matches an active rule, the case gets a `proposed` escalation (one open per case and track), which the next draft agenda lists first.',
  })
  @ApiOkResponse({ type: EscalationRulePage })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  async getRules(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto): Promise<Page<EscalationRuleView>> {
    return pageOfBounded(await this.settings.getRules(ctx, id), query, (r) => r.id);
  }

  @Put('escalation-rules')
  @Authenticated({ permission: Permission.EscalationSettingsManage })
  @ApiOperation({ summary: "Replace the table's escalation rules", description: 'By the chair. Every parameter problem is listed at once.' })
  @ApiOkResponse({ type: EscalationRuleView, isArray: true })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, CHAIR_403)
  putRules(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: PutEscalationRulesDto): Promise<EscalationRuleView[]> {
    return this.settings.putRules(ctx, id, dto);
  }

  @Get('escalation-settings')
  @Authenticated({ permission: Permission.EscalationSettingsRead })
  @ApiOperation({ summary: "The table's response deadlines per track and its departure interview automation" })
  @ApiOkResponse({ type: EscalationSettingsView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  getSettings(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<EscalationSettingsView> {
    return this.settings.getSettings(ctx, id);
  }

  @Put('escalation-settings')
  @Authenticated({ permission: Permission.EscalationSettingsManage })
  @ApiOperation({ summary: "Replace the table's settings between meetings", description: 'By the chair. What the body leaves out goes back to its default.' })
  @ApiOkResponse({ type: EscalationSettingsView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, CHAIR_403)
  putSettings(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: PutEscalationSettingsDto): Promise<EscalationSettingsView> {
    return this.settings.putSettings(ctx, id, dto);
  }
}
