import { Module } from '@nestjs/common';
import { MeetingsModule } from '../meetings.module';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';

/** Revocable iCalendar feeds of a table's meetings and an organisation's action due dates. */
@Module({ imports: [MeetingsModule], controllers: [CalendarController], providers: [CalendarService] })
export class CalendarModule {}
