import { Module } from '@nestjs/common';

/** Closing a meeting: frozen minutes, JSON and PDF per viewer, addenda. */
@Module({ controllers: [], providers: [], exports: [] })
export class MinutesModule {}
