import { Module } from '@nestjs/common';
import { LogController } from './log.controller';
import { LogQueryService } from './log-query.service';
import { LogVerifier } from './log-verifier';

/**
 * The privacy officer's view of the processing and audit logs, and the chain verifier. Sealing itself is
 * a job (LogSealProcessor, registered by JobsModule in worker processes).
 */
@Module({ controllers: [LogController], providers: [LogQueryService, LogVerifier], exports: [LogVerifier] })
export class LogsModule {}
