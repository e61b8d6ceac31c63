import { Module } from '@nestjs/common';

/** Meetings: cadence generation, add, move, cancel; calendar feeds. */
@Module({ controllers: [], providers: [], exports: [] })
export class MeetingsModule {}
