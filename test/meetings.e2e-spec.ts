import { givenAction, givenCase, givenMeeting, givenSubject, givenTable, GivenTable, givenTableUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const DAY = 86_400_000;

interface MeetingBody {
  id: string;
  tableId: string;
  scheduledAt: string;
  cadenceSlot: string | null;
  status: string;
  location: string | null;
  cancelledReason: string | null;
  itemCount: number;
}

/** The VEVENTs of an iCalendar text, each as its property lines (unfolded), keyed by name with parameters. */
function vevents(ics: string): Record<string, string>[] {
  const lines = ics.replace(/\r\n[ \t]/g, '').split(/\r\n/);
  const events: Record<string, string>[] = [];
  let current: Record<string, string> | undefined;
  for (const line of lines) {
    if (line === 'BEGIN:VEVENT') current = {};
    else if (line === 'END:VEVENT') {
      events.push(current!);
      current = undefined;
    }
    else if (current) {
      const colon = line.indexOf(':');
      current[line.slice(0, colon)] = line.slice(colon + 1);
    }
  }
  return events;
}

const amsterdam = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Amsterdam', weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).format(new Date(iso));

describe('meetings and calendar feeds', () => {
  let t: TestApp;
  let a: GivenTable;
  let b: GivenTable;
  const tokens: Record<string, string> = {};
  const users: Record<string, { id: string; email: string }> = {};
  const as = (who: string) => bearer(tokens[who]);
  const count = async (sql: string, params: unknown[] = []) => Number((await t.dataSource.query(sql, params))[0].n);
  const meetingsOf = (tableId: string) => count(`SELECT count(*) AS n FROM meeting WHERE table_id = $1`, [tableId]);
  const events = (type: string, id: string) => count(`SELECT count(*) AS n FROM domain_event WHERE type = $1 AND aggregate_id = $2`, [type, id]);
  const row = async (id: string) => (await t.dataSource.query(`SELECT status, scheduled_at, location, cancelled_reason FROM meeting WHERE id = $1`, [id]))[0];
  const inDays = (days: number) => new Date(Date.now() + days * DAY).toISOString();

  async function seat(name: string, table: GivenTable, type: Parameters<typeof givenTableUser>[2], role: 'chair' | 'member' = 'member') {
    users[name] = await givenTableUser(t.dataSource, table, type, role);
    tokens[name] = (await login(t, users[name].email)).accessToken;
  }

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    a = await givenTable(t.dataSource);
    b = await givenTable(t.dataSource);
    await seat('chairA', a, 'POLICE', 'chair');
    await seat('coaA', a, 'COA');
    await seat('municipalityA', a, 'MUNICIPALITY');
    await seat('coaB', b, 'COA', 'chair');
  });
  afterAll(() => t.close());

  describe('generating from the cadence', () => {
    it('generates 8 weeks of Tuesday 10:00 meetings once: a second run creates nothing and duplicates nothing', async () => {
      const first = await t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('chairA')).send({ weeks: 8 }).expect(200);
      const created = first.body as MeetingBody[];
      // Eight Tuesdays fall in any 8-week window; public holidays among them are skipped (the default policy).
      expect(created.length).toBeGreaterThanOrEqual(6);
      expect(created.length).toBeLessThanOrEqual(8);
      for (const m of created) {
        expect(amsterdam(m.scheduledAt)).toBe('Tue 10:00');
        expect(m).toMatchObject({ tableId: a.id, status: 'planned', cadenceSlot: m.scheduledAt, itemCount: 0 });
        expect(Date.parse(m.scheduledAt)).toBeGreaterThan(Date.now());
        expect(Date.parse(m.scheduledAt)).toBeLessThan(Date.now() + 56 * DAY);
        expect(await events('meeting.scheduled', m.id)).toBe(1);
      }
      expect([...created].sort((x, y) => x.scheduledAt.localeCompare(y.scheduledAt))).toEqual(created);

      const second = await t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('chairA')).send({ weeks: 8 }).expect(200);
      expect(second.body).toEqual([]);
      expect(await meetingsOf(a.id)).toBe(created.length);
      const listed = await t.http().get(`${API}/tables/${a.id}/meetings?limit=100`).set(as('coaA')).expect(200);
      expect(listed.body).toEqual({ items: created, nextCursor: null });
      expect(await count(`SELECT count(*) AS n FROM domain_event WHERE type = 'meeting.scheduled' AND table_id = $1`, [a.id])).toBe(created.length);
    });

    it('never re-creates a moved or cancelled meeting, and fills in weeks further ahead only', async () => {
      const [moved, cancelled] = (await t.http().get(`${API}/tables/${a.id}/meetings`).set(as('chairA')).expect(200)).body.items as MeetingBody[];
      const to = new Date(Date.parse(moved.scheduledAt) + DAY + 3_600_000).toISOString();
      const patched = await t.http().patch(`${API}/meetings/${moved.id}`).set(as('chairA')).send({ scheduledAt: to }).expect(200);
      expect(patched.body).toMatchObject({ id: moved.id, scheduledAt: to, cadenceSlot: moved.cadenceSlot, status: 'planned' });
      expect(await events('meeting.moved', moved.id)).toBe(1);
      await t.http().post(`${API}/meetings/${cancelled.id}/_cancel`).set(as('chairA')).send({ reason: 'Zomerreces' }).expect(200);
      const before = await meetingsOf(a.id);

      expect((await t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('chairA')).send({ weeks: 8 }).expect(200)).body).toEqual([]);
      expect(await meetingsOf(a.id)).toBe(before);
      expect((await row(moved.id)).scheduled_at.toISOString()).toBe(to);
      expect((await row(cancelled.id)).status).toBe('cancelled');

      const further = await t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('chairA')).send({ weeks: 12 }).expect(200);
      expect(further.body.length).toBeGreaterThanOrEqual(2);
      expect(further.body.length).toBeLessThanOrEqual(4);
      for (const m of further.body as MeetingBody[]) expect(Date.parse(m.scheduledAt)).toBeGreaterThan(Date.now() + 49 * DAY);
      expect(await meetingsOf(a.id)).toBe(before + further.body.length);
    });

    it('takes 8 weeks when the body names none', async () => {
      const table = await givenTable(t.dataSource);
      const chair = await givenTableUser(t.dataSource, table, 'COA', 'chair');
      const token = (await login(t, chair.email)).accessToken;
      const res = await t.http().post(`${API}/tables/${table.id}/meetings/_generate`).set(bearer(token)).expect(200);
      expect(res.body.length).toBeGreaterThanOrEqual(6);
      expect(Math.max(...res.body.map((m: MeetingBody) => Date.parse(m.scheduledAt)))).toBeLessThan(Date.now() + 56 * DAY);
    });
  });

  describe('the chair adds, moves and cancels', () => {
    it('adds an ad-hoc meeting, moves it, changes its location and cancels it', async () => {
      const scheduledAt = inDays(3);
      const added = await t.http().post(`${API}/tables/${a.id}/meetings`).set(as('chairA')).send({ scheduledAt, location: 'Gemeentehuis' }).expect(201);
      expect(added.body).toMatchObject({ tableId: a.id, scheduledAt, cadenceSlot: null, status: 'planned', location: 'Gemeentehuis', itemCount: 0 });
      const id = added.body.id;
      expect(await events('meeting.scheduled', id)).toBe(1);

      const later = inDays(4);
      const moved = await t.http().patch(`${API}/meetings/${id}`).set(as('chairA')).send({ scheduledAt: later, location: null }).expect(200);
      expect(moved.body).toMatchObject({ scheduledAt: later, location: null });
      expect(await events('meeting.moved', id)).toBe(1);

      const cancelled = await t.http().post(`${API}/meetings/${id}/_cancel`).set(as('chairA')).send({ reason: 'Geen casussen' }).expect(200);
      expect(cancelled.body).toMatchObject({ id, status: 'cancelled', cancelledReason: 'Geen casussen' });
      expect(await events('meeting.cancelled', id)).toBe(1);

      const seen = await t.http().get(`${API}/meetings/${id}`).set(as('municipalityA')).expect(200);
      expect(Object.keys(seen.body).sort()).toEqual(
        ['agendaPublishedAt', 'cadenceSlot', 'cancelledReason', 'closedAt', 'id', 'itemCount', 'location', 'openedAt', 'scheduledAt', 'status', 'tableId'].sort(),
      );
      const listed = await t.http().get(`${API}/tables/${a.id}/meetings?status=cancelled&from=${encodeURIComponent(inDays(2))}`).set(as('coaA')).expect(200);
      expect(listed.body.items.map((m: MeetingBody) => m.id)).toContain(id);
      expect(listed.body.items.every((m: MeetingBody) => m.status === 'cancelled')).toBe(true);
    });

    it('refuses illegal moves with 409 and changes nothing', async () => {
      const cancelled = (await t.http().post(`${API}/tables/${a.id}/meetings`).set(as('chairA')).send({ scheduledAt: inDays(5) }).expect(201)).body.id;
      await t.http().post(`${API}/meetings/${cancelled}/_cancel`).set(as('chairA')).send({ reason: 'Eerste keer' }).expect(200);
      const again = await t.http().post(`${API}/meetings/${cancelled}/_cancel`).set(as('chairA')).send({ reason: 'Tweede keer' }).expect(409);
      expect(again.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(again.body).toMatchObject({ code: 'illegal_transition', fromStatus: 'cancelled' });
      expect(await row(cancelled)).toMatchObject({ status: 'cancelled', cancelled_reason: 'Eerste keer' });
      await t.http().patch(`${API}/meetings/${cancelled}`).set(as('chairA')).send({ location: 'Elders' }).expect(409);

      const [closed] = await t.dataSource.query(
        `INSERT INTO meeting (table_id, scheduled_at, status, opened_at, closed_at) VALUES ($1, now() - interval '7 days', 'closed', now() - interval '7 days', now() - interval '7 days') RETURNING id`,
        [a.id],
      );
      const closedRes = await t.http().post(`${API}/meetings/${closed.id}/_cancel`).set(as('chairA')).send({ reason: 'Te laat' }).expect(409);
      expect(closedRes.body).toMatchObject({ code: 'illegal_transition', fromStatus: 'closed' });
      expect(await row(closed.id)).toMatchObject({ status: 'closed', cancelled_reason: null });

      const running = await givenMeeting(t.dataSource, a, { status: 'in_session', scheduledAt: new Date() });
      const before = await row(running.id);
      const move = await t.http().patch(`${API}/meetings/${running.id}`).set(as('chairA')).send({ scheduledAt: inDays(1) }).expect(409);
      expect(move.body).toMatchObject({ code: 'illegal_meeting_status', status: 409, meetingStatus: 'in_session' });
      expect(await row(running.id)).toEqual(before);
      expect(await events('meeting.moved', running.id)).toBe(0);
      expect(await events('meeting.cancelled', closed.id)).toBe(0);
    });
  });

  describe('who may', () => {
    it('answers 404 to a member of another table, for one meeting and for the list', async () => {
      const meeting = await givenMeeting(t.dataSource, a);
      await t.http().get(`${API}/meetings/${meeting.id}`).set(as('coaA')).expect(200);
      const res = await t.http().get(`${API}/meetings/${meeting.id}`).set(as('coaB')).expect(404);
      expect(res.body).toMatchObject({ code: 'not_found', detail: 'Meeting was not found.' });
      await t.http().get(`${API}/meetings/00000000-0000-4000-8000-000000000000`).set(as('coaB')).expect(404);
      await t.http().get(`${API}/tables/${a.id}/meetings`).set(as('coaB')).expect(404);
      await t.http().post(`${API}/meetings/${meeting.id}/_cancel`).set(as('coaB')).send({ reason: 'x' }).expect(404);
      expect((await row(meeting.id)).status).toBe('planned');
    });

    it('answers 403 to a member who is not the chair, and changes nothing', async () => {
      const meeting = await givenMeeting(t.dataSource, a);
      const before = await row(meeting.id);
      const total = await meetingsOf(a.id);
      const refusals = [
        await t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('coaA')).send({ weeks: 12 }),
        await t.http().post(`${API}/tables/${a.id}/meetings`).set(as('coaA')).send({ scheduledAt: inDays(2) }),
        await t.http().patch(`${API}/meetings/${meeting.id}`).set(as('coaA')).send({ location: 'Elders' }),
        await t.http().post(`${API}/meetings/${meeting.id}/_cancel`).set(as('coaA')).send({ reason: 'Niet mijn beslissing' }),
      ];
      for (const res of refusals) expect({ status: res.status, code: res.body.code }).toEqual({ status: 403, code: 'chair_only' });
      expect(await row(meeting.id)).toEqual(before);
      expect(await meetingsOf(a.id)).toBe(total);
    });
  });

  describe('calendar feeds', () => {
    const feedPath = (url: string) => new URL(url).pathname;

    it('serves a table feed of its meetings in UTC, lists it without its URL, and forgets it once revoked', async () => {
      const res = await t.http().post(`${API}/calendar-feeds`).set(as('coaA')).send({ kind: 'table', tableId: a.id }).expect(201);
      expect(res.body).toMatchObject({ kind: 'table', tableId: a.id });
      expect(res.body.url).toMatch(new RegExp(`^${t.config.PUBLIC_BASE_URL}/api/v1/calendar-feeds/[A-Za-z0-9_-]{43}/events$`));
      const stored = await t.dataSource.query(`SELECT encode(token_hash, 'hex') AS h FROM calendar_feed_token WHERE id = $1`, [res.body.id]);
      expect(res.body.url).not.toContain(stored[0].h);

      const feed = await t.http().get(feedPath(res.body.url)).expect(200);
      expect(feed.headers['content-type']).toMatch(/^text\/calendar/);
      expect(feed.headers['cache-control']).toBe('no-store');
      const upcoming = (await t.http().get(`${API}/tables/${a.id}/meetings?limit=100&from=${encodeURIComponent(inDays(-30))}`).set(as('coaA')).expect(200)).body.items.filter(
        (m: MeetingBody) => ['planned', 'agenda_published', 'in_session'].includes(m.status),
      );
      const vs = vevents(feed.text);
      expect(vs.length).toBe(upcoming.length);
      for (const v of vs) {
        expect(v.DTSTART).toMatch(/^\d{8}T\d{6}Z$/);
        expect(v.SUMMARY).toBe(`LKO ${a.prefix}`);
        // For people: the meeting's status as its Dutch label, never the code.
        expect(v.DESCRIPTION).toMatch(/^Casusoverleg \((gepland|agenda gepubliceerd|in vergadering)\)$/);
      }
      const first = upcoming[0] as MeetingBody;
      const event = vs.find((v) => v.UID === `${first.id}@ketentafel`)!;
      expect(event.DTSTART).toBe(first.scheduledAt.replace(/[-:]/g, '').replace(/\.\d{3}/, ''));
      expect(event.DTEND).toBe(new Date(Date.parse(first.scheduledAt) + 7_200_000).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, ''));

      const listed = await t.http().get(`${API}/calendar-feeds`).set(as('coaA')).expect(200);
      expect(listed.body.items).toContainEqual({ id: res.body.id, kind: 'table', tableId: a.id, createdAt: res.body.createdAt });
      expect(JSON.stringify(listed.body)).not.toContain('/events');
      expect((await t.http().get(`${API}/calendar-feeds`).set(as('coaB')).expect(200)).body).toEqual({ items: [], nextCursor: null });

      await t.http().delete(`${API}/calendar-feeds/${res.body.id}`).set(as('coaB')).expect(404);
      await t.http().get(feedPath(res.body.url)).expect(200);
      await t.http().delete(`${API}/calendar-feeds/${res.body.id}`).set(as('coaA')).expect(204);
      const gone = await t.http().get(feedPath(res.body.url)).expect(404);
      expect(gone.headers['content-type']).toMatch(/^application\/problem\+json/);
      await t.http().delete(`${API}/calendar-feeds/${res.body.id}`).set(as('coaA')).expect(404);
      expect((await t.http().get(`${API}/calendar-feeds`).set(as('coaA')).expect(200)).body.items.map((f: { id: string }) => f.id)).not.toContain(res.body.id);
      await t.http().get(`${API}/calendar-feeds/not-a-token/events`).expect(404);
    });

    it("serves an organisation feed of its open actions with case references only, and logs the read", async () => {
      const familyName = 'Zwanenburg-Kalkoen';
      const subject = await givenSubject(t.dataSource, { familyName, givenNames: 'Ottoline' });
      const kase = await givenCase(t.dataSource, a, { subjectId: subject.id });
      const other = await givenCase(t.dataSource, a);
      const open = await givenAction(t.dataSource, kase.id, a.organisations.COA!, { dueDate: '2027-01-12', description: `Gesprek met ${familyName} over ${subject.vNumber}` });
      await givenAction(t.dataSource, kase.id, a.organisations.COA!, { dueDate: '2027-01-13', status: 'done' });
      await givenAction(t.dataSource, other.id, a.organisations.POLICE!, { dueDate: '2027-01-14' });
      const elsewhere = await givenCase(t.dataSource, b);
      await givenAction(t.dataSource, elsewhere.id, b.organisations.COA!, { dueDate: '2027-01-15' });

      const res = await t.http().post(`${API}/calendar-feeds`).set(as('coaA')).send({ kind: 'organisation' }).expect(201);
      expect(res.body).toMatchObject({ kind: 'organisation', tableId: null });
      const logged = () => count(`SELECT count(*) AS n FROM processing_log WHERE operation_name = 'calendar_feed.read' AND table_id = $1`, [a.id]);
      const before = await logged();

      const feed = await t.http().get(feedPath(res.body.url)).expect(200);
      const vs = vevents(feed.text);
      expect(vs).toEqual([expect.objectContaining({ UID: `${open.id}@ketentafel`, 'DTSTART;VALUE=DATE': '20270112', SUMMARY: `Actie ${kase.reference}` })]);
      expect(vs[0].DESCRIPTION).toBeUndefined();
      for (const secret of [familyName, 'Ottoline', subject.vNumber, 'Gesprek', elsewhere.reference, other.reference]) expect(feed.text).not.toContain(secret);
      expect(await logged()).toBe(before + 1);
    });

    it('answers 404 for the feed of a user who left the table or was disabled', async () => {
      await seat('leaver', a, 'IND');
      await seat('disabled', a, 'DTV');
      const create = async (who: string) => (await t.http().post(`${API}/calendar-feeds`).set(as(who)).send({ kind: 'table', tableId: a.id }).expect(201)).body.url as string;
      const leaverFeed = await create('leaver');
      const disabledFeed = await create('disabled');
      await t.http().get(feedPath(leaverFeed)).expect(200);
      await t.http().get(feedPath(disabledFeed)).expect(200);

      await t.dataSource.query(`UPDATE table_membership SET ended_at = now() WHERE user_id = $1`, [users.leaver.id]);
      await t.dataSource.query(`UPDATE app_user SET disabled_at = now() WHERE id = $1`, [users.disabled.id]);
      await t.http().get(feedPath(leaverFeed)).expect(404);
      await t.http().get(feedPath(disabledFeed)).expect(404);
    });

    it('answers 404 to a feed for a table the caller does not sit at', async () => {
      const res = await t.http().post(`${API}/calendar-feeds`).set(as('coaB')).send({ kind: 'table', tableId: a.id }).expect(404);
      expect(res.body.code).toBe('not_found');
      expect(await count(`SELECT count(*) AS n FROM calendar_feed_token WHERE user_id = $1`, [users.coaB.id])).toBe(0);
    });
  });

  describe('invalid input', () => {
    const names = (res: { body: { invalidParams?: { name: string }[] } }) => (res.body.invalidParams ?? []).map((p) => p.name).sort();

    it('answers 400 naming every offending field, and changes nothing', async () => {
      const meeting = await givenMeeting(t.dataSource, a);
      const before = await row(meeting.id);
      const total = await meetingsOf(a.id);
      const feeds = await count(`SELECT count(*) AS n FROM calendar_feed_token`);
      const cases: [PromiseLike<{ status: number; body: { invalidParams?: { name: string }[] } }>, string[]][] = [
        [t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('chairA')).send({ weeks: 27 }), ['weeks']],
        [t.http().post(`${API}/tables/${a.id}/meetings/_generate`).set(as('chairA')).send({ weeks: '8' }), ['weeks']],
        [t.http().post(`${API}/tables/${a.id}/meetings`).set(as('chairA')).send({ scheduledAt: inDays(-1), location: '', room: 2 }), ['location', 'room', 'scheduledAt']],
        [t.http().post(`${API}/tables/${a.id}/meetings`).set(as('chairA')).send({ scheduledAt: '2030-01-01 10:00' }), ['scheduledAt']],
        [t.http().patch(`${API}/meetings/${meeting.id}`).set(as('chairA')).send({}), ['body']],
        [t.http().patch(`${API}/meetings/${meeting.id}`).set(as('chairA')).send({ scheduledAt: '2030-01-01T10:00:00' }), ['scheduledAt']],
        [t.http().post(`${API}/meetings/${meeting.id}/_cancel`).set(as('chairA')).send({ reason: '' }), ['reason']],
        [t.http().post(`${API}/meetings/${meeting.id}/_cancel`).set(as('chairA')).send({ reason: 'x'.repeat(501) }), ['reason']],
        [t.http().get(`${API}/tables/${a.id}/meetings?from=gisteren&status=open`).set(as('coaA')), ['from', 'status']],
        [t.http().get(`${API}/tables/${a.id}/meetings?from=${encodeURIComponent(inDays(2))}&to=${encodeURIComponent(inDays(1))}`).set(as('coaA')), ['to']],
        [t.http().get(`${API}/meetings/not-a-uuid`).set(as('coaA')), ['id']],
        [t.http().post(`${API}/calendar-feeds`).set(as('coaA')).send({ kind: 'table' }), ['tableId']],
        [t.http().post(`${API}/calendar-feeds`).set(as('coaA')).send({ kind: 'organisation', tableId: a.id }), ['tableId']],
        [t.http().post(`${API}/calendar-feeds`).set(as('coaA')).send({ kind: 'personal' }), ['kind']],
      ];
      for (const [request, expected] of cases) {
        const res = await request;
        expect({ status: res.status, names: names(res) }).toEqual({ status: 400, names: expected });
      }
      expect(await row(meeting.id)).toEqual(before);
      expect(await meetingsOf(a.id)).toBe(total);
      expect(await count(`SELECT count(*) AS n FROM calendar_feed_token`)).toBe(feeds);
    });
  });
});
