import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import type { Page } from '../common/pagination';
import { CreateTableDto, ListTablesQuery, TableDto, TableSummaryDto, TableSummaryPage, UpdateTableDto } from './table.dto';
import { TableService } from './table.service';
import { ApiTableIdParam } from './table.docs';
import { Versioned } from '../common/etag';

@ApiTags('tables')
@Controller('tables')
export class TableController {
  constructor(private readonly tables: TableService) {}

  @Post()
  @Authenticated({ permission: Permission.TableCreate })
  @ApiOperation({
    summary: 'Set up a table (LKO)',
    description:
      'Creates the table with its member organisations, its register of processing activities and covenant version 1 ' +
      '(the default matrix of DOMAIN.md section 7), all in one transaction.',
  })
  @ApiCreatedResponse({ type: TableDto })
  @ApiInvalidInput()
  @ApiProblem(409, 'The name or the case reference prefix is taken (`table_name_taken`, `case_reference_prefix_taken`).')
  create(@Ctx() ctx: RequestContext, @Body() dto: CreateTableDto): Promise<TableDto> {
    return this.tables.create(ctx, dto);
  }

  @Get()
  @Authenticated({ permission: Permission.TableRead })
  @ApiOperation({ summary: 'List tables', description: 'Administrators see every table; anyone else the tables they sit at, with their role.' })
  @ApiOkResponse({ type: TableSummaryPage })
  @ApiInvalidInput()
  list(@Ctx() ctx: RequestContext, @Query() query: ListTablesQuery): Promise<Page<TableSummaryDto>> {
    return this.tables.list(ctx, query);
  }

  @Get(':id')
  @Versioned('chain_table')
  @ApiTableIdParam()
  @Authenticated({ permission: Permission.TableRead })
  @ApiOperation({ summary: 'One table', description: 'For administrators and the people who sit at the table.' })
  @ApiOkResponse({ type: TableDto })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  get(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<TableDto> {
    return this.tables.get(ctx, id);
  }

  @Patch(':id')
  @Versioned('chain_table')
  @ApiTableIdParam()
  @Authenticated({ permission: Permission.TableManage })
  @ApiOperation({ summary: 'Rename a table, change its cadence, holiday policy or retention, deactivate or reactivate it' })
  @ApiOkResponse({ type: TableDto })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  @ApiProblem(403, 'The caller is a member but not the chair of this table (`chair_only`).')
  @ApiProblem(409, 'The name is taken (`table_name_taken`).')
  update(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: UpdateTableDto): Promise<TableDto> {
    return this.tables.update(ctx, id, dto);
  }
}
