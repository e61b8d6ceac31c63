import { Module } from '@nestjs/common';
import { MeetingsModule } from '../meetings.module';
import { MinutesController } from './minutes.controller';
import { MinutesService } from './minutes.service';

/** Closing a meeting: frozen minutes, JSON and PDF per viewer, addenda. */
@Module({ imports: [MeetingsModule], controllers: [MinutesController], providers: [MinutesService], exports: [MinutesService] })
export class MinutesModule {}
