import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { Page, pageOfBounded, PageQueryDto } from '../common/pagination';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { CreateMeasureDto, MeasurePageView, MeasureTypePage, MeasureTypeView, MeasureView, UpdateMeasureDto } from './measure.dto';
import { MeasureService } from './measure.service';
import { Versioned } from '../common/etag';

const DISCLOSURE = "Fields are disclosed under the category of the measure's type (`measures`, `criminal`, `return` or `procedure`).";

@ApiTags('measures')
@Controller()
export class MeasureController {
  constructor(private readonly measures: MeasureService) {}

  @Get('measure-types')
  @Authenticated({ permission: Permission.MeasureRead })
  @ApiOperation({
    summary: 'The measures catalogue (maatregelen)',
    description: 'Every measure type with its Dutch and English label, imposing organisation type, legal basis, category and default duration. Holds no personal data.',
  })
  @ApiOkResponse({ type: MeasureTypePage })
  @ApiInvalidInput()
  catalogue(@Query() query: PageQueryDto): Page<MeasureTypeView> {
    return pageOfBounded(this.measures.catalogue(), query, (t) => t.code);
  }

  @Post('cases/:caseId/measures')
  @Authenticated({ permission: Permission.MeasureWrite })
  @ApiOperation({
    summary: 'Record a measure imposed on the subject of a case',
    description:
      "The imposing organisation defaults to the caller's and must be an active member organisation of the table of a type the catalogue names. " +
      "`endsAt` defaults from the type's default duration (an area ban: 24 hours). The status starts as `planned`, `active` or `ended` from the period. " +
      DISCLOSURE,
  })
  @ApiCreatedResponse({ type: MeasureView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  @ApiProblem(403, "The covenant does not grant the measure's category to your organisation (`category_not_granted`).")
  @ApiProblem(409, 'The case is closed (`case_closed`).')
  create(
    @Ctx() ctx: RequestContext,
    @Param('caseId', uuidParam('caseId')) caseId: string,
    @Body() dto: CreateMeasureDto,
  ): Promise<Partial<MeasureView>> {
    return this.measures.create(ctx, caseId, dto);
  }

  @Get('cases/:caseId/measures')
  @Authenticated({ permission: Permission.MeasureRead })
  @ApiOperation({
    summary: "A case's measures, newest first",
    description: `Only measures whose category the caller is granted are listed; the others are left out entirely. ${DISCLOSURE}`,
  })
  @ApiOkResponse({ type: MeasurePageView })
  @ApiInvalidInput()
  @ApiNotFound('The case')
  list(@Ctx() ctx: RequestContext, @Param('caseId', uuidParam('caseId')) caseId: string, @Query() query: PageQueryDto): Promise<Page<Partial<MeasureView>>> {
    return this.measures.list(ctx, caseId, query);
  }

  @Patch('measures/:id')
  @Versioned('measure')
  @Authenticated({ permission: Permission.MeasureWrite })
  @ApiOperation({ summary: 'Activate, end or revoke a measure, or correct its end', description: `Only by a member of the imposing organisation. ${DISCLOSURE}` })
  @ApiOkResponse({ type: MeasureView })
  @ApiInvalidInput()
  @ApiNotFound('The measure')
  @ApiProblem(403, 'Your organisation did not impose this measure (`not_imposing_organisation`).')
  @ApiProblem(409, 'The status cannot change that way (`illegal_transition`).')
  update(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: UpdateMeasureDto): Promise<Partial<MeasureView>> {
    return this.measures.update(ctx, id, dto);
  }
}
