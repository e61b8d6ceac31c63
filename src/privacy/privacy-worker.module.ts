import { Module } from '@nestjs/common';
import { ErasureService } from './erasure.service';
import { RetentionProcessor } from './retention.processor';
import { RetentionService } from './retention.service';

/** The retention sweep and its per-case erasures. Worker processes only (JobsModule). */
@Module({
  providers: [ErasureService, RetentionService, RetentionProcessor],
  exports: [RetentionService],
})
export class PrivacyWorkerModule {}
