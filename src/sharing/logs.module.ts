import { Module } from '@nestjs/common';

/** The privacy officer's view of the processing and audit logs, and the chain verifier. */
@Module({ controllers: [], providers: [], exports: [] })
export class LogsModule {}
