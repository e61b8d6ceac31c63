import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { LogVerificationRepository } from './log-verification.repository';
import { ProcessingLogService } from './processing-log.service';

/**
 * Access decisions and the processing/audit log writer, available to every feature module; and the logs'
 * verification record, which the worker writes and the privacy API reads.
 */
@Global()
@Module({
  providers: [AccessService, ProcessingLogService, LogVerificationRepository],
  exports: [AccessService, ProcessingLogService, LogVerificationRepository],
})
export class SharingModule {}
