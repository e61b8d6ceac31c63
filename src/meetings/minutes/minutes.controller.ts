import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Permission } from '../../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../../common/api-docs';
import { Clock } from '../../common/clock';
import { uuidParam } from '../../common/pipes';
import { DomainException } from '../../common/problem';
import { Ctx, type RequestContext } from '../../common/request-context';
import { amsterdamDate } from '../../common/working-days';
import { CreateAddendumDto } from './minutes.dto';
import { renderMinutesPdf } from './minutes-pdf';
import { MinutesService } from './minutes.service';
import { MinutesAddendumView, MinutesView } from './minutes-view';
import { CommonError } from '../../common/problem';
import { negotiateMediaType } from '../../common/content-negotiation';

const DISCLOSED =
  "Rendered for the caller under the table's current covenant: values of categories your organisation is not granted are absent, and reasons or measures of such a category are left out.";
const JSON_TYPE = 'application/json';
const PDF_TYPE = 'application/pdf';

/**
 * Content negotiation between JSON (the default) and PDF, by the q-values of the Accept header; `undefined`
 * when the caller accepts neither.
 */
export function negotiate(accept: string | undefined): 'json' | 'pdf' | undefined {
  const type = negotiateMediaType(accept, [JSON_TYPE, PDF_TYPE] as const);
  return type === undefined ? undefined : type === PDF_TYPE ? 'pdf' : 'json';
}

@ApiTags('minutes')
@ApiExtraModels(MinutesView)
@Controller()
export class MinutesController {
  constructor(
    private readonly minutes: MinutesService,
    private readonly clock: Clock,
  ) {}

  @Post('meetings/:id/_close')
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({
    summary: 'Close the meeting and freeze its minutes',
    description:
      'Only the chair of the table, only for a meeting `in_session`. The minutes (attendance, items in agenda order with reasons, ' +
      'decisions, strategy revisions, actions agreed, action reviews, escalations proposed and measures recorded during the session) ' +
      `are frozen with the category of every value; from then on the meeting cannot change, corrections are addenda. Answers with the minutes. ${DISCLOSED}`,
  })
  @ApiOkResponse({ type: MinutesView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, 'You are not the chair of the table (`chair_only`).')
  @ApiProblem(409, 'The meeting is not in session (`illegal_meeting_status`), e.g. it was closed already.')
  close(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<Partial<MinutesView>> {
    return this.minutes.close(ctx, id);
  }

  @Get('meetings/:id/minutes')
  @Authenticated({ permission: Permission.MinutesRead })
  @ApiOperation({
    summary: 'The minutes of a closed meeting, as JSON or as PDF',
    description:
      `Members of the table only. Send \`Accept: ${PDF_TYPE}\` for the archival PDF (first page: table, date and attendance; then the items; ` +
      `then the addenda; a footer naming your organisation), otherwise JSON. Addenda are appended. ${DISCLOSED}`,
  })
  @ApiProduces(JSON_TYPE, PDF_TYPE)
  @ApiHeader({ name: 'Accept', required: false, description: `\`${JSON_TYPE}\` (default) or \`${PDF_TYPE}\`.` })
  @ApiOkResponse({
    description: 'The minutes for the caller.',
    content: {
      [JSON_TYPE]: { schema: { $ref: getSchemaPath(MinutesView) } },
      [PDF_TYPE]: { schema: { type: 'string', format: 'binary' } },
    },
  })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(406, `Neither \`${JSON_TYPE}\` nor \`${PDF_TYPE}\` is acceptable to the caller.`)
  @ApiProblem(409, 'The meeting is not closed, so it has no minutes yet (`minutes_not_available`).')
  async get(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = negotiate(accept);
    if (!format) throw new DomainException(HttpStatus.NOT_ACCEPTABLE, CommonError.NotAcceptable, `The minutes are available as ${JSON_TYPE} or ${PDF_TYPE}.`);
    const { view, organisationName } = await this.minutes.read(ctx, id, format);
    reply.header('Vary', 'Accept');
    if (format === 'json') {
      reply.status(200).type(JSON_TYPE).send(view);
      return;
    }
    const pdf = await renderMinutesPdf(view, organisationName, this.clock.now());
    // The file name carries the meeting date only, never anything about a person.
    reply
      .status(200)
      .type(PDF_TYPE)
      .header('Content-Disposition', `attachment; filename="notulen-${amsterdamDate(new Date(view.scheduledAt!))}.pdf"`)
      .send(pdf);
  }

  @Post('meetings/:id/minutes/addenda')
  @Authenticated({ permission: Permission.SessionManage })
  @ApiOperation({
    summary: 'Add an addendum to closed minutes',
    description: 'Only the chair, only for a closed meeting. The frozen minutes never change; the addendum is shown after them.',
  })
  @ApiCreatedResponse({ type: MinutesAddendumView })
  @ApiInvalidInput()
  @ApiNotFound('The meeting')
  @ApiProblem(403, 'You are not the chair of the table (`chair_only`), or your organisation is not granted `deliberation`.')
  @ApiProblem(409, 'The meeting is not closed (`illegal_meeting_status`).')
  addAddendum(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CreateAddendumDto): Promise<Partial<MinutesAddendumView>> {
    return this.minutes.addAddendum(ctx, id, dto);
  }
}
