import { randomBytes } from 'node:crypto';
import type { Response } from 'supertest';
import { measureType } from '../../src/cases/measure-catalogue';
import { amsterdamDate } from '../../src/common/working-days';
import { installDefaultEscalationRules } from '../../src/escalations/escalation-settings.service';
import { CATEGORIES, Category, MEMBER_ORGANISATION_TYPES, MemberOrganisationType } from '../../src/sharing/categories';
import { GrantInput, saveCovenantVersion } from '../../src/tables/covenant-writer';
import { EarlierEventPending, EventDeliveryService } from '../../src/notifications/event-delivery.service';
import { givenAction, givenCase, givenMembership, givenSubject, givenTable, GivenTable, givenTableUser, givenUser, randomVNumber } from './factories';
import { bearer, login, TestApp } from './test-app';

/**
 * A table at which every category of personal data is present, built through the HTTP API where the API
 * allows it (so the data is shaped as in production) and with SQL where it does not (an action overdue
 * already, a case that arrives from another table's history).
 *
 * Each category has probes: strings that only fields of that category hold. A probe of a category the
 * viewer is not granted, found anywhere in a response, proves a leak.
 */

const DAY = 86_400_000;
export const dateIn = (days: number) => amsterdamDate(new Date(Date.now() + days * DAY));
const instantIn = (days: number) => new Date(Date.now() + days * DAY).toISOString();

/** A free-text value of `category`: every such value starts with the category's probe prefix. */
export const probe = (category: Category, what: string) => `PROBE-${category}-${what}`;

/** The measure types the fixture records, one or two per measure category. */
const FIXTURE_MEASURES = {
  measures: ['area_ban', 'intensive_guidance'],
  criminal: ['zsm_settlement'],
  return: ['detention_for_removal'],
  procedure: ['priority_handling'],
} as const satisfies Partial<Record<Category, readonly string[]>>;
const OFFENCE_KIND = 'violence';
const NUISANCE_KIND = 'house_rule_breach';
const DATE_OF_BIRTH = '1971-02-03';

/** A case that moved to a table none of the viewers sits at: nothing of it may reach them, under any covenant. */
export const MOVED_AWAY = 'moved_away' as const;

export interface ProbeHit {
  category: Category | typeof MOVED_AWAY;
  probe: string;
  /** Some text around the hit, to read the leak in the report. */
  context: string;
}

/** The probes of every category, and the search for those of categories not granted. */
export class Probes {
  /** Unique values held in fields of the category; matched exactly. */
  readonly values = Object.fromEntries(CATEGORIES.map((c) => [c, new Set<string>([probe(c, '')])])) as Record<Category, Set<string>>;
  /**
   * Codes and labels that only records of the category carry (the offence's kind, measure type codes, their
   * Dutch labels and legal bases, a deadline kind), matched without regard to case.
   */
  readonly codes = Object.fromEntries(CATEGORIES.map((c) => [c, new Set<string>()])) as Record<Category, Set<string>>;
  /** Values of the case that moved away; found whatever the viewer is granted. */
  readonly movedAway = new Set<string>([`PROBE-${MOVED_AWAY}-`]);

  constructor() {
    this.values.identity.add(DATE_OF_BIRTH).add(DATE_OF_BIRTH.split('-').reverse().join('-'));
    // Only the offences are of this kind, and only the nuisance incidents of that one; with their Dutch labels.
    for (const code of [OFFENCE_KIND, 'geweld']) this.codes.criminal.add(code);
    for (const code of [NUISANCE_KIND, 'huisregel']) this.codes.incidents.add(code);
    this.codes.return.add('departure_period_end');
    for (const [category, types] of Object.entries(FIXTURE_MEASURES) as [Category, readonly string[]][]) {
      for (const code of types) {
        const type = measureType(code)!;
        for (const text of [code, type.labelNl, type.legalBasis]) this.codes[category].add(text);
      }
    }
  }

  addIdentity(vNumber: string): string {
    this.values.identity.add(vNumber);
    return vNumber;
  }

  /**
   * Every probe of a category outside `granted` that `text` holds; `normalise` applies to both sides (PDF
   * text wraps), and `codes: false` looks for values only.
   */
  hits(text: string, granted: ReadonlySet<Category>, normalise: (s: string) => string = (s) => s, options: { codes: boolean } = { codes: true }): ProbeHit[] {
    const hay = normalise(text);
    const lower = hay.toLowerCase();
    const out: ProbeHit[] = [];
    for (const value of this.movedAway) {
      const at = hay.indexOf(normalise(value));
      if (at >= 0) out.push({ category: MOVED_AWAY, probe: value, context: hay.slice(Math.max(0, at - 80), at + value.length + 80).replace(/\s+/g, ' ') });
    }
    for (const category of CATEGORIES) {
      if (granted.has(category)) continue;
      const found = (needle: string, at: number) =>
        at >= 0 && out.push({ category, probe: needle, context: hay.slice(Math.max(0, at - 80), at + needle.length + 80).replace(/\s+/g, ' ') });
      for (const value of this.values[category]) found(value, hay.indexOf(normalise(value)));
      if (options.codes) for (const code of this.codes[category]) found(code, lower.indexOf(normalise(code).toLowerCase()));
    }
    return out;
  }
}

export interface FixtureUser {
  id: string;
  token: string;
}

/** One member organisation of the table, with a member and a second user who takes the chair in turn. */
export interface Viewer {
  type: MemberOrganisationType;
  organisationId: string;
  member: FixtureUser;
  chair: FixtureUser;
  /** The member's membership of the table. */
  membershipId: string;
  /** Calendar feed tokens of the member: its table feed and its organisation feed. */
  feedTokens: { table: string; organisation: string };
  feedIds: string[];
}

export interface FixtureMeetings {
  /** Closed, with frozen minutes of a whole session and an addendum. */
  closed: string;
  /** In session: attendance, decisions, actions, reviews and escalations recorded, not closed. */
  session: string;
  /** Its drafted agenda published, not opened (the screen of the live leak). */
  published: string;
  /** Drafted, not published: the next planned meeting, where nominations and lists go. */
  planned: string;
}

export interface FullFixture {
  t: TestApp;
  table: GivenTable;
  /** A second table: the main case arrived from it, and write tests transfer cases to it. */
  otherTable: GivenTable;
  viewers: Record<MemberOrganisationType, Viewer>;
  probes: Probes;
  caseId: string;
  caseReference: string;
  vNumber: string;
  /** The case a list import opened. */
  listCaseId: string;
  subjectIds: string[];
  /** Recorded after last week's meeting closed, and before it. */
  incidents: { offence: string; nuisance: string; earlierOffence: string; earlierNuisance: string };
  measureIds: string[];
  deadlineIds: string[];
  strategyIds: string[];
  actionIds: string[];
  escalationIds: string[];
  nominationIds: string[];
  listImportIds: string[];
  meetings: FixtureMeetings;
  /** The main case's item on each meeting's agenda. */
  caseItems: Record<keyof FixtureMeetings, string>;
  topicItems: string[];
}

/** Every organisation type may see every category: the fixture is built under this covenant. */
export const ALL_GRANTS: GrantInput[] = MEMBER_ORGANISATION_TYPES.flatMap((organisationType) =>
  CATEGORIES.map((category) => ({ organisationType, category, lawfulGround: 'public_task' as const, legalBasis: 'Art. 6 lid 1 sub e AVG (test)' })),
);

export async function saveCovenant(f: Pick<FullFixture, 't' | 'table'>, grants: GrantInput[], note: string): Promise<void> {
  await f.t.dataSource.transaction((m) => saveCovenantVersion(m, f.table.id, grants, null, note));
}

/** The chair role rotates between member organisations (DOMAIN.md section 4): give it to `type`'s second user. */
export async function seatChair(f: FullFixture, type: MemberOrganisationType): Promise<void> {
  await f.t.dataSource.transaction(async (m) => {
    await m.query(`UPDATE table_membership SET role = 'member' WHERE table_id = $1 AND role = 'chair' AND ended_at IS NULL`, [f.table.id]);
    await m.query(`UPDATE table_membership SET role = 'chair' WHERE table_id = $1 AND user_id = $2 AND ended_at IS NULL`, [f.table.id, f.viewers[type].chair.id]);
  });
}

type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

/** One API call of the fixture builder, which must answer `expected`. */
async function api(t: TestApp, token: string, method: Method, path: string, body: object | undefined, expected: number): Promise<Response> {
  const res = await t.http()[method](`/api/v1${path}`).set(bearer(token)).send(body);
  if (res.status !== expected) throw new Error(`fixture: ${method.toUpperCase()} ${path} answered ${res.status}, not ${expected}: ${res.text.slice(0, 500)}`);
  return res;
}

export async function buildFullFixture(t: TestApp): Promise<FullFixture> {
  const ds = t.dataSource;
  const probes = new Probes();
  const table = await givenTable(ds, { memberTypes: [...MEMBER_ORGANISATION_TYPES], grants: ALL_GRANTS });
  // The rules a new table gets: the incidents below make them propose (one of them because of an offence).
  await ds.transaction((m) => installDefaultEscalationRules(m, table.id));
  // Its public contact card (meldkaart), so that the walks and the fuzz read one: services only, no case data.
  await ds.query(
    `INSERT INTO contact_card (table_id, heading, contact_points) VALUES ($1, 'Meldkaart', '[{"kind":"police","serviceName":"Politie","phone":"0900-8844"}]')`,
    [table.id],
  );
  const otherTable = await givenTable(ds, { memberTypes: ['COA', 'POLICE'], grants: ALL_GRANTS });
  const org = (type: MemberOrganisationType) => table.organisations[type]!;

  const viewers = {} as Record<MemberOrganisationType, Viewer>;
  for (const type of MEMBER_ORGANISATION_TYPES) {
    const member = await givenTableUser(ds, table, type, 'member');
    const second = await givenUser(ds, org(type));
    await givenMembership(ds, table.id, second.id);
    const [memberToken, chairToken] = [(await login(t, member.email)).accessToken, (await login(t, second.email)).accessToken];
    viewers[type] = {
      type,
      organisationId: org(type),
      member: { id: member.id, token: memberToken },
      chair: { id: second.id, token: chairToken },
      membershipId: (await ds.query(`SELECT id FROM table_membership WHERE table_id = $1 AND user_id = $2`, [table.id, member.id]))[0].id,
      feedTokens: { table: '', organisation: '' },
      feedIds: [],
    };
  }
  const f = { t, table, viewers } as FullFixture;
  await seatChair(f, 'COA');
  const as = (type: MemberOrganisationType, role: 'member' | 'chair' = 'member') => viewers[type][role].token;
  const otherChair = (await login(t, (await givenTableUser(ds, otherTable, 'COA', 'chair')).email)).accessToken;

  // A week at the table: last week's meeting (planned in the past, which only SQL can) and the meetings ahead.
  const [last] = await ds.query(`INSERT INTO meeting (table_id, scheduled_at, location) VALUES ($1, now() - interval '3 days', 'azc Test, zaal 1') RETURNING id`, [table.id]);
  const meeting = async (days: number) => (await api(t, as('COA', 'chair'), 'post', `/tables/${table.id}/meetings`, { scheduledAt: instantIn(days), location: 'azc Test, zaal 1' }, 201)).body.id as string;
  const meetings: FixtureMeetings = { closed: last.id, session: await meeting(2), published: await meeting(3), planned: await meeting(10) };

  // The person arrives from another table (a transfer), with every field of the case filled in.
  const vNumber = probes.addIdentity(randomVNumber());
  const created = await api(t, otherChair, 'post', `/tables/${otherTable.id}/cases`, {
    vNumber,
    familyName: probe('identity', 'family'),
    givenNames: probe('identity', 'given'),
    dateOfBirth: DATE_OF_BIRTH,
    nationality: 'ERI',
    receptionLocation: probe('residence', 'location'),
    procedureStage: probe('procedure', 'stage'),
    indPriority: true,
    careNotes: probe('care', 'notes'),
    strategy: { kind: 'nuisance', text: probe('deliberation', 'first-strategy') },
  }, 201);
  const caseId = created.body.id as string;
  await api(t, otherChair, 'post', `/cases/${caseId}/transfers`, { toTableId: table.id, reason: probe('residence', 'transfer') }, 201);
  await api(t, as('COA'), 'post', `/cases/${caseId}/status-changes`, { status: 'active', reason: probe('deliberation', 'status-reason') }, 201);
  const strategyIds = [(await api(t, as('COA'), 'post', `/cases/${caseId}/strategies`, { kind: 'departure', text: probe('deliberation', 'strategy') }, 201)).body.id as string];
  await api(t, as('COA'), 'patch', `/cases/${caseId}`, { riskLevel: 'high', reviewDate: dateIn(-1) }, 200);
  const deadlineIds: string[] = [];
  for (const [kind, category] of [['departure_period_end', 'return'], ['procedure_decision', 'procedure'], ['other', 'deliberation']] as const) {
    deadlineIds.push((await api(t, as('DTV'), 'post', `/cases/${caseId}/deadlines`, { kind, dueDate: dateIn(20), note: probe(category, `deadline-${kind}`) }, 201)).body.id);
  }

  // An offence (criminal) and a nuisance incident (incidents), recorded by the police and the COA: one pair
  // before last week's meeting, one after it closed, so that each draft has new ones.
  const incident = async (type: MemberOrganisationType, body: object) => (await api(t, as(type), 'post', `/cases/${caseId}/incidents`, body, 201)).body.id as string;
  const recordIncidents = async (batch: string, days: number) => ({
    offence: await incident('POLICE', {
      kind: OFFENCE_KIND, classification: 'offence', severity: 'severe', occurredAt: instantIn(days),
      place: probe('criminal', `place-${batch}`), description: probe('criminal', `description-${batch}`), reportedToPolice: true, victimKind: 'staff_public_duty',
      externalReference: `BVH-${randomBytes(4).toString('hex')}`,
    }),
    nuisance: await incident('COA', {
      kind: NUISANCE_KIND, classification: 'nuisance', severity: 'minor', occurredAt: instantIn(days),
      place: probe('incidents', `place-${batch}`), description: probe('incidents', `description-${batch}`),
    }),
  });
  const before = await recordIncidents('before', -4);
  const measureIds = [
    (await api(t, as('MUNICIPALITY'), 'post', `/cases/${caseId}/measures`, { type: 'area_ban', startsAt: instantIn(-1), note: probe('measures', 'area-ban') }, 201)).body.id as string,
  ];

  // Actions agreed before: one overdue (the API only takes due dates from today), one due before the meetings.
  const actionIds = [
    (await givenAction(ds, caseId, org('POLICE'), { dueDate: dateIn(-4), description: probe('deliberation', 'overdue-action') })).id,
    (await givenAction(ds, caseId, org('MUNICIPALITY'), { dueDate: dateIn(1), description: probe('deliberation', 'due-action') })).id,
  ];

  // Nominations by a member (a case and a topic) for two meetings, and a list of DT&V for the next planned one.
  const nominationIds: string[] = [];
  for (const id of [meetings.closed, meetings.published]) {
    const nominate = async (body: object) => (await api(t, as('MUNICIPALITY'), 'post', `/tables/${table.id}/nominations`, { meetingId: id, ...body }, 201)).body.id as string;
    nominationIds.push(await nominate({ caseId, reasonCode: 'nuisance_during_procedure', reasonText: probe('deliberation', 'nomination') }));
    nominationIds.push(await nominate({ topic: probe('deliberation', 'topic'), reasonCode: 'cooperation', reasonText: probe('deliberation', 'topic-reason') }));
  }
  const listVNumber = probes.addIdentity(randomVNumber());
  const list = await api(t, as('DTV'), 'post', `/tables/${table.id}/lists`, {
    kind: 'dtv_caseload',
    lines: [
      { vNumber, note: probe('deliberation', 'list-note') },
      { vNumber: listVNumber, familyName: probe('identity', 'list-family'), givenNames: probe('identity', 'list-given'), dateOfBirth: DATE_OF_BIRTH, nationality: 'SYR' },
    ],
  }, 201);
  const listCaseId = (list.body.lines as { caseId?: string; outcome: string }[]).find((l) => l.outcome === 'case_opened_and_nominated')!.caseId!;

  const items = async (id: string): Promise<{ id: string; case_id: string | null }[]> => ds.query(`SELECT id, case_id FROM agenda_item WHERE meeting_id = $1 ORDER BY position`, [id]);
  const caseItems = {} as Record<keyof FixtureMeetings, string>;
  const topicItems: string[] = [];
  const chair = as('COA', 'chair');
  /** Drafts and (unless `planned`) publishes the agenda of the meeting, and finds the main case's item on it. */
  const prepare = async (name: keyof FixtureMeetings) => {
    await api(t, chair, 'post', `/meetings/${meetings[name]}/agenda/_draft`, undefined, 200);
    if (name !== 'planned') await api(t, chair, 'post', `/meetings/${meetings[name]}/agenda/_publish`, undefined, 200);
    const rows = await items(meetings[name]);
    const item = rows.find((i) => i.case_id === caseId);
    if (!item) throw new Error(`fixture: the draft of the ${name} meeting does not list the case`);
    caseItems[name] = item.id;
    topicItems.push(...rows.filter((i) => i.case_id === null).map((i) => i.id));
    const [{ reasons }] = await ds.query(`SELECT reasons FROM agenda_item WHERE id = $1`, [item.id]);
    for (const code of ['severe_incident', 'new_incidents']) {
      if (!reasons.some((r: { code: string }) => r.code === code)) throw new Error(`fixture: the ${name} agenda has no ${code} reason: ${JSON.stringify(reasons)}`);
    }
  };
  const escalationIds: string[] = [];
  /** The session of a meeting: attendance (with notes), decisions, a strategy, actions, measures of every category, an escalation, a review. */
  const hold = async (name: 'closed' | 'session', reviewed: string) => {
    const id = meetings[name];
    const item = caseItems[name];
    await api(t, chair, 'post', `/meetings/${id}/_open`, undefined, 200);
    await api(t, chair, 'put', `/meetings/${id}/attendance`, {
      // Attendance notes are the table's deliberation (the session view tags them so).
      organisations: MEMBER_ORGANISATION_TYPES.map((type, i) => ({ organisationId: org(type), present: i % 5 !== 4, ...(i % 3 === 0 ? { note: probe('deliberation', `attendance-${type}`) } : {}) })),
    }, 200);
    await api(t, chair, 'put', `/agenda-items/${item}/decision`, {
      decisionText: probe('deliberation', `decision-${name}`),
      outcome: 'escalated',
      strategy: { kind: 'departure', text: probe('deliberation', `session-strategy-${name}`) },
    }, 200);
    strategyIds.push((await ds.query(`SELECT strategy_id FROM agenda_item WHERE id = $1`, [item]))[0].strategy_id);
    for (const topic of (await items(id)).filter((i) => i.case_id === null)) {
      await api(t, chair, 'put', `/agenda-items/${topic.id}/decision`, { decisionText: probe('deliberation', `topic-decision-${name}`), outcome: 'discussed' }, 200);
    }
    for (const owner of ['POLICE', 'MUNICIPALITY', 'DTV', 'NIDOS'] as const) {
      actionIds.push((await api(t, chair, 'post', `/agenda-items/${item}/actions`, { ownerOrganisationId: org(owner), description: probe('deliberation', `action-${owner}`), dueDate: dateIn(7) }, 201)).body.id);
    }
    // Measures of every measure category, each imposed by an organisation the catalogue names.
    for (const [category, types] of Object.entries(FIXTURE_MEASURES) as [Category, readonly string[]][]) {
      for (const type of types) {
        const body = { type, startsAt: instantIn(0), imposingOrganisationId: org(measureType(type)!.imposedBy[0]), note: probe(category, `session-measure-${type}`) };
        measureIds.push((await api(t, chair, 'post', `/agenda-items/${item}/measures`, body, 201)).body.id);
      }
    }
    escalationIds.push((await api(t, chair, 'post', `/agenda-items/${item}/escalations`, { track: 'ind_priority', reason: probe('deliberation', `escalation-${name}`) }, 201)).body.id);
    await api(t, chair, 'post', `/agenda-items/${item}/action-reviews`, { actionId: reviewed, outcome: 'not_acted_on', reason: probe('deliberation', `review-${name}`) }, 201);
  };

  // Last week: drafted, published, held and closed; minutes frozen, an addendum after.
  await prepare('closed');
  await hold('closed', actionIds[0]);
  await api(t, chair, 'post', `/meetings/${meetings.closed}/_close`, undefined, 200);
  await api(t, chair, 'post', `/meetings/${meetings.closed}/minutes/addenda`, { text: probe('deliberation', 'addendum'), agendaItemId: caseItems.closed }, 201);
  await api(t, as('POLICE'), 'post', `/actions/${actionIds[2]}/_replan`, { proposedDueDate: dateIn(14), reason: probe('deliberation', 'replan') }, 200);
  await api(t, as('MUNICIPALITY'), 'post', `/actions/${actionIds[3]}/_complete`, { resultNote: probe('deliberation', 'result') }, 200);

  // This week: new incidents, then the agendas ahead; one meeting is in session now.
  const after = await recordIncidents('after', -1 / 24);
  const incidents = { offence: after.offence, nuisance: after.nuisance, earlierOffence: before.offence, earlierNuisance: before.nuisance };
  // A second person, nominated for this week's meetings and then moved to the other table before anyone reads:
  // the agendas still list the item, but nothing of the case may reach this table's members any more.
  const away = await api(t, as('COA'), 'post', `/tables/${table.id}/cases`, {
    vNumber: randomVNumber(),
    familyName: `PROBE-${MOVED_AWAY}-family`,
    givenNames: `PROBE-${MOVED_AWAY}-given`,
    receptionLocation: `PROBE-${MOVED_AWAY}-location`,
    procedureStage: `PROBE-${MOVED_AWAY}-stage`,
    careNotes: `PROBE-${MOVED_AWAY}-care`,
    strategy: { kind: 'nuisance', text: `PROBE-${MOVED_AWAY}-strategy` },
  }, 201);
  probes.movedAway.add(away.body.subject.vNumber);
  for (const id of [meetings.session, meetings.published, meetings.planned]) {
    await api(t, as('MUNICIPALITY'), 'post', `/tables/${table.id}/nominations`, { meetingId: id, caseId: away.body.id, reasonCode: 'nuisance_during_procedure', reasonText: 'Verhuist binnenkort' }, 201);
  }
  await givenAction(ds, away.body.id, org('POLICE'), { dueDate: dateIn(3), description: `PROBE-${MOVED_AWAY}-action` });
  for (const name of ['session', 'published', 'planned'] as const) await prepare(name);
  await hold('session', actionIds[1]);
  // Between meetings: the chair requests last week's escalation of the IND, which accepts it; a rule's proposal stays pending.
  await api(t, chair, 'post', `/escalations/${escalationIds[0]}/_request`, { reason: probe('deliberation', 'escalation-request') }, 200);
  await api(t, as('IND'), 'post', `/escalations/${escalationIds[0]}/_accept`, { reason: probe('deliberation', 'escalation-accept') }, 200);
  const ruleProposals = await ds.query(`SELECT id FROM escalation WHERE case_id = $1 AND rule_id IS NOT NULL`, [caseId]);
  if (!ruleProposals.length) throw new Error('fixture: no escalation rule proposed anything for the case');
  escalationIds.push(...ruleProposals.map((r: { id: string }) => r.id));
  await api(t, as('IND'), 'post', `/cases/${caseId}/ind-decisions`, { outcome: 'negative', decidedOn: dateIn(-1) }, 201);
  await api(t, chair, 'post', `/cases/${away.body.id}/transfers`, { toTableId: otherTable.id, reason: 'Overgeplaatst' }, 201);

  // Calendar feeds of every member: the table's meetings and the organisation's actions.
  for (const viewer of Object.values(viewers)) {
    for (const kind of ['table', 'organisation'] as const) {
      const res = await api(t, viewer.member.token, 'post', '/calendar-feeds', kind === 'table' ? { kind, tableId: table.id } : { kind }, 201);
      viewer.feedTokens[kind] = /\/calendar-feeds\/([^/]+)\/events$/.exec(res.body.url)![1];
      viewer.feedIds.push(res.body.id);
    }
  }

  const subjectIds = (await ds.query(`SELECT DISTINCT subject_id FROM case_file WHERE table_id = $1`, [table.id])).map((r: { subject_id: string }) => r.subject_id);
  await deliverPendingEvents(t);
  Object.assign(f, {
    otherTable,
    probes,
    caseId,
    caseReference: created.body.reference,
    vNumber,
    listCaseId,
    subjectIds,
    incidents,
    measureIds,
    deadlineIds,
    strategyIds,
    actionIds,
    escalationIds,
    nominationIds,
    listImportIds: [list.body.importId],
    meetings,
    caseItems,
    topicItems,
  } satisfies Omit<FullFixture, 't' | 'table' | 'viewers'>);
  return f;
}

/**
 * Delivers every domain event the fixture raised, in order, so that its notifications and e-mails exist
 * before a test reads: the app's outbox worker would write them a moment later, in the middle of a test that
 * compares what the database holds with what an answer showed (the subject-access export did, on CI).
 * Delivery is idempotent, so a worker delivering the same events meanwhile changes nothing; an event whose
 * earlier one the worker is still delivering is tried again on the next round. An app started without
 * workers (the API role) has no consumer, so nothing changes under its tests and nothing is delivered.
 */
async function deliverPendingEvents(t: TestApp): Promise<void> {
  let delivery: EventDeliveryService;
  try {
    delivery = t.app.get(EventDeliveryService, { strict: false });
  } catch {
    return;
  }
  for (let round = 0; round < 50; round++) {
    const pending: { id: string }[] = await t.dataSource.query(`SELECT id::text AS id FROM domain_event WHERE delivered_at IS NULL ORDER BY id`);
    if (!pending.length) return;
    for (const { id } of pending) {
      try {
        await delivery.deliver(id);
      } catch (err) {
        if (!(err instanceof EarlierEventPending)) throw err;
      }
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error('fixture: domain events still undelivered after 50 rounds');
}

/**
 * A fresh case holding every category (straight in SQL: write tests need one per run), with the same
 * probes as the main case and a V-number added to the identity probes.
 */
export async function givenProbedCase(f: FullFixture): Promise<{ id: string; reference: string; vNumber: string }> {
  const ds = f.t.dataSource;
  const org = (type: MemberOrganisationType) => f.table.organisations[type]!;
  const vNumber = f.probes.addIdentity(randomVNumber());
  const subject = await givenSubject(ds, { vNumber, familyName: probe('identity', 'scratch-family'), dateOfBirth: DATE_OF_BIRTH, receptionLocation: probe('residence', 'scratch-location') });
  const c = await givenCase(ds, f.table, { subjectId: subject.id, careNotes: probe('care', 'scratch'), procedureStage: probe('procedure', 'scratch') });
  await ds.query(
    `INSERT INTO case_deadline (case_id, kind, due_date, note) VALUES
       ($1, 'departure_period_end', current_date + 20, $2), ($1, 'procedure_decision', current_date + 30, $3)`,
    [c.id, probe('return', 'scratch-deadline'), probe('procedure', 'scratch-deadline')],
  );
  await ds.query(`INSERT INTO case_strategy (case_id, revision, kind, text) VALUES ($1, 1, 'nuisance', $2)`, [c.id, probe('deliberation', 'scratch-strategy')]);
  await ds.query(
    `INSERT INTO incident (case_id, source_organisation_id, kind, classification, severity, occurred_at, place, description) VALUES
       ($1, $2, $4, 'nuisance', 'minor', now() - interval '1 day', $5, $6),
       ($1, $3, $7, 'offence', 'severe', now() - interval '2 days', $8, $9)`,
    [c.id, org('COA'), org('POLICE'), NUISANCE_KIND, probe('incidents', 'scratch-place'), probe('incidents', 'scratch'), OFFENCE_KIND, probe('criminal', 'scratch-place'), probe('criminal', 'scratch')],
  );
  for (const [category, types] of Object.entries(FIXTURE_MEASURES) as [Category, readonly string[]][]) {
    const type = measureType(types[0])!;
    await ds.query(
      `INSERT INTO measure (case_id, type, imposing_organisation_id, legal_basis, starts_at, status, note) VALUES ($1, $2, $3, $4, now(), 'active', $5)`,
      [c.id, type.code, org(type.imposedBy[0]), type.legalBasis, probe(category, `scratch-${type.code}`)],
    );
  }
  return { id: c.id, reference: c.reference, vNumber };
}
