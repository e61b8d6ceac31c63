import { Module } from '@nestjs/common';
import { MeetingController } from './meeting.controller';
import { MeetingService } from './meeting.service';

/** Meetings: cadence generation, add, move, cancel. MeetingService.generateAhead is for the scheduled job. */
@Module({
  controllers: [MeetingController],
  providers: [MeetingService],
  exports: [MeetingService],
})
export class MeetingsModule {}
