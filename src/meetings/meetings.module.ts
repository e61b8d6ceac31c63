import { Module } from '@nestjs/common';
import { MeetingController } from './meeting.controller';
import { MeetingRepository } from './meeting.repository';
import { MeetingService } from './meeting.service';

/**
 * Meetings: cadence generation, add, move, cancel. MeetingService.generateAhead is for the scheduled job;
 * MeetingRepository holds every query on meetings, for the agenda, session, minutes and calendar modules too.
 */
@Module({
  controllers: [MeetingController],
  providers: [MeetingService, MeetingRepository],
  exports: [MeetingService, MeetingRepository],
})
export class MeetingsModule {}
