import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import type { Page } from '../common/pagination';
import { CreateOrganisationDto, ListOrganisationsQuery, OrganisationDto, OrganisationPage, UpdateOrganisationDto } from './organisation.dto';
import { OrganisationService } from './organisation.service';
import { Versioned } from '../common/etag';

@ApiTags('administration')
@Controller('organisations')
export class OrganisationController {
  constructor(private readonly organisations: OrganisationService) {}

  @Post()
  @Authenticated({ permission: Permission.OrganisationWrite })
  @ApiOperation({ summary: 'Add a chain partner organisation' })
  @ApiCreatedResponse({ type: OrganisationDto })
  @ApiInvalidInput()
  @ApiProblem(409, 'The name is taken.')
  create(@Body() dto: CreateOrganisationDto): Promise<OrganisationDto> {
    return this.organisations.create(dto);
  }

  @Get()
  @Authenticated({ permission: Permission.OrganisationRead })
  @ApiOperation({ summary: 'List organisations', description: 'Holds no personal data; every signed-in caller may read it.' })
  @ApiOkResponse({ type: OrganisationPage })
  @ApiInvalidInput()
  list(@Query() query: ListOrganisationsQuery): Promise<Page<OrganisationDto>> {
    return this.organisations.list(query);
  }

  @Get(':id')
  @Versioned('organisation')
  @Authenticated({ permission: Permission.OrganisationRead })
  @ApiOperation({ summary: 'One organisation' })
  @ApiOkResponse({ type: OrganisationDto })
  @ApiInvalidInput()
  @ApiNotFound('The organisation')
  get(@Param('id', uuidParam('id')) id: string): Promise<OrganisationDto> {
    return this.organisations.get(id);
  }

  @Patch(':id')
  @Versioned('organisation')
  @Authenticated({ permission: Permission.OrganisationWrite })
  @ApiOperation({ summary: 'Rename, set municipality code, deactivate or reactivate' })
  @ApiOkResponse({ type: OrganisationDto })
  @ApiInvalidInput()
  @ApiNotFound('The organisation')
  @ApiProblem(409, 'The name is taken.')
  update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdateOrganisationDto): Promise<OrganisationDto> {
    return this.organisations.update(id, dto);
  }
}
