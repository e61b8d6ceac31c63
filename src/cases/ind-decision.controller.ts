import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { Page, PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { IndDecisionPageView, IndDecisionView, RecordIndDecisionDto } from './ind-decision.dto';
import { IndDecisionService } from './ind-decision.service';

@ApiTags('cases')
@Controller('cases/:caseId/ind-decisions')
export class IndDecisionController {
  constructor(private readonly decisions: IndDecisionService) {}

  @Post()
  @Authenticated({ permission: Permission.IndDecisionRecord })
  @ApiOperation({
    summary: "Record the IND's decision on the asylum application",
    description:
      'By a member organisation granted `procedure`, or its partner system (`ind_decisions:write`). A negative decision puts a departure ' +
      "interview (Vertrekgesprek) of the table's DT&V member on the case, due within the table's working days (default 2), unless the " +
      'table turned this off. The same case, outcome and date again answers 200 with the decision recorded before and creates nothing.',
  })
  @ApiCreatedResponse({ type: IndDecisionView, description: 'Recorded.' })
  @ApiOkResponse({ type: IndDecisionView, description: 'Recorded before; nothing was changed.' })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, 'The covenant does not grant your organisation `procedure` (`category_not_granted`).')
  @ApiProblem(409, 'The case is closed (`case_closed`).')
  async record(
    @Ctx() ctx: RequestContext,
    @Param('caseId', uuidParam('caseId')) caseId: string,
    @Body() dto: RecordIndDecisionDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.decisions.record(ctx, caseId, dto);
    reply.status(outcome.created ? 201 : 200).send(outcome.decision);
  }

  @Get()
  @Authenticated({ permission: Permission.CaseRead })
  @ApiOperation({ summary: "A case's IND decisions, newest first", description: 'Empty unless your organisation is granted `procedure`.' })
  @ApiOkResponse({ type: IndDecisionPageView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  list(@Ctx() ctx: RequestContext, @Param('caseId', uuidParam('caseId')) caseId: string, @Query() query: PageQueryDto): Promise<Page<Partial<IndDecisionView>>> {
    return this.decisions.list(ctx, caseId, query);
  }
}
