import { applyDecorators, Controller, Get, Headers, HttpStatus, Param, Query, Res } from '@nestjs/common';
import { ApiExtraModels, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiProduces, ApiTags, getSchemaPath } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { negotiateMediaType } from '../common/content-negotiation';
import { uuidParam } from '../common/pipes';
import { CommonError, DomainException, ValidationProblem } from '../common/problem';
import { Ctx, type RequestContext } from '../common/request-context';
import { statisticsCsv } from './statistics-csv';
import { StatisticsQueryDto } from './statistics.dto';
import { type StatisticsResult, StatisticsService } from './statistics.service';
import { StatisticsView, TrackFiguresView } from './statistics-view';

const JSON_TYPE = 'application/json';
const CSV_TYPE = 'text/csv';
const MUNICIPALITY_CODE = /^GM[0-9]{4}$/;

const RULES =
  'Aggregates only, never personal data: counts rounded to tens with 0 to 9 shown as `< 10` (as the IND figures of the 2025 progress ' +
  'letter), a breakdown suppressed (null) when fewer than 10 people stand behind it, further figures suppressed where the others would ' +
  'reveal a hidden one (complementary suppression, decided over the municipality and all its tables together), medians withheld below 10 ' +
  'cases. Events count at the table their case was at when they were recorded. Every request is written to the audit log with purpose ' +
  '`statistics` (one entry per table); no processing-log entries, as no data subject is disclosed. ' +
  `Send \`Accept: ${CSV_TYPE}\` or \`format=csv\` for the CSV for officials (UTF-8 with BOM, \`;\`, Dutch headers and labels; a suppressed figure is \`x\`).`;

const documentResponses = () =>
  applyDecorators(
    ApiProduces(JSON_TYPE, CSV_TYPE),
    ApiHeader({ name: 'Accept', required: false, description: `\`${JSON_TYPE}\` (default) or \`${CSV_TYPE}\`; the \`format\` parameter overrides it.` }),
    ApiOkResponse({
      description: 'The statistics of the quarter.',
      content: {
        [JSON_TYPE]: { schema: { $ref: getSchemaPath(StatisticsView) } },
        [CSV_TYPE]: { schema: { type: 'string', description: 'CSV: UTF-8 with byte-order mark, `;`-separated, CRLF, Dutch headers.' } },
      },
    }),
    ApiInvalidInput(),
    ApiProblem(406, `Neither \`${JSON_TYPE}\` nor \`${CSV_TYPE}\` is acceptable to the caller.`),
  );

@ApiTags('statistics')
@ApiExtraModels(StatisticsView, TrackFiguresView)
@Controller()
export class StatisticsController {
  constructor(private readonly statistics: StatisticsService) {}

  @Get('tables/:id/statistics')
  @Authenticated({ permission: Permission.StatisticsRead })
  @ApiOperation({
    summary: "A table's statistics for one quarter, as JSON or CSV",
    description: `For the people at the table, the organisation of the table's municipality, and privacy officers. ${RULES}`,
  })
  @documentResponses()
  @ApiNotFound('The table')
  async forTable(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Query() query: StatisticsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const format = this.format(query, accept);
    this.send(reply, format, await this.statistics.forTable(ctx, id, query.quarter));
  }

  @Get('municipalities/:municipalityCode/statistics')
  @Authenticated({ permission: Permission.MunicipalityStatisticsRead })
  @ApiOperation({
    summary: "A municipality's statistics for one quarter, over all its tables, as JSON or CSV",
    description: `For the municipality's own organisation (type MUNICIPALITY with this CBS code) and privacy officers. ${RULES}`,
  })
  @ApiParam({ name: 'municipalityCode', description: 'CBS municipality code.', example: 'GM0243', schema: { type: 'string', pattern: MUNICIPALITY_CODE.source } })
  @documentResponses()
  @ApiProblem(403, "Not your municipality's organisation, nor a privacy officer (`permission_denied`).")
  @ApiProblem(404, 'No table is registered in this municipality.')
  async forMunicipality(
    @Ctx() ctx: RequestContext,
    @Param('municipalityCode') municipalityCode: string,
    @Query() query: StatisticsQueryDto,
    @Headers('accept') accept: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    if (!MUNICIPALITY_CODE.test(municipalityCode)) throw new ValidationProblem([{ name: 'municipalityCode', reason: 'must be a CBS municipality code such as GM0243' }]);
    const format = this.format(query, accept);
    this.send(reply, format, await this.statistics.forMunicipality(ctx, municipalityCode, query.quarter));
  }

  /** `format` wins; otherwise the Accept header decides, JSON by default. */
  private format(query: StatisticsQueryDto, accept: string | undefined): 'json' | 'csv' {
    if (query.format) return query.format;
    const type = negotiateMediaType(accept, [JSON_TYPE, CSV_TYPE]);
    if (!type) throw new DomainException(HttpStatus.NOT_ACCEPTABLE, CommonError.NotAcceptable, `The statistics are available as ${JSON_TYPE} or ${CSV_TYPE}.`);
    return type === CSV_TYPE ? 'csv' : 'json';
  }

  private send(reply: FastifyReply, format: 'json' | 'csv', { body, fileStem }: StatisticsResult): void {
    reply.header('Vary', 'Accept');
    if (format === 'json') {
      reply.status(200).type(JSON_TYPE).send(body);
      return;
    }
    // The file name holds the table's reference prefix or the municipality code and the quarter, nothing about a person.
    reply
      .status(200)
      .type(`${CSV_TYPE}; charset=utf-8; header=present`)
      .header('Content-Disposition', `attachment; filename="statistieken-${fileStem}-${body.period.quarter.replace('-Q', '-K')}.csv"`)
      .send(statisticsCsv(body));
  }
}
