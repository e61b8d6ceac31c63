import { Module } from '@nestjs/common';
import { LogController } from './log.controller';
import { LogQueryService } from './log-query.service';

/**
 * The privacy officer's view of the processing and audit logs and of their verification. Sealing and
 * verifying are jobs (LogSealProcessor, LogVerificationProcessor, registered by JobsModule in worker processes).
 */
@Module({ controllers: [LogController], providers: [LogQueryService] })
export class LogsModule {}
