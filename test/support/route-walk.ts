import { ApiScope } from '../../src/auth/permissions';
import { measureType } from '../../src/cases/measure-catalogue';
import { ESCALATION_TRACKS, type EscalationTrack } from '../../src/escalations/escalation.entity';
import { MEMBER_ORGANISATION_TYPES, MemberOrganisationType } from '../../src/sharing/categories';
import { givenAction, randomVNumber } from './factories';
import { dateIn, FullFixture, probe, Viewer } from './full-fixture';

/**
 * What the route walks know about every route (test/disclosure-routes.e2e-spec.ts, and the restriction walk of
 * test/privacy-restriction.e2e-spec.ts): which routes are not walked and why, which writes answer no case data,
 * a working request for every other write, and how each path parameter resolves to the full fixture's values.
 * A new route is classified here once, and every walk covers it.
 */

/**
 * Scopes that open no case data by design, only the partner system's own configuration: a route that
 * people at a table cannot call and these scopes open may be left unwalked.
 */
export const SCOPES_WITHOUT_CASE_DATA: readonly ApiScope[] = [ApiScope.WebhooksManage];

/** GET routes not walked. Only routes for administrators or privacy officers (and partner systems' own configuration) belong here. */
export const NOT_WALKED: Record<string, string> = {
  'GET /api/v1/users': 'administrators only; the accounts of the installation, no case data',
  'GET /api/v1/users/:id': 'administrators only; an account, no case data',
  'GET /api/v1/api-clients': 'administrators only; partner-system registrations, no case data',
  'GET /api/v1/api-clients/:id': 'administrators only; a partner-system registration, no case data',
  'GET /api/v1/privacy/audit-log': 'privacy officers only; who did what and which categories were touched, never a value',
  'GET /api/v1/privacy/tables/:id/access-review': 'privacy officers only; who can see which categories at the table (accounts, partner systems, grants), no case data',
  'GET /api/v1/privacy/tables/:id/refused-attempts': 'privacy officers only; refused attempts from the audit log (who, action, when), no case data',
  'GET /api/v1/processing-register': 'privacy officers and administrators only; the register of processing activities of every table, no case content',
  'GET /api/v1/privacy/logs/_verify': 'privacy officers only; whether the hash chains of the logs are intact',
  'GET /api/v1/privacy/data-subject-requests': 'privacy officers only; the requests handled (kind, reference, reason), the person by id only',
  'GET /api/v1/privacy/legal-holds': 'privacy officers only; holds on cases (case reference, reason, end date)',
  'GET /api/v1/webhook-subscriptions': 'administrators and partner systems (webhooks:manage) only; endpoints and notice kinds, no case data',
  'GET /api/v1/webhook-subscriptions/:id': 'administrators and partner systems (webhooks:manage) only; an endpoint and its notice kinds, no case data',
  'GET /api/v1/webhook-subscriptions/:id/deliveries': 'administrators and partner systems (webhooks:manage) only; kinds, statuses and times of deliveries, no case data',
};

/**
 * Walked, but what they serve is the product's vocabulary, the same whatever the case: their `category`
 * members name categories and the measure catalogue names every type code. Only the probes that are values
 * of a case (PROBE-…, V-numbers, dates of birth) are looked for in their answers.
 */
export const VOCABULARY: Record<string, string> = {
  'GET /api/v1/measure-types': 'the measures catalogue: every type with its category, label and legal basis',
  'GET /api/v1/tables/:id/covenant': 'the covenant: which organisation type is granted which category',
  'GET /api/v1/tables/:id/covenant/versions': "the covenant's versions and what each changed",
  'GET /api/v1/tables/:id/processing-activities': 'the register of processing activities, one per category',
  'GET /api/v1/tables/:id/statistics': 'aggregates: every incident kind, measure type and escalation track is listed with its count, whatever the case',
  'GET /api/v1/municipalities/:municipalityCode/statistics': "aggregates over the municipality's tables, every code listed with its count",
};

/** Write routes whose answer holds no case data, with the reason; every other write route has a builder below. */
export const NO_CASE_DATA: Record<string, string> = {
  'POST /api/v1/auth/login': 'credentials: tokens',
  'POST /api/v1/auth/refresh': 'credentials: tokens',
  'POST /api/v1/auth/logout': 'no content',
  'POST /api/v1/auth/change-password': 'no content',
  'POST /api/v1/auth/accept-invitation': 'credentials: tokens',
  'POST /api/v1/oauth/token': 'credentials: a partner-system token',
  'POST /api/v1/privacy/logs/_verify': 'privacy officers only: the chain verification result (counts, seq numbers, hashes), no log content',
  'POST /api/v1/organisations': 'administrators only; an organisation',
  'PATCH /api/v1/organisations/:id': 'administrators only; an organisation',
  'POST /api/v1/users': 'administrators only; an account',
  'PATCH /api/v1/users/:id': 'administrators only; an account',
  'POST /api/v1/api-clients': 'administrators only; a partner-system registration and its secret',
  'PATCH /api/v1/api-clients/:id': 'administrators only; a partner-system registration',
  'POST /api/v1/api-clients/:id/_rotate': 'administrators only; a new secret',
  'POST /api/v1/tables': 'administrators only; the table and its settings',
  'PATCH /api/v1/tables/:id': "the table's settings",
  'POST /api/v1/tables/:id/memberships': 'who sits at the table: accounts and roles',
  'PATCH /api/v1/tables/:id/memberships/:membershipId': 'who sits at the table: accounts and roles',
  'DELETE /api/v1/tables/:id/memberships/:membershipId': 'no content',
  'PUT /api/v1/tables/:id/covenant': 'the covenant: organisation types, categories, legal bases',
  'POST /api/v1/tables/:id/member-organisations': 'the member organisations of the table',
  'DELETE /api/v1/tables/:id/member-organisations/:organisationId': 'no content',
  'POST /api/v1/tables/:tableId/meetings/_generate': 'meetings: times, places and statuses; a meeting holds no personal data',
  'POST /api/v1/tables/:tableId/meetings': 'a meeting: time, place, status',
  'PATCH /api/v1/meetings/:id': 'a meeting: time, place, status',
  'POST /api/v1/meetings/:id/_cancel': 'a meeting: time, place, status',
  'POST /api/v1/meetings/:id/agenda/_draft': "a summary of the agenda: status, timestamps and the number of items",
  'POST /api/v1/meetings/:id/agenda/_publish': "a summary of the agenda: status, timestamps and the number of items",
  'PUT /api/v1/meetings/:id/agenda-items/order': 'no content',
  'DELETE /api/v1/agenda-items/:id': 'no content',
  'POST /api/v1/meetings/:id/_open': "the meeting's own status and times",
  'DELETE /api/v1/cases/:id/deadlines/:deadlineId': 'no content',
  'POST /api/v1/calendar-feeds': 'the feed and its secret URL',
  'DELETE /api/v1/calendar-feeds/:id': 'no content',
  'POST /api/v1/privacy/processing-log/_search': 'privacy officers only; log entries hold keyed hashes and categories, never a value',
  'POST /api/v1/privacy/access-requests': "privacy officers only: one person's own data, exported for that person (art. 15 AVG); no member of a table may call it",
  'POST /api/v1/privacy/rectifications': 'privacy officers only; the request as recorded, the rectified fields by name',
  'POST /api/v1/privacy/restrictions': 'privacy officers only; the request as recorded and when the restriction began',
  'POST /api/v1/privacy/restrictions/_lift': 'privacy officers only; the request as recorded',
  'POST /api/v1/privacy/erasures': 'privacy officers only; the request as recorded, with counts of what was erased',
  'POST /api/v1/privacy/legal-holds': 'privacy officers only; the hold (case reference, reason, end date)',
  'POST /api/v1/privacy/legal-holds/:id/_lift': 'privacy officers only; the hold (case reference, reason, end date)',
  'PUT /api/v1/tables/:id/escalation-rules': "the table's escalation rules: kinds, tracks, thresholds",
  'PUT /api/v1/tables/:id/escalation-settings': "the table's response deadlines per track and departure interview setting",
  'PUT /api/v1/tables/:id/contact-card': "the table's public contact card: services, phone numbers, opening hours, web addresses; no personal data",
  'PUT /api/v1/tables/:id/reminder-settings': "the table's working days for reminders, alerts and the scheduled draft agenda",
  'POST /api/v1/inbox/_read': 'the number of notifications marked read',
  'POST /api/v1/admin/queue-dashboard/_session': 'administrators only; the dashboard path and when its session ends (the cookie is a credential)',
  'POST /api/v1/webhook-subscriptions': 'administrators and partner systems only; an endpoint, its notice kinds and its secret',
  'PATCH /api/v1/webhook-subscriptions/:id': 'administrators and partner systems only; an endpoint and its notice kinds',
  'DELETE /api/v1/webhook-subscriptions/:id': 'no content',
  'POST /api/v1/webhook-subscriptions/:id/_rotate': 'administrators and partner systems only; a new secret',
  'POST /api/v1/webhook-subscriptions/:id/deliveries/:deliveryId/_resend': "a delivery's kind, status and times; no case data",
};

export interface WriteRequest {
  path: string;
  body?: object;
}

/** What one run gives a request builder: the viewer, a number to vary the request by, and a fresh case. */
export interface WriteRun {
  f: FullFixture;
  viewer: Viewer;
  pick<T>(options: readonly T[]): T;
  /** One fresh case holding every category, made on first use in the run. */
  scratch(): Promise<{ id: string; reference: string; vNumber: string }>;
}

const orgOf = (w: WriteRun, type: MemberOrganisationType) => w.f.table.organisations[type]!;
const measureOfAnyCategory = (w: WriteRun) => {
  const type = measureType(w.pick(['area_ban', 'zsm_settlement', 'detention_for_removal', 'priority_handling', 'intensive_guidance']))!;
  return { type: type.code, imposingOrganisationId: orgOf(w, type.imposedBy[0]), note: probe(type.category, `write-${type.code}`) };
};
/** An open action of the case agreed at an earlier meeting, owned by `organisationId`. */
const earlierAction = async (w: WriteRun, caseId: string, organisationId: string) => {
  const { id } = await givenAction(w.f.t.dataSource, caseId, organisationId, { dueDate: dateIn(3), description: probe('deliberation', 'write-action') });
  await w.f.t.dataSource.query(`UPDATE action SET created_at = now() - interval '10 days' WHERE id = $1`, [id]);
  return id;
};

/** The track addressed to the viewer's organisation type, if any; else one addressed to another. */
const trackFor = (w: WriteRun): EscalationTrack =>
  (Object.entries(ESCALATION_TRACKS).find(([, target]) => target === w.viewer.type)?.[0] as EscalationTrack | undefined) ?? 'chain_marine';
/** An escalation of the run's fresh case in `status`, with the table's reason and its proposal in the history. */
const escalationIn = async (w: WriteRun, status: 'proposed' | 'requested' | 'accepted', track: EscalationTrack = 'htl_placement') => {
  const ds = w.f.t.dataSource;
  const [row] = await ds.query(
    `INSERT INTO escalation (case_id, track, target_organisation_type, requested_by_organisation_id, status, reason, response_due_date)
     VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $5 = 'proposed' THEN NULL ELSE current_date + 5 END) RETURNING id`,
    [(await w.scratch()).id, track, ESCALATION_TRACKS[track], orgOf(w, 'COA'), status, probe('deliberation', 'write-escalation-reason')],
  );
  await ds.query(`INSERT INTO escalation_event (escalation_id, to_status, reason, actor_kind, actor_organisation_id) VALUES ($1, 'proposed', $2, 'user', $3)`, [
    row.id,
    probe('deliberation', 'write-escalation-history'),
    orgOf(w, 'COA'),
  ]);
  return row.id as string;
};

/**
 * Write routes that answer with case data, each with a request that works for an authorised viewer (the
 * chair, for routes only the chair may call). Run in this order in every run; the transfer moves the
 * run's fresh case away, so it comes last.
 */
export const WRITES: Record<string, (w: WriteRun) => Promise<WriteRequest>> = {
  'POST /api/v1/tables/:tableId/cases': async (w) => ({
    path: `/tables/${w.f.table.id}/cases`,
    body: { vNumber: w.f.probes.addIdentity(randomVNumber()), familyName: probe('identity', 'write-family') },
  }),
  'PATCH /api/v1/cases/:id': async (w) => ({
    path: `/cases/${(await w.scratch()).id}`,
    body: w.pick([
      { riskLevel: 'high' },
      { careNotes: probe('care', 'write') },
      { procedureStage: probe('procedure', 'write') },
      { receptionLocation: probe('residence', 'write') },
      { familyName: probe('identity', 'write') },
    ]),
  }),
  'POST /api/v1/cases/:id/status-changes': async (w) => ({ path: `/cases/${(await w.scratch()).id}/status-changes`, body: { status: 'monitoring', reason: probe('deliberation', 'write-status') } }),
  'POST /api/v1/cases/:id/strategies': async (w) => ({ path: `/cases/${(await w.scratch()).id}/strategies`, body: { kind: 'other', text: probe('deliberation', 'write-strategy') } }),
  'POST /api/v1/cases/:id/deadlines': async (w) => {
    const [kind, category] = w.pick([['departure_period_end', 'return'], ['procedure_decision', 'procedure'], ['other', 'deliberation']] as const);
    return { path: `/cases/${(await w.scratch()).id}/deadlines`, body: { kind, dueDate: dateIn(9), note: probe(category, 'write-deadline') } };
  },
  'POST /api/v1/cases/:caseId/incidents': async (w) => ({
    path: `/cases/${(await w.scratch()).id}/incidents`,
    body: w.pick([
      { kind: 'violence', classification: 'offence', severity: 'severe', occurredAt: new Date().toISOString(), description: probe('criminal', 'write') },
      { kind: 'house_rule_breach', classification: 'nuisance', severity: 'minor', occurredAt: new Date().toISOString(), description: probe('incidents', 'write') },
    ]),
  }),
  'POST /api/v1/incidents': async (w) => ({
    path: '/incidents',
    body: {
      caseReference: (await w.scratch()).reference,
      externalReference: `PUSH-${randomVNumber()}`,
      ...w.pick([
        { kind: 'violence', classification: 'offence', severity: 'serious', occurredAt: new Date().toISOString(), place: probe('criminal', 'push') },
        { kind: 'house_rule_breach', classification: 'nuisance', severity: 'minor', occurredAt: new Date().toISOString(), place: probe('incidents', 'push') },
      ]),
    },
  }),
  'POST /api/v1/cases/:caseId/measures': async (w) => ({ path: `/cases/${(await w.scratch()).id}/measures`, body: { ...measureOfAnyCategory(w), startsAt: new Date().toISOString() } }),
  'PATCH /api/v1/measures/:id': async (w) => {
    // Only the imposing organisation changes a measure: record one of the viewer's own, planned.
    const type = measureType(w.pick(['area_ban', 'zsm_settlement', 'detention_for_removal', 'priority_handling']))!;
    const [row] = await w.f.t.dataSource.query(
      `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status, note)
       VALUES ($1, $2, $3, $4, now() + interval '1 day', 'planned', $5) RETURNING id`,
      [(await w.scratch()).id, type.code, w.viewer.organisationId, type.legalBasis, probe(type.category, 'write-planned')],
    );
    return { path: `/measures/${row.id}`, body: { status: 'active' } };
  },
  'POST /api/v1/subjects/_search': async (w) => ({ path: '/subjects/_search', body: { vNumber: w.f.vNumber } }),
  'POST /api/v1/tables/:tableId/nominations': async (w) => ({
    path: `/tables/${w.f.table.id}/nominations`,
    body: { caseId: (await w.scratch()).id, reasonCode: 'new_information', reasonText: probe('deliberation', 'write-nomination') },
  }),
  'POST /api/v1/tables/:tableId/lists': async (w) => ({
    path: `/tables/${w.f.table.id}/lists`,
    body: {
      kind: w.pick(['dtv_caseload', 'coa_residents', 'top_x', 'intake_transfer_outflow']),
      lines: [
        { vNumber: w.f.vNumber, note: probe('deliberation', 'write-list') },
        { vNumber: w.f.probes.addIdentity(randomVNumber()), familyName: probe('identity', 'write-list') },
      ],
    },
  }),
  'POST /api/v1/meetings/:id/agenda-items': async (w) => ({
    path: `/meetings/${w.f.meetings.published}/agenda-items`,
    body: { caseId: (await w.scratch()).id, reasons: [{ code: 'new_information', detail: probe('deliberation', 'write-item') }] },
  }),
  'PATCH /api/v1/agenda-items/:id': async (w) => ({
    // The main case's item: its drafted reasons (criminal among them) come back with the chair's.
    path: `/agenda-items/${w.f.caseItems.published}`,
    body: { reasons: [{ code: 'progress_stalled', detail: probe('deliberation', 'write-reason') }] },
  }),
  'PUT /api/v1/meetings/:id/attendance': async (w) => ({
    path: `/meetings/${w.f.meetings.session}/attendance`,
    body: { organisations: MEMBER_ORGANISATION_TYPES.map((type) => ({ organisationId: orgOf(w, type), present: true, note: probe('deliberation', `write-attendance-${type}`) })) },
  }),
  'PUT /api/v1/agenda-items/:id/decision': async (w) => ({
    path: `/agenda-items/${w.f.caseItems.session}/decision`,
    body: { decisionText: probe('deliberation', 'write-decision'), outcome: 'discussed', strategy: { kind: 'nuisance', text: probe('deliberation', 'write-session-strategy') } },
  }),
  'POST /api/v1/agenda-items/:id/actions': async (w) => ({
    path: `/agenda-items/${w.f.caseItems.session}/actions`,
    body: { ownerOrganisationId: w.viewer.organisationId, description: probe('deliberation', 'write-agreed'), dueDate: dateIn(5) },
  }),
  'POST /api/v1/agenda-items/:id/measures': async (w) => ({ path: `/agenda-items/${w.f.caseItems.session}/measures`, body: { ...measureOfAnyCategory(w), startsAt: new Date().toISOString() } }),
  'POST /api/v1/agenda-items/:id/escalations': async (w) => ({
    path: `/agenda-items/${w.f.caseItems.session}/escalations`,
    body: { track: w.pick(['ind_priority', 'htl_placement', 'ttov_referral', 'top_x', 'chain_marine']), reason: probe('deliberation', 'write-escalation') },
  }),
  'POST /api/v1/agenda-items/:id/action-reviews': async (w) => {
    const actionId = await earlierAction(w, w.f.caseId, orgOf(w, 'POLICE'));
    const outcome = w.pick(['done', 'replanned', 'cancelled_circumstances', 'not_acted_on'] as const);
    return {
      path: `/agenda-items/${w.f.caseItems.session}/action-reviews`,
      body: { actionId, outcome, reason: probe('deliberation', 'write-review'), ...(outcome === 'replanned' ? { newDueDate: dateIn(12) } : {}) },
    };
  },
  'POST /api/v1/meetings/:id/_close': async (w) => {
    // A meeting in session holding the published agenda's items (their drafted reasons) and the fresh case,
    // whose measures were recorded during the session.
    const ds = w.f.t.dataSource;
    const [meeting] = await ds.query(
      `INSERT INTO meeting (table_id, scheduled_at, status, agenda_published_at, opened_at)
       VALUES ($1, now() - interval '2 hours', 'in_session', now() - interval '1 day', now() - interval '1 hour') RETURNING id`,
      [w.f.table.id],
    );
    await ds.query(
      `INSERT INTO agenda_item (meeting_id, position, case_id, topic, reasons, decision_text, outcome)
       SELECT $1, i.position, i.case_id, i.topic, i.reasons, $3, 'discussed'
         FROM agenda_item i LEFT JOIN case_file c ON c.id = i.case_id
        WHERE i.meeting_id = $2 AND (i.case_id IS NULL OR c.table_id = $4)`,
      [meeting.id, w.f.meetings.published, probe('deliberation', 'write-close-decision'), w.f.table.id],
    );
    const scratch = await w.scratch();
    await ds.query(
      `INSERT INTO agenda_item (meeting_id, position, case_id, reasons) VALUES ($1, 1000, $2, $3) ON CONFLICT DO NOTHING`,
      [meeting.id, scratch.id, JSON.stringify([{ code: 'severe_incident', detail: 'violence', category: 'criminal', origin: 'draft' }])],
    );
    await ds.query(
      `INSERT INTO attendance (meeting_id, organisation_id, present, note) SELECT $1, organisation_id, true, $3 FROM table_member_organisation WHERE table_id = $2`,
      [meeting.id, w.f.table.id, probe('deliberation', 'write-close-attendance')],
    );
    return { path: `/meetings/${meeting.id}/_close` };
  },
  'POST /api/v1/meetings/:id/minutes/addenda': async (w) => ({ path: `/meetings/${w.f.meetings.closed}/minutes/addenda`, body: { text: probe('deliberation', 'write-addendum') } }),
  'POST /api/v1/actions/:id/_complete': async (w) => ({
    path: `/actions/${await earlierAction(w, w.f.caseId, w.viewer.organisationId)}/_complete`,
    body: { resultNote: probe('deliberation', 'write-result') },
  }),
  'POST /api/v1/actions/:id/_replan': async (w) => ({
    path: `/actions/${await earlierAction(w, w.f.caseId, w.viewer.organisationId)}/_replan`,
    body: { proposedDueDate: dateIn(20), reason: probe('deliberation', 'write-replan') },
  }),
  'POST /api/v1/escalations/:id/_request': async (w) => ({ path: `/escalations/${await escalationIn(w, 'proposed')}/_request`, body: { reason: probe('deliberation', 'write-request') } }),
  'POST /api/v1/escalations/:id/_withdraw': async (w) => ({
    path: `/escalations/${await escalationIn(w, w.pick(['proposed', 'requested', 'accepted'] as const))}/_withdraw`,
    body: { reason: probe('deliberation', 'write-withdraw') },
  }),
  // Answered by the viewer's organisation where a track targets its type; for the others the refusal is walked.
  'POST /api/v1/escalations/:id/_accept': async (w) => ({ path: `/escalations/${await escalationIn(w, 'requested', trackFor(w))}/_accept`, body: { reason: probe('deliberation', 'write-accept') } }),
  'POST /api/v1/escalations/:id/_reject': async (w) => ({ path: `/escalations/${await escalationIn(w, 'requested', trackFor(w))}/_reject`, body: { reason: probe('deliberation', 'write-reject') } }),
  'POST /api/v1/escalations/:id/_complete': async (w) => ({ path: `/escalations/${await escalationIn(w, 'accepted', trackFor(w))}/_complete`, body: { reason: probe('deliberation', 'write-complete') } }),
  'POST /api/v1/cases/:caseId/ind-decisions': async (w) => ({
    path: `/cases/${(await w.scratch()).id}/ind-decisions`,
    body: { outcome: w.pick(['negative', 'positive']), decidedOn: dateIn(-w.pick([0, 1, 2, 3])) },
  }),
  // A notice about the main case's overdue action in the viewer's own inbox, as the consumers write them.
  'POST /api/v1/inbox/:id/_read': async (w) => {
    const [row] = await w.f.t.dataSource.query(
      `INSERT INTO notification (recipient_user_id, cause, kind, table_id, case_id, case_reference, resource_type, resource_id, link)
       VALUES ($1, $2, 'action_assigned', $3, $4, $5, 'action', $6::uuid, '/api/v1/actions/' || $6::text) RETURNING id`,
      [w.viewer.member.id, `walk:${randomVNumber()}`, w.f.table.id, w.f.caseId, w.f.caseReference, w.f.actionIds[0]],
    );
    return { path: `/inbox/${row.id}/_read` };
  },
  'POST /api/v1/cases/:id/transfers': async (w) => ({ path: `/cases/${(await w.scratch()).id}/transfers`, body: { toTableId: w.f.otherTable.id, reason: probe('residence', 'write-transfer') } }),
};

// --- resolving path parameters ---------------------------------------------------------------------

export interface Binding {
  label: string;
  value: string;
}
type Resolver = (f: FullFixture, viewer: Viewer) => Binding[];

const each = (name: string, ids: string[]): Binding[] => ids.map((value, i) => ({ label: `${name}#${i + 1}`, value }));
const one = (name: string, value: string): Binding[] => [{ label: name, value }];

/**
 * Fixture values by the resource a path segment names (`/cases/:id` → case, `/calendar-feeds/:token` →
 * calendar-feed.token). Resources no route has yet are here too, so that a new route about them is walked.
 */
export const RESOURCES: Record<string, Resolver> = {
  table: (f) => one('table', f.table.id),
  case: (f) => [...one('case', f.caseId), ...one('list-case', f.listCaseId)],
  subject: (f) => each('subject', f.subjectIds),
  meeting: (f) => Object.entries(f.meetings).map(([name, value]) => ({ label: `meeting=${name}`, value })),
  'agenda-item': (f) => [...Object.entries(f.caseItems).map(([name, value]) => ({ label: `item=${name}`, value })), ...each('topic-item', f.topicItems.slice(0, 2))],
  incident: (f) => Object.entries(f.incidents).map(([name, value]) => ({ label: `incident=${name}`, value })),
  measure: (f) => each('measure', f.measureIds.slice(0, 6)),
  action: (f) => each('action', f.actionIds.slice(0, 4)),
  escalation: (f) => each('escalation', f.escalationIds),
  nomination: (f) => each('nomination', f.nominationIds.slice(0, 2)),
  list: (f) => each('list-import', f.listImportIds),
  'list-import': (f) => each('list-import', f.listImportIds),
  deadline: (f) => each('deadline', f.deadlineIds),
  strategy: (f) => each('strategy', f.strategyIds),
  organisation: (_, v) => one('own-organisation', v.organisationId),
  'member-organisation': (_, v) => one('own-organisation', v.organisationId),
  membership: (_, v) => one('own-membership', v.membershipId),
  'calendar-feed': (_, v) => each('feed', v.feedIds),
  'calendar-feed.token': (_, v) => Object.entries(v.feedTokens).map(([kind, value]) => ({ label: `feed=${kind}`, value })),
  // The fixture's table is in Harderwijk; its municipality organisation is Harderwijk's (set by the walks).
  'municipality.municipalityCode': () => one('municipality', 'GM0243'),
};

const singular = (segment: string) => (segment.endsWith('ies') ? `${segment.slice(0, -3)}y` : segment.replace(/s$/, ''));
const kebab = (name: string) => name.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);

/** The resource each path parameter names, in order. */
export function parameterResources(path: string): { param: string; resource: string }[] {
  const segments = path.split('/');
  return segments.flatMap((s, i) => {
    if (!s.startsWith(':')) return [];
    const name = s.slice(1);
    const previous = singular(segments[i - 1] ?? '');
    const resource = name === 'id' ? previous : name.endsWith('Id') ? kebab(name.slice(0, -2)) : `${previous}.${name}`;
    return [{ param: s, resource }];
  });
}

export const unresolved = (path: string) => parameterResources(path).filter((p) => !RESOURCES[p.resource]);

/** Every concrete path of a route for this viewer: the product of its parameters' fixture values. */
export function expand(path: string, f: FullFixture, viewer: Viewer): Binding[] {
  let paths: Binding[] = [{ label: '', value: path }];
  for (const { param, resource } of parameterResources(path)) {
    const values = RESOURCES[resource](f, viewer);
    paths = paths.flatMap((p) => values.map((v) => ({ label: [p.label, v.label].filter(Boolean).join(' '), value: p.value.replace(param, v.value) })));
  }
  return paths;
}
