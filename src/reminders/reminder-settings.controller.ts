import { Body, Controller, Get, Param, Put } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { PutReminderSettingsDto, ReminderSettingsView } from './reminder-settings.dto';
import { ReminderSettingsService } from './reminder-settings.service';

const SCHEDULE =
  'The worker sweeps every five minutes. Each reminder, notice and alert falls on a working day and is sent once per ' +
  'action or escalation and date (a re-planned action is reminded again); see the README, "Reminders and schedules".';

/** A table's reminders, alerts and scheduled draft agenda: members read the working days, the chair sets them. */
@ApiTags('reminders')
@Controller('tables/:id/reminder-settings')
export class ReminderSettingsController {
  constructor(private readonly settings: ReminderSettingsService) {}

  @Get()
  @Authenticated({ permission: Permission.ReminderSettingsRead })
  @ApiOperation({ summary: "The table's working days for reminders, alerts and the scheduled draft agenda", description: SCHEDULE })
  @ApiOkResponse({ type: ReminderSettingsView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<ReminderSettingsView> {
    return this.settings.get(ctx, id);
  }

  @Put()
  @Authenticated({ permission: Permission.ReminderSettingsManage })
  @ApiOperation({
    summary: "Replace the table's working days for reminders, alerts and the scheduled draft agenda",
    description: `By the chair. What the body leaves out goes back to its default; every invalid field is listed at once. ${SCHEDULE}`,
  })
  @ApiOkResponse({ type: ReminderSettingsView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, 'You are not the chair of this table (`chair_only`).')
  put(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: PutReminderSettingsDto): Promise<ReminderSettingsView> {
    return this.settings.put(ctx, id, dto);
  }
}
