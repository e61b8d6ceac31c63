import { existsSync } from 'node:fs';
import { chromium, type Browser, type Page } from 'playwright-core';
import { DataSource } from 'typeorm';
import { DEMO_API_CLIENT } from '../src/db/demo-seed';
import { freePort } from './support/own-redis';
import { startTestApp, TestApp } from './support/test-app';

/**
 * The docs page in a real browser (`npm run test:browser`, run by .ci/run where Chromium is installed): a partner
 * developer opens /api/v1/docs, obtains a token with the demo police system's client credentials in the Authorize
 * dialog (Swagger UI posts them to the document's tokenUrl), and pushes an incident with "Try it out". Nothing but
 * the page is used: no token or URL is handed to the browser. The page's own CSP is in force, so a script, style or
 * call it blocks fails the test.
 */
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

describe('the docs page in Chromium', () => {
  let t: TestApp;
  let base: string;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`no Chromium at ${CHROMIUM} (apt-get install chromium, or set CHROMIUM_PATH)`);
    const port = await freePort();
    base = `http://127.0.0.1:${port}`;
    t = await startTestApp({ env: { PORT: String(port), PUBLIC_BASE_URL: base } });
    await t.app.listen({ port, host: '127.0.0.1' });
    // The flags the machine notes give for a closed network; a fresh profile each run.
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    page = await browser.newPage({ viewport: { width: 1280, height: 1000 } });
    page.on('pageerror', (e) => pageErrors.push(String(e)));
    page.on('console', (m) => {
      if (m.type() === 'error') pageErrors.push(m.text());
    });
  });

  afterAll(async () => {
    await browser?.close();
    await t?.close();
  });

  it('obtains a token with client credentials and pushes an incident from the page alone', async () => {
    await page.goto(`${base}/api/v1/docs`);
    await page.locator('.btn.authorize').first().click();
    const oauth = page.locator('.auth-container').filter({ has: page.locator('input[data-name=clientId]') });
    await oauth.locator('input[data-name=clientId]').fill(DEMO_API_CLIENT.clientId);
    await oauth.locator('input[data-name=clientSecret]').fill(DEMO_API_CLIENT.secret);
    await oauth.locator('label[for="incidents:write-clientCredentials-checkbox-oauth2"]').click();
    const [token] = await Promise.all([
      page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/oauth/token'),
      oauth.locator('button.authorize').click(),
    ]);
    expect(token.status()).toBe(200);
    // The dialog now shows the oauth2 scheme as authorized (its inputs are gone).
    await page.getByText('Authorized', { exact: true }).waitFor();
    await page.locator('.btn-done, button.close-modal').first().click();

    // A case the police know by reference, as their own system would.
    const [{ reference }] = await t.app.get(DataSource).query<{ reference: string }[]>(`SELECT reference FROM case_file WHERE status = 'active' ORDER BY reference LIMIT 1`);
    const op = page.locator('#operations-incidents-IncidentController_push');
    // Swagger UI renders a tag's operations as they scroll into view.
    for (let i = 0; i < 80 && !(await op.count()); i++) {
      await page.mouse.wheel(0, 800);
      await page.waitForTimeout(100);
    }
    await op.locator('.opblock-summary').click();
    await op.locator('button.try-out__btn').click();
    const body = {
      caseReference: reference,
      kind: 'theft',
      severity: 'serious',
      occurredAt: new Date(Date.now() - 3_600_000).toISOString(),
      place: 'Winkelcentrum Stadsdennen',
      externalReference: `BVH-docs-${Date.now()}`,
    };
    await op.locator('textarea.body-param__text').fill(JSON.stringify(body));
    await op.locator('button.execute').click();
    const status = op.locator('.live-responses-table .response .response-col_status').first();
    await status.waitFor();
    expect((await status.innerText()).trim()).toBe('201');

    const stored = await t.app.get(DataSource).query<{ n: number }[]>(`SELECT count(*)::int AS n FROM incident WHERE external_reference = $1`, [body.externalReference]);
    expect(stored[0].n).toBe(1);
    expect(pageErrors).toEqual([]);
  });
});
