import { Global, Module } from '@nestjs/common';
import { AccessService } from './access.service';
import { ProcessingLogService } from './processing-log.service';

/** Access decisions and the processing/audit log writer, available to every feature module. */
@Global()
@Module({ providers: [AccessService, ProcessingLogService], exports: [AccessService, ProcessingLogService] })
export class SharingModule {}
