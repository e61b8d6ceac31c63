import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { uuidParam } from '../common/pipes';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import type { Page } from '../common/pagination';
import { ApiClientDto, ApiClientPage, ApiClientWithSecretDto, CreateApiClientDto, ListApiClientsQuery, UpdateApiClientDto } from './api-client.dto';
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
  @ApiOperation({
    summary: 'Register a partner system',
    description:
      'With a client secret (default; the secret is in this response only) or, with `tokenEndpointAuthMethod: private_key_jwt`, with its public ' +
      'keys (`jwks` or `publicKeyPem`; RSA of at least 2048 bits or EC P-256; private key members are refused) and no secret.',
  })
  @ApiCreatedResponse({ type: ApiClientWithSecretDto })
  @ApiInvalidInput()
  @ApiNotFound('The organisation')
  create(@Body() dto: CreateApiClientDto): Promise<ApiClientWithSecretDto> {
    return this.clients.create(dto);
  }

  @Get()
  @Authenticated({ permission: Permission.ApiClientRead })
  @ApiOperation({ summary: 'List partner systems' })
  @ApiOkResponse({ type: ApiClientPage })
  @ApiInvalidInput()
  list(@Query() query: ListApiClientsQuery): Promise<Page<ApiClientDto>> {
    return this.clients.list(query);
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
  @ApiOperation({
    summary: 'Rename, change scopes or keys, disable or enable',
    description:
      'Disabling, changing scopes or switching between a secret and keys makes its current tokens fail at once. Switching to a secret ' +
      'method issues a new secret, in this response only (`clientSecret`); replacing the keys of a `private_key_jwt` client keeps its tokens.',
  })
  @ApiOkResponse({ type: ApiClientWithSecretDto })
  @ApiInvalidInput()
  @ApiNotFound('The API client')
  update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdateApiClientDto): Promise<ApiClientWithSecretDto> {
    return this.clients.update(id, dto);
  }

  @Post(':id/_rotate')
  @Authenticated({ permission: Permission.ApiClientWrite })
  @ApiOperation({ summary: 'Issue a new client secret', description: 'The old secret and its tokens stop working; the new secret is in this response only.' })
  @ApiCreatedResponse({ type: ApiClientWithSecretDto })
  @ApiNotFound('The API client')
  @ApiProblem(409, 'The client authenticates with `private_key_jwt` and has no secret (`no_client_secret`).')
  rotateSecret(@Param('id', uuidParam('id')) id: string): Promise<ApiClientWithSecretDto> {
    return this.clients.rotateSecret(id);
  }
}
