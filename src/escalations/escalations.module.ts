import { Module } from '@nestjs/common';
import { EscalationController } from './escalation.controller';
import { EscalationService } from './escalation.service';

/** Escalations (opschaling, DOMAIN.md section 6): proposals, and the case's escalations. */
@Module({ controllers: [EscalationController], providers: [EscalationService], exports: [EscalationService] })
export class EscalationsModule {}
