import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { uuidParam } from '../common/pipes';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { ApiInvalidInput, ApiNotFound } from '../common/api-docs';
import { ApiClientDto, ApiClientWithSecretDto, CreateApiClientDto, UpdateApiClientDto } from './api-client.dto';
import { ApiClientService } from './api-client.service';
import { Authenticated } from './authenticated.decorator';
import { Permission } from './permissions';
import { Versioned } from '../common/etag';

@ApiTags('administration')
@Controller('api-clients')
export class ApiClientController {
  constructor(private readonly clients: ApiClientService) {}

  @Post()
  @Authenticated({ permission: Permission.ApiClientWrite })
  @ApiOperation({ summary: 'Register a partner system', description: 'The client secret is in this response only.' })
  @ApiCreatedResponse({ type: ApiClientWithSecretDto })
  @ApiInvalidInput()
  @ApiNotFound('The organisation')
  create(@Body() dto: CreateApiClientDto): Promise<ApiClientWithSecretDto> {
    return this.clients.create(dto);
  }

  @Get()
  @Authenticated({ permission: Permission.ApiClientRead })
  @ApiOperation({ summary: 'List partner systems' })
  @ApiQuery({ name: 'organisationId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiOkResponse({ type: ApiClientDto, isArray: true })
  @ApiInvalidInput()
  list(@Query('organisationId', uuidParam('organisationId', true)) organisationId?: string): Promise<ApiClientDto[]> {
    return this.clients.list(organisationId);
  }

  @Get(':id')
  @Versioned('api_client')
  @Authenticated({ permission: Permission.ApiClientRead })
  @ApiOperation({ summary: 'One partner system' })
  @ApiOkResponse({ type: ApiClientDto })
  @ApiNotFound('The API client')
  get(@Param('id', uuidParam('id')) id: string): Promise<ApiClientDto> {
    return this.clients.get(id);
  }

  @Patch(':id')
  @Versioned('api_client')
  @Authenticated({ permission: Permission.ApiClientWrite })
  @ApiOperation({ summary: 'Rename, change scopes, disable or enable', description: 'Disabling or changing scopes makes its current tokens fail at once.' })
  @ApiOkResponse({ type: ApiClientDto })
  @ApiInvalidInput()
  @ApiNotFound('The API client')
  update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdateApiClientDto): Promise<ApiClientDto> {
    return this.clients.update(id, dto);
  }

  @Post(':id/_rotate-secret')
  @Authenticated({ permission: Permission.ApiClientWrite })
  @ApiOperation({ summary: 'Issue a new client secret', description: 'The old secret and its tokens stop working; the new secret is in this response only.' })
  @ApiCreatedResponse({ type: ApiClientWithSecretDto })
  @ApiNotFound('The API client')
  rotateSecret(@Param('id', uuidParam('id')) id: string): Promise<ApiClientWithSecretDto> {
    return this.clients.rotateSecret(id);
  }
}
