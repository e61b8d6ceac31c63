import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { Page, pageOfBounded } from '../common/pagination';
import { CreateMembershipDto, MembershipQueryDto, TableMembershipDto, TableMembershipPage, UpdateMembershipDto } from './membership.dto';
import { MembershipService } from './membership.service';
import { ApiTableIdParam, ApiUuidParam } from './table.docs';
import { Versioned } from '../common/etag';

const CHAIR_ONLY = 'The caller is a member but not the chair of this table (`chair_only`).';

@ApiTags('tables')
@ApiTableIdParam()
@Controller('tables/:id/memberships')
export class MembershipController {
  constructor(private readonly memberships: MembershipService) {}

  @Get()
  @Authenticated({ permission: Permission.TableRead })
  @ApiOperation({ summary: 'The people at the table', description: 'Active memberships first; with `includeEnded=true` also the history.' })
  @ApiOkResponse({ type: TableMembershipPage })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  async list(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() query: MembershipQueryDto): Promise<Page<TableMembershipDto>> {
    return pageOfBounded(await this.memberships.list(ctx, id, query.includeEnded ?? false), query, (m) => m.id);
  }

  @Post()
  @Authenticated({ permission: Permission.TableManage })
  @ApiOperation({ summary: 'Give a person a seat at the table', description: 'Naming a chair makes the current chair a member, in the same transaction.' })
  @ApiCreatedResponse({ type: TableMembershipDto })
  @ApiInvalidInput()
  @ApiNotFound('The table or the user')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(
    409,
    "The user's organisation does not sit at the table (`organisation_not_member`), the user has an active membership already (`already_member`) or is disabled (`user_disabled`).",
  )
  create(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: CreateMembershipDto): Promise<TableMembershipDto> {
    return this.memberships.create(ctx, id, dto);
  }

  @Patch(':membershipId')
  @Versioned('table_membership', 'membershipId')
  @ApiUuidParam('membershipId', 'Id of one membership row (a role change starts a new row).')
  @Authenticated({ permission: Permission.TableManage })
  @ApiOperation({
    summary: "Change a person's role",
    description: 'Ends the membership and starts a new one with the new role (the response); naming a chair makes the current chair a member.',
  })
  @ApiOkResponse({ type: TableMembershipDto })
  @ApiInvalidInput()
  @ApiNotFound('The table or the membership')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, 'The membership has ended (`membership_ended`).')
  changeRole(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Param('membershipId', uuidParam('membershipId')) membershipId: string,
    @Body() dto: UpdateMembershipDto,
  ): Promise<TableMembershipDto> {
    return this.memberships.changeRole(ctx, id, membershipId, dto);
  }

  @Delete(':membershipId')
  @ApiUuidParam('membershipId', 'Id of one membership row (a role change starts a new row).')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated({ permission: Permission.TableManage })
  @ApiOperation({ summary: "End a person's membership", description: 'Access to the table stops at once; the row is kept as history.' })
  @ApiNoContentResponse({ description: 'The membership has ended.' })
  @ApiInvalidInput()
  @ApiNotFound('The table or the membership')
  @ApiProblem(403, CHAIR_ONLY)
  @ApiProblem(409, 'The membership has ended already (`membership_ended`).')
  end(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Param('membershipId', uuidParam('membershipId')) membershipId: string,
  ): Promise<void> {
    return this.memberships.end(ctx, id, membershipId);
  }
}
