import { Body, Controller, Get, HttpCode, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { AssignActionDto, ReviewActionDto } from '../../actions/action.dto';
import { ActionReviewView, ActionView } from '../../actions/action-view';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Permission } from '../../auth/permissions';
import { CreateMeasureDto, MeasureView } from '../../cases/measure.dto';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../../common/api-docs';
import { pageOfBounded, PageQueryDto } from '../../common/pagination';
import { uuidParam } from '../../common/pipes';
import { Ctx, type RequestContext } from '../../common/request-context';
import { ProposeEscalationDto } from '../../escalations/escalation.dto';
import { EscalationView } from '../../escalations/escalation-view';
import { DecisionDto, PutAttendanceDto } from './session.dto';
import { SessionService } from './session.service';
import { AttendancePage, AttendanceView, DecisionView, SessionMeetingView, SessionView } from './session-view';

const CHAIR_ITEM = "Only the chair of the meeting's table, while the meeting is `in_session`.";
const ITEM_403 = 'You are not the chair of this table (`chair_only`), or your organisation is not granted `deliberation`.';
const ITEM_409 = 'The meeting is not in session (`illegal_meeting_status`), the item is a topic (`not_a_case_item`), or the case is closed (`case_closed`).';

@ApiTags('session')
@Controller()
export class SessionController {
  constructor(private readonly session: SessionService) {}

  @Post('meetings/:id/_open')
  @HttpCode(200)
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({ summary: 'Open the meeting', description: 'The chair opens a meeting whose agenda is published; it is then `in_session`.' })
  @ApiOkResponse({ type: SessionMeetingView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, 'You are not the chair of this table (`chair_only`).')
  @ApiProblem(409, 'The agenda is not published, or the meeting was opened or closed already (`illegal_transition`).')
  open(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.session.open(ctx, id);
  }

  @Put('meetings/:id/attendance')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({ summary: 'Record which member organisations are present', description: `Replaces the recorded attendance. ${CHAIR_ITEM}` })
  @ApiOkResponse({ type: AttendanceView, isArray: true })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, 'You are not the chair of this table (`chair_only`).')
  @ApiProblem(409, 'The meeting is not in session (`illegal_meeting_status`).')
  putAttendance(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: PutAttendanceDto) {
    return this.session.putAttendance(ctx, id, dto);
  }

  @Get('meetings/:id/attendance')
  @Authenticated({ permission: Permission.MeetingRead })
  @ApiOperation({ summary: 'The attendance of a meeting' })
  @ApiOkResponse({ type: AttendancePage })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  async getAttendance(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto) {
    return pageOfBounded(await this.session.getAttendance(ctx, id), query, (a) => a.organisationId!);
  }

  @Get('meetings/:id/session')
  @Authenticated({ permission: Permission.MeetingRead })
  @ApiOperation({
    summary: 'What the session recorded so far',
    description: "Attendance and, per item, the decision, strategy, actions agreed, reviews of earlier actions and escalations proposed, disclosed under your organisation's covenant.",
  })
  @ApiOkResponse({ type: SessionView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  getSession(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.session.getSession(ctx, id);
  }

  @Put('agenda-items/:id/decision')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({ summary: "Record the item's decision", description: `A strategy becomes a new revision of the case's strategy. ${CHAIR_ITEM}` })
  @ApiOkResponse({ type: DecisionView })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item or its case')
  @ApiProblem(403, ITEM_403)
  @ApiProblem(409, 'The meeting is not in session (`illegal_meeting_status`).')
  decide(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: DecisionDto) {
    return this.session.decide(ctx, id, dto);
  }

  @Post('agenda-items/:id/actions')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({ summary: 'Agree an action: which action by whom', description: `The owner organisation is notified. ${CHAIR_ITEM}` })
  @ApiCreatedResponse({ type: ActionView })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item or its case')
  @ApiProblem(403, ITEM_403)
  @ApiProblem(409, ITEM_409)
  assignAction(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: AssignActionDto) {
    return this.session.assignAction(ctx, id, dto);
  }

  @Post('agenda-items/:id/measures')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({ summary: "Record a measure on the item's case", description: `As \`POST /cases/{caseId}/measures\`. ${CHAIR_ITEM}` })
  @ApiCreatedResponse({ type: MeasureView })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item or its case')
  @ApiProblem(403, `${ITEM_403} Or the measure's category is not granted (\`category_not_granted\`).`)
  @ApiProblem(409, ITEM_409)
  addMeasure(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CreateMeasureDto) {
    return this.session.addMeasure(ctx, id, dto);
  }

  @Post('agenda-items/:id/escalations')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({ summary: 'Propose an escalation', description: `Status \`proposed\`, asked by the chair's organisation of the track's target organisation type. ${CHAIR_ITEM}` })
  @ApiCreatedResponse({ type: EscalationView })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item or its case')
  @ApiProblem(403, ITEM_403)
  @ApiProblem(409, ITEM_409)
  proposeEscalation(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: ProposeEscalationDto) {
    return this.session.proposeEscalation(ctx, id, dto);
  }

  @Post('agenda-items/:id/action-reviews')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({
    summary: 'Review an action that was open when the meeting opened',
    description: `Done; re-planned or cancelled because circumstances changed; or not acted on (it stays open and counts). Once per action per meeting. ${CHAIR_ITEM}`,
  })
  @ApiCreatedResponse({ type: ActionReviewView })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item or its case')
  @ApiProblem(403, ITEM_403)
  @ApiProblem(409, `${ITEM_409} Or the action was reviewed at this meeting already (\`action_already_reviewed\`) or is no longer open (\`action_not_open\`).`)
  reviewAction(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: ReviewActionDto) {
    return this.session.reviewAction(ctx, id, dto);
  }
}
