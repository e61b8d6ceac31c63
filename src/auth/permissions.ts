/**
 * Who may do what, as data. Each permission lists the holders:
 * - `anyUser`: every signed-in user;
 * - `roles`: global roles (admin, privacy officer);
 * - `tableRoles`: roles on a table; the guard lets any user through and the table's access service
 *   then checks the caller's membership of that particular table;
 * - `scopes`: OAuth2 scopes of partner systems (API clients);
 * - `organisationTypes`: people of an organisation of these types; the service then checks which of its
 *   records the organisation may see (a municipality, its own municipality's statistics).
 */
export enum GlobalRole {
  Admin = 'admin',
  PrivacyOfficer = 'privacy_officer',
}

export enum TableRole {
  Chair = 'chair',
  Member = 'member',
}

export enum ApiScope {
  IncidentsWrite = 'incidents:write',
  ListsWrite = 'lists:write',
  ActionsRead = 'actions:read',
  ActionsWrite = 'actions:write',
  /** What awaits the organisation: the escalations addressed to its type. */
  EscalationsRead = 'escalations:read',
  /** Accept, reject or complete an escalation addressed to the organisation's type. */
  EscalationsWrite = 'escalations:write',
  IndDecisionsWrite = 'ind_decisions:write',
  /** The organisation's own webhook subscriptions and their deliveries. */
  WebhooksManage = 'webhooks:manage',
}

export enum Permission {
  SelfRead = 'self.read',
  SelfUpdate = 'self.update',
  OrganisationRead = 'organisation.read',
  OrganisationWrite = 'organisation.write',
  UserRead = 'user.read',
  UserWrite = 'user.write',
  ApiClientRead = 'api_client.read',
  ApiClientWrite = 'api_client.write',
  TableCreate = 'table.create',
  TableRead = 'table.read',
  TableManage = 'table.manage',
  CovenantRead = 'covenant.read',
  CovenantWrite = 'covenant.write',
  CaseRead = 'case.read',
  CaseWrite = 'case.write',
  CaseTransfer = 'case.transfer',
  SubjectSearch = 'subject.search',
  IncidentRead = 'incident.read',
  IncidentWrite = 'incident.write',
  MeasureRead = 'measure.read',
  MeasureWrite = 'measure.write',
  LogRead = 'log.read',
  /** The register of processing activities across all tables (art. 30 AVG): names, purposes, recipients; no case content. */
  ProcessingRegisterRead = 'processing_register.read',
  /** Who can see what at a table now, and the refused attempts there (re-certification). */
  AccessReviewRead = 'access_review.read',
  /** Publish or replace the table's public contact card (meldkaart): its chair. */
  ContactCardManage = 'contact_card.manage',
  MeetingRead = 'meeting.read',
  MeetingManage = 'meeting.manage',
  NominationCreate = 'nomination.create',
  ListImport = 'list.import',
  AgendaManage = 'agenda.manage',
  SessionManage = 'session.manage',
  ActionRead = 'action.read',
  ActionWrite = 'action.write',
  MinutesRead = 'minutes.read',
  CalendarFeedManage = 'calendar_feed.manage',
  EscalationRead = 'escalation.read',
  /** Request or withdraw an escalation: the table decides, so its chair. */
  EscalationManage = 'escalation.manage',
  /** Accept, reject or complete: the target organisation (checked by the service against the track). */
  EscalationRespond = 'escalation.respond',
  EscalationSettingsRead = 'escalation_settings.read',
  EscalationSettingsManage = 'escalation_settings.manage',
  IndDecisionRecord = 'ind_decision.record',
  /** One's own in-app notifications (people only). */
  InboxRead = 'inbox.read',
  InboxUpdate = 'inbox.update',
  /** What needs the chair's attention at a table. */
  WorklistRead = 'worklist.read',
  /** A table's working days for reminders, alerts and the scheduled draft agenda. */
  ReminderSettingsRead = 'reminder_settings.read',
  ReminderSettingsManage = 'reminder_settings.manage',
  /** Open the queue dashboard (/admin/queues): job counts, job data and errors, retries. Operations, no case content. */
  QueueDashboardOpen = 'queue_dashboard.open',
  /** Webhook subscriptions and their deliveries: any organisation's for administrators, its own for a partner system. */
  WebhookManage = 'webhook.manage',
  /** Handle data-subject requests (access, rectification, restriction, erasure) across every table: the privacy officer. */
  DataSubjectRequestHandle = 'data_subject_request.handle',
  /** Set and lift legal holds on cases, which stop erasure: the privacy officer. */
  LegalHoldManage = 'legal_hold.manage',
  /** A table's quarterly statistics (aggregates only): its members, its municipality, privacy officers. */
  StatisticsRead = 'statistics.read',
  /** A municipality's quarterly statistics over all its tables: the municipality's own organisation, privacy officers. */
  MunicipalityStatisticsRead = 'municipality_statistics.read',
}

export interface PermissionHolders {
  anyUser?: boolean;
  roles?: GlobalRole[];
  tableRoles?: TableRole[];
  scopes?: ApiScope[];
  organisationTypes?: OrganisationType[];
}

const ADMIN = [GlobalRole.Admin];
const MEMBERS = [TableRole.Chair, TableRole.Member];
const CHAIR = [TableRole.Chair];

export const PERMISSIONS: Record<Permission, PermissionHolders> = {
  // "Who am I" answers partner systems too (their organisation and scopes), as MeDto describes.
  [Permission.SelfRead]: { anyUser: true, scopes: Object.values(ApiScope) },
  [Permission.SelfUpdate]: { anyUser: true },
  [Permission.OrganisationRead]: { anyUser: true, scopes: Object.values(ApiScope) },
  [Permission.OrganisationWrite]: { roles: ADMIN },
  [Permission.UserRead]: { roles: ADMIN },
  [Permission.UserWrite]: { roles: ADMIN },
  [Permission.ApiClientRead]: { roles: ADMIN },
  [Permission.ApiClientWrite]: { roles: ADMIN },
  // Tables: administrators set them up; their chair runs them. Neither role opens case content.
  [Permission.TableCreate]: { roles: ADMIN },
  [Permission.TableRead]: { roles: ADMIN, tableRoles: MEMBERS },
  [Permission.TableManage]: { roles: ADMIN, tableRoles: CHAIR },
  [Permission.CovenantRead]: { roles: ADMIN, tableRoles: MEMBERS },
  [Permission.CovenantWrite]: { roles: ADMIN, tableRoles: CHAIR },
  // Case content: members of the case's table only, and only what the covenant grants.
  [Permission.CaseRead]: { tableRoles: MEMBERS },
  [Permission.CaseWrite]: { tableRoles: MEMBERS },
  [Permission.CaseTransfer]: { tableRoles: CHAIR },
  [Permission.SubjectSearch]: { tableRoles: MEMBERS },
  [Permission.IncidentRead]: { tableRoles: MEMBERS },
  [Permission.IncidentWrite]: { tableRoles: MEMBERS, scopes: [ApiScope.IncidentsWrite] },
  [Permission.MeasureRead]: { tableRoles: MEMBERS },
  [Permission.MeasureWrite]: { tableRoles: MEMBERS },
  [Permission.LogRead]: { roles: [GlobalRole.PrivacyOfficer] },
  [Permission.ProcessingRegisterRead]: { roles: [GlobalRole.PrivacyOfficer, GlobalRole.Admin] },
  [Permission.AccessReviewRead]: { roles: [GlobalRole.PrivacyOfficer] },
  [Permission.ContactCardManage]: { tableRoles: CHAIR },
  // The weekly cycle: members take part, the chair runs it.
  [Permission.MeetingRead]: { tableRoles: MEMBERS },
  [Permission.MeetingManage]: { tableRoles: CHAIR },
  [Permission.NominationCreate]: { tableRoles: MEMBERS },
  [Permission.ListImport]: { tableRoles: MEMBERS, scopes: [ApiScope.ListsWrite] },
  [Permission.AgendaManage]: { tableRoles: CHAIR },
  [Permission.SessionManage]: { tableRoles: CHAIR },
  [Permission.ActionRead]: { tableRoles: MEMBERS, scopes: [ApiScope.ActionsRead] },
  [Permission.ActionWrite]: { tableRoles: MEMBERS, scopes: [ApiScope.ActionsWrite] },
  [Permission.MinutesRead]: { tableRoles: MEMBERS },
  [Permission.CalendarFeedManage]: { anyUser: true },
  // Escalations: the table (its chair) requests and withdraws, the target organisation answers.
  [Permission.EscalationRead]: { tableRoles: MEMBERS, scopes: [ApiScope.EscalationsRead, ApiScope.EscalationsWrite] },
  [Permission.EscalationManage]: { tableRoles: CHAIR },
  [Permission.EscalationRespond]: { tableRoles: MEMBERS, scopes: [ApiScope.EscalationsWrite] },
  [Permission.EscalationSettingsRead]: { tableRoles: MEMBERS },
  [Permission.EscalationSettingsManage]: { tableRoles: CHAIR },
  [Permission.IndDecisionRecord]: { tableRoles: MEMBERS, scopes: [ApiScope.IndDecisionsWrite] },
  [Permission.InboxRead]: { anyUser: true },
  [Permission.InboxUpdate]: { anyUser: true },
  [Permission.WorklistRead]: { tableRoles: CHAIR },
  // Configuration between meetings, like the escalation settings: members read it, the chair sets it.
  [Permission.ReminderSettingsRead]: { tableRoles: MEMBERS },
  [Permission.ReminderSettingsManage]: { tableRoles: CHAIR },
  [Permission.QueueDashboardOpen]: { roles: ADMIN },
  // Webhooks tell an organisation's own system; people of the organisation have no part in them (nor do table roles).
  [Permission.WebhookManage]: { roles: ADMIN, scopes: [ApiScope.WebhooksManage] },
  // Data-subject rights: the privacy officer, outside any table's covenant (art. 12–18 AVG), and logged as such.
  [Permission.DataSubjectRequestHandle]: { roles: [GlobalRole.PrivacyOfficer] },
  [Permission.LegalHoldManage]: { roles: [GlobalRole.PrivacyOfficer] },
  // Statistics are aggregates: the table's people, the municipality's organisation for its own municipality, and
  // privacy officers (who supervise what leaves the system). Administrators have no purpose for them; partner
  // systems none either (a municipality pulls its figures as a person, as CSV).
  [Permission.StatisticsRead]: { roles: [GlobalRole.PrivacyOfficer], tableRoles: MEMBERS, organisationTypes: ['MUNICIPALITY'] },
  [Permission.MunicipalityStatisticsRead]: { roles: [GlobalRole.PrivacyOfficer], organisationTypes: ['MUNICIPALITY'] },
};

export const ORGANISATION_TYPES = [
  'COA',
  'IND',
  'DTV',
  'POLICE',
  'OM',
  'MUNICIPALITY',
  'CHAIN_MARINE',
  'NIDOS',
  'CHILD_PROTECTION',
  'REFUGEE_COUNCIL',
  'KMAR',
  'DJI',
  'SAFETY_HOUSE',
  'TRANSPORT_OPERATOR',
  /** The operator of this Ketentafel installation (administrators); not a chain partner. */
  'ADMINISTRATION',
] as const;
export type OrganisationType = (typeof ORGANISATION_TYPES)[number];
