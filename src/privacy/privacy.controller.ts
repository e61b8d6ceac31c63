import { Body, Controller, Get, Headers, HttpCode, HttpStatus, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { Clock } from '../common/clock';
import { uuidParam } from '../common/pipes';
import { CommonError, DomainException } from '../common/problem';
import type { Page } from '../common/pagination';
import { Ctx, type RequestContext } from '../common/request-context';
import { negotiate } from '../meetings/minutes/minutes.controller';
import { renderAccessExportPdf } from './access-export-pdf';
import { DataSubjectRequestService } from './data-subject-request.service';
import { LegalHoldService } from './legal-hold.service';
import {
  AccessExportView,
  DataSubjectRequestPage,
  DataSubjectRequestView,
  LegalHoldDto,
  LegalHoldPage,
  LegalHoldView,
  LiftLegalHoldDto,
  ListLegalHoldsQuery,
  ListRequestsQuery,
  RectificationDto,
  RestrictionView,
  SubjectRequestDto,
} from './privacy.dto';

const JSON_TYPE = 'application/json';
const PDF_TYPE = 'application/pdf';
const RECORDED =
  'The request is recorded (kind, reference, reason, who, when; the person by id, never by V-number) and written to the audit log ' +
  "(the reference in its purpose, the article of the AVG as legal basis) and to the processing log under the person's keyed hash. " +
  'The V-number travels in the body, never in a URI.';
const UNKNOWN = 'No person with this V-number is held (`subject_unknown`); nothing was recorded.';

/**
 * Data-subject rights (DOMAIN.md section 7; art. 15–18 AVG) and legal holds, for the privacy officer. They act
 * outside every table's covenant, across tables, and every request is recorded and logged.
 */
@ApiTags('privacy')
@ApiExtraModels(AccessExportView)
@Controller('privacy')
export class PrivacyController {
  constructor(
    private readonly requests: DataSubjectRequestService,
    private readonly holds: LegalHoldService,
    private readonly clock: Clock,
  ) {}

  @Post('access-requests')
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.DataSubjectRequestHandle })
  @ApiOperation({
    summary: 'Answer an access request (art. 15 AVG): everything held on a V-number',
    description:
      'The person, every case of theirs at every table (history included, also from before a transfer) with every record on it, and from ' +
      'the processing log which organisations processed their data, when, under which processing activity and why. A V-number nobody ' +
      `holds answers \`found: false\` with the processing log's entries, if any. Send \`Accept: ${PDF_TYPE}\` for a readable Dutch PDF ` +
      `for the person (labels, not codes). ${RECORDED}`,
  })
  @ApiProduces(JSON_TYPE, PDF_TYPE)
  @ApiHeader({ name: 'Accept', required: false, description: `\`${JSON_TYPE}\` (default) or \`${PDF_TYPE}\`.` })
  @ApiOkResponse({
    description: 'The export.',
    content: { [JSON_TYPE]: { schema: { $ref: getSchemaPath(AccessExportView) } }, [PDF_TYPE]: { schema: { type: 'string', format: 'binary' } } },
  })
  @ApiInvalidInput()
  @ApiProblem(406, `Neither \`${JSON_TYPE}\` nor \`${PDF_TYPE}\` is acceptable to the caller.`)
  async access(@Ctx() ctx: RequestContext, @Body() dto: SubjectRequestDto, @Headers('accept') accept: string | undefined, @Res() reply: FastifyReply): Promise<void> {
    const format = negotiate(accept);
    if (!format) throw new DomainException(HttpStatus.NOT_ACCEPTABLE, CommonError.NotAcceptable, `The export is available as ${JSON_TYPE} or ${PDF_TYPE}.`);
    const view = await this.requests.access(ctx, dto);
    reply.header('Vary', 'Accept');
    if (format === 'json') {
      reply.status(200).type(JSON_TYPE).send(view);
      return;
    }
    const pdf = await renderAccessExportPdf(view, this.clock.now());
    // The file name carries the request's reference only, never anything about the person.
    reply.status(200).type(PDF_TYPE).header('Content-Disposition', `attachment; filename="inzage-${view.request.reference.replace(/[^A-Za-z0-9._-]/g, '_')}.pdf"`).send(pdf);
  }

  @Post('rectifications')
  @Authenticated({ permission: Permission.DataSubjectRequestHandle })
  @ApiOperation({
    summary: "Rectify a person's identity or residence fields (art. 16 AVG)",
    description:
      'Sets the fields in the body (`null` clears one) on the person, at every table at once; the outcome names the fields, never their values. ' +
      'Members who rectify a case on request use `PATCH /cases/{id}` with `requestReference`, which the audit log records. ' +
      RECORDED,
  })
  @ApiCreatedResponse({ type: DataSubjectRequestView })
  @ApiInvalidInput()
  @ApiProblem(404, UNKNOWN)
  rectify(@Ctx() ctx: RequestContext, @Body() dto: RectificationDto): Promise<DataSubjectRequestView> {
    return this.requests.rectify(ctx, dto);
  }

  @Post('restrictions')
  @Authenticated({ permission: Permission.DataSubjectRequestHandle })
  @ApiOperation({
    summary: 'Restrict the processing of a person (art. 18 AVG)',
    description:
      'From now on the data is stored only: members reading or writing any case of the person, or anything of such a case, are answered ' +
      '409 `subject_restricted` (saying nothing else); lists, agendas, sessions, minutes and worklists leave the case out or show it as ' +
      `restricted without a personal field; no reminders, webhooks or retention erasure touch it. ${RECORDED}`,
  })
  @ApiCreatedResponse({ type: RestrictionView })
  @ApiInvalidInput()
  @ApiProblem(404, UNKNOWN)
  @ApiProblem(409, 'The processing is restricted already (`already_restricted`).')
  restrict(@Ctx() ctx: RequestContext, @Body() dto: SubjectRequestDto): Promise<RestrictionView> {
    return this.requests.restrict(ctx, dto);
  }

  @Post('restrictions/_lift')
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.DataSubjectRequestHandle })
  @ApiOperation({ summary: 'Lift the restriction of a person (art. 18(3) AVG)', description: `Everything is processed as before. ${RECORDED}` })
  @ApiOkResponse({ type: RestrictionView })
  @ApiInvalidInput()
  @ApiProblem(404, UNKNOWN)
  @ApiProblem(409, 'The processing is not restricted (`not_restricted`).')
  lift(@Ctx() ctx: RequestContext, @Body() dto: SubjectRequestDto): Promise<RestrictionView> {
    return this.requests.lift(ctx, dto);
  }

  @Post('erasures')
  @Authenticated({ permission: Permission.DataSubjectRequestHandle })
  @ApiOperation({
    summary: 'Erase a person (art. 17 AVG)',
    description:
      'At once: the person anonymised (identity fields emptied, V-number gone, `erasedAt` set); on every case of theirs the incidents\' free ' +
      'text and every criminal and care detail deleted, open cases closed, the frozen minutes losing the same details and showing the person as ' +
      'erased. Aggregates (kinds, dates, statuses) and the logs stay. The outcome counts what was done. ' +
      RECORDED,
  })
  @ApiCreatedResponse({ type: DataSubjectRequestView })
  @ApiInvalidInput()
  @ApiProblem(404, UNKNOWN)
  @ApiProblem(409, 'A legal hold stands on a case of the person (`legal_hold_stands`, with `cases`), or the processing is restricted (`subject_restricted`): nothing was erased.')
  erase(@Ctx() ctx: RequestContext, @Body() dto: SubjectRequestDto): Promise<DataSubjectRequestView> {
    return this.requests.erase(ctx, dto);
  }

  @Get('data-subject-requests')
  @Authenticated({ permission: Permission.DataSubjectRequestHandle })
  @ApiOperation({ summary: 'The data-subject requests handled', description: 'Newest first. The person is named by id only.' })
  @ApiOkResponse({ type: DataSubjectRequestPage })
  @ApiInvalidInput()
  list(@Query() q: ListRequestsQuery): Promise<Page<DataSubjectRequestView>> {
    return this.requests.list(q);
  }

  @Post('legal-holds')
  @Authenticated({ permission: Permission.LegalHoldManage })
  @ApiOperation({
    summary: 'Set a legal hold on a case',
    description:
      'While it stands (until its end date, or until lifted) neither the retention sweep nor an erasure request erases anything of the case. ' +
      'Written to both logs.',
  })
  @ApiCreatedResponse({ type: LegalHoldView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(409, 'A hold stands on the case already (`legal_hold_exists`), or its personal data was erased (`case_already_erased`).')
  setHold(@Ctx() ctx: RequestContext, @Body() dto: LegalHoldDto): Promise<LegalHoldView> {
    return this.holds.set(ctx, dto);
  }

  @Get('legal-holds')
  @Authenticated({ permission: Permission.LegalHoldManage })
  @ApiOperation({ summary: 'Legal holds', description: 'Newest first; filter by case, or by whether they stand today.' })
  @ApiOkResponse({ type: LegalHoldPage })
  @ApiInvalidInput()
  listHolds(@Query() q: ListLegalHoldsQuery): Promise<Page<LegalHoldView>> {
    return this.holds.list(q);
  }

  @Post('legal-holds/:id/_lift')
  @HttpCode(HttpStatus.OK)
  @Authenticated({ permission: Permission.LegalHoldManage })
  @ApiOperation({ summary: 'Lift a legal hold', description: 'Recorded with its reason; the case is erased by the next retention sweep if its period has passed.' })
  @ApiOkResponse({ type: LegalHoldView })
  @ApiInvalidInput()
  @ApiNotFound('The legal hold')
  @ApiProblem(409, 'The hold was lifted already (`legal_hold_lifted`).')
  liftHold(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: LiftLegalHoldDto): Promise<LegalHoldView> {
    return this.holds.lift(ctx, id, dto);
  }
}
