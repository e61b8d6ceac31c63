import { Module } from '@nestjs/common';

/** Actions between meetings: owners mark them done or ask to re-plan; partner systems read and update their own. */
@Module({ controllers: [], providers: [], exports: [] })
export class ActionsModule {}
