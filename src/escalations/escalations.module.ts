import { Module } from '@nestjs/common';
import { EscalationController } from './escalation.controller';
import { EscalationRepository } from './escalation.repository';
import { EscalationRuleService } from './escalation-rule.service';
import { EscalationService } from './escalation.service';
import { EscalationSettingsController } from './escalation-settings.controller';
import { EscalationSettingsService } from './escalation-settings.service';
import { EscalationTransitionService } from './escalation-transition.service';

/**
 * Escalations (opschaling, DOMAIN.md section 6): proposals (in session and by the table's rules), the
 * status changes between meetings, the rules and the settings. Imports no feature module, so that
 * incidents and action reviews can evaluate the rules.
 */
@Module({
  controllers: [EscalationController, EscalationSettingsController],
  providers: [EscalationRepository, EscalationService, EscalationTransitionService, EscalationRuleService, EscalationSettingsService],
  exports: [EscalationService, EscalationRuleService, EscalationSettingsService],
})
export class EscalationsModule {}
