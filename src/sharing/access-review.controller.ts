import { Controller, Get, Param, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput, ApiNotFound } from '../common/api-docs';
import { uuidParam } from '../common/pipes';
import { Ctx, type RequestContext } from '../common/request-context';
import { ApiTableIdParam } from '../tables/table.docs';
import { AccessReviewDto, RefusedAttemptsDto, RefusedAttemptsQueryDto } from './access-review.dto';
import { AccessReviewService } from './access-review.service';

@ApiTags('privacy')
@ApiTableIdParam()
@Controller('privacy/tables/:id')
export class AccessReviewController {
  constructor(private readonly reviews: AccessReviewService) {}

  @Get('access-review')
  @Authenticated({ permission: Permission.AccessReviewRead })
  @ApiOperation({
    summary: 'Who can see which categories at this table now, and since when',
    description:
      'For periodic re-certification by the privacy officer: every person with an active membership (account and organisation active, the ' +
      'organisation seated at the table) and every partner system of a member organisation, with the categories the covenant in force grants ' +
      'their organisation type, each with its legal basis and since when the access has held (the latest of membership, seat and grant). ' +
      'The read is itself audited (`access_review.read`).',
  })
  @ApiOkResponse({ type: AccessReviewDto })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  review(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string): Promise<AccessReviewDto> {
    return this.reviews.review(ctx, id);
  }

  @Get('refused-attempts')
  @Authenticated({ permission: Permission.AccessReviewRead })
  @ApiOperation({
    summary: 'The refused attempts at this table in a period',
    description:
      'From the audit log (result `denied`): counts per action and per account or partner system for the whole period, and the attempts ' +
      'themselves, newest first. Default period: the 90 days before now. The read is itself audited (`access_review.refused_attempts`).',
  })
  @ApiOkResponse({ type: RefusedAttemptsDto })
  @ApiInvalidInput()
  @ApiNotFound('The table')
  refusedAttempts(@Ctx() ctx: RequestContext, @Param('id', uuidParam('id')) id: string, @Query() q: RefusedAttemptsQueryDto): Promise<RefusedAttemptsDto> {
    return this.reviews.refusedAttempts(ctx, id, q);
  }
}
