import { Controller, Get, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Authenticated } from '../auth/authenticated.decorator';
import { Permission } from '../auth/permissions';
import { ApiInvalidInput } from '../common/api-docs';
import { Page, pageOfBounded } from '../common/pagination';
import { ProcessingActivityDto, ProcessingActivityPage, ProcessingRegisterQueryDto } from './processing-register.dto';
import { ProcessingRegisterService } from './processing-register.service';

@ApiTags('privacy')
@Controller('processing-register')
export class ProcessingRegisterController {
  constructor(private readonly register: ProcessingRegisterService) {}

  @Get()
  @Authenticated({ permission: Permission.ProcessingRegisterRead })
  @ApiOperation({
    summary: 'The register of processing activities of every table (art. 30 AVG)',
    description:
      'For the privacy officer and administrators: every entry of every table (or of `tableId`), by table name and then category, with ' +
      'name, purpose, categories of personal data and of data subjects, recipients with their lawful ground, legal basis and since when, ' +
      'joint controllers and retention. No case content.',
  })
  @ApiOkResponse({ type: ProcessingActivityPage })
  @ApiInvalidInput()
  async list(@Query() q: ProcessingRegisterQueryDto): Promise<Page<ProcessingActivityDto>> {
    return pageOfBounded(await this.register.entries(q.tableId), q, (a) => a.id);
  }
}
