import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Permission } from '../../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../../common/api-docs';
import { uuidParam } from '../../common/pipes';
import { Ctx, type RequestContext } from '../../common/request-context';
import { ApiUuidParam } from '../../tables/table.docs';
import { PageQueryDto } from '../../common/pagination';
import { CreateNominationDto, NominationPage, NominationView } from './nomination.dto';
import { NominationService } from './nomination.service';

const DISCLOSED = 'Fields of categories your organisation is not granted are absent.';

@ApiTags('agenda')
@Controller()
export class NominationController {
  constructor(private readonly nominations: NominationService) {}

  @Post('tables/:tableId/nominations')
  @ApiUuidParam('tableId', 'Id of the table.')
  @Authenticated({ permission: Permission.NominationCreate })
  @ApiOperation({
    summary: 'Put a case or a topic on the next agenda',
    description:
      "Any member of the table may nominate. Without `meetingId` the nomination is for the table's next planned meeting (an agenda " +
      'already published is left alone; the chair adds items by hand). The draft agenda lists the case with the reason. ' +
      DISCLOSED,
  })
  @ApiCreatedResponse({ type: NominationView })
  @ApiInvalidInput()
  @ApiNotFound('The table, the case or the meeting')
  @ApiProblem(403, 'Your organisation is not granted `deliberation` (`category_not_granted`).')
  @ApiProblem(
    409,
    'No planned meeting to come (`no_planned_meeting`), the meeting named is not planned (`illegal_meeting_status`), the case is closed ' +
      '(`case_closed`), or a member nominated the case for that meeting already (`already_nominated`).',
  )
  create(@Ctx() ctx: RequestContext, @Param('tableId', uuidParam('tableId')) tableId: string, @Body() dto: CreateNominationDto) {
    return this.nominations.create(ctx, tableId, dto);
  }

  @Get('meetings/:id/nominations')
  @ApiUuidParam('id', 'Id of the meeting.')
  @Authenticated({ permission: Permission.MeetingRead })
  @ApiOperation({ summary: "A meeting's nominations", description: `By members and by list imports, oldest first. ${DISCLOSED}` })
  @ApiOkResponse({ type: NominationPage })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  list(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto) {
    return this.nominations.list(ctx, id, query);
  }
}
