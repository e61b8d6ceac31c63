import { Injectable } from '@nestjs/common';
import { EntityManager } from 'typeorm';
import { incidentCategory, type IncidentClassification, type Severity, type VictimKind } from '../cases/incident.entity';
import { Clock } from '../common/clock';
import { ESCALATION_TRACK_LABELS, label } from '../common/labels';
import type { RequestContext } from '../common/request-context';
import { DomainEventService, DomainEventType } from '../notifications/domain-event.service';
import type { CaseAccess } from '../sharing/access.service';
import type { Category } from '../sharing/categories';
import { ProcessingLogService } from '../sharing/processing-log.service';
import { ESCALATION_TRACKS } from './escalation.entity';
import { EscalationRepository } from './escalation.repository';
import { EscalationRuleRow, EscalationSettingsService } from './escalation-settings.service';
import { Purpose } from '../sharing/purposes';

const DAY = 86_400_000;
/** Namespace of the advisory lock that serialises incident counts per case (with hashtext of the case id). */
const INCIDENT_COUNT_LOCK = 7_204_313;

/** What a rule sees of a newly recorded incident. */
export interface RecordedIncident {
  classification: IncidentClassification;
  severity: Severity;
  victimKind: VictimKind | null;
  occurredAt: Date;
}

/**
 * Escalation rules propose, never decide (DOMAIN.md section 6). They are evaluated in the transaction that
 * records the triggering fact, so a proposal exists exactly when its fact was committed, and land on the
 * next draft agenda as a pending proposal. The system proposes: no organisation asks until the chair
 * requests it. Which rule fired tells of its fact (a severe offence is criminal data), so the escalation
 * keeps that fact's category and its reason names only the track.
 */
@Injectable()
export class EscalationRuleService {
  constructor(
    private readonly escalations: EscalationRepository,
    private readonly settings: EscalationSettingsService,
    private readonly log: ProcessingLogService,
    private readonly events: DomainEventService,
    private readonly clock: Clock,
  ) {}

  /** After an incident was inserted on the case, in the same transaction. */
  async onIncidentRecorded(m: EntityManager, ctx: Pick<RequestContext, 'traceId'>, access: CaseAccess, incident: RecordedIncident): Promise<void> {
    const rules = await this.settings.activeRules(m, access.tableId, ['incident_count', 'severe_incident', 'staff_public_duty_incident']);
    // Counts first: the count's lock is then taken before this transaction inserts a proposal, so it never
    // waits for the lock while holding a proposal that the lock's holder waits on (no deadlock).
    rules.sort((a, b) => Number(b.kind === 'incident_count') - Number(a.kind === 'incident_count'));
    const now = this.clock.now();
    for (const rule of rules) {
      const category = await this.incidentTrigger(m, access.caseId, rule, incident, now);
      if (category) await this.propose(m, ctx, access, rule, category, now);
    }
  }

  /** After a review found an action not acted on (its count already raised), in the session's transaction. */
  async onActionNotActedOn(m: EntityManager, ctx: Pick<RequestContext, 'traceId'>, access: CaseAccess, notActedOnCount: number): Promise<void> {
    const now = this.clock.now();
    for (const rule of await this.settings.activeRules(m, access.tableId, ['action_not_acted_on'])) {
      if (notActedOnCount >= rule.threshold!) await this.propose(m, ctx, access, rule, 'deliberation', now);
    }
  }

  /** The category of the fact that makes `rule` fire, or null when it does not. */
  private async incidentTrigger(m: EntityManager, caseId: string, rule: EscalationRuleRow, incident: RecordedIncident, now: Date): Promise<Category | null> {
    switch (rule.kind) {
      case 'severe_incident':
        return incident.severity === 'severe' ? incidentCategory(incident.classification) : null;
      case 'staff_public_duty_incident':
        return incident.victimKind === 'staff_public_duty' ? incidentCategory(incident.classification) : null;
      case 'incident_count': {
        const since = new Date(now.getTime() - rule.window_days! * DAY);
        // An old incident pushed late is no new fact for a count of recent ones.
        if (incident.occurredAt <= since) return null;
        // Two incidents recorded at once must each see the other: the lock makes the second count wait for the
        // first transaction, and under READ COMMITTED the count after it is taken on a fresh snapshot.
        await m.query(`SELECT pg_advisory_xact_lock($1, hashtext($2))`, [INCIDENT_COUNT_LOCK, caseId]);
        const [row] = await m.query(
          `SELECT count(*)::int AS n, count(*) FILTER (WHERE classification = 'offence')::int AS offences
             FROM incident WHERE case_id = $1 AND occurred_at > $2`,
          [caseId, since],
        );
        if (row.n < rule.threshold!) return null;
        return row.offences > 0 ? incidentCategory('offence') : incidentCategory('nuisance');
      }
      default:
        return null;
    }
  }

  private async propose(m: EntityManager, ctx: Pick<RequestContext, 'traceId'>, access: CaseAccess, rule: EscalationRuleRow, trigger: Category, now: Date): Promise<void> {
    const reason = `Voorstel van een escalatieregel van de tafel: ${label(ESCALATION_TRACK_LABELS, rule.track)}. De tafel beslist of zij opschaalt.`;
    const target = ESCALATION_TRACKS[rule.track];
    const id = await this.escalations.insertRuleProposal(m, { caseId: access.caseId, track: rule.track, target, ruleId: rule.id, triggerCategory: trigger, reason, at: now });
    if (!id) return;
    await this.escalations.insertEvent(m, { escalationId: id, from: null, to: 'proposed', reason, actorKind: 'system', actorOrganisationId: null, at: now });
    await this.events.raise(m, {
      type: DomainEventType.EscalationProposed,
      tableId: access.tableId,
      aggregateType: 'escalation',
      aggregateId: id,
      payload: { escalationId: id, caseReference: await this.escalations.caseReference(m, access.caseId), track: rule.track, targetOrganisationType: target, proposedBy: 'rule' },
    });
    await this.log.recordBySystem(m, ctx.traceId, access.tableId, {
      operation: 'escalation.propose_by_rule',
      activityCategory: 'deliberation',
      categories: [...new Set<Category>(['deliberation', trigger])],
      subjects: [{ subjectId: access.subjectId, vNumber: access.vNumber }],
      purpose: Purpose.Escalation,
      startedAt: now,
    });
  }
}
