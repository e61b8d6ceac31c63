import { Module } from '@nestjs/common';
import { DataSubjectRequestService } from './data-subject-request.service';
import { ErasureService } from './erasure.service';
import { LegalHoldService } from './legal-hold.service';
import { PrivacyController } from './privacy.controller';
import { SubjectExportRepository } from './subject-export.repository';

/** The privacy officer's data-subject requests and legal holds (HTTP). The retention sweep is PrivacyWorkerModule's. */
@Module({
  controllers: [PrivacyController],
  providers: [DataSubjectRequestService, LegalHoldService, ErasureService, SubjectExportRepository],
})
export class PrivacyModule {}
