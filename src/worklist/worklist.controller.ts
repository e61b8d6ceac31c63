import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { WorklistService } from './worklist.service';
import { WorklistPage, WorklistPageView } from './worklist-view';

const WHAT =
  'Open cases with a reason: escalations `requested` and awaiting the target\'s answer, overdue actions (Europe/Amsterdam), incidents recorded ' +
  "since the table's last meeting was closed, a review date reached, no strategy yet. Each case is disclosed under the table's covenant, " +
  'with only the reasons of categories granted to your organisation (new incidents are `incidents` or `criminal`, the rest `deliberation`); ' +
  'a case without such a reason is not listed. A page at a time; logged per case listed, like any list of cases.';

@ApiTags('worklist')
@Controller()
export class WorklistController {
  constructor(private readonly worklist: WorklistService) {}

  @Get('worklist')
  @Authenticated({ permission: Permission.WorklistRead })
  @ApiOperation({ summary: 'What needs my attention at the tables I chair', description: `${WHAT} Empty when you chair no table.` })
  @ApiOkResponse({ type: WorklistPageView })
  @ApiInvalidInput()
  forChair(@Ctx() ctx: RequestContext, @Query() query: PageQueryDto): Promise<WorklistPage> {
    return this.worklist.forChair(ctx, query);
  }

  @Get('tables/:id/worklist')
  @Authenticated({ permission: Permission.WorklistRead })
  @ApiOperation({ summary: "What needs the chair's attention at this table", description: WHAT })
  @ApiOkResponse({ type: WorklistPageView })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, 'You are not the chair of this table (`chair_only`).')
  forTable(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto): Promise<WorklistPage> {
    return this.worklist.forTable(ctx, id, query);
  }
}
