import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsUUID, ValidateBy, ValidateIf } from 'class-validator';
import { NotPersonal } from '../../sharing/disclosure';
import { PageViewOf } from '../../common/pagination';

export const CALENDAR_FEED_KINDS = ['table', 'organisation'] as const;
export type CalendarFeedKind = (typeof CALENDAR_FEED_KINDS)[number];

/** `tableId` belongs to a table feed only; an organisation feed covers every table the user sits at. */
const AbsentForOrganisationFeed = () =>
  ValidateBy({
    name: 'absentForOrganisationFeed',
    validator: {
      validate: (value: unknown, args) => (args?.object as CreateCalendarFeedDto).kind !== 'organisation' || value === undefined,
      defaultMessage: () => '$property must be absent for an organisation feed',
    },
  });

export class CreateCalendarFeedDto {
  @ApiProperty({
    enum: CALENDAR_FEED_KINDS,
    description: "`table`: the meetings of one table. `organisation`: the open actions of your organisation at the tables you sit at, one all-day event on each due date.",
  })
  @IsIn(CALENDAR_FEED_KINDS)
  kind: CalendarFeedKind;

  @ApiPropertyOptional({ format: 'uuid', description: 'For a `table` feed (required then): a table you sit at.' })
  @ValidateIf((o: CreateCalendarFeedDto) => o.kind === 'table' || o.tableId !== undefined)
  @AbsentForOrganisationFeed()
  @IsUUID('all')
  tableId?: string;
}

/** A feed as listed: never its token, which is shown once, at creation. */
export class CalendarFeedView {
  @NotPersonal({ format: 'uuid' }) id: string;
  @NotPersonal({ enum: CALENDAR_FEED_KINDS }) kind: CalendarFeedKind;
  @NotPersonal({ type: String, format: 'uuid', nullable: true }) tableId: string | null;
  @NotPersonal({ format: 'date-time' }) createdAt: string;
}

/** A person's own feeds (one per table and one personal, at most a few): paged in memory (pageOfBounded), keyed by id. */
export const CalendarFeedPage = PageViewOf(CalendarFeedView, 'CalendarFeedPage');

export class CreatedCalendarFeedView extends CalendarFeedView {
  @NotPersonal({
    format: 'uri',
    example: 'https://ketentafel.example.nl/api/v1/calendar-feeds/q9V3x7Jm2LkR8sT0bWcY4nPzH6dF1gAe5uKiOoQrXyE/events',
    description: 'The secret subscription URL (iCalendar). Shown only now: keep it like a password; revoke the feed when it leaks.',
  })
  url: string;
}
