import { Logger } from '@nestjs/common';
import { createHmac } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { Clock } from '../src/common/clock';
import { NotificationKind } from '../src/notifications/notification-kind';
import { NotificationService } from '../src/notifications/notification.service';
import { defaultGrants } from '../src/tables/covenant-writer';
import { WebhookDispatcher } from '../src/webhooks/webhook-dispatcher.service';
import { SUBSCRIBABLE_KINDS } from '../src/webhooks/webhook-event';
import { WebhookPayloads } from '../src/webhooks/webhook-payload.service';
import { MAX_ATTEMPTS, RETRY_DELAYS_SECONDS } from '../src/webhooks/webhook-retry';
import { WebhookSecrets } from '../src/webhooks/webhook-secrets';
import { WebhooksProcessor } from '../src/webhooks/webhooks.processor';
import { setClock } from './support/clock';
import { buildFullFixture, FullFixture, saveCovenant } from './support/full-fixture';
import { givenAction, givenCase, givenOrganisation, givenTable, GivenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, partnerToken, startTestApp, TestApp } from './support/test-app';
import { ReceivedWebhook, WebhookReceiver } from './support/webhook-receiver';

const TIMEOUT_MS = 1500;
const T0 = new Date('2026-03-02T09:00:00.000Z');
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000);

async function eventually(what: string, check: () => Promise<boolean>, ms = 10_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The signature of `r` recomputed with nothing but node:crypto, per the Standard Webhooks specification. */
function hmacSignature(secret: string, r: ReceivedWebhook): string {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  return `v1,${createHmac('sha256', key).update(`${r.headers['webhook-id']}.${r.headers['webhook-timestamp']}.${r.body}`).digest('base64')}`;
}

const headersOf = (r: ReceivedWebhook) => Object.fromEntries(Object.entries(r.headers).map(([k, v]) => [k, String(v)]));

describe('signed webhooks to partner systems', () => {
  let t: TestApp;
  let table: GivenTable;
  let admin: string;
  /** The police's partner system with webhooks:manage, one without it, and the municipality's with it. */
  let police: string;
  let policeNoScope: string;
  let municipality: string;
  let policeUser: { id: string; token: string };
  let clock: ReturnType<typeof setClock>;
  const receivers: WebhookReceiver[] = [];

  const api = (method: 'get' | 'post' | 'patch' | 'delete', path: string, token: string, body?: object) => {
    const req = t.http()[method](`/api/v1${path}`).set(bearer(token));
    return body === undefined ? req : req.send(body);
  };
  const q = (sql: string, params: unknown[] = []) => t.dataSource.query(sql, params);
  const dispatch = () => t.app.get(WebhookDispatcher, { strict: false }).dispatch();
  const delivery = async (id: string) => (await q(`SELECT * FROM webhook_delivery WHERE id = $1`, [id]))[0];

  async function receiver(script?: ConstructorParameters<typeof WebhookReceiver>[0], path?: string) {
    const r = new WebhookReceiver(script);
    receivers.push(r);
    return { r, url: await r.start(path) };
  }

  async function subscribe(token: string, body: object): Promise<{ id: string; secret: string }> {
    const res = await api('post', '/webhook-subscriptions', token, body).expect(201);
    return res.body;
  }

  /** A notice about an action of a fresh case for `organisations`, written as the consumers write them; returns its deliveries. */
  async function notice(organisations: string[], kind = NotificationKind.ActionDueSoon, cause?: string) {
    const c = await givenCase(t.dataSource, table);
    const action = await givenAction(t.dataSource, c.id, table.organisations.POLICE!, { dueDate: '2026-12-24' });
    const input = {
      recipients: [],
      organisations,
      cause: cause ?? `test:${action.id}`,
      kind,
      tableId: table.id,
      case: { id: c.id, reference: c.reference },
      resource: { type: 'action' as const, id: action.id },
      link: `/api/v1/actions/${action.id}`,
    };
    await t.dataSource.transaction((m) => t.app.get(NotificationService).notify(m, input));
    const rows: { id: string; subscription_id: string }[] = await q(`SELECT id, subscription_id FROM webhook_delivery WHERE cause = $1 ORDER BY id`, [input.cause]);
    return { rows, case: c, action, cause: input.cause };
  }

  beforeAll(async () => {
    t = await startTestApp({ seed: false, env: { WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS) } });
    table = await givenTable(t.dataSource);
    const operator = await givenOrganisation(t.dataSource, 'ADMINISTRATION');
    admin = (await login(t, (await givenUser(t.dataSource, operator, ['admin'])).email)).accessToken;
    police = await partnerToken(t, admin, table.organisations.POLICE!, ['webhooks:manage']);
    policeNoScope = await partnerToken(t, admin, table.organisations.POLICE!, ['actions:read']);
    municipality = await partnerToken(t, admin, table.organisations.MUNICIPALITY!, ['webhooks:manage']);
    const u = await givenTableUser(t.dataSource, table, 'POLICE');
    policeUser = { id: u.id, token: (await login(t, u.email)).accessToken };
  }, 60_000);

  afterEach(() => clock?.restore());

  afterAll(async () => {
    for (const r of receivers) await r.close();
    await t?.close();
  });

  describe('the subscriptions API', () => {
    it('lets an administrator subscribe any organisation, and shows the secret once, stored only encrypted', async () => {
      const { url } = await receiver();
      const created = await api('post', '/webhook-subscriptions', admin, { organisationId: table.organisations.POLICE, url, eventTypes: ['action_overdue'] }).expect(201);
      expect(created.body).toMatchObject({ organisationId: table.organisations.POLICE, url, eventTypes: ['action_overdue'], active: true, description: null });
      expect(created.body.secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
      const shown = await api('get', `/webhook-subscriptions/${created.body.id}`, admin).expect(200);
      expect(shown.body).not.toHaveProperty('secret');
      expect(JSON.stringify((await api('get', '/webhook-subscriptions', admin).expect(200)).body)).not.toContain(created.body.secret);
      const [row] = await q(`SELECT secret_ciphertext FROM webhook_subscription WHERE id = $1`, [created.body.id]);
      expect(row.secret_ciphertext).toMatch(/^v1\./);
      expect(row.secret_ciphertext).not.toContain(created.body.secret.slice(6, 20));
      expect(t.app.get(WebhookSecrets, { strict: false }).decrypt(row.secret_ciphertext, created.body.id)).toBe(created.body.secret);
      // An administrator names the organisation.
      const missing = await api('post', '/webhook-subscriptions', admin, { url, eventTypes: ['action_overdue'] }).expect(400);
      expect(missing.body.invalidParams).toEqual([expect.objectContaining({ name: 'organisationId' })]);
    });

    it("lets a partner system with webhooks:manage manage its own organisation's subscriptions only", async () => {
      const { url } = await receiver();
      const own = await subscribe(police, { url, eventTypes: ['action_due_soon', 'escalation_requested'], description: 'BVH-koppeling' });
      expect((await api('get', `/webhook-subscriptions/${own.id}`, police).expect(200)).body.organisationId).toBe(table.organisations.POLICE);
      const listed = (await api('get', '/webhook-subscriptions', police).expect(200)).body.items as { organisationId: string }[];
      expect(listed.length).toBeGreaterThan(0);
      expect(listed.every((s) => s.organisationId === table.organisations.POLICE)).toBe(true);

      // Another organisation's subscription is not found, whatever one does with it.
      const theirs = `/webhook-subscriptions/${own.id}`;
      const d = (await notice([table.organisations.POLICE!], NotificationKind.ActionDueSoon)).rows.find((r) => r.subscription_id === own.id)!;
      for (const [method, path, body] of [
        ['get', theirs, undefined],
        ['patch', theirs, { description: 'Overgenomen' }],
        ['delete', theirs, undefined],
        ['post', `${theirs}/_rotate`, undefined],
        ['get', `${theirs}/deliveries`, undefined],
        ['post', `${theirs}/deliveries/${d.id}/_resend`, undefined],
      ] as const) {
        const res = await api(method, path, municipality, body).expect(404);
        expect(res.body).toMatchObject({ code: 'not_found', detail: 'Webhook subscription was not found.' });
      }
      expect((await api('get', '/webhook-subscriptions', municipality).expect(200)).body.items.map((s: { id: string }) => s.id)).not.toContain(own.id);
      // Nor can it subscribe another organisation.
      await api('post', '/webhook-subscriptions', municipality, { organisationId: table.organisations.POLICE, url, eventTypes: ['action_due_soon'] }).expect(404);
      expect((await api('get', theirs, police).expect(200)).body.description).toBe('BVH-koppeling');
    });

    it('refuses a partner system without webhooks:manage with 403 naming the scope, and people of the organisation too', async () => {
      const res = await api('get', '/webhook-subscriptions', policeNoScope).expect(403);
      expect(res.body).toMatchObject({ code: 'permission_denied', requiredScopes: ['webhooks:manage'] });
      expect(res.body.detail).toContain('webhooks:manage');
      await api('post', '/webhook-subscriptions', policeNoScope, { url: 'https://example.org/hooks', eventTypes: ['action_overdue'] }).expect(403);
      expect((await api('get', '/webhook-subscriptions', policeUser.token).expect(403)).body.code).toBe('permission_denied');
    });

    it('validates the target URL and the event types, naming every field', async () => {
      for (const [url, reason] of [
        ['http://gebruiker:geheim@127.0.0.1/hooks', /credentials/],
        ['ftp://127.0.0.1/hooks', /http\(s\)/],
        ['/relative/hooks', /absolute/],
        [`http://127.0.0.1/${'a'.repeat(2000)}`, /at most 2000/],
        ['http://127.0.0.1/hooks#fragment', /fragment/],
        ['http://127.0.0.1/ho oks', /white space/],
      ] as const) {
        const res = await api('post', '/webhook-subscriptions', police, { url, eventTypes: ['action_overdue', 'webhook_delivery_failed'] }).expect(400);
        expect(res.body.invalidParams).toEqual([
          { name: 'url', reason: expect.stringMatching(reason) },
          { name: 'eventTypes', reason: expect.any(String) },
        ]);
      }
      await api('post', '/webhook-subscriptions', police, { url: 'https://example.org/hooks', eventTypes: [] }).expect(400);
      expect(await q(`SELECT 1 FROM webhook_subscription WHERE url LIKE 'ftp:%' OR url LIKE '%geheim%'`)).toEqual([]);
    });

    it('changes, pauses, rotates and ends a subscription', async () => {
      const { url } = await receiver();
      const sub = await subscribe(police, { url, eventTypes: ['action_overdue'], description: 'Eerst' });
      const changed = await api('patch', `/webhook-subscriptions/${sub.id}`, police, { eventTypes: ['action_overdue', 'agenda_published'], description: null, active: false }).expect(200);
      expect(changed.body).toMatchObject({ eventTypes: ['action_overdue', 'agenda_published'], description: null, active: false });
      const rotated = await api('post', `/webhook-subscriptions/${sub.id}/_rotate`, police).expect(200);
      expect(rotated.body.secret).toMatch(/^whsec_/);
      expect(rotated.body.secret).not.toBe(sub.secret);
      expect(new Date(rotated.body.previousSecretValidUntil).getTime() - new Date(rotated.body.secretRotatedAt).getTime()).toBe(24 * 3600 * 1000);
      await api('delete', `/webhook-subscriptions/${sub.id}`, police).expect(204);
      await api('get', `/webhook-subscriptions/${sub.id}`, police).expect(404);
    });
  });

  describe('recording', () => {
    it('records one delivery per active subscription that asks for the kind, once per cause', async () => {
      const { url } = await receiver();
      const wanted = await subscribe(police, { url, eventTypes: ['action_overdue'] });
      const paused = await subscribe(police, { url, eventTypes: ['action_overdue'], active: false });
      const otherKind = await subscribe(police, { url, eventTypes: ['agenda_published'] });
      const otherOrganisation = await subscribe(municipality, { url, eventTypes: ['action_overdue'] });
      const first = await notice([table.organisations.POLICE!], NotificationKind.ActionOverdue);
      const mine = (rows: { subscription_id: string }[]) => rows.map((r) => r.subscription_id).filter((s) => [wanted.id, paused.id, otherKind.id, otherOrganisation.id].includes(s));
      expect(mine(first.rows)).toEqual([wanted.id]);
      // The same notice written again (a consumer run twice) records nothing more.
      const again = await notice([table.organisations.POLICE!], NotificationKind.ActionOverdue, first.cause);
      expect(again.rows.map((r) => r.id)).toEqual(first.rows.map((r) => r.id));
      // A notice meant for people only goes to no system.
      expect((await notice([], NotificationKind.ActionOverdue)).rows).toEqual([]);
    });
  });

  describe('dispatching', () => {
    it('sends on the schedule of the dispatch-webhooks job in worker processes', async () => {
      const { r, url } = await receiver(() => 200);
      const sub = await subscribe(police, { url, eventTypes: ['escalation_response_due'] });
      const id = (await notice([table.organisations.POLICE!], NotificationKind.EscalationResponseDue)).rows.find((x) => x.subscription_id === sub.id)!.id;
      await eventually('the scheduled dispatcher delivers', async () => (await delivery(id)).status === 'delivered');
      expect(r.of(id)).toHaveLength(1);
    });

    describe('on the clock the test moves', () => {
      // The schedule would dispatch alongside; from here on the test dispatches itself, at the times it sets.
      beforeAll(() => t.app.get(WebhooksProcessor, { strict: false }).worker.pause());

      it('delivers once to a receiver that fails three times first, signed, with the retries spaced as documented', async () => {
        const { r, url } = await receiver((n) => [500, 500, 503][n] ?? 200);
        const sub = await subscribe(police, { url, eventTypes: ['action_due_soon'] });
        clock = setClock(t, T0);
        const { rows, action, case: c } = await notice([table.organisations.POLICE!]);
        const id = rows.find((x) => x.subscription_id === sub.id)!.id;
        expect(await delivery(id)).toMatchObject({ status: 'pending', attempts: 0, next_attempt_at: T0 });

        await dispatch();
        expect(r.of(id)).toHaveLength(1);
        // Each retry is made at its time, not a millisecond before: after 5 s, then 5 min, then 30 min.
        let failedAt = T0;
        for (const [i, delay] of RETRY_DELAYS_SECONDS.slice(0, 3).entries()) {
          expect(await delivery(id)).toMatchObject({ status: 'pending', attempts: i + 1, next_attempt_at: new Date(failedAt.getTime() + delay * 1000) });
          const due = new Date(failedAt.getTime() + delay * 1000);
          clock.set(new Date(due.getTime() - 1));
          await dispatch();
          expect(r.of(id)).toHaveLength(i + 1);
          clock.set(due);
          await dispatch();
          expect(r.of(id)).toHaveLength(i + 2);
          failedAt = due;
        }
        expect(RETRY_DELAYS_SECONDS.slice(0, 3)).toEqual([5, 300, 1800]);
        expect(await delivery(id)).toMatchObject({ status: 'delivered', attempts: 4, last_status_code: 200, delivered_at: at(5 + 300 + 1800), next_attempt_at: null });
        // Delivered once: nothing more, however long one waits.
        clock.set(at(3 * 86_400));
        await dispatch();
        expect(r.of(id).map((x) => x.answer)).toEqual([500, 500, 503, 200]);

        // Every attempt is the same event: the same id, and a signature that verifies.
        const last = r.of(id)[3];
        expect(new Set(r.of(id).map((x) => x.headers['webhook-id']))).toEqual(new Set([id]));
        expect(last.headers['content-type']).toBe('application/cloudevents+json; charset=utf-8');
        expect(new Webhook(sub.secret).verify(last.body, headersOf(last))).toMatchObject({ id });
        expect(last.headers['webhook-signature']).toBe(hmacSignature(sub.secret, last));
        expect(() => new Webhook(`whsec_${Buffer.alloc(32, 7).toString('base64')}`).verify(last.body, headersOf(last))).toThrow(/No matching signature/);
        expect(() => new Webhook(sub.secret).verify(last.body.replace('action_due_soon', 'action_overdue'), headersOf(last))).toThrow();

        // A CloudEvents 1.0 event after the NL GOV profile, with data but nothing of the person.
        expect(JSON.parse(last.body)).toEqual({
          specversion: '1.0',
          id,
          source: t.config.WEBHOOK_SOURCE,
          type: 'nl.ketentafel.action_due_soon',
          time: T0.toISOString(),
          subject: `action/${action.id}`,
          dataref: `${t.config.PUBLIC_BASE_URL}/api/v1/actions/${action.id}`,
          datacontenttype: 'application/json',
          dataschema: `${t.config.PUBLIC_BASE_URL}/api/v1/openapi.json#/components/schemas/WebhookEventData`,
          data: {
            kind: 'action_due_soon',
            tableId: table.id,
            caseId: c.id,
            caseReference: c.reference,
            resourceType: 'action',
            resourceId: action.id,
            link: `${t.config.PUBLIC_BASE_URL}/api/v1/actions/${action.id}`,
            dueDate: '2026-12-24',
          },
        });
        const listed = (await api('get', `/webhook-subscriptions/${sub.id}/deliveries?status=delivered`, police).expect(200)).body;
        expect(listed.items).toEqual([expect.objectContaining({ id, eventType: 'nl.ketentafel.action_due_soon', status: 'delivered', attempts: 4, lastStatusCode: 200, lastError: null })]);
        // Sending the case's id and reference is processing of the person's data: logged by the system, per attempt.
        const logged = await q(`SELECT count(*)::int AS n FROM audit_log WHERE action = 'webhook.send' AND actor_kind = 'system' AND table_id = $1`, [table.id]);
        expect(logged[0].n).toBeGreaterThanOrEqual(4);
      });

      it('fails a delivery after its last retry, alerts the organisation, keeps it listed and sends it again on request', async () => {
        const { r, url } = await receiver(() => 500, '/hooks?token=geheim-in-de-url');
        const sub = await subscribe(admin, { organisationId: table.organisations.POLICE, url, eventTypes: ['escalation_requested'] });
        clock = setClock(t, T0);
        const id = (await notice([table.organisations.POLICE!], NotificationKind.EscalationRequested)).rows.find((x) => x.subscription_id === sub.id)!.id;
        const warn = jest.spyOn(Logger.prototype, 'warn');
        try {
          const times: number[] = [];
          for (let attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
            const due: Date = (await delivery(id)).next_attempt_at;
            clock.set(due);
            times.push(due.getTime());
            await dispatch();
            expect(r.of(id)).toHaveLength(attempt);
          }
          // Eight attempts over more than a day: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h and 10 h apart.
          expect(times.slice(1).map((x, i) => (x - times[i]) / 1000)).toEqual([5, 300, 1800, 7200, 18000, 36000, 36000]);
          expect((times[times.length - 1] - times[0]) / 3_600_000).toBeGreaterThan(24);
          const failedAt = new Date(times[times.length - 1]);
          expect(await delivery(id)).toMatchObject({ status: 'failed', attempts: 8, failed_at: failedAt, next_attempt_at: null, last_status_code: 500, last_error: 'http_500' });
          const logged = warn.mock.calls.filter((c) => (c[0] as { event?: string })?.event === 'webhook_delivery_failed');
          expect(logged).toHaveLength(1);
          expect(logged[0][0]).toMatchObject({ deliveryId: id, subscriptionId: sub.id, attempts: 8, target: new URL(url).origin });
          expect(JSON.stringify(logged)).not.toContain('geheim');
        } finally {
          warn.mockRestore();
        }
        clock.set(at(4 * 86_400));
        await dispatch();
        expect(r.of(id)).toHaveLength(8);

        // The people of the organisation are told in their inbox: what failed and where to look, no table.
        const inbox = (await api('get', '/inbox', policeUser.token).expect(200)).body.items;
        expect(inbox.filter((i: { kind: string }) => i.kind === 'webhook_delivery_failed')).toEqual([
          {
            id: expect.any(String),
            kind: 'webhook_delivery_failed',
            createdAt: expect.any(String),
            readAt: null,
            resourceType: 'webhook_delivery',
            resourceId: id,
            link: `/api/v1/webhook-subscriptions/${sub.id}/deliveries?status=failed`,
          },
        ]);

        // Still listed, and sent again on request: the same id, a fresh round.
        const failed = (await api('get', `/webhook-subscriptions/${sub.id}/deliveries?status=failed`, police).expect(200)).body;
        expect(failed.items).toEqual([expect.objectContaining({ id, status: 'failed', attempts: 8, lastError: 'http_500' })]);
        r.answer(() => 202);
        const resent = await api('post', `/webhook-subscriptions/${sub.id}/deliveries/${id}/_resend`, police).expect(200);
        expect(resent.body).toMatchObject({ id, status: 'pending', attempts: 0, resends: 1, failedAt: null, nextAttemptAt: at(4 * 86_400).toISOString() });
        expect((await api('post', `/webhook-subscriptions/${sub.id}/deliveries/${id}/_resend`, police).expect(409)).body.code).toBe('webhook_delivery_pending');
        await dispatch();
        expect(r.of(id).map((x) => x.answer)).toEqual([...Array(8).fill(500), 202]);
        expect(await delivery(id)).toMatchObject({ status: 'delivered', attempts: 1, resends: 1 });
        await api('post', `/webhook-subscriptions/${sub.id}/deliveries/${id}/_resend`, admin).expect(200);
        await api('post', `/webhook-subscriptions/${sub.id}/deliveries/00000000-0000-4000-8000-000000000000/_resend`, police).expect(404);
      }, 30_000);

      it('gives up on a receiver that never answers within the timeout, and tries again later', async () => {
        const { r, url } = await receiver(() => 'hang');
        const sub = await subscribe(police, { url, eventTypes: ['agenda_published'] });
        clock = setClock(t, T0);
        const id = (await notice([table.organisations.POLICE!], NotificationKind.AgendaPublished)).rows.find((x) => x.subscription_id === sub.id)!.id;
        const started = performance.now();
        await dispatch();
        const took = performance.now() - started;
        expect(r.of(id)).toHaveLength(1);
        expect(took).toBeGreaterThanOrEqual(TIMEOUT_MS - 50);
        expect(took).toBeLessThan(TIMEOUT_MS + 1500);
        expect(await delivery(id)).toMatchObject({ status: 'pending', attempts: 1, last_error: 'timeout', last_status_code: null, next_attempt_at: at(5), lease_until: null });
      });

      it('delivers each due delivery once when dispatchers run at once', async () => {
        const { r, url } = await receiver(() => 200);
        const sub = await subscribe(police, { url, eventTypes: ['action_completed'] });
        clock = setClock(t, T0);
        const ids: string[] = [];
        for (let i = 0; i < 12; i++) ids.push((await notice([table.organisations.POLICE!], NotificationKind.ActionCompleted)).rows.find((x) => x.subscription_id === sub.id)!.id);
        // A second dispatcher of its own, as another worker process would have.
        const app = <T>(type: new (...args: never[]) => T) => t.app.get(type, { strict: false });
        const other = new WebhookDispatcher(t.dataSource, t.config, app(Clock), app(WebhookSecrets), app(WebhookPayloads), app(NotificationService));
        const results = await Promise.all([dispatch(), other.dispatch(), dispatch(), other.dispatch()]);
        expect(results.reduce((n, x) => n + x.delivered, 0)).toBeGreaterThanOrEqual(12);
        for (const id of ids) expect(r.of(id)).toHaveLength(1);
        expect(await q(`SELECT DISTINCT status FROM webhook_delivery WHERE id = ANY($1)`, [ids])).toEqual([{ status: 'delivered' }]);
      });

      it('signs with the previous secret too for a day after a rotation', async () => {
        const { r, url } = await receiver(() => 200);
        const sub = await subscribe(police, { url, eventTypes: ['action_assigned'] });
        clock = setClock(t, T0);
        const rotated = (await api('post', `/webhook-subscriptions/${sub.id}/_rotate`, police).expect(200)).body;
        const first = (await notice([table.organisations.POLICE!], NotificationKind.ActionAssigned)).rows.find((x) => x.subscription_id === sub.id)!.id;
        await dispatch();
        const [during] = r.of(first);
        expect(during.headers['webhook-signature']).toMatch(/^v1,\S+ v1,\S+$/);
        for (const secret of [sub.secret, rotated.secret]) expect(new Webhook(secret).verify(during.body, headersOf(during))).toMatchObject({ id: first });

        clock.set(at(24 * 3600 + 1));
        const later = (await notice([table.organisations.POLICE!], NotificationKind.ActionAssigned)).rows.find((x) => x.subscription_id === sub.id)!.id;
        await dispatch();
        const [after] = r.of(later);
        expect(after.headers['webhook-signature']).toBe(hmacSignature(rotated.secret, after));
        expect(() => new Webhook(sub.secret).verify(after.body, headersOf(after))).toThrow();
      });

    });
  });
});

describe('what a municipality is sent: nothing of any person, and of a case only what its covenant grants, when it is sent', () => {
  let t: TestApp;
  let f: FullFixture;
  let admin: string;
  let chair: string;
  const r = new WebhookReceiver(() => 204);
  let sub: { id: string };
  const DATA_FIELDS = ['kind', 'tableId', 'caseId', 'caseReference', 'resourceType', 'resourceId', 'link', 'dueDate'];

  const api = (method: 'get' | 'post' | 'delete', path: string, token: string, body?: object) => {
    const req = t.http()[method](`/api/v1${path}`).set(bearer(token));
    return body === undefined ? req : req.send(body);
  };
  const dispatch = () => t.app.get(WebhookDispatcher, { strict: false }).dispatch();
  const deliveries = async (): Promise<{ id: string; kind: string; status: string }[]> =>
    t.dataSource.query(`SELECT id, kind, status FROM webhook_delivery WHERE subscription_id = $1 ORDER BY created_at, id`, [sub.id]);
  const events = () => r.received.map((x) => ({ ...JSON.parse(x.body), raw: x.body }));

  beforeAll(async () => {
    t = await startTestApp({ seed: false });
    await t.app.get(WebhooksProcessor, { strict: false }).worker.pause();
    f = await buildFullFixture(t);
    // The default covenant: the municipality is not granted criminal data (nor procedure, care or return).
    await saveCovenant(f, defaultGrants(), 'standaardconvenant');
    const operator = await givenOrganisation(t.dataSource, 'ADMINISTRATION');
    admin = (await login(t, (await givenUser(t.dataSource, operator, ['admin'])).email)).accessToken;
    chair = f.viewers.COA.chair.token;
    const url = await r.start();
    sub = (await api('post', '/webhook-subscriptions', admin, { organisationId: f.table.organisations.MUNICIPALITY, url, eventTypes: SUBSCRIBABLE_KINDS }).expect(201)).body;
  }, 180_000);

  afterAll(async () => {
    await r.close();
    await t?.close();
  });

  it('tells the municipality of the weekly cycle with ids, references and links only, never a probe of any category', async () => {
    // An escalation to the municipality (Top-X) of the case that has offences, the next agenda, and the session's close.
    const escalation = (await api('post', `/agenda-items/${f.caseItems.session}/escalations`, chair, { track: 'top_x', reason: 'Top-X aanpak' }).expect(201)).body.id;
    await api('post', `/escalations/${escalation}/_request`, chair, { reason: 'Graag opnemen' }).expect(200);
    await api('post', `/meetings/${f.meetings.planned}/agenda/_publish`, chair).expect(200);
    await api('post', `/meetings/${f.meetings.session}/_close`, chair).expect(200);
    await eventually('the notices recorded for the subscription', async () => {
      const kinds = new Set((await deliveries()).map((d) => d.kind));
      return ['escalation_requested', 'agenda_published', 'action_agreed'].every((k) => kinds.has(k));
    }, 20_000);
    await dispatch();
    expect((await deliveries()).filter((d) => d.status !== 'delivered')).toEqual([]);

    const sent = events();
    expect(sent.length).toBe((await deliveries()).length);
    for (const e of sent) {
      // Nothing of the person, of no category at all: no name, V-number, date of birth, incident or offence, no text of the table.
      expect(f.probes.hits(e.raw, new Set())).toEqual([]);
      expect(Object.keys(e.data).filter((k) => !DATA_FIELDS.includes(k))).toEqual([]);
      expect(e.raw).not.toContain(f.vNumber);
    }
    const requested = sent.find((e) => e.type === 'nl.ketentafel.escalation_requested' && e.data.resourceId === escalation);
    expect(requested.data).toMatchObject({ kind: 'escalation_requested', tableId: f.table.id, caseId: f.caseId, caseReference: f.caseReference, resourceType: 'escalation' });
    expect(requested.dataref).toBe(`${t.config.PUBLIC_BASE_URL}/api/v1/escalations/${escalation}`);
  }, 60_000);

  it('decides what to disclose when sending: after the covenant withdraws deliberation, or the municipality leaves, only the kind', async () => {
    const find = async (kind: string) => (await deliveries()).find((d) => d.kind === kind)!;
    const resend = async (kind: string) => {
      const d = await find(kind);
      await api('post', `/webhook-subscriptions/${sub.id}/deliveries/${d.id}/_resend`, admin).expect(200);
      const before = r.received.length;
      await dispatch();
      expect(r.received.length).toBe(before + 1);
      return { id: d.id, event: JSON.parse(r.received[r.received.length - 1].body) };
    };

    const withoutDeliberation = defaultGrants().filter((g) => !(g.organisationType === 'MUNICIPALITY' && g.category === 'deliberation'));
    await saveCovenant(f, withoutDeliberation, 'gemeente zonder beraadslaging');
    const escalation = await resend('escalation_requested');
    expect(escalation.event).toMatchObject({ id: escalation.id, type: 'nl.ketentafel.escalation_requested', data: { kind: 'escalation_requested' } });
    expect(Object.keys(escalation.event.data)).toEqual(['kind']);
    expect(escalation.event).not.toHaveProperty('subject');
    expect(escalation.event).not.toHaveProperty('dataref');
    // A published agenda is of no category: membership of the table suffices, so it still names the meeting.
    expect((await resend('agenda_published')).event.data).toMatchObject({ kind: 'agenda_published', tableId: f.table.id, resourceType: 'meeting' });

    await api('delete', `/tables/${f.table.id}/member-organisations/${f.table.organisations.MUNICIPALITY}`, admin).expect(204);
    const agenda = await resend('agenda_published');
    expect(agenda.event.data).toEqual({ kind: 'agenda_published' });
    expect(agenda.event).not.toHaveProperty('dataref');
  }, 60_000);
});
