import { Module } from '@nestjs/common';

/** Incidents (members and partner systems) and measures with their catalogue. */
@Module({ controllers: [], providers: [], exports: [] })
export class IncidentsModule {}
