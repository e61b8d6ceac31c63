import { Module } from '@nestjs/common';
import { CalendarController } from './calendar.controller';
import { CalendarService } from './calendar.service';
import { MeetingController } from './meeting.controller';
import { MeetingService } from './meeting.service';

/** Meetings: cadence generation, add, move, cancel; calendar feeds. MeetingService.generateAhead is for the scheduled job. */
@Module({
  controllers: [MeetingController, CalendarController],
  providers: [MeetingService, CalendarService],
  exports: [MeetingService],
})
export class MeetingsModule {}
