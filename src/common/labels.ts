import type { ReviewOutcome } from '../actions/action-review.entity';
import type { ActionStatus } from '../actions/action.entity';
import type { OrganisationType } from '../auth/permissions';
import type { DeadlineKind } from '../cases/case-deadline.entity';
import type { CaseStatus, RiskLevel } from '../cases/case.entity';
import type { StrategyKind } from '../cases/case-strategy.entity';
import type { IncidentClassification, IncidentKind, Severity, VictimKind } from '../cases/incident.entity';
import { measureType } from '../cases/measure-catalogue';
import type { MeasureStatus } from '../cases/measure.entity';
import type { EscalationStatus, EscalationTrack } from '../escalations/escalation.entity';
import type { DraftReasonCode } from '../meetings/agenda/agenda-view';
import type { ListKind } from '../meetings/agenda/list-import.entity';
import type { NominationReasonCode } from '../meetings/agenda/nomination.dto';
import type { MeetingStatus } from '../meetings/meeting.entity';
import type { DataSubjectCategory } from '../tables/register-entries';
import type { ContactPointKind } from '../contact-cards/contact-card.dto';
import { NotificationKind } from '../notifications/notification-kind';
import type { ItemOutcome } from '../meetings/session/session.dto';
import type { Category, LawfulGround } from '../sharing/categories';
import { Purpose } from '../sharing/purposes';

/**
 * The Dutch labels of every code a document for people shows (minutes PDF, calendar feeds, covenant
 * texts). The API itself answers with the codes; only renderings meant to be read use these. Each map is
 * a `Record` over its enumeration, so a new code without a label does not compile, and `labels.spec.ts`
 * checks the same at run time against the enumerations themselves.
 */

export const CATEGORY_LABELS: Record<Category, string> = {
  identity: 'Identiteit: namen, V-nummer, geboortedatum, nationaliteit',
  residence: 'Verblijf: opvanglocatie, overplaatsingen',
  procedure: 'Asielprocedure: fase, voorrangsspoor, beslissingen',
  incidents: 'Overlast- en huisregelincidenten',
  criminal: 'Strafrechtelijke gegevens (art. 10 AVG): verdenkingen, aanhoudingen, aangiften, veroordelingen',
  measures: 'Opgelegde maatregelen',
  care: 'Zorg en kwetsbaarheid (art. 9 AVG), voogdij minderjarigen',
  return: 'Terugkeer: vertrektraject, reisdocumenten, bewaring',
  deliberation: 'Beraadslaging: agendaredenen, besluiten, acties',
};

export const ORGANISATION_TYPE_LABELS: Record<OrganisationType, string> = {
  COA: 'COA',
  IND: 'IND',
  DTV: 'DT&V',
  POLICE: 'Politie',
  OM: 'Openbaar Ministerie',
  MUNICIPALITY: 'Gemeente',
  CHAIN_MARINE: 'Ketenmarinier',
  NIDOS: 'Nidos',
  CHILD_PROTECTION: 'Raad voor de Kinderbescherming',
  REFUGEE_COUNCIL: 'VluchtelingenWerk',
  KMAR: 'Koninklijke Marechaussee',
  DJI: 'Dienst Justitiële Inrichtingen',
  SAFETY_HOUSE: 'Zorg- en Veiligheidshuis',
  TRANSPORT_OPERATOR: 'Vervoerder',
  ADMINISTRATION: 'Beheer',
};

/** Why data was processed, as the audit log records it (src/sharing/purposes.ts). */
export const PURPOSE_LABELS: Record<Purpose, string> = {
  [Purpose.CaseIntake]: 'Casus aanmelden en openen voor het casusoverleg',
  [Purpose.CasePreparation]: 'Casusoverleg voorbereiden: casuslijst, aanmeldingen, agenda en werklijst',
  [Purpose.CaseDiscussion]: 'Casus bespreken in het casusoverleg',
  [Purpose.CaseRegistration]: 'Gegevens van de casus vastleggen (dossieropbouw)',
  [Purpose.CaseTransfer]: 'Casus overdragen aan de tafel van de nieuwe opvanglocatie',
  [Purpose.DecisionRecording]: 'Besluiten en afspraken van het casusoverleg vastleggen',
  [Purpose.Minutes]: 'Verslag van het casusoverleg vaststellen, inzien en aanvullen',
  [Purpose.ActionFollowUp]: 'Afspraken van het casusoverleg opvolgen',
  [Purpose.Escalation]: 'Opschalen en de opschaling opvolgen',
  [Purpose.Notification]: 'Ketenpartners aan tafel informeren over een casus',
  [Purpose.Supervision]: 'Toezicht op de rechtmatigheid van de verwerking (functionaris gegevensbescherming)',
  [Purpose.DataSubjectRequest]: 'Verzoek van een betrokkene afhandelen (inzage, rectificatie, beperking, wissing)',
  [Purpose.Retention]: 'Bewaartermijn handhaven: gegevens van afgesloten casussen wissen',
  [Purpose.Statistics]: 'Statistiek voor probleemanalyse en verantwoording (alleen geaggregeerd)',
};

/** Grounds of art. 6(1) AVG a covenant may record, as the register of processing activities reads them. */
export const LAWFUL_GROUND_LABELS: Record<LawfulGround, string> = {
  legal_obligation: 'Wettelijke verplichting (art. 6 lid 1 sub c AVG)',
  public_task: 'Taak van algemeen belang of openbaar gezag (art. 6 lid 1 sub e AVG)',
  vital_interests: 'Vitaal belang (art. 6 lid 1 sub d AVG)',
};

export const DATA_SUBJECT_CATEGORY_LABELS: Record<DataSubjectCategory, string> = {
  foreign_national: 'Vreemdelingen (asielzoekers) die in het casusoverleg worden besproken',
  chain_partner_staff: 'Medewerkers van de ketenpartners (eigenaar van een afspraak)',
};

/** The kinds of contact point on a table's public contact card (meldkaart). */
export const CONTACT_POINT_KIND_LABELS: Record<ContactPointKind, string> = {
  emergency: 'Spoed',
  police: 'Politie',
  coa: 'COA',
  security: 'Beveiliging',
  municipality: 'Gemeente',
  other: 'Overig',
};

/** The chair's marker on an item put on by hand (see AgendaService). */
export type AgendaReasonCode = DraftReasonCode | 'added_by_chair' | NominationReasonCode;

export const AGENDA_REASON_LABELS: Record<AgendaReasonCode, string> = {
  escalation_proposed: 'Opschalingsvoorstel',
  severe_incident: 'Ernstig incident',
  overdue_actions: 'Verlopen afspraken',
  new_case: 'Nieuwe casus',
  new_incidents: 'Nieuwe incidenten',
  actions_due: 'Afspraken die aflopen',
  review_due: 'Evaluatiedatum verstreken',
  nominated: 'Aangemeld',
  added_by_chair: 'Toegevoegd door de voorzitter',
  nuisance_during_procedure: 'Overlast tijdens de procedure',
  trafficking_or_smuggling_signs: 'Signalen van mensenhandel of mensensmokkel',
  escalation_needed: 'Opschaling nodig',
  progress_stalled: 'Voortgang stokt',
  new_information: 'Nieuwe informatie',
  policy_change: 'Beleidswijziging',
  cooperation: 'Samenwerking',
  other: 'Overig',
};

export const LIST_KIND_LABELS: Record<ListKind, string> = {
  dtv_caseload: 'Caseloadlijst DT&V',
  coa_residents: 'Bewonerslijst COA',
  top_x: 'Top-X-lijst',
  intake_transfer_outflow: 'Lijst instroom, overplaatsing en uitstroom',
};

/** Lower case: they are read inside a sentence ("Ernstig incident: geweld"). */
export const INCIDENT_KIND_LABELS: Record<IncidentKind, string> = {
  theft: 'diefstal',
  shoplifting: 'winkeldiefstal',
  violence: 'geweld',
  threat: 'bedreiging',
  vandalism: 'vernieling',
  public_nuisance: 'overlast',
  fare_dodging: 'zwartrijden',
  house_rule_breach: 'overtreding huisregels',
  measure_violation: 'overtreding van een maatregel',
  other: 'overig',
};

export const INCIDENT_CLASSIFICATION_LABELS: Record<IncidentClassification, string> = { nuisance: 'overlast', offence: 'strafbaar feit' };
export const SEVERITY_LABELS: Record<Severity, string> = { minor: 'licht', serious: 'ernstig', severe: 'zeer ernstig' };
export const VICTIM_KIND_LABELS: Record<VictimKind, string> = {
  resident: 'bewoner',
  staff_public_duty: 'medewerker met een publieke taak (VPT)',
  neighbour: 'omwonende',
  shop: 'winkel',
  transport: 'openbaar vervoer',
  other: 'overig',
};

export const ESCALATION_TRACK_LABELS: Record<EscalationTrack, string> = {
  ind_priority: 'Voorrang IND',
  htl_placement: 'Plaatsing HTL',
  pbl_placement: 'Plaatsing PBL',
  coa_ladder: 'Volgende stap COA-ladder',
  ttov_referral: 'Verwijzing TTOV',
  top_x: 'Top-X-aanpak',
  chain_marine: 'Ketenmarinier',
};

export const ESCALATION_STATUS_LABELS: Record<EscalationStatus, string> = {
  proposed: 'voorgesteld',
  requested: 'aangevraagd',
  accepted: 'geaccepteerd',
  rejected: 'afgewezen',
  completed: 'afgerond',
  withdrawn: 'ingetrokken',
};

export const ITEM_OUTCOME_LABELS: Record<ItemOutcome, string> = { discussed: 'Besproken', postponed: 'Aangehouden', escalated: 'Opgeschaald', closed_case: 'Casus afgesloten' };

export const REVIEW_OUTCOME_LABELS: Record<ReviewOutcome, string> = {
  done: 'Uitgevoerd',
  replanned: 'Opnieuw gepland (omstandigheden gewijzigd)',
  cancelled_circumstances: 'Vervallen (omstandigheden gewijzigd)',
  not_acted_on: 'Niet uitgevoerd',
};

export const CASE_STATUS_LABELS: Record<CaseStatus, string> = { intake: 'intake', active: 'actief', monitoring: 'monitoring', closed: 'afgesloten' };
export const RISK_LEVEL_LABELS: Record<RiskLevel, string> = { low: 'laag', medium: 'midden', high: 'hoog' };
export const MEETING_STATUS_LABELS: Record<MeetingStatus, string> = {
  planned: 'gepland',
  agenda_published: 'agenda gepubliceerd',
  in_session: 'in vergadering',
  closed: 'gesloten',
  cancelled: 'geannuleerd',
};
export const ACTION_STATUS_LABELS: Record<ActionStatus, string> = { open: 'open', done: 'uitgevoerd', cancelled: 'vervallen' };
export const MEASURE_STATUS_LABELS: Record<MeasureStatus, string> = { planned: 'gepland', active: 'lopend', ended: 'beëindigd', revoked: 'ingetrokken' };
export const STRATEGY_KIND_LABELS: Record<StrategyKind, string> = { departure: 'vertrek', nuisance: 'aanpak overlast', other: 'overig' };
export const DEADLINE_KIND_LABELS: Record<DeadlineKind, string> = {
  departure_period_end: 'einde vertrektermijn',
  procedure_decision: 'beslissing in de procedure',
  other: 'overig',
};

/** What a notification says happened, as the e-mail's subject and first line name it. */
export const NOTIFICATION_KIND_LABELS: Record<NotificationKind, string> = {
  [NotificationKind.ActionAssigned]: 'Nieuwe afspraak voor uw organisatie',
  [NotificationKind.ActionAgreed]: 'Afspraak gemaakt in het overleg',
  [NotificationKind.ActionCompleted]: 'Afspraak uitgevoerd',
  [NotificationKind.ActionDueSoon]: 'Afspraak verloopt binnenkort',
  [NotificationKind.ActionOverdue]: 'Afspraak verlopen',
  [NotificationKind.ActionOverdueAlert]: 'Afspraak al langere tijd verlopen',
  [NotificationKind.EscalationRequested]: 'Opschalingsverzoek aan uw organisatie',
  [NotificationKind.EscalationResponseDue]: 'Reactietermijn opschaling verloopt binnenkort',
  [NotificationKind.EscalationResponseOverdue]: 'Reactietermijn opschaling verstreken',
  [NotificationKind.AgendaDrafted]: 'Conceptagenda klaargezet',
  [NotificationKind.AgendaPublished]: 'Agenda gepubliceerd',
  [NotificationKind.WebhookDeliveryFailed]: 'Bericht aan uw koppeling kon niet worden afgeleverd',
};

/**
 * The label of `code` in `labels`. A code without one (stored before its label existed, or not a code at
 * all) is shown as it is rather than dropped: the document must not silently lose what was recorded.
 */
export function label<K extends string>(labels: Record<K, string>, code: string | null | undefined): string {
  if (code === null || code === undefined) return '';
  return Object.hasOwn(labels, code) ? labels[code as K] : code;
}

/** The catalogue holds the measure labels; this only reads them. */
export const measureTypeLabel = (code: string): string => measureType(code)?.labelNl ?? code;

/** `YYYY-MM-DD` as dd-mm-yyyy. */
export const dutchDate = (d: string) => d.split('-').reverse().join('-');

const labelList = <K extends string>(labels: Record<K, string>, codes: string) =>
  codes
    .split(',')
    .map((c) => label(labels, c.trim()))
    .join(', ');

/**
 * A stored agenda reason as a Dutch sentence: "Ernstig incident: geweld". The draft stores its details as
 * codes (incident kinds, escalation tracks, a count, a date, a nomination reason code with its text);
 * the chair's details are free text and stay as written.
 */
export function agendaReasonLabel(reason: { code?: string; detail?: string }): string {
  const head = label(AGENDA_REASON_LABELS, reason.code);
  const detail = reason.detail;
  if (!detail) return head;
  switch (reason.code) {
    case 'severe_incident':
    case 'new_incidents':
      return `${head}: ${labelList(INCIDENT_KIND_LABELS, detail)}`;
    case 'escalation_proposed':
      return `${head}: ${labelList(ESCALATION_TRACK_LABELS, detail)}`;
    case 'overdue_actions':
    case 'actions_due':
      return /^\d+$/.test(detail) ? `${head}: ${detail} ${detail === '1' ? 'afspraak' : 'afspraken'}` : `${head}: ${detail}`;
    case 'review_due':
      return /^\d{4}-\d{2}-\d{2}$/.test(detail) ? `${head}: ${dutchDate(detail)}` : `${head}: ${detail}`;
    case 'nominated': {
      // `reason_code` or `reason_code: text`, where the code is a nomination reason or a list kind.
      const at = detail.indexOf(': ');
      const code = at < 0 ? detail : detail.slice(0, at);
      const text = at < 0 ? '' : detail.slice(at + 2);
      const known = Object.hasOwn(AGENDA_REASON_LABELS, code) || Object.hasOwn(LIST_KIND_LABELS, code);
      if (!known) return `${head}: ${detail}`;
      const named = Object.hasOwn(LIST_KIND_LABELS, code) ? `via ${label(LIST_KIND_LABELS, code)}` : label(AGENDA_REASON_LABELS, code).toLowerCase();
      return `${head} (${named})${text ? `: ${text}` : ''}`;
    }
    default:
      return `${head}: ${detail}`;
  }
}
