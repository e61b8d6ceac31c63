import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import type { Page } from '../common/pagination';
import { CreatedUserDto, CreateUserDto, ListUsersQuery, UpdateUserDto, UserDto, UserPage } from './user.dto';
import { UserService } from './user.service';
import { Versioned } from '../common/etag';

@ApiTags('administration')
@Controller('users')
export class UserController {
  constructor(private readonly users: UserService) {}

  @Post()
  @Authenticated({ permission: Permission.UserWrite })
  @ApiOperation({ summary: 'Create a user', description: 'With an initial password, or else with a one-time invite token in the response.' })
  @ApiCreatedResponse({ type: CreatedUserDto })
  @ApiInvalidInput()
  @ApiNotFound('The organisation')
  @ApiProblem(409, 'The e-mail address is taken.')
  create(@Body() dto: CreateUserDto): Promise<CreatedUserDto> {
    return this.users.create(dto);
  }

  @Get()
  @Authenticated({ permission: Permission.UserRead })
  @ApiOperation({ summary: 'List users' })
  @ApiOkResponse({ type: UserPage })
  @ApiInvalidInput()
  list(@Query() query: ListUsersQuery): Promise<Page<UserDto>> {
    return this.users.list(query);
  }

  @Get(':id')
  @Versioned('app_user')
  @Authenticated({ permission: Permission.UserRead })
  @ApiOperation({ summary: 'One user' })
  @ApiOkResponse({ type: UserDto })
  @ApiInvalidInput()
  @ApiNotFound('The user')
  get(@Param('id', uuidParam('id')) id: string): Promise<UserDto> {
    return this.users.get(id);
  }

  @Patch(':id')
  @Versioned('app_user')
  @Authenticated({ permission: Permission.UserWrite })
  @ApiOperation({ summary: 'Rename, change global roles, disable or enable', description: 'Disabling or changing roles revokes the user\'s sessions at once.' })
  @ApiOkResponse({ type: UserDto })
  @ApiInvalidInput()
  @ApiNotFound('The user')
  update(@Param('id', uuidParam('id')) id: string, @Body() dto: UpdateUserDto): Promise<UserDto> {
    return this.users.update(id, dto);
  }
}
