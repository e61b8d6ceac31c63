import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional } from 'class-validator';
import { PageQueryDto } from '../common/pagination';

export class ListInboxQuery extends PageQueryDto {
  @ApiPropertyOptional({ type: Boolean, description: 'Only notifications not marked read (`true`), or only read ones (`false`).' })
  @IsOptional()
  @Transform(({ value }) => (value === 'true' ? true : value === 'false' ? false : value))
  @IsBoolean()
  unread?: boolean;
}
