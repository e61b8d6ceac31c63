import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { CancelMeetingDto, CreateMeetingDto, GenerateMeetingsDto, ListMeetingsQuery, UpdateMeetingDto } from './meeting.dto';
import { MeetingPage, MeetingView } from './meeting-view';
import { DEFAULT_WEEKS_AHEAD, MeetingService } from './meeting.service';
import { Versioned } from '../common/etag';

const CHAIR_403 = 'The caller sits at the table but is not its chair (`chair_only`).';

@ApiTags('meetings')
@Controller()
export class MeetingController {
  constructor(private readonly meetings: MeetingService) {}

  @Post('tables/:tableId/meetings/_generate')
  @HttpCode(200)
  @Authenticated({ permission: Permission.MeetingManage })
  @ApiOperation({
    summary: "Generate the meetings of the table's cadence ahead",
    description:
      'From now to `weeks` ahead, in Europe/Amsterdam time, with the Dutch public holidays handled by the table\'s holiday policy. ' +
      'Idempotent: answers with the meetings this call created (none when they exist already). A meeting that was moved or ' +
      'cancelled is never re-created. The same runs as a scheduled job.',
  })
  @ApiBody({ type: GenerateMeetingsDto, required: false })
  @ApiOkResponse({ type: MeetingView, isArray: true })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, CHAIR_403)
  @ApiProblem(409, 'The table is inactive (`table_inactive`) or its cadence cannot be read (`cadence_unreadable`).')
  generate(@Ctx() ctx: RequestContext, @Param('tableId', uuidParam('tableId')) tableId: string, @Body() dto: GenerateMeetingsDto) {
    return this.meetings.generate(ctx, tableId, dto.weeks ?? DEFAULT_WEEKS_AHEAD);
  }

  @Get('tables/:tableId/meetings')
  @Authenticated({ permission: Permission.MeetingRead })
  @ApiOperation({
    summary: "List a table's meetings",
    description: 'By `scheduledAt`, ascending (the next meeting first when `from` is now) or with `sort=-scheduledAt` the latest first; optionally within [`from`, `to`) and of one status.',
  })
  @ApiOkResponse({ type: MeetingPage })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  list(@Ctx() ctx: RequestContext, @Param('tableId', uuidParam('tableId')) tableId: string, @Query() query: ListMeetingsQuery) {
    return this.meetings.list(ctx, tableId, query);
  }

  @Post('tables/:tableId/meetings')
  @Authenticated({ permission: Permission.MeetingManage })
  @ApiOperation({ summary: 'Add a meeting outside the cadence', description: 'An extra sitting; regenerating the cadence never touches it.' })
  @ApiCreatedResponse({ type: MeetingView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, CHAIR_403)
  create(@Ctx() ctx: RequestContext, @Param('tableId', uuidParam('tableId')) tableId: string, @Body() dto: CreateMeetingDto) {
    return this.meetings.create(ctx, tableId, dto);
  }

  @Get('meetings/:id')
  @Versioned('meeting')
  @Authenticated({ permission: Permission.MeetingRead })
  @ApiOperation({ summary: 'One meeting' })
  @ApiOkResponse({ type: MeetingView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.meetings.get(ctx, id);
  }

  @Patch('meetings/:id')
  @Versioned('meeting')
  @Authenticated({ permission: Permission.MeetingManage })
  @ApiOperation({
    summary: 'Move a meeting or change its location',
    description: 'Only while it is `planned` or `agenda_published`. A generated meeting keeps its cadence slot, so regenerating does not bring it back.',
  })
  @ApiOkResponse({ type: MeetingView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, CHAIR_403)
  @ApiProblem(409, 'The meeting has started, is closed or is cancelled (`illegal_meeting_status`); nothing was changed.')
  update(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: UpdateMeetingDto) {
    return this.meetings.update(ctx, id, dto);
  }

  @Post('meetings/:id/_cancel')
  @HttpCode(200)
  @Authenticated({ permission: Permission.MeetingManage })
  @ApiOperation({ summary: 'Cancel a meeting', description: 'Only while it is `planned` or `agenda_published`. Answers with the cancelled meeting.' })
  @ApiOkResponse({ type: MeetingView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, CHAIR_403)
  @ApiProblem(409, 'The meeting has started, is closed or is cancelled already (`illegal_transition`); nothing was changed.')
  cancel(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CancelMeetingDto) {
    return this.meetings.cancel(ctx, id, dto.reason);
  }
}
