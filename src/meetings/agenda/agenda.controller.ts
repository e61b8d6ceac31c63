import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Put } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Permission } from '../../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../../common/api-docs';
import { uuidParam } from '../../common/pipes';
import { Ctx, type RequestContext } from '../../common/request-context';
import { ApiUuidParam } from '../../tables/table.docs';
import { CreateAgendaItemDto, ReorderAgendaDto, UpdateAgendaItemDto } from './agenda.dto';
import { AgendaService } from './agenda.service';
import { AgendaItemView, AgendaSummaryView, AgendaView } from './agenda-view';
import { Versioned } from '../../common/etag';

const CHAIR_ONLY = 'You are a member but not the chair of the table (`chair_only`).';
const NOT_EDITABLE = 'The meeting is no longer planned or published (`illegal_meeting_status`).';
const DISCLOSED = 'Each item is rendered under your own covenant: fields and reasons of categories your organisation is not granted are absent.';
const meetingId = () => ApiUuidParam('id', 'Id of the meeting.');
const itemId = () => ApiUuidParam('id', 'Id of the agenda item.');

@ApiTags('agenda')
@Controller()
export class AgendaController {
  constructor(private readonly agenda: AgendaService) {}

  @Post('meetings/:id/agenda/_draft')
  @meetingId()
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.AgendaManage })
  @ApiOperation({
    summary: 'Assemble the draft agenda now',
    description:
      'Rebuilds the case items in the order of the weekly cycle: escalation proposals and severe incidents, overdue actions, new cases, new ' +
      'incidents, actions due before the meeting, passed review dates, nominations; each case once, with all its reasons. Items the chair ' +
      'added or gave reasons by hand, and topic items, are kept. New and severe incidents are those recorded (or pushed) after the ' +
      "table's previous meeting was closed, whenever they happened. Also run by a job two working days before the meeting.",
  })
  @ApiOkResponse({ type: AgendaSummaryView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, 'The meeting is not planned (`illegal_meeting_status`).')
  draft(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.agenda.draft(ctx, id);
  }

  @Get('meetings/:id/agenda')
  @meetingId()
  @Authenticated({ permission: Permission.MeetingRead })
  @ApiOperation({ summary: "The meeting's agenda", description: `Items in position order, with carried-over open actions. ${DISCLOSED}` })
  @ApiOkResponse({ type: AgendaView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(409, 'The agenda is not published yet; until then only the chair may read the draft (`agenda_not_published`).')
  read(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.agenda.read(ctx, id);
  }

  @Post('meetings/:id/agenda-items')
  @meetingId()
  @Authenticated({ permission: Permission.AgendaManage })
  @ApiOperation({ summary: 'Add a case or a topic to the agenda by hand', description: `At the end; re-drafting keeps it. ${DISCLOSED}` })
  @ApiCreatedResponse({ type: AgendaItemView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting or the case')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, `${NOT_EDITABLE} Or the case is on the agenda already (\`already_on_agenda\`) or closed (\`case_closed\`).`)
  addItem(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CreateAgendaItemDto) {
    return this.agenda.addItem(ctx, id, dto);
  }

  @Put('meetings/:id/agenda-items/order')
  @meetingId()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated({ permission: Permission.AgendaManage })
  @ApiOperation({ summary: 'Reorder the agenda', description: 'Positions are renumbered from 1 in the order given.' })
  @ApiNoContentResponse({ description: 'Reordered.' })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, `${NOT_EDITABLE} Or \`itemIds\` is not exactly the meeting's items (\`agenda_items_mismatch\`).`)
  async reorder(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: ReorderAgendaDto): Promise<void> {
    await this.agenda.reorder(ctx, id, dto);
  }

  @Patch('agenda-items/:id')
  @Versioned('agenda_item')
  @itemId()
  @Authenticated({ permission: Permission.AgendaManage })
  @ApiOperation({ summary: "Change an item's reasons or topic", description: `The chair's reasons are replaced; drafted reasons stay. ${DISCLOSED}` })
  @ApiOkResponse({ type: AgendaItemView })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, NOT_EDITABLE)
  updateItem(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: UpdateAgendaItemDto) {
    return this.agenda.updateItem(ctx, id, dto);
  }

  @Delete('agenda-items/:id')
  @itemId()
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated({ permission: Permission.AgendaManage })
  @ApiOperation({ summary: 'Take an item off the agenda', description: 'The other items close ranks. A re-draft may put a case back when it still qualifies.' })
  @ApiNoContentResponse({ description: 'Removed.' })
  @ApiInvalidInput()
  @ApiNotFound('The agenda item')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, `${NOT_EDITABLE} Or actions or escalations refer to the item (\`agenda_item_in_use\`).`)
  async removeItem(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<void> {
    await this.agenda.removeItem(ctx, id);
  }

  @Post('meetings/:id/agenda/_publish')
  @meetingId()
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.AgendaManage })
  @ApiOperation({ summary: 'Publish the agenda', description: 'Members are notified and may read it. Publishing an edited published agenda again is allowed.' })
  @ApiOkResponse({ type: AgendaSummaryView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, 'The meeting is in session, closed or cancelled (`illegal_transition`).')
  publish(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string) {
    return this.agenda.publish(ctx, id);
  }
}
