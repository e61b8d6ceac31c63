import { Body, Controller, Param, Post, Res } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { Authenticated } from '../../auth/authenticated.decorator';
import { Permission } from '../../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../../common/api-docs';
import { uuidParam } from '../../common/pipes';
import { Ctx, type RequestContext } from '../../common/request-context';
import { ApiUuidParam } from '../../tables/table.docs';
import { ListImportDto, ListImportReportView } from './list-import.dto';
import { ListImportService } from './list-import.service';

@ApiTags('agenda')
@Controller()
export class ListImportController {
  constructor(private readonly lists: ListImportService) {}

  @Post('tables/:tableId/lists')
  @ApiUuidParam('tableId', 'Id of the table.')
  @Authenticated({ permission: Permission.ListImport })
  @ApiOperation({
    summary: "Submit a partner's list (DT&V caseload, COA residents, Top-X, intake/transfer/outflow)",
    description:
      'For members and partner systems of member organisations (scope `lists:write`). Each line names a person by V-number: a person ' +
      "not known yet is registered, a person without an open case at this table gets an `intake` case, and the case is nominated for the table's " +
      'next planned meeting with the list kind as reason. A line with a malformed field is reported as `invalid` and skipped; the other ' +
      'lines are imported. The same list again (same kind and lines, in any order, from the same organisation) answers 200 with the stored ' +
      'report, `repeated: true`, and changes nothing. The report holds line numbers and case references, never V-numbers or names.',
  })
  @ApiBody({ type: ListImportDto })
  @ApiCreatedResponse({ type: ListImportReportView, description: 'Imported.' })
  @ApiOkResponse({ type: ListImportReportView, description: 'This list was imported before; nothing changed.' })
  @ApiInvalidInput()
  @ApiNotFound('The table (also when your organisation is not a member of it)')
  @ApiProblem(403, 'Your organisation is not granted `identity` and `deliberation` (`category_not_granted`), or the token lacks scope `lists:write`.')
  @ApiProblem(409, 'The table has no planned meeting to come (`no_planned_meeting`).')
  async import(
    @Ctx() ctx: RequestContext,
    @Param('tableId', uuidParam('tableId')) tableId: string,
    @Body() dto: ListImportDto,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const outcome = await this.lists.import(ctx, tableId, dto);
    reply.status(outcome.created ? 201 : 200).send(outcome.report);
  }
}
