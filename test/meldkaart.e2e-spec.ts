import { createHash } from 'node:crypto';
import { DEMO_CONTACT_CARD } from '../src/db/demo-seed';
import { givenTable, givenTableUser, givenUser } from './support/factories';
import { bearer, login, startTestApp, TestApp } from './support/test-app';

const API = '/api/v1';
const BROWSER_ACCEPT = 'text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,*/*;q=0.8';

describe('public contact card (meldkaart)', () => {
  let t: TestApp;
  const tokens: Record<string, string> = {};
  let demoTableId: string;
  const http = () => t.http();
  const card = (tableId: string) => `${API}/tables/${tableId}/contact-card`;

  beforeAll(async () => {
    t = await startTestApp();
    for (const who of ['coa', 'politie', 'admin', 'privacy']) tokens[who] = (await login(t, `${who}@demo.ketentafel.nl`)).accessToken;
    [{ id: demoTableId }] = await t.dataSource.query(`SELECT id FROM chain_table WHERE name = 'LKO Harderwijk'`);
  });
  afterAll(() => t.close());

  /** A table of its own with a chair, a member and an outsider (a colleague of the chair without a seat). */
  async function table() {
    const table = await givenTable(t.dataSource, { memberTypes: ['COA', 'POLICE', 'MUNICIPALITY'] });
    const chair = (await login(t, (await givenTableUser(t.dataSource, table, 'COA', 'chair')).email)).accessToken;
    const member = (await login(t, (await givenTableUser(t.dataSource, table, 'POLICE')).email)).accessToken;
    const outsider = (await login(t, (await givenUser(t.dataSource, table.organisations.COA!)).email)).accessToken;
    return { id: table.id, chair, member, outsider };
  }

  describe('reading, for anyone', () => {
    it("serves the demo table's card as JSON without a token, cacheable, with no personal data", async () => {
      const res = await http().get(card(demoTableId)).expect(200);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.headers['api-version']).toMatch(/^\d+\.\d+\.\d+$/);
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers.etag).toMatch(/^"[\w-]{32}"$/);
      expect(res.headers.vary).toMatch(/\bAccept\b/);
      expect(Object.keys(res.body).sort()).toEqual(['contactPoints', 'heading', 'introduction', 'municipalityCode', 'municipalityName', 'tableId', 'updatedAt']);
      expect(res.body).toMatchObject({ tableId: demoTableId, municipalityCode: 'GM0243', municipalityName: 'Gemeente Harderwijk', heading: DEMO_CONTACT_CARD.heading });
      expect(res.body.contactPoints.map((p: { kind: string }) => p.kind)).toEqual(['emergency', 'police', 'coa', 'security', 'municipality', 'other']);
      const police = res.body.contactPoints[1];
      expect(police).toEqual({
        kind: 'police',
        kindLabel: 'Politie',
        serviceName: 'Politie, basisteam Noord-Veluwe',
        phone: '0900-8844',
        phoneUri: 'tel:09008844',
        openingHours: '24 uur per dag',
        url: 'https://www.politie.nl',
        note: expect.stringMatching(/^Geen spoed/),
      });
      expect(res.body.contactPoints.map((p: { phoneUri: string }) => p.phoneUri)).toEqual(['tel:112', 'tel:09008844', 'tel:+31887157000', 'tel:+31887157000', 'tel:140341', 'tel:08007000']);
      // Nothing of who edited it, and no account or person anywhere.
      expect(res.text).not.toMatch(/updatedBy|@demo\.ketentafel\.nl|Locatiemanager/);
    });

    it('answers 304 to a copy it still holds, and 200 to another', async () => {
      const first = await http().get(card(demoTableId)).expect(200);
      const etag = first.headers.etag;
      for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, '*']) {
        const res = await http().get(card(demoTableId)).set('If-None-Match', ifNoneMatch).expect(304);
        expect(res.text ?? '').toBe('');
        expect(res.headers.etag).toBe(etag);
        expect(res.headers['cache-control']).toBe('public, max-age=300');
        expect(res.headers['api-version']).toBeDefined();
      }
      await http().get(card(demoTableId)).set('If-None-Match', '"something-else"').expect(200);
    });

    it('serves a printable Dutch page to a browser, with its own strict content security policy and entity tag', async () => {
      const json = await http().get(card(demoTableId)).expect(200);
      const res = await http().get(card(demoTableId)).set('Accept', BROWSER_ACCEPT).expect(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['cache-control']).toBe('public, max-age=300');
      expect(res.headers.etag).not.toBe(json.headers.etag);
      const html = res.text;
      expect(html).toMatch(/^<!DOCTYPE html>\n<html lang="nl">/);
      expect(html).toContain('@page { size: A4;');
      expect(html).toContain('@media print');
      expect(html).toContain('Bij spoed of direct gevaar: bel 112.');
      expect(html).toContain('<a class="telefoon" href="tel:09008844">0900-8844</a>');
      expect(html).toContain('<a href="https://www.harderwijk.nl">www.harderwijk.nl</a>');
      expect(html).toContain('Meldkaart van het casusoverleg in Gemeente Harderwijk (GM0243). Bijgewerkt op ');
      expect(html).toMatch(/Bijgewerkt op \d\d-\d\d-\d{4}\./);
      // The policy allows exactly the page's stylesheet, by hash, and nothing else (no scripts at all).
      const style = /<style>([\s\S]*?)<\/style>/.exec(html)![1];
      const hash = createHash('sha256').update(style).digest('base64');
      expect(res.headers['content-security-policy']).toBe(`default-src 'none'; style-src 'sha256-${hash}'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
      await http().get(card(demoTableId)).set('Accept', 'text/html').set('If-None-Match', res.headers.etag).expect(304);
    });

    it('answers errors as problem+json with API-Version, never cached', async () => {
      const missing = await http().get(card('00000000-0000-4000-8000-000000000000')).expect(404);
      expect(missing.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(missing.headers['api-version']).toBeDefined();
      expect(missing.headers['cache-control']).toBe('no-store');
      expect(missing.body).toMatchObject({ status: 404, code: 'not_found' });
      const bad = await http().get(card('nope')).expect(400);
      expect(bad.body.invalidParams).toEqual([expect.objectContaining({ name: 'id' })]);
      expect(bad.headers['cache-control']).toBe('no-store');
      const unacceptable = await http().get(card(demoTableId)).set('Accept', 'image/png').expect(406);
      expect(unacceptable.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(unacceptable.body.code).toBe('not_acceptable');
    });

    it('answers 404 for a table without a card, and for an inactive table', async () => {
      const own = await table();
      await http().get(card(own.id)).expect(404);
      await http().put(card(own.id)).set(bearer(own.chair)).send(DEMO_CONTACT_CARD).expect(200);
      await http().get(card(own.id)).expect(200);
      await t.dataSource.query(`UPDATE chain_table SET active = false WHERE id = $1`, [own.id]);
      await http().get(card(own.id)).expect(404);
    });
  });

  describe('editing, by the chair only', () => {
    it('publishes and replaces the card as the chair; the next read shows it under a new entity tag', async () => {
      const own = await table();
      const published = await http().put(card(own.id)).set(bearer(own.chair)).send(DEMO_CONTACT_CARD).expect(200);
      expect(published.body.contactPoints).toHaveLength(DEMO_CONTACT_CARD.contactPoints.length);
      const before = await http().get(card(own.id)).expect(200);
      const next = {
        heading: '  Meldkaart winkelgebied  ',
        contactPoints: [{ kind: 'police', serviceName: 'Politie', phone: '+31 88 169 00 00', url: 'https://www.politie.nl/mijn-buurt' }],
      };
      const res = await http().put(card(own.id)).set(bearer(own.chair)).send(next).expect(200);
      expect(res.body).toMatchObject({ heading: 'Meldkaart winkelgebied', introduction: null });
      expect(res.body.contactPoints).toEqual([
        { kind: 'police', kindLabel: 'Politie', serviceName: 'Politie', phone: '+31 88 169 00 00', phoneUri: 'tel:+31881690000', openingHours: null, url: 'https://www.politie.nl/mijn-buurt', note: null },
      ]);
      const after = await http().get(card(own.id)).expect(200);
      expect(after.body).toEqual(res.body);
      expect(after.headers.etag).not.toBe(before.headers.etag);
      await http().get(card(own.id)).set('If-None-Match', before.headers.etag).expect(200);
    });

    it('refuses everyone but the chair, and changes nothing', async () => {
      const own = await table();
      await http().put(card(own.id)).set(bearer(own.chair)).send(DEMO_CONTACT_CARD).expect(200);
      const etag = (await http().get(card(own.id)).expect(200)).headers.etag;
      const attempt = { heading: 'Overgenomen', contactPoints: [{ kind: 'other', serviceName: 'Iemand anders', phone: '112' }] };
      const member = await http().put(card(own.id)).set(bearer(own.member)).send(attempt).expect(403);
      expect(member.body.code).toBe('chair_only');
      await http().put(card(own.id)).set(bearer(own.outsider)).send(attempt).expect(404);
      await http().put(card(own.id)).set(bearer(tokens.admin)).send(attempt).expect(404);
      await http().put(card(own.id)).set(bearer(tokens.privacy)).send(attempt).expect(404);
      await http().put(card(own.id)).send(attempt).expect(401);
      // The chair of another table (the demo's) cannot edit this one either.
      await http().put(card(own.id)).set(bearer(tokens.coa)).send(attempt).expect(404);
      await http().get(card(own.id)).set('If-None-Match', etag).expect(304);
    });

    it.each([
      ['a field for a person', { contactPerson: 'J. Jansen' }, 'contactPoints.0.contactPerson'],
      ['a phone number that is no phone number', { phone: 'bel Jan' }, 'contactPoints.0.phone'],
      ['a phone number that is too short', { phone: '12' }, 'contactPoints.0.phone'],
      ['a web address without https', { url: 'http://www.politie.nl' }, 'contactPoints.0.url'],
      ['a web address with credentials', { url: 'https://jan:geheim@www.politie.nl' }, 'contactPoints.0.url'],
      ['an e-mail address in a note', { note: 'Of mail j.jansen@politie.nl' }, 'contactPoints.0.note'],
      ['an e-mail address as service name', { serviceName: 'wijkagent@politie.nl' }, 'contactPoints.0.serviceName'],
      ['an unknown kind', { kind: 'neighbour' }, 'contactPoints.0.kind'],
    ])('refuses %s with 400 naming the field, and changes nothing', async (_, change, field) => {
      const own = await table();
      await http().put(card(own.id)).set(bearer(own.chair)).send(DEMO_CONTACT_CARD).expect(200);
      const etag = (await http().get(card(own.id)).expect(200)).headers.etag;
      const point = { kind: 'police', serviceName: 'Politie', phone: '0900-8844', ...change };
      const res = await http().put(card(own.id)).set(bearer(own.chair)).send({ heading: 'Meldkaart', contactPoints: [point] }).expect(400);
      expect(res.headers['content-type']).toMatch(/^application\/problem\+json/);
      expect(res.body.invalidParams.map((p: { name: string }) => p.name)).toEqual([field]);
      await http().get(card(own.id)).set('If-None-Match', etag).expect(304);
    });

    it('requires a phone number or a web address on every point, and at least one point', async () => {
      const own = await table();
      const neither = await http().put(card(own.id)).set(bearer(own.chair)).send({ heading: 'Meldkaart', contactPoints: [{ kind: 'coa', serviceName: 'COA' }] }).expect(400);
      expect(neither.body.invalidParams.map((p: { name: string }) => p.name).sort()).toEqual(['contactPoints.0.phone', 'contactPoints.0.url']);
      const none = await http().put(card(own.id)).set(bearer(own.chair)).send({ heading: 'Meldkaart', contactPoints: [] }).expect(400);
      expect(none.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['contactPoints']);
      await http().get(card(own.id)).expect(404);
      // Either one alone is enough.
      await http().put(card(own.id)).set(bearer(own.chair)).send({ heading: 'Meldkaart', contactPoints: [{ kind: 'coa', serviceName: 'COA', url: 'https://www.coa.nl' }] }).expect(200);
      await http().put(card(own.id)).set(bearer(own.chair)).send({ heading: 'Meldkaart', contactPoints: [{ kind: 'coa', serviceName: 'COA', phone: '14 0341' }] }).expect(200);
    });

    it('escapes what the chair typed in the printable page: no markup gets through', async () => {
      const own = await table();
      const hostile = {
        heading: '<script>alert("kop")</script> Meldkaart',
        introduction: 'Lees dit </style><script>alert(1)</script> & meld',
        contactPoints: [
          {
            kind: 'other',
            serviceName: '"><img src=x onerror=alert(1)>',
            phone: '0900-8844',
            openingHours: "<b onmouseover='x'>altijd</b>",
            url: 'https://www.example.nl/?a=1&b=<i>',
            note: '<iframe src="https://evil.example"></iframe>',
          },
        ],
      };
      const put = await http().put(card(own.id)).set(bearer(own.chair)).send(hostile);
      if (put.status === 400) {
        // The address may be refused as invalid; then the rest is tried without it.
        expect(put.body.invalidParams.map((p: { name: string }) => p.name)).toEqual(['contactPoints.0.url']);
        hostile.contactPoints[0].url = 'https://www.example.nl/?a=1&b=2';
        await http().put(card(own.id)).set(bearer(own.chair)).send(hostile).expect(200);
      } else expect(put.status).toBe(200);
      const html = (await http().get(card(own.id)).set('Accept', 'text/html').expect(200)).text;
      for (const tag of ['<script', '<img', '<iframe', '<b ', '<i>', '</style><']) expect(html).not.toContain(tag);
      expect(html).toContain('&lt;script&gt;alert(&quot;kop&quot;)&lt;/script&gt; Meldkaart');
      expect(html).toContain('&quot;&gt;&lt;img src=x onerror=alert(1)&gt;');
      expect(html).toContain('Lees dit &lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt; &amp; meld');
      expect(html).toContain('&lt;b onmouseover=&#39;x&#39;&gt;altijd&lt;/b&gt;');
      expect(html).toMatch(/href="https:\/\/www\.example\.nl\/\?a=1&amp;b=/);
      // Exactly one style element and no script element: the page's own.
      expect(html.match(/<style>/g)).toHaveLength(1);
      // The JSON answers the text as typed (it is data, not markup).
      const json = (await http().get(card(own.id)).expect(200)).body;
      expect(json.heading).toBe(hostile.heading);
    });
  });
});
