import { Module } from '@nestjs/common';

/** The session: attendance, decisions, actions, measures and escalation proposals per item, action reviews. */
@Module({ controllers: [], providers: [], exports: [] })
export class SessionModule {}
