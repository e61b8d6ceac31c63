import { Body, Controller, Get, Param, Put, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { Page, pageOfBounded, PageQueryDto } from '../common/pagination';
import { CovenantDto, CovenantVersionDto, CovenantVersionPage, ReplaceCovenantDto } from './covenant.dto';
import { CovenantService } from './covenant.service';
import { ProcessingActivityDto, ProcessingActivityPage } from './processing-register.dto';
import { ProcessingRegisterService } from './processing-register.service';
import { ApiTableIdParam } from './table.docs';

@ApiTags('tables')
@ApiTableIdParam()
@Controller('tables/:id')
export class CovenantController {
  constructor(
    private readonly covenants: CovenantService,
    private readonly register: ProcessingRegisterService,
  ) {}

  @Get('covenant')
  @Authenticated({ permission: Permission.CovenantRead })
  @ApiOperation({ summary: 'The covenant in force', description: 'Who may see which category at this table, on which lawful ground and legal basis.' })
  @ApiOkResponse({ type: CovenantDto })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  current(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<CovenantDto> {
    return this.covenants.current(ctx, id);
  }

  @Get('covenant/versions')
  @Authenticated({ permission: Permission.CovenantRead })
  @ApiOperation({ summary: 'Every covenant version, newest first', description: 'Who saved it, when, why, and what changed versus the version before.' })
  @ApiOkResponse({ type: CovenantVersionPage })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  async versions(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto): Promise<Page<CovenantVersionDto>> {
    return pageOfBounded(await this.covenants.versions(ctx, id), query, (v) => String(v.version));
  }

  @Put('covenant')
  @Authenticated({ permission: Permission.CovenantWrite })
  @ApiOperation({
    summary: 'Save a new covenant version',
    description: 'The grants replace the whole covenant and apply from this moment; earlier versions are kept unchanged. Consent cannot be chosen as lawful ground.',
  })
  @ApiOkResponse({ type: CovenantDto })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, 'The caller is a member but not the chair of this table (`chair_only`).')
  replace(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: ReplaceCovenantDto): Promise<CovenantDto> {
    return this.covenants.replace(ctx, id, dto);
  }

  @Get('processing-activities')
  @Authenticated({ permission: Permission.CovenantRead })
  @ApiOperation({
    summary: "The table's register of processing activities (art. 30 AVG)",
    description:
      'One activity per category, each with its name, purpose, categories of personal data and of data subjects, the recipients the covenant ' +
      'in force grants it (organisation types, each with lawful ground, legal basis and since when), the joint controllers and the retention. ' +
      'Every `processingActivityId` of a covenant grant and of the processing log is one of these ids.',
  })
  @ApiOkResponse({ type: ProcessingActivityPage })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  async processingActivities(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: PageQueryDto): Promise<Page<ProcessingActivityDto>> {
    return pageOfBounded(await this.register.forTable(ctx, id), query, (a) => a.id);
  }
}
