import { Module } from '@nestjs/common';
import { AccessReviewController } from './access-review.controller';
import { AccessReviewService } from './access-review.service';
import { LogController } from './log.controller';
import { LogQueryService } from './log-query.service';

/**
 * The privacy officer's view of the processing and audit logs and of their verification, and the access
 * review of each table. Sealing and
 * verifying are jobs (LogSealProcessor, LogVerificationProcessor, registered by JobsModule in worker processes).
 */
@Module({ controllers: [LogController, AccessReviewController], providers: [LogQueryService, AccessReviewService] })
export class LogsModule {}
