import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { sha256 } from '../src/auth/token.service';
import { DEMO_PASSWORD } from '../src/db/demo-seed';
import { MEMBER_ORGANISATION_TYPES } from '../src/sharing/categories';
import { buildCallers, Caller, CALLERS, Callers, UserCaller, USER_CALLERS } from './support/callers';
import { givenAction, givenAgendaItem, givenCalendarFeed, givenCase, givenDeadline, givenEscalation, givenMeeting, givenMembership, givenOrganisation, givenSubject, givenUser, randomVNumber } from './support/factories';
import { ALL_GRANTS, buildFullFixture, dateIn, FullFixture } from './support/full-fixture';
import { collectRoutes, routeKey } from './support/routes';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

/**
 * The authorization matrix (issue 8, item 7): test/authorization-matrix.md says, for every registered route
 * and every kind of caller, which answer to expect. This test reads that file, fails when a route is missing
 * from it or a row names a route that does not exist, and calls every route as every caller with valid ids
 * of the full fixture and, for writes, a valid body (on fresh rows where the write would use a row up), so
 * that the answer is decided by who calls, not by what is sent. The observed matrix is written to
 * test/output/authorization-matrix.md, to diff against the file when a cell changes.
 */

const MATRIX_FILE = join(__dirname, 'authorization-matrix.md');
const API = '/api/v1';
/** The callers of the matrix, in the order of its columns. */
const COLUMNS = CALLERS.filter((c) => c !== 'partner:all');

interface Row {
  route: string;
  cells: Record<string, string>;
  line: number;
}

/** The table of the matrix file: one row per `| METHOD /path | cell | ... |` line, under a header naming the callers. */
function readMatrix(): { columns: string[]; rows: Row[] } {
  const lines = readFileSync(MATRIX_FILE, 'utf8').split('\n');
  const split = (l: string) => l.trim().replace(/^\||\|$/g, '').split('|').map((c) => c.trim());
  const headerAt = lines.findIndex((l) => /^\|\s*route\s*\|/.test(l));
  if (headerAt < 0) throw new Error(`${MATRIX_FILE}: no table header starting with "| route |"`);
  const columns = split(lines[headerAt]).slice(1);
  const rows: Row[] = [];
  lines.forEach((l, i) => {
    if (i <= headerAt + 1 || !l.trim().startsWith('|')) return;
    const [route, ...cells] = split(l);
    rows.push({ route, cells: Object.fromEntries(columns.map((c, j) => [c, cells[j] ?? ''])), line: i + 1 });
  });
  return { columns, rows };
}

/** A cell is an exact status (`404`) or a class (`2xx`, `4xx`). */
const matches = (cell: string, status: number) => (/^\dxx$/.test(cell) ? cell[0] === String(status)[0] : cell === String(status));
/** How the observed matrix writes a status: as the cell's class where the cell is a class it matches, else `2xx` or the exact status. */
const cellOf = (status: number, expected?: string) =>
  expected && /^\dxx$/.test(expected) && matches(expected, status) ? expected : status >= 200 && status < 300 ? '2xx' : String(status);

interface Request {
  method?: string;
  path: string;
  body?: object;
  /** Instead of the caller's own token (a fresh session of the same user, for routes that end sessions). */
  token?: string;
  headers?: Record<string, string>;
}

interface Call {
  f: FullFixture;
  callers: Callers;
  caller: Caller;
  /** The caller's organisation (the partner systems act for the police). */
  organisationId: string;
  /** The caller's account, for a user caller. */
  user?: Callers['users'][UserCaller];
}

const ds = (c: Call) => c.f.t.dataSource;
const unique = () => randomBytes(4).toString('hex');
const instantIn = (days: number) => new Date(Date.now() + days * 86_400_000).toISOString();

/** Does `path` as the table's chair, for setting up a row in the state a route needs. */
async function asChair(c: Call, method: 'post' | 'put', path: string, body?: object): Promise<void> {
  const res = await c.f.t.http()[method](`${API}${path}`).set(bearer(c.f.viewers.COA.chair.token)).send(body);
  if (res.status >= 300) throw new Error(`matrix setup: ${method.toUpperCase()} ${path} answered ${res.status}: ${res.text.slice(0, 300)}`);
}

/** A notification of the calling user (of the fixture's chair for anonymous callers and partner systems). */
async function scratchNotification(c: Call): Promise<string> {
  const [row] = await ds(c).query(
    `INSERT INTO notification (recipient_user_id, cause, kind) VALUES ($1, $2, 'agenda_published') RETURNING id`,
    [c.user?.id ?? c.f.viewers.COA.chair.id, `matrix:${unique()}`],
  );
  return row.id;
}

/** An escalation of a fresh case of the fixture's table on the COA ladder (target: the COA), in `status`. */
async function scratchEscalation(c: Call, status: 'proposed' | 'requested' | 'accepted'): Promise<string> {
  const { id } = await givenEscalation(ds(c), (await givenCase(ds(c), c.f.table)).id, c.f.table.organisations.COA!);
  if (status !== 'proposed') await ds(c).query(`UPDATE escalation SET status = $2, response_due_date = current_date + 7 WHERE id = $1`, [id, status]);
  return id;
}

/** A meeting of the fixture's table next week, brought to `state` (drafted agenda, published, in session, closed). */
async function meeting(c: Call, state: 'planned' | 'drafted' | 'published' | 'in_session' | 'closed', withCase = false): Promise<{ id: string; caseItem?: string }> {
  const { id } = await givenMeeting(ds(c), c.f.table, { scheduledAt: new Date(Date.now() + (20 + Math.random() * 300) * 86_400_000) });
  if (state === 'planned') return { id };
  await asChair(c, 'post', `/meetings/${id}/agenda/_draft`);
  // After the draft, which assembles the agenda afresh.
  const caseItem = withCase ? (await givenAgendaItem(ds(c), id, { caseId: (await givenCase(ds(c), c.f.table)).id })).id : undefined;
  if (state === 'drafted') return { id, caseItem };
  await asChair(c, 'post', `/meetings/${id}/agenda/_publish`);
  if (state === 'published') return { id, caseItem };
  await asChair(c, 'post', `/meetings/${id}/_open`);
  if (state === 'in_session') return { id, caseItem };
  await asChair(c, 'post', `/meetings/${id}/_close`);
  return { id, caseItem };
}

/** A fresh session of the caller's own account (routes that end sessions must not end the caller's). */
const freshSession = async (c: Call) => (c.user && c.caller !== 'disabled' ? (await login(c.f.t, c.user.email)).accessToken : undefined);

/**
 * A request per route that an authorised caller gets a 2xx for. Routes that use a row up (a status change, a
 * transfer, a deletion) get a fresh row per call, so that every cell is independent of the others.
 */
const REQUESTS: Record<string, (c: Call) => Promise<Request>> = {
  'POST /api/v1/auth/login': async (c) => ({ path: '/auth/login', body: { email: (await givenUser(ds(c), c.f.table.organisations.IND!)).email, password: DEMO_PASSWORD } }),
  'POST /api/v1/auth/refresh': async (c) => ({ path: '/auth/refresh', body: { refreshToken: (await login(c.f.t, (await givenUser(ds(c), c.f.table.organisations.IND!)).email)).refreshToken } }),
  'POST /api/v1/auth/logout': async (c) => ({ path: '/auth/logout', token: await freshSession(c) }),
  'GET /api/v1/auth/me': async () => ({ path: '/auth/me' }),
  // Setting the same password again: the account keeps working for the routes after this one.
  'POST /api/v1/auth/change-password': async (c) => ({ path: '/auth/change-password', token: await freshSession(c), body: { currentPassword: DEMO_PASSWORD, newPassword: DEMO_PASSWORD } }),
  'POST /api/v1/auth/accept-invitation': async (c) => {
    const invite = randomBytes(32).toString('base64url');
    const user = await givenUser(ds(c), c.f.table.organisations.IND!);
    await ds(c).query(`UPDATE app_user SET password_hash = NULL, invite_token_hash = $2, invite_expires_at = now() + interval '1 day' WHERE id = $1`, [user.id, sha256(invite)]);
    return { path: '/auth/accept-invitation', body: { inviteToken: invite, password: 'Een-nieuw-wachtwoord-2026' } };
  },
  'POST /api/v1/oauth/token': async (c) => {
    const res = await c.f.t.http().post(`${API}/api-clients`).set(bearer(c.callers.tokens.admin!)).send({ organisationId: c.callers.partnerOrganisationId, name: `Matrix ${unique()}`, scopes: [] });
    return { path: '/oauth/token', body: { grant_type: 'client_credentials', client_id: res.body.clientId, client_secret: res.body.clientSecret } };
  },
  'POST /api/v1/api-clients': async (c) => ({ path: '/api-clients', body: { organisationId: c.callers.partnerOrganisationId, name: `Matrix ${unique()}`, scopes: ['actions:read'] } }),
  'GET /api/v1/api-clients': async () => ({ path: '/api-clients' }),
  'GET /api/v1/api-clients/:id': async (c) => ({ path: `/api-clients/${await scratchClient(c)}` }),
  'PATCH /api/v1/api-clients/:id': async (c) => ({ path: `/api-clients/${await scratchClient(c)}`, body: { name: `Matrix ${unique()}` } }),
  'POST /api/v1/api-clients/:id/_rotate': async (c) => ({ path: `/api-clients/${await scratchClient(c)}/_rotate` }),
  'POST /api/v1/organisations': async () => ({ path: '/organisations', body: { type: 'KMAR', name: `KMar ${unique()}` } }),
  'GET /api/v1/organisations': async () => ({ path: '/organisations' }),
  'GET /api/v1/organisations/:id': async (c) => ({ path: `/organisations/${c.f.table.organisations.POLICE}` }),
  'PATCH /api/v1/organisations/:id': async (c) => ({ path: `/organisations/${await givenOrganisation(ds(c), 'KMAR')}`, body: { name: `KMar ${unique()}` } }),
  'POST /api/v1/users': async (c) => ({ path: '/users', body: { organisationId: c.f.table.organisations.IND, name: 'Nieuwe collega', email: `new-${unique()}@test.example` } }),
  'GET /api/v1/users': async () => ({ path: '/users' }),
  'GET /api/v1/users/:id': async (c) => ({ path: `/users/${c.f.viewers.IND.member.id}` }),
  'PATCH /api/v1/users/:id': async (c) => ({ path: `/users/${(await givenUser(ds(c), c.f.table.organisations.IND!)).id}`, body: { name: 'Hernoemd' } }),
  'POST /api/v1/tables': async (c) => ({
    path: '/tables',
    body: {
      name: `LKO ${unique()}`,
      coaLocation: 'azc Test',
      municipalityCode: 'GM0243',
      cadenceRrule: 'FREQ=WEEKLY;BYDAY=TU;BYHOUR=10;BYMINUTE=0',
      caseReferencePrefix: Array.from(randomBytes(6), (b) => String.fromCharCode(65 + (b % 26))).join(''),
      memberOrganisationIds: [c.f.table.organisations.COA, c.f.table.organisations.POLICE],
    },
  }),
  'GET /api/v1/tables': async () => ({ path: '/tables' }),
  'GET /api/v1/tables/:id': async (c) => ({ path: `/tables/${c.f.table.id}` }),
  'PATCH /api/v1/tables/:id': async (c) => ({ path: `/tables/${c.f.table.id}`, body: { coaLocation: 'azc Test' } }),
  'POST /api/v1/tables/:id/member-organisations': async (c) => ({ path: `/tables/${c.f.table.id}/member-organisations`, body: { organisationId: await givenOrganisation(ds(c), 'DJI') } }),
  'DELETE /api/v1/tables/:id/member-organisations/:organisationId': async (c) => {
    const org = await givenOrganisation(ds(c), 'DJI');
    await ds(c).query(`INSERT INTO table_member_organisation (table_id, organisation_id) VALUES ($1, $2)`, [c.f.table.id, org]);
    return { path: `/tables/${c.f.table.id}/member-organisations/${org}` };
  },
  'GET /api/v1/tables/:id/memberships': async (c) => ({ path: `/tables/${c.f.table.id}/memberships` }),
  'POST /api/v1/tables/:id/memberships': async (c) => ({ path: `/tables/${c.f.table.id}/memberships`, body: { userId: (await givenUser(ds(c), c.f.table.organisations.IND!)).id, role: 'member' } }),
  'PATCH /api/v1/tables/:id/memberships/:membershipId': async (c) => ({ path: `/tables/${c.f.table.id}/memberships/${await scratchMembership(c)}`, body: { role: 'member' } }),
  'DELETE /api/v1/tables/:id/memberships/:membershipId': async (c) => ({ path: `/tables/${c.f.table.id}/memberships/${await scratchMembership(c)}` }),
  'GET /api/v1/tables/:id/covenant': async (c) => ({ path: `/tables/${c.f.table.id}/covenant` }),
  'GET /api/v1/tables/:id/covenant/versions': async (c) => ({ path: `/tables/${c.f.table.id}/covenant/versions` }),
  // The same grants again: a new version that changes nothing the other cells depend on.
  'PUT /api/v1/tables/:id/covenant': async (c) => ({ method: 'PUT', path: `/tables/${c.f.table.id}/covenant`, body: { changeNote: 'Matrix', grants: ALL_GRANTS } }),
  'GET /api/v1/tables/:id/processing-activities': async (c) => ({ path: `/tables/${c.f.table.id}/processing-activities` }),
  'GET /api/v1/processing-register': async () => ({ path: '/processing-register' }),
  'POST /api/v1/tables/:tableId/cases': async (c) => ({ path: `/tables/${c.f.table.id}/cases`, body: { vNumber: randomVNumber() } }),
  'GET /api/v1/tables/:tableId/cases': async (c) => ({ path: `/tables/${c.f.table.id}/cases` }),
  'GET /api/v1/cases/:id': async (c) => ({ path: `/cases/${c.f.caseId}` }),
  'PATCH /api/v1/cases/:id': async (c) => ({ path: `/cases/${c.f.caseId}`, body: { riskLevel: 'high' } }),
  'POST /api/v1/cases/:id/status-changes': async (c) => ({ path: `/cases/${(await givenCase(ds(c), c.f.table)).id}/status-changes`, body: { status: 'monitoring', reason: 'Rustiger' } }),
  'POST /api/v1/cases/:id/strategies': async (c) => ({ path: `/cases/${c.f.caseId}/strategies`, body: { kind: 'other', text: 'Aanpak' } }),
  'GET /api/v1/cases/:id/strategies': async (c) => ({ path: `/cases/${c.f.caseId}/strategies` }),
  'POST /api/v1/cases/:id/deadlines': async (c) => ({ path: `/cases/${c.f.caseId}/deadlines`, body: { kind: 'other', dueDate: dateIn(20) } }),
  'DELETE /api/v1/cases/:id/deadlines/:deadlineId': async (c) => ({ path: `/cases/${c.f.caseId}/deadlines/${(await givenDeadline(ds(c), c.f.caseId)).id}` }),
  'POST /api/v1/cases/:id/transfers': async (c) => ({ path: `/cases/${(await givenCase(ds(c), c.f.table)).id}/transfers`, body: { toTableId: c.f.otherTable.id, reason: 'Verhuisd' } }),
  'POST /api/v1/subjects/_search': async (c) => ({ path: '/subjects/_search', body: { vNumber: c.f.vNumber } }),
  'POST /api/v1/cases/:caseId/incidents': async (c) => ({
    path: `/cases/${c.f.caseId}/incidents`,
    body: { kind: 'house_rule_breach', classification: 'nuisance', severity: 'minor', occurredAt: instantIn(-1) },
  }),
  'GET /api/v1/cases/:caseId/incidents': async (c) => ({ path: `/cases/${c.f.caseId}/incidents` }),
  'GET /api/v1/incidents/:id': async (c) => ({ path: `/incidents/${c.f.incidents.nuisance}` }),
  'POST /api/v1/incidents': async (c) => ({
    path: '/incidents',
    body: {
      caseReference: c.f.caseReference,
      externalReference: `BVH-${unique()}`,
      kind: 'threat',
      classification: 'nuisance',
      severity: 'minor',
      occurredAt: instantIn(-1),
    },
  }),
  'GET /api/v1/measure-types': async () => ({ path: '/measure-types' }),
  'POST /api/v1/cases/:caseId/measures': async (c) => ({
    path: `/cases/${c.f.caseId}/measures`,
    body: { type: 'area_ban', startsAt: instantIn(1), imposingOrganisationId: c.f.table.organisations.MUNICIPALITY },
  }),
  'GET /api/v1/cases/:caseId/measures': async (c) => ({ path: `/cases/${c.f.caseId}/measures` }),
  // Only the imposing organisation changes a measure: one of the caller's own organisation.
  'PATCH /api/v1/measures/:id': async (c) => {
    const [row] = await ds(c).query(
      `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status) VALUES ($1, 'intensive_guidance', $2, 'Test', now() + interval '1 day', 'planned') RETURNING id`,
      [c.f.caseId, c.organisationId],
    );
    return { path: `/measures/${row.id}`, body: { status: 'active' } };
  },
  'POST /api/v1/privacy/processing-log/_search': async () => ({ path: '/privacy/processing-log/_search', body: {} }),
  'GET /api/v1/privacy/audit-log': async () => ({ path: '/privacy/audit-log' }),
  'GET /api/v1/privacy/logs/_verify': async () => ({ path: '/privacy/logs/_verify' }),
  'GET /api/v1/privacy/tables/:id/access-review': async (c) => ({ path: `/privacy/tables/${c.f.table.id}/access-review` }),
  'GET /api/v1/privacy/tables/:id/refused-attempts': async (c) => ({ path: `/privacy/tables/${c.f.table.id}/refused-attempts` }),
  'POST /api/v1/tables/:tableId/meetings/_generate': async (c) => ({ path: `/tables/${c.f.table.id}/meetings/_generate`, body: { weeks: 1 } }),
  'GET /api/v1/tables/:tableId/meetings': async (c) => ({ path: `/tables/${c.f.table.id}/meetings` }),
  'POST /api/v1/tables/:tableId/meetings': async (c) => ({ path: `/tables/${c.f.table.id}/meetings`, body: { scheduledAt: instantIn(40 + Math.random() * 300), location: 'azc Test' } }),
  'GET /api/v1/meetings/:id': async (c) => ({ path: `/meetings/${c.f.meetings.published}` }),
  'PATCH /api/v1/meetings/:id': async (c) => ({ path: `/meetings/${(await meeting(c, 'planned')).id}`, body: { location: 'azc Test, zaal 2' } }),
  'POST /api/v1/meetings/:id/_cancel': async (c) => ({ path: `/meetings/${(await meeting(c, 'planned')).id}/_cancel`, body: { reason: 'Feestdag' } }),
  'POST /api/v1/tables/:tableId/nominations': async (c) => ({
    path: `/tables/${c.f.table.id}/nominations`,
    body: { caseId: (await givenCase(ds(c), c.f.table)).id, reasonCode: 'new_information', meetingId: c.f.meetings.planned },
  }),
  'GET /api/v1/meetings/:id/nominations': async (c) => ({ path: `/meetings/${c.f.meetings.planned}/nominations` }),
  'POST /api/v1/tables/:tableId/lists': async (c) => ({ path: `/tables/${c.f.table.id}/lists`, body: { kind: 'top_x', lines: [{ vNumber: randomVNumber() }] } }),
  'POST /api/v1/meetings/:id/agenda/_draft': async (c) => ({ path: `/meetings/${(await meeting(c, 'planned')).id}/agenda/_draft` }),
  'GET /api/v1/meetings/:id/agenda': async (c) => ({ path: `/meetings/${c.f.meetings.published}/agenda` }),
  'POST /api/v1/meetings/:id/agenda-items': async (c) => ({ path: `/meetings/${(await meeting(c, 'drafted')).id}/agenda-items`, body: { topic: 'Samenwerking', reasons: [{ code: 'cooperation' }] } }),
  'PUT /api/v1/meetings/:id/agenda-items/order': async (c) => {
    const { id } = await meeting(c, 'drafted');
    for (const topic of ['Eén', 'Twee']) await givenAgendaItem(ds(c), id, { topic });
    const items: { id: string }[] = await ds(c).query(`SELECT id FROM agenda_item WHERE meeting_id = $1 ORDER BY position DESC`, [id]);
    return { method: 'PUT', path: `/meetings/${id}/agenda-items/order`, body: { itemIds: items.map((r) => r.id) } };
  },
  'PATCH /api/v1/agenda-items/:id': async (c) => ({ path: `/agenda-items/${(await givenAgendaItem(ds(c), (await meeting(c, 'drafted')).id, { topic: 'Onderwerp' })).id}`, body: { topic: 'Ander onderwerp' } }),
  'DELETE /api/v1/agenda-items/:id': async (c) => ({ path: `/agenda-items/${(await givenAgendaItem(ds(c), (await meeting(c, 'drafted')).id, { topic: 'Onderwerp' })).id}` }),
  'POST /api/v1/meetings/:id/agenda/_publish': async (c) => ({ path: `/meetings/${(await meeting(c, 'drafted')).id}/agenda/_publish` }),
  'POST /api/v1/meetings/:id/_open': async (c) => ({ path: `/meetings/${(await meeting(c, 'published')).id}/_open` }),
  'PUT /api/v1/meetings/:id/attendance': async (c) => ({
    method: 'PUT',
    path: `/meetings/${(await meeting(c, 'in_session')).id}/attendance`,
    body: { organisations: MEMBER_ORGANISATION_TYPES.map((type) => ({ organisationId: c.f.table.organisations[type], present: true })) },
  }),
  'GET /api/v1/meetings/:id/attendance': async (c) => ({ path: `/meetings/${c.f.meetings.session}/attendance` }),
  'GET /api/v1/meetings/:id/session': async (c) => ({ path: `/meetings/${c.f.meetings.session}/session` }),
  'PUT /api/v1/agenda-items/:id/decision': async (c) => ({ method: 'PUT', path: `/agenda-items/${(await meeting(c, 'in_session', true)).caseItem}/decision`, body: { decisionText: 'Besproken', outcome: 'discussed' } }),
  'POST /api/v1/agenda-items/:id/actions': async (c) => ({
    path: `/agenda-items/${c.f.caseItems.session}/actions`,
    body: { ownerOrganisationId: c.f.table.organisations.POLICE, description: 'Gesprek voeren', dueDate: dateIn(7) },
  }),
  'POST /api/v1/agenda-items/:id/measures': async (c) => ({
    path: `/agenda-items/${c.f.caseItems.session}/measures`,
    body: { type: 'area_ban', startsAt: instantIn(1), imposingOrganisationId: c.f.table.organisations.MUNICIPALITY },
  }),
  // Escalations between meetings: a fresh one per call, in the state the transition starts from. The track is
  // the COA ladder, so the chair (COA) is its target organisation and the police member and partners are not.
  'GET /api/v1/escalations': async () => ({ path: '/escalations' }),
  'GET /api/v1/escalations/:id': async (c) => ({ path: `/escalations/${c.f.escalationIds[0]}` }),
  'POST /api/v1/escalations/:id/_request': async (c) => ({ path: `/escalations/${await scratchEscalation(c, 'proposed')}/_request`, body: { reason: 'Voorstel overgenomen' } }),
  'POST /api/v1/escalations/:id/_withdraw': async (c) => ({ path: `/escalations/${await scratchEscalation(c, 'requested')}/_withdraw`, body: { reason: 'Niet meer nodig' } }),
  'POST /api/v1/escalations/:id/_accept': async (c) => ({ path: `/escalations/${await scratchEscalation(c, 'requested')}/_accept`, body: { reason: 'Wij pakken het op' } }),
  'POST /api/v1/escalations/:id/_reject': async (c) => ({ path: `/escalations/${await scratchEscalation(c, 'requested')}/_reject`, body: { reason: 'Geen grond' } }),
  'POST /api/v1/escalations/:id/_complete': async (c) => ({ path: `/escalations/${await scratchEscalation(c, 'accepted')}/_complete`, body: { reason: 'Afgerond' } }),
  'GET /api/v1/tables/:id/escalation-rules': async (c) => ({ path: `/tables/${c.f.table.id}/escalation-rules` }),
  'PUT /api/v1/tables/:id/escalation-rules': async (c) => ({
    method: 'PUT',
    path: `/tables/${c.f.table.id}/escalation-rules`,
    body: { rules: [{ kind: 'severe_incident', track: 'htl_placement' }, { kind: 'incident_count', track: 'coa_ladder', threshold: 3, windowDays: 30 }] },
  }),
  'GET /api/v1/tables/:id/escalation-settings': async (c) => ({ path: `/tables/${c.f.table.id}/escalation-settings` }),
  'PUT /api/v1/tables/:id/escalation-settings': async (c) => ({
    method: 'PUT',
    path: `/tables/${c.f.table.id}/escalation-settings`,
    body: { responseWorkingDays: [{ track: 'ind_priority', workingDays: 5 }], departureInterview: { enabled: true, workingDays: 2 } },
  }),
  // The public contact card the fixture's table publishes (test/support/full-fixture.ts), read by anyone alike.
  'GET /api/v1/tables/:id/contact-card': async (c) => ({ path: `/tables/${c.f.table.id}/contact-card` }),
  'PUT /api/v1/tables/:id/contact-card': async (c) => ({
    method: 'PUT',
    path: `/tables/${c.f.table.id}/contact-card`,
    body: { heading: 'Meldkaart', contactPoints: [{ kind: 'police', serviceName: 'Politie, basisteam', phone: '0900-8844', url: 'https://www.politie.nl' }] },
  }),
  'GET /api/v1/tables/:id/reminder-settings': async (c) => ({ path: `/tables/${c.f.table.id}/reminder-settings` }),
  'PUT /api/v1/tables/:id/reminder-settings': async (c) => ({
    method: 'PUT',
    path: `/tables/${c.f.table.id}/reminder-settings`,
    body: { actionDueReminderWorkingDays: 2, actionOverdueAlertWorkingDays: 5 },
  }),
  'GET /api/v1/cases/:caseId/ind-decisions': async (c) => ({ path: `/cases/${c.f.caseId}/ind-decisions` }),
  'POST /api/v1/cases/:caseId/ind-decisions': async (c) => ({ path: `/cases/${(await givenCase(ds(c), c.f.table)).id}/ind-decisions`, body: { outcome: 'positive', decidedOn: dateIn(-1) } }),
  'POST /api/v1/privacy/logs/_verify': async () => ({ path: '/privacy/logs/_verify', body: {} }),
  // Data-subject requests and legal holds: a fresh person or case per call (erasure and restriction use one up).
  'POST /api/v1/privacy/access-requests': async (c) => ({ path: '/privacy/access-requests', body: { vNumber: c.f.vNumber, reference: `AVG-M-${unique()}`, reason: 'Matrix' } }),
  'POST /api/v1/privacy/rectifications': async (c) => ({
    path: '/privacy/rectifications',
    body: { vNumber: (await givenSubject(ds(c))).vNumber, reference: `AVG-M-${unique()}`, reason: 'Matrix', familyName: 'Gerectificeerd' },
  }),
  'POST /api/v1/privacy/restrictions': async (c) => ({ path: '/privacy/restrictions', body: { vNumber: (await givenSubject(ds(c))).vNumber, reference: `AVG-M-${unique()}`, reason: 'Matrix' } }),
  'POST /api/v1/privacy/restrictions/_lift': async (c) => {
    const { id, vNumber } = await givenSubject(ds(c));
    await ds(c).query(`UPDATE subject SET restricted_at = now() WHERE id = $1`, [id]);
    return { path: '/privacy/restrictions/_lift', body: { vNumber, reference: `AVG-M-${unique()}`, reason: 'Matrix' } };
  },
  'POST /api/v1/privacy/erasures': async (c) => {
    const { id, vNumber } = await givenSubject(ds(c));
    await givenCase(ds(c), c.f.table, { subjectId: id, status: 'closed' });
    return { path: '/privacy/erasures', body: { vNumber, reference: `AVG-M-${unique()}`, reason: 'Matrix' } };
  },
  'GET /api/v1/privacy/data-subject-requests': async () => ({ path: '/privacy/data-subject-requests' }),
  'POST /api/v1/privacy/legal-holds': async (c) => ({ path: '/privacy/legal-holds', body: { caseId: (await givenCase(ds(c), c.f.table)).id, reason: 'Matrix', endsOn: dateIn(30) } }),
  'GET /api/v1/privacy/legal-holds': async () => ({ path: '/privacy/legal-holds' }),
  'POST /api/v1/privacy/legal-holds/:id/_lift': async (c) => {
    const [hold] = await ds(c).query(
      `INSERT INTO legal_hold (case_id, reason, ends_on, set_by_user_id, set_at) VALUES ($1, 'Matrix', current_date + 30, $2, now()) RETURNING id`,
      [(await givenCase(ds(c), c.f.table)).id, c.f.viewers.COA.chair.id],
    );
    return { path: `/privacy/legal-holds/${hold.id}/_lift`, body: { reason: 'Matrix' } };
  },
  // The inbox is each user's own: a notification of the calling user (the chair's, for callers without an account).
  'GET /api/v1/inbox': async () => ({ path: '/inbox' }),
  'GET /api/v1/inbox/unread-count': async () => ({ path: '/inbox/unread-count' }),
  'POST /api/v1/inbox/_read': async () => ({ path: '/inbox/_read' }),
  'POST /api/v1/inbox/:id/_read': async (c) => ({ path: `/inbox/${await scratchNotification(c)}/_read` }),
  'GET /api/v1/worklist': async () => ({ path: '/worklist' }),
  'GET /api/v1/tables/:id/worklist': async (c) => ({ path: `/tables/${c.f.table.id}/worklist` }),
  'POST /api/v1/agenda-items/:id/escalations': async (c) => ({ path: `/agenda-items/${(await meeting(c, 'in_session', true)).caseItem}/escalations`, body: { track: 'chain_marine', reason: 'Vastgelopen' } }),
  'POST /api/v1/agenda-items/:id/action-reviews': async (c) => {
    const { id } = await givenAction(ds(c), c.f.caseId, c.f.table.organisations.POLICE!, { dueDate: dateIn(3) });
    await ds(c).query(`UPDATE action SET created_at = now() - interval '10 days' WHERE id = $1`, [id]);
    return { path: `/agenda-items/${c.f.caseItems.session}/action-reviews`, body: { actionId: id, outcome: 'done' } };
  },
  'POST /api/v1/meetings/:id/_close': async (c) => ({ path: `/meetings/${(await meeting(c, 'in_session')).id}/_close` }),
  'GET /api/v1/meetings/:id/minutes': async (c) => ({ path: `/meetings/${c.f.meetings.closed}/minutes` }),
  'POST /api/v1/meetings/:id/minutes/addenda': async (c) => ({ path: `/meetings/${c.f.meetings.closed}/minutes/addenda`, body: { text: 'Aanvulling' } }),
  'POST /api/v1/calendar-feeds': async () => ({ path: '/calendar-feeds', body: { kind: 'organisation' } }),
  'GET /api/v1/calendar-feeds': async () => ({ path: '/calendar-feeds' }),
  // The caller's own feed (anyone else's is not found).
  'DELETE /api/v1/calendar-feeds/:id': async (c) => ({ path: `/calendar-feeds/${(await givenCalendarFeed(ds(c), c.user?.id ?? c.f.viewers.POLICE.member.id, c.f.table)).id}` }),
  'GET /api/v1/calendar-feeds/:token/events': async (c) => ({ path: `/calendar-feeds/${c.f.viewers.POLICE.feedTokens.table}/events` }),
  'GET /api/v1/actions': async () => ({ path: '/actions' }),
  'GET /api/v1/actions/:id': async (c) => ({ path: `/actions/${(await givenAction(ds(c), c.f.caseId, c.organisationId)).id}` }),
  // Only the owner organisation completes an action or asks to replan it: one of the caller's own organisation.
  'POST /api/v1/actions/:id/_complete': async (c) => ({ path: `/actions/${(await givenAction(ds(c), c.f.caseId, c.organisationId)).id}/_complete`, body: { resultNote: 'Gedaan' } }),
  'POST /api/v1/actions/:id/_replan': async (c) => ({
    path: `/actions/${(await givenAction(ds(c), c.f.caseId, c.organisationId)).id}/_replan`,
    body: { proposedDueDate: dateIn(20), reason: 'Meer tijd nodig' },
  }),
  'GET /api/v1/cases/:caseId/escalations': async (c) => ({ path: `/cases/${c.f.caseId}/escalations` }),
  'POST /api/v1/admin/queue-dashboard/_session': async () => ({ path: '/admin/queue-dashboard/_session' }),
  // Webhook subscriptions of the police, the partner systems' organisation: an administrator names it, a partner system's is implied.
  'POST /api/v1/webhook-subscriptions': async (c) => ({
    path: '/webhook-subscriptions',
    body: { ...(c.caller === 'admin' ? { organisationId: c.callers.partnerOrganisationId } : {}), url: 'https://koppeling.example/hooks', eventTypes: ['action_overdue'] },
  }),
  'GET /api/v1/webhook-subscriptions': async () => ({ path: '/webhook-subscriptions' }),
  'GET /api/v1/webhook-subscriptions/:id': async (c) => ({ path: `/webhook-subscriptions/${await scratchSubscription(c)}` }),
  'PATCH /api/v1/webhook-subscriptions/:id': async (c) => ({ path: `/webhook-subscriptions/${await scratchSubscription(c)}`, body: { active: false } }),
  'DELETE /api/v1/webhook-subscriptions/:id': async (c) => ({ path: `/webhook-subscriptions/${await scratchSubscription(c)}` }),
  'POST /api/v1/webhook-subscriptions/:id/_rotate': async (c) => ({ path: `/webhook-subscriptions/${await scratchSubscription(c)}/_rotate` }),
  'GET /api/v1/webhook-subscriptions/:id/deliveries': async (c) => ({ path: `/webhook-subscriptions/${await scratchSubscription(c)}/deliveries` }),
  'POST /api/v1/webhook-subscriptions/:id/deliveries/:deliveryId/_resend': async (c) => {
    const subscription = await scratchSubscription(c);
    const [row] = await ds(c).query(
      `INSERT INTO webhook_delivery (subscription_id, cause, kind, status, attempts, created_at, failed_at) VALUES ($1, $2, 'action_overdue', 'failed', 8, now(), now()) RETURNING id`,
      [subscription, `matrix:${unique()}`],
    );
    return { path: `/webhook-subscriptions/${subscription}/deliveries/${row.id}/_resend` };
  },
  'GET /api/v1/tables/:id/statistics': async (c) => ({ path: `/tables/${c.f.table.id}/statistics` }),
  'GET /api/v1/municipalities/:municipalityCode/statistics': async () => ({ path: '/municipalities/GM0243/statistics' }),
  'GET /health/live': async () => ({ path: '/health/live' }),
  'GET /health/ready': async () => ({ path: '/health/ready' }),
  'GET /metrics': async () => ({ path: '/metrics' }),
  'GET /.well-known/oauth-authorization-server': async () => ({ path: '/.well-known/oauth-authorization-server' }),
};

async function scratchClient(c: Call): Promise<string> {
  const res = await c.f.t.http().post(`${API}/api-clients`).set(bearer(c.callers.tokens.admin!)).send({ organisationId: c.f.table.organisations.COA, name: `Scratch ${unique()}`, scopes: [] });
  return res.body.id;
}

/** A webhook subscription of the police (the partner systems' organisation), made by the administrator. */
async function scratchSubscription(c: Call): Promise<string> {
  const res = await c.f.t.http().post(`${API}/webhook-subscriptions`).set(bearer(c.callers.tokens.admin!)).send({
    organisationId: c.callers.partnerOrganisationId,
    url: 'https://koppeling.example/hooks',
    eventTypes: ['action_overdue'],
  });
  if (res.status !== 201) throw new Error(`matrix setup: a webhook subscription answered ${res.status}: ${res.text.slice(0, 300)}`);
  return res.body.id;
}

async function scratchMembership(c: Call): Promise<string> {
  const user = await givenUser(ds(c), c.f.table.organisations.IND!);
  await givenMembership(ds(c), c.f.table.id, user.id);
  return (await ds(c).query(`SELECT id FROM table_membership WHERE user_id = $1`, [user.id]))[0].id;
}

/** Routes that end sessions run last, so that the sessions they end are not needed any more. */
const LAST = ['POST /api/v1/auth/logout', 'POST /api/v1/auth/change-password'];

describe('authorization matrix: every route as every caller answers as test/authorization-matrix.md says', () => {
  let t: TestApp;
  let f: FullFixture;
  let callers: Callers;
  let routes: string[];
  const matrix = readMatrix();
  const observed = new Map<string, Record<string, number>>();

  beforeAll(async () => {
    t = await startTestApp({ seed: false, role: 'api' });
    f = await buildFullFixture(t);
    callers = await buildCallers(f);
    routes = collectRoutes(t).map(routeKey);
  }, 180_000);

  afterAll(async () => {
    // The observed matrix, in the file's layout: copy the rows that changed after checking them.
    const lines = [
      `| route | ${COLUMNS.join(' | ')} |`,
      `|---|${COLUMNS.map(() => '---').join('|')}|`,
      ...matrix.rows
        .filter((r) => observed.has(r.route))
        .map((r) => `| ${r.route} | ${COLUMNS.map((c) => cellOf(observed.get(r.route)![c], r.cells[c])).join(' | ')} |`),
    ];
    mkdirSync(join(__dirname, 'output'), { recursive: true });
    writeFileSync(join(__dirname, 'output', 'authorization-matrix.md'), `${lines.join('\n')}\n`);
    await t?.close();
  });

  it('has a column for every caller and a known answer in every cell', () => {
    expect(matrix.columns).toEqual([...COLUMNS]);
    const bad = matrix.rows.flatMap((r) => COLUMNS.filter((c) => !/^(\d{3}|\dxx)$/.test(r.cells[c])).map((c) => `line ${r.line}: ${r.route} / ${c}: "${r.cells[c]}"`));
    expect(bad).toEqual([]);
  });

  it('lists every registered route exactly once, and no route that does not exist', () => {
    const listed = matrix.rows.map((r) => r.route);
    expect({ missing: routes.filter((r) => !listed.includes(r)).sort(), unknown: listed.filter((r) => !routes.includes(r)), twice: listed.filter((r, i) => listed.indexOf(r) !== i) }).toEqual({
      missing: [],
      unknown: [],
      twice: [],
    });
    // A new route also needs a request that an authorised caller gets a 2xx for.
    expect(routes.filter((r) => !REQUESTS[r])).toEqual([]);
  });

  it('answers every caller of every route as the matrix says', async () => {
    const rows = [...matrix.rows.filter((r) => !LAST.includes(r.route)), ...LAST.flatMap((l) => matrix.rows.filter((r) => r.route === l))].filter((r) => REQUESTS[r.route]);
    const mismatches: string[] = [];
    for (const row of rows) {
      const [method] = row.route.split(' ');
      const statuses: Record<string, number> = {};
      for (const caller of COLUMNS) {
        const user = (USER_CALLERS as readonly string[]).includes(caller) ? callers.users[caller as UserCaller] : undefined;
        const call: Call = { f, callers, caller, user, organisationId: user?.organisationId ?? callers.partnerOrganisationId };
        const req = await REQUESTS[row.route](call);
        const token = req.token ?? callers.tokens[caller];
        const prefix = req.path.startsWith('/health') || req.path === '/metrics' || req.path.startsWith('/.well-known/') ? '' : API;
        let http = t.http()[(req.method ?? method).toLowerCase() as 'get'](`${prefix}${req.path}`);
        if (token) http = http.set(bearer(token));
        for (const [k, v] of Object.entries(req.headers ?? {})) http = http.set(k, v);
        const res = await (req.body === undefined ? http : http.send(req.body));
        statuses[caller] = res.status;
        if (!matches(row.cells[caller], res.status)) {
          mismatches.push(`${row.route} as ${caller}: expected ${row.cells[caller]}, got ${res.status} ${res.text.slice(0, 160)}`);
        }
      }
      observed.set(row.route, statuses);
    }
    expect(mismatches).toEqual([]);
  }, 300_000);
});
