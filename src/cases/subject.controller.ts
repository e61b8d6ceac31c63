import { Body, Controller, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput } from '../common/api-docs';
import { Ctx, type RequestContext } from '../common/request-context';
import { SubjectSearchResultView } from './case-view';
import { SubjectSearchDto } from './subject.dto';
import { SubjectService } from './subject.service';

@ApiTags('cases')
@Controller('subjects')
export class SubjectController {
  constructor(private readonly subjects: SubjectService) {}

  @Post('_search')
  @HttpCode(200)
  @Authenticated({ permission: Permission.SubjectSearch })
  @ApiOperation({
    summary: 'Find a person by V-number',
    description:
      'Exact match across the tables you sit at. Answers your visible cases of the person, each disclosed under the covenant of its own table; an empty list says nothing about other tables.',
  })
  @ApiOkResponse({ type: SubjectSearchResultView })
  @ApiInvalidInput()
  search(@Ctx() ctx: RequestContext, @Body() dto: SubjectSearchDto) {
    return this.subjects.search(ctx, dto.vNumber);
  }
}
