import { Body, Controller, Delete, HttpCode, HttpStatus, Param, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiNoContentResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound, ApiProblem } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { MemberOrganisationService } from './member-organisation.service';
import { AddMemberOrganisationDto, TableMemberOrganisationDto } from './table.dto';
import { ApiTableIdParam, ApiUuidParam } from './table.docs';

@ApiTags('tables')
@ApiTableIdParam()
@Controller('tables/:id/member-organisations')
export class MemberOrganisationController {
  constructor(private readonly memberOrganisations: MemberOrganisationService) {}

  @Post()
  @Authenticated({ permission: Permission.TableManage })
  @ApiOperation({ summary: 'Seat an organisation at the table', description: 'Its people can then be given memberships.' })
  @ApiCreatedResponse({ type: TableMemberOrganisationDto })
  @ApiInvalidInput()
  @ApiNotFound('The table or the organisation')
  @ApiProblem(403, 'The caller is a member but not the chair of this table (`chair_only`).')
  @ApiProblem(409, 'The organisation sits at the table already (`organisation_already_member`), or is inactive or no chain partner (`organisation_not_eligible`).')
  add(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Body() dto: AddMemberOrganisationDto): Promise<TableMemberOrganisationDto> {
    return this.memberOrganisations.add(ctx, id, dto.organisationId);
  }

  @Delete(':organisationId')
  @ApiUuidParam('organisationId', 'Id of the member organisation.')
  @HttpCode(HttpStatus.NO_CONTENT)
  @Authenticated({ permission: Permission.TableManage })
  @ApiOperation({
    summary: 'Let an organisation leave the table',
    description: "Ends the memberships of the organisation's people at this table in the same transaction: their access stops at once.",
  })
  @ApiNoContentResponse({ description: 'The organisation has left; the history is kept.' })
  @ApiInvalidInput()
  @ApiNotFound('The table, or the organisation as a current member of it,')
  @ApiProblem(403, 'The caller is a member but not the chair of this table (`chair_only`).')
  remove(
    @Ctx() ctx: RequestContext,
    @Param('id', uuidParam('id')) id: string,
    @Param('organisationId', uuidParam('organisationId')) organisationId: string,
  ): Promise<void> {
    return this.memberOrganisations.remove(ctx, id, organisationId);
  }
}
