import { Body, Controller, Get, Param, Post, Query, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { Page, PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { CreateIncidentDto, IncidentPageView, IncidentView, PushIncidentDto } from './incident.dto';
import { IncidentOutcome, IncidentService } from './incident.service';

const DISCLOSURE = 'Fields are disclosed under the incident\'s category: `incidents` for nuisance, `criminal` for an offence.';

/** 201 for a new incident, 200 for a repeated push answered with the incident recorded before. */
function send(reply: FastifyReply, outcome: IncidentOutcome): void {
  if (outcome.created) reply.header('Location', `/api/v1/incidents/${outcome.incident.id}`);
  reply.status(outcome.created ? 201 : 200).send(outcome.incident);
}

@ApiTags('incidents')
@Controller()
export class IncidentController {
  constructor(private readonly incidents: IncidentService) {}

  @Post('cases/:caseId/incidents')
  @Authenticated({ permission: Permission.IncidentWrite })
  @ApiOperation({
    summary: 'Record an incident (melding) on a case',
    description: `The caller's organisation is the source. ${DISCLOSURE} The caller must be granted that category; otherwise 403 and nothing is written.`,
  })
  @ApiBody({ type: CreateIncidentDto })
  @ApiCreatedResponse({ type: IncidentView, description: 'Recorded.' })
  @ApiOkResponse({ type: IncidentView, description: 'The same `externalReference` and content were recorded before; this is that incident.' })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, 'The covenant does not grant the incident\'s category to your organisation (`category_not_granted`).')
  @ApiProblem(409, 'The `externalReference` was used before with other content (`external_reference_conflict`), or the case is closed (`case_closed`).')
  async create(
    @Ctx() ctx: RequestContext,
    @Param('caseId', uuidParam('caseId')) caseId: string,
    @Body() dto: CreateIncidentDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    send(reply, await this.incidents.createForCase(ctx, caseId, dto));
  }

  @Get('cases/:caseId/incidents')
  @Authenticated({ permission: Permission.IncidentRead })
  @ApiOperation({
    summary: "A case's incidents, newest first",
    description: `Only incidents whose category the caller is granted are listed; the others are left out entirely. ${DISCLOSURE}`,
  })
  @ApiOkResponse({ type: IncidentPageView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  list(@Ctx() ctx: RequestContext, @Param('caseId', uuidParam('caseId')) caseId: string, @Query() query: PageQueryDto): Promise<Page<Partial<IncidentView>>> {
    return this.incidents.list(ctx, caseId, query);
  }

  @Get('incidents/:id')
  @Authenticated({ permission: Permission.IncidentRead })
  @ApiOperation({ summary: 'One incident', description: `404 also when its category is not granted to the caller. ${DISCLOSURE}` })
  @ApiOkResponse({ type: IncidentView })
  @ApiInvalidInput()
  @ApiNotFound('The incident')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<Partial<IncidentView>> {
    return this.incidents.get(ctx, id);
  }

  @Post('incidents')
  @Authenticated({ permission: Permission.IncidentWrite })
  @ApiOperation({
    summary: 'Push an incident from a partner system',
    description:
      'For partner systems (scope `incidents:write`) and members. Name the case by `caseReference`, or by `tableId` and `vNumber` ' +
      '(the open case of that person at that table). Idempotent per source organisation and `externalReference` (required for ' +
      'partner systems): the same content again answers 200 with the stored incident and changes nothing; other content is 409. ' +
      `${DISCLOSURE}`,
  })
  @ApiBody({ type: PushIncidentDto })
  @ApiCreatedResponse({ type: IncidentView, description: 'Recorded.' })
  @ApiOkResponse({ type: IncidentView, description: 'A repeat of an earlier push; nothing was changed.' })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, 'The covenant does not grant the incident\'s category to your organisation (`category_not_granted`).')
  @ApiProblem(409, 'The `externalReference` was used before with other content (`external_reference_conflict`), or the case is closed (`case_closed`).')
  async push(@Ctx() ctx: RequestContext, @Body() dto: PushIncidentDto, @Res() reply: FastifyReply): Promise<void> {
    send(reply, await this.incidents.push(ctx, dto));
  }
}
