import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsInt, IsISO8601, IsOptional, IsString, Matches, Max, MaxLength, Min, MinLength, ValidateBy, ValidateIf, ValidationOptions } from 'class-validator';
import { validatorNow } from '../common/clock';
import { SortField, SortParam, sortValues } from '../common/list-query';
import { PageQueryDto } from '../common/pagination';
import { MEETING_STATUSES, MeetingStatus } from './meeting.entity';

/** A date-time with its offset (`Z` preferred): a meeting's time may never depend on the server's zone. */
const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}:\d{2})$/;
const instantMessage = (property: string) => ({ message: `${property} must be an ISO 8601 date-time with an offset, e.g. 2026-12-01T09:00:00Z` });

const InFuture = (options?: ValidationOptions) =>
  ValidateBy(
    {
      name: 'inFuture',
      validator: {
        validate: (value: unknown) => typeof value === 'string' && Date.parse(value) > validatorNow().getTime(),
        defaultMessage: () => '$property must be in the future',
      },
    },
    options,
  );

export class GenerateMeetingsDto {
  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 26, default: 8, description: 'How many weeks ahead, counted from now.' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(26)
  weeks?: number;
}

export const MEETING_SORT: Record<string, SortField> = { scheduledAt: { column: 'm.scheduled_at', kind: 'timestamp' } };

export class ListMeetingsQuery extends PageQueryDto {
  @SortParam(sortValues(MEETING_SORT), 'scheduledAt')
  sort?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Meetings at or after this instant.' })
  @IsOptional()
  @Matches(INSTANT, instantMessage('from'))
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Meetings before this instant.' })
  @IsOptional()
  @Matches(INSTANT, instantMessage('to'))
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: MEETING_STATUSES })
  @IsOptional()
  @IsIn(MEETING_STATUSES)
  status?: MeetingStatus;
}

export class CreateMeetingDto {
  @ApiProperty({ format: 'date-time', example: '2026-12-01T09:00:00Z', description: 'In the future.' })
  @Matches(INSTANT, instantMessage('scheduledAt'))
  @IsISO8601({ strict: true })
  @InFuture()
  scheduledAt: string;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 200, example: 'azc Harderwijk, vergaderruimte 2' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  location?: string;
}

export class UpdateMeetingDto {
  @ApiPropertyOptional({ format: 'date-time', description: 'In the future.' })
  @IsOptional()
  @Matches(INSTANT, instantMessage('scheduledAt'))
  @IsISO8601({ strict: true })
  @InFuture()
  scheduledAt?: string;

  @ApiPropertyOptional({ type: String, minLength: 1, maxLength: 200, nullable: true, description: '`null` clears the location.' })
  @ValidateIf((_, value) => value !== null && value !== undefined)
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  location?: string | null;
}

export class CancelMeetingDto {
  @ApiProperty({ minLength: 1, maxLength: 500, description: 'Why the meeting does not take place. No personal data: it is shown to every member.' })
  @IsString()
  @MinLength(1)
  @MaxLength(500)
  reason: string;
}
