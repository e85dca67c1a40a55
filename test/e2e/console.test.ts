import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, serveSite, watchedContext } from '../support/browser.js';
import { createTestSite, newReport, type TestSite, USER_PASSWORD } from '../support/site.js';

// The console in Debian's Chromium, headless, against a real HTTP server of one real site.
const RESULTS = join(import.meta.dirname, '../../test-results/console');
const today = () => new Date().toISOString().slice(0, 10);

describe('the console in a browser', () => {
  let site: TestSite;
  let served: Awaited<ReturnType<typeof serveSite>>;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    // One test ends a session in the database, as only time would: no session is served from memory.
    site = await createTestSite({ sessionCacheMs: 0 });
    await site.tokenFor('agent', 'agent1');
    await site.tokenFor('agent', 'agent2');
    await site.tokenFor('supervisor', 'super1');
    served = await serveSite(site.app);
    base = `${served.origin}/london`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await site?.stop();
  });

  /** A fresh browser profile; every CSP violation and script error it meets fails the run. */
  const newContext = (options: { javaScriptEnabled?: boolean; locale?: string } = {}): Promise<BrowserContext> =>
    watchedContext(browser, problems, { ...options, acceptDownloads: true });

  async function signIn(page: Page, username: string) {
    await page.goto(`${base}/`);
    await expect.poll(() => page.url()).toContain('/london/login');
    await page.getByLabel('Username').fill(username);
    await page.getByLabel('Password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/\/london\/(\?.*)?$/);
  }

  async function fillReport(page: Page, policyNumber: string, location = 'A34, Newbury bypass') {
    await page.locator('#f-policyNumber').fill(policyNumber);
    await page.getByLabel('Reason for the call').fill('Report a car accident');
    await page.getByLabel('Driver 1', { exact: true }).fill('Sarah Standl');
    await page.getByLabel('Driver 2', { exact: true }).fill('John Radley');
    await page.getByLabel('Location').fill(location);
    await page.getByLabel('Damage 1', { exact: true }).fill('headlight broken');
  }

  let reportUrl: string;
  const policy = `E2E-${Date.now() % 1_000_000}`;

  it('signs in, records a report through the form once however often the button is pressed, and opens it', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    expect(await seriousViolations(page), 'login page').toEqual([]);
    await signIn(page, 'agent1');
    expect(await seriousViolations(page), 'list page').toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'list.png'), fullPage: true });

    await page.getByRole('link', { name: 'New report', exact: true }).click();
    await page.waitForURL(/reports\/new/);
    await fillReport(page, policy);
    // Lists grow and shrink in the page: a third driver, then removed again.
    await page.getByRole('button', { name: 'Add a driver' }).click();
    await page.getByLabel('Driver 3', { exact: true }).fill('Someone Else');
    await page.getByRole('button', { name: 'Remove Driver 3' }).click();
    await expect.poll(() => page.getByLabel('Driver 3', { exact: true }).count()).toBe(0);
    expect(await seriousViolations(page), 'form page').toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'form.png'), fullPage: true });

    // The browser refuses what the server would, with the server's words, before sending.
    await page.getByLabel('Location').fill('  ');
    await page.getByRole('button', { name: 'Record report' }).click();
    await expect.poll(() => page.locator('#e-location').textContent()).toBe('must not be empty');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('f-location');
    expect(page.url()).toMatch(/\/reports\/new$/);
    await page.getByLabel('Location').fill('A34, Newbury bypass');

    await page.getByRole('button', { name: 'Record report' }).dblclick();
    await page.waitForURL(/\/london\/reports\/\d+\?notice=created/);
    await expect.poll(() => page.getByRole('status').textContent()).toContain('Report recorded.');
    reportUrl = page.url().replace(/\?.*$/, '');
    expect(await seriousViolations(page), 'detail page').toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'detail.png'), fullPage: true });

    const agent = await site.tokenFor('agent', 'agent1');
    const found = await site.call('GET', `/v1/accidents?policyNumber=${policy}`, { token: agent });
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({ drivers: ['Sarah Standl', 'John Radley'], damages: ['headlight broken'], createdBy: 'agent1' });
    await context.close();
  });

  it("finds the report in the day's list, opens it with Enter, and Back returns to the same list page", async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'agent1');
    const listUrl = page.url();
    const row = page.locator('tbody tr', { hasText: policy });
    await expect.poll(() => row.count()).toBe(1);
    await row.getByRole('link').focus();
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/reports\/\d+/);
    expect(page.url().replace(/\?.*$/, '')).toBe(reportUrl);
    await page.goBack();
    expect(page.url()).toBe(listUrl);
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.closest('tr')?.textContent ?? '')).toContain(policy);
    await page.getByRole('button', { name: 'Sign out' }).click();
    await page.waitForURL(/\/login\?out=1/);
    expect(await page.getByRole('status').textContent()).toBe('You are signed out.');
    await page.goto(listUrl);
    expect(page.url()).toContain('/london/login');
    await context.close();
  });

  it('edits the report, and shows "someone else changed this report" with both versions when another session saved first', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'agent1');
    await page.goto(reportUrl);
    await page.getByRole('link', { name: 'Edit' }).click();
    await page.getByLabel('Location').fill('A34, Newbury bypass, northbound');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await page.waitForURL(/notice=updated/);
    await expect.poll(() => page.locator('dl.report').textContent()).toContain('northbound');

    // Both open the same version; the other agent saves first.
    await page.getByRole('link', { name: 'Edit' }).click();
    const other = await (await newContext()).newPage();
    await signIn(other, 'agent2');
    await other.goto(`${reportUrl}/edit`);
    await other.getByLabel('Status').selectOption('under_review');
    await other.getByLabel('Location').fill('A34, junction 13');
    await other.getByRole('button', { name: 'Save changes' }).click();
    await other.waitForURL(/notice=updated/);

    await page.getByLabel('Summary').fill('Mine, written while the other agent saved.');
    await page.getByRole('button', { name: 'Save changes' }).click();
    await expect.poll(() => page.getByRole('heading', { level: 1 }).textContent()).toBe('Someone else changed this report');
    const compare = await page.locator('.compare').textContent();
    expect(compare).toContain('Your version (not saved)');
    expect(compare).toContain('Saved version 3');
    expect(compare).toContain('A34, junction 13');
    expect(compare).toContain('Mine, written while the other agent saved.');
    expect(await seriousViolations(page), 'conflict page').toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'conflict.png'), fullPage: true });
    // Saving mine over theirs is one more press, bound to their version.
    await page.getByRole('button', { name: 'Save my version over theirs' }).click();
    await page.waitForURL(/notice=updated/);
    await expect.poll(() => page.locator('dl.report').textContent()).toContain('Mine, written while the other agent saved.');
    await other.context().close();
    await context.close();
  });

  it('searches by policy number from the header (the / key focuses the field)', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'agent1');
    await page.locator('body').press('/');
    await expect.poll(() => page.evaluate(() => (globalThis as any).document.activeElement?.id)).toBe('search');
    await page.keyboard.type(policy.toLowerCase().replace('-', ' '));
    await page.keyboard.press('Enter');
    await page.waitForURL(/\/search\?/);
    await expect.poll(() => page.locator('tbody tr').count()).toBe(1);
    expect(await page.locator('tbody').textContent()).toContain(policy);
    await context.close();
  });

  it('pages through 120 reports of a day, 50 at a time, and the first load of the list stays under 100 KB', async () => {
    const date = '2026-10-05';
    const agent = await site.tokenFor('agent', 'agent1');
    for (let i = 0; i < 120; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: date }) });

    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'agent1');
    // A cold first load: the signed-in session in a fresh profile (empty cache), every response body counted.
    const coldContext = await browser.newContext();
    await coldContext.addCookies(await context.cookies());
    const cold = await coldContext.newPage();
    let bytes = 0;
    const loaded: string[] = [];
    cold.on('response', (response) => {
      void response.body().then(
        (body) => {
          bytes += body.length;
          loaded.push(`${response.url()} ${body.length}`);
        },
        () => undefined,
      );
    });
    await cold.goto(`${base}/?date=${date}`, { waitUntil: 'networkidle' });
    await expect.poll(() => loaded.length).toBeGreaterThanOrEqual(3);
    writeFileSync(join(RESULTS, 'first-load.json'), JSON.stringify({ bytes, responses: loaded }, null, 2));
    expect(bytes).toBeLessThan(100 * 1024);
    await coldContext.close();

    await page.goto(`${base}/?date=${date}`);
    // The arrow keys walk the rows.
    await page.locator('tbody tr a').first().focus();
    await page.keyboard.press('ArrowDown');
    const secondRow = await page.locator('tbody tr').nth(1).getAttribute('id');
    expect(await page.evaluate(() => (globalThis as any).document.activeElement?.closest('tr')?.id)).toBe(secondRow);
    const seen: string[] = [];
    for (let pageNumber = 1; ; pageNumber++) {
      const ids = await page.locator('tbody tr').evaluateAll((rows) => rows.map((row) => row.id));
      seen.push(...ids);
      expect(await page.locator('nav.pages').textContent()).toContain(`Page ${pageNumber}`);
      const next = page.getByRole('link', { name: 'Next page' });
      if ((await next.count()) === 0) break;
      await next.click();
      await page.waitForURL(/cursor=/);
    }
    expect(seen).toHaveLength(120);
    expect(new Set(seen).size).toBe(120);
    await page.getByRole('link', { name: 'Previous page' }).click();
    expect(await page.locator('nav.pages').textContent()).toContain('Page 2');
    await context.close();
  }, 90_000);

  it('exports a date range as CSV for a supervisor (and offers no export to an agent)', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'super1');
    await page.getByRole('link', { name: 'Export CSV' }).click();
    expect(await seriousViolations(page), 'export page').toEqual([]);
    await page.getByLabel('From').fill('2026-10-01');
    await page.getByLabel('To').fill(today());
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('button', { name: 'Download CSV' }).click()]);
    const csv = readFileSync(await download.path(), 'utf8');
    expect(csv.startsWith('\uFEFF')).toBe(true);
    const lines = csv.slice(1).trim().split('\r\n');
    expect(lines[0]).toBe('id,site,version,createdAt,updatedAt,createdBy,accidentDate,status,policyNumber,callReason,cause,drivers,location,damages,summary');
    expect(lines.length - 1).toBeGreaterThanOrEqual(121);
    expect(csv).toContain(policy);
    await context.close();

    const agentContext = await newContext();
    const agentPage = await agentContext.newPage();
    await signIn(agentPage, 'agent1');
    expect(await agentPage.getByRole('link', { name: 'Export CSV' }).count()).toBe(0);
    const refused = await agentPage.goto(`${base}/export.csv?from=2026-10-01&to=2026-10-05`);
    expect(refused?.status()).toBe(403);
    await agentContext.close();
  });

  it('sends an agent whose session ended back to sign in, then restores the unsaved form', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'agent2');
    await page.goto(`${base}/reports/new`);
    await fillReport(page, 'DRAFT-77', 'Kept while signed out');
    await site.sql`update auth_tokens set expires_at = now() - interval '1 second' where username = 'agent2' and revoked_at is null`;
    await page.getByRole('button', { name: 'Record report' }).click();
    await page.waitForURL(/\/login\?/);
    expect(await page.getByRole('status').textContent()).toContain('Your session has ended');
    await page.getByLabel('Username').fill('agent2');
    await page.getByLabel('Password').fill(USER_PASSWORD);
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.waitForURL(/reports\/new/);
    await expect.poll(() => page.getByLabel('Location').inputValue()).toBe('Kept while signed out');
    expect(await page.getByLabel('Driver 2', { exact: true }).inputValue()).toBe('John Radley');
    await page.getByRole('button', { name: 'Record report' }).click();
    await page.waitForURL(/notice=created/);
    // Recorded: the draft is gone, the next form starts empty.
    await page.goto(`${base}/reports/new`);
    expect(await page.getByLabel('Location').inputValue()).toBe('');
    await context.close();
  });

  it('keeps a draft of personal data only for the browser session (sessionStorage, never localStorage), and drops one older than a shift', async () => {
    const context = await newContext();
    const page = await context.newPage();
    await signIn(page, 'agent2');
    const storage = (kind: 'localStorage' | 'sessionStorage') =>
      page.evaluate((name) => {
        const store = (globalThis as any)[name];
        const entries: Record<string, string> = {};
        for (let i = 0; i < store.length; i++) entries[store.key(i)] = store.getItem(store.key(i));
        return entries;
      }, kind);
    const draftKey = 'crashdesk:draft:london:agent2:new';
    // A draft a previous version of the console left behind on a shared computer.
    await page.evaluate((key) => (globalThis as any).localStorage.setItem(key, JSON.stringify({ savedAt: '2026-01-01T00:00:00Z', values: {} })), draftKey);
    await page.goto(`${base}/reports/new`);
    await fillReport(page, 'DRAFT-SESSION', 'Only for this session');
    expect(Object.keys(await storage('localStorage')).filter((key) => key.startsWith('crashdesk:draft:'))).toEqual([]);
    expect(JSON.parse((await storage('sessionStorage'))[draftKey] ?? 'null')?.values?.location).toBe('Only for this session');

    const nineHoursAgo = new Date(Date.now() - 9 * 3600 * 1000).toISOString();
    await page.evaluate(
      ([key, savedAt]) => (globalThis as any).sessionStorage.setItem(key!, JSON.stringify({ savedAt, values: { location: 'Stale draft' } })),
      [draftKey, nineHoursAgo],
    );
    await page.goto(`${base}/reports/new`);
    expect(await page.getByLabel('Location').inputValue()).toBe('');
    expect((await storage('sessionStorage'))[draftKey]).toBeUndefined();
    await context.close();
  });

  it('works without JavaScript: list, detail, and the form with server-side errors beside their fields', async () => {
    const context = await newContext({ javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page, 'agent1');
    await page.goto(`${base}/reports/new`);
    await fillReport(page, 'NOJS-1', '   ');
    await page.getByRole('button', { name: 'Record report' }).click();
    await expect.poll(() => page.locator('#e-location').textContent()).toBe('must not be empty');
    expect(await page.getByLabel('Location').getAttribute('aria-invalid')).toBe('true');
    expect(await page.getByLabel('Driver 1', { exact: true }).inputValue()).toBe('Sarah Standl');
    await page.getByLabel('Location').fill('Without a script');
    await page.getByRole('button', { name: 'Record report' }).click();
    await page.waitForURL(/notice=created/);
    await page.goto(`${base}/?date=${today()}`);
    await page.locator('tbody tr', { hasText: 'NOJS-1' }).getByRole('link').click();
    await page.waitForURL(/\/reports\/\d+/);
    expect(await page.locator('dl.report').textContent()).toContain('Without a script');
    await context.close();
  });

  it('switches to Chinese and back, from Accept-Language or the header control', async () => {
    const context = await newContext({ locale: 'zh-CN' });
    const page = await context.newPage();
    await page.goto(`${base}/login`);
    expect(await page.locator('html').getAttribute('lang')).toBe('zh-Hans');
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('登录 crashdesk london');
    expect(await seriousViolations(page), 'Chinese login page').toEqual([]);
    await page.getByRole('link', { name: 'English' }).click();
    await page.waitForURL(/\/login/);
    expect(await page.locator('html').getAttribute('lang')).toBe('en');
    await context.close();
  });

  it('met no Content-Security-Policy violation and no script error on any page', () => {
    expect(problems).toEqual([]);
  });
});
