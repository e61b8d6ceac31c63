import { REVIEW_OUTCOMES } from '../actions/action-review.entity';
import { ACTION_STATUSES } from '../actions/action.entity';
import { ORGANISATION_TYPES } from '../auth/permissions';
import { DEADLINE_KINDS } from '../cases/case-deadline.entity';
import { CASE_STATUSES, RISK_LEVELS } from '../cases/case.entity';
import { STRATEGY_KINDS } from '../cases/case-strategy.entity';
import { INCIDENT_CLASSIFICATIONS, INCIDENT_KINDS, SEVERITIES, VICTIM_KINDS } from '../cases/incident.entity';
import { MEASURE_TYPE_CODES } from '../cases/measure-catalogue';
import { MEASURE_STATUSES } from '../cases/measure.entity';
import { ESCALATION_STATUSES, ESCALATION_TRACKS } from '../escalations/escalation.entity';
import { DRAFT_REASON_CODES } from '../meetings/agenda/agenda-view';
import { LIST_KINDS } from '../meetings/agenda/list-import.entity';
import { NOMINATION_REASON_CODES } from '../meetings/agenda/nomination.dto';
import { MEETING_STATUSES } from '../meetings/meeting.entity';
import { ITEM_OUTCOMES } from '../meetings/session/session.dto';
import { NotificationKind } from '../notifications/notification-kind';
import { CATEGORIES, LAWFUL_GROUNDS } from '../sharing/categories';
import { DATA_SUBJECT_CATEGORIES } from '../tables/register-entries';
import { CONTACT_POINT_KINDS } from '../contact-cards/contact-card.dto';
import { PURPOSES } from '../sharing/purposes';
import {
  ACTION_STATUS_LABELS,
  AGENDA_REASON_LABELS,
  agendaReasonLabel,
  CASE_STATUS_LABELS,
  CATEGORY_LABELS,
  DEADLINE_KIND_LABELS,
  ESCALATION_STATUS_LABELS,
  ESCALATION_TRACK_LABELS,
  INCIDENT_CLASSIFICATION_LABELS,
  INCIDENT_KIND_LABELS,
  ITEM_OUTCOME_LABELS,
  LIST_KIND_LABELS,
  MEASURE_STATUS_LABELS,
  measureTypeLabel,
  MEETING_STATUS_LABELS,
  NOTIFICATION_KIND_LABELS,
  ORGANISATION_TYPE_LABELS,
  PURPOSE_LABELS,
  LAWFUL_GROUND_LABELS,
  DATA_SUBJECT_CATEGORY_LABELS,
  CONTACT_POINT_KIND_LABELS,
  REVIEW_OUTCOME_LABELS,
  RISK_LEVEL_LABELS,
  SEVERITY_LABELS,
  STRATEGY_KIND_LABELS,
  VICTIM_KIND_LABELS,
} from './labels';

/** Each enumeration of the code against its labels: a new code without a Dutch label fails here. */
const ENUMS: [string, readonly string[], (code: string) => string | undefined][] = [
  ['categories', CATEGORIES, (c) => (CATEGORY_LABELS as Record<string, string>)[c]],
  ['organisation types', ORGANISATION_TYPES, (c) => (ORGANISATION_TYPE_LABELS as Record<string, string>)[c]],
  ['purposes', PURPOSES, (c) => (PURPOSE_LABELS as Record<string, string>)[c]],
  ['lawful grounds', LAWFUL_GROUNDS, (c) => (LAWFUL_GROUND_LABELS as Record<string, string>)[c]],
  ['data subject categories', DATA_SUBJECT_CATEGORIES, (c) => (DATA_SUBJECT_CATEGORY_LABELS as Record<string, string>)[c]],
  ['contact point kinds', CONTACT_POINT_KINDS, (c) => (CONTACT_POINT_KIND_LABELS as Record<string, string>)[c]],
  ['agenda reasons (draft)', DRAFT_REASON_CODES, (c) => (AGENDA_REASON_LABELS as Record<string, string>)[c]],
  ['agenda reasons (chair and nominations)', [...NOMINATION_REASON_CODES, 'added_by_chair'], (c) => (AGENDA_REASON_LABELS as Record<string, string>)[c]],
  ['list kinds', LIST_KINDS, (c) => (LIST_KIND_LABELS as Record<string, string>)[c]],
  ['incident kinds', INCIDENT_KINDS, (c) => (INCIDENT_KIND_LABELS as Record<string, string>)[c]],
  ['incident classifications', INCIDENT_CLASSIFICATIONS, (c) => (INCIDENT_CLASSIFICATION_LABELS as Record<string, string>)[c]],
  ['severities', SEVERITIES, (c) => (SEVERITY_LABELS as Record<string, string>)[c]],
  ['victim kinds', VICTIM_KINDS, (c) => (VICTIM_KIND_LABELS as Record<string, string>)[c]],
  ['measure types', MEASURE_TYPE_CODES, (c) => (measureTypeLabel(c) === c ? undefined : measureTypeLabel(c))],
  ['measure statuses', MEASURE_STATUSES, (c) => (MEASURE_STATUS_LABELS as Record<string, string>)[c]],
  ['escalation tracks', Object.keys(ESCALATION_TRACKS), (c) => (ESCALATION_TRACK_LABELS as Record<string, string>)[c]],
  ['escalation statuses', ESCALATION_STATUSES, (c) => (ESCALATION_STATUS_LABELS as Record<string, string>)[c]],
  ['item outcomes', ITEM_OUTCOMES, (c) => (ITEM_OUTCOME_LABELS as Record<string, string>)[c]],
  ['action review outcomes', REVIEW_OUTCOMES, (c) => (REVIEW_OUTCOME_LABELS as Record<string, string>)[c]],
  ['action statuses', ACTION_STATUSES, (c) => (ACTION_STATUS_LABELS as Record<string, string>)[c]],
  ['case statuses', CASE_STATUSES, (c) => (CASE_STATUS_LABELS as Record<string, string>)[c]],
  ['risk levels', RISK_LEVELS, (c) => (RISK_LEVEL_LABELS as Record<string, string>)[c]],
  ['meeting statuses', MEETING_STATUSES, (c) => (MEETING_STATUS_LABELS as Record<string, string>)[c]],
  ['strategy kinds', STRATEGY_KINDS, (c) => (STRATEGY_KIND_LABELS as Record<string, string>)[c]],
  ['deadline kinds', DEADLINE_KINDS, (c) => (DEADLINE_KIND_LABELS as Record<string, string>)[c]],
  ['notification kinds', Object.values(NotificationKind), (c) => (NOTIFICATION_KIND_LABELS as Record<string, string>)[c]],
];

describe('Dutch labels', () => {
  it.each(ENUMS)('has a label for every code of the %s', (_, codes, labelOf) => {
    expect(codes.length).toBeGreaterThan(1);
    expect(codes.filter((code) => !labelOf(code)?.trim())).toEqual([]);
  });

  it('labels no code that does not exist (a renamed code leaves no stale label behind)', () => {
    const stale = (labels: Record<string, string>, codes: readonly string[]) => Object.keys(labels).filter((k) => !codes.includes(k));
    expect(stale(INCIDENT_KIND_LABELS, INCIDENT_KINDS)).toEqual([]);
    expect(stale(AGENDA_REASON_LABELS, [...DRAFT_REASON_CODES, ...NOMINATION_REASON_CODES, 'added_by_chair'])).toEqual([]);
    expect(stale(ESCALATION_TRACK_LABELS, Object.keys(ESCALATION_TRACKS))).toEqual([]);
  });

  it('writes a stored agenda reason as a Dutch sentence, its coded details labelled', () => {
    expect(agendaReasonLabel({ code: 'severe_incident', detail: 'violence' })).toBe('Ernstig incident: geweld');
    expect(agendaReasonLabel({ code: 'new_incidents', detail: 'shoplifting, theft' })).toBe('Nieuwe incidenten: winkeldiefstal, diefstal');
    expect(agendaReasonLabel({ code: 'escalation_proposed', detail: 'htl_placement, ind_priority' })).toBe('Opschalingsvoorstel: Plaatsing HTL, Voorrang IND');
    expect(agendaReasonLabel({ code: 'overdue_actions', detail: '2' })).toBe('Verlopen afspraken: 2 afspraken');
    expect(agendaReasonLabel({ code: 'actions_due', detail: '1' })).toBe('Afspraken die aflopen: 1 afspraak');
    expect(agendaReasonLabel({ code: 'review_due', detail: '2026-03-04' })).toBe('Evaluatiedatum verstreken: 04-03-2026');
    expect(agendaReasonLabel({ code: 'nominated', detail: 'progress_stalled: Geen vertrekgesprek' })).toBe('Aangemeld (voortgang stokt): Geen vertrekgesprek');
    expect(agendaReasonLabel({ code: 'nominated', detail: 'top_x' })).toBe('Aangemeld (via Top-X-lijst)');
    expect(agendaReasonLabel({ code: 'new_case' })).toBe('Nieuwe casus');
    // The chair's own words stay as written.
    expect(agendaReasonLabel({ code: 'new_information', detail: 'Signaal wijkagent: theft' })).toBe('Nieuwe informatie: Signaal wijkagent: theft');
  });
});
