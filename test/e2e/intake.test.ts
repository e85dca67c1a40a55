import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium, seriousViolations, serveSite, watchedContext } from '../support/browser.js';
import { createTestSite, type TestSite, USER_PASSWORD } from '../support/site.js';

const RESULTS = join(import.meta.dirname, '../../test-results/console');
// The call the README shows: the test pastes exactly what a reader sees there.
const readme = readFileSync(join(import.meta.dirname, '../../README.md'), 'utf8');
const SARAH_STANDL_CALL = /<!-- intake-example:start -->\s*```text\n([\s\S]*?)\n```\s*<!-- intake-example:end -->/.exec(readme)?.[1];

describe('a report drafted from a call, in the console in a browser', () => {
  let site: TestSite;
  let served: Awaited<ReturnType<typeof serveSite>>;
  let base: string;
  let browser: Browser;
  const problems: string[] = [];

  beforeAll(async () => {
    mkdirSync(RESULTS, { recursive: true });
    site = await createTestSite();
    await site.tokenFor('agent', 'agent1');
    served = await serveSite(site.app);
    base = `${served.origin}/london`;
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    await served?.close();
    await site?.stop();
  });

  async function signIn(page: Page, words = { username: 'Username', password: 'Password', signIn: 'Sign in' }) {
    await page.goto(`${base}/login`);
    await page.getByLabel(words.username).fill('agent1');
    await page.getByLabel(words.password).fill(USER_PASSWORD);
    await page.getByRole('button', { name: words.signIn }).click();
    await page.waitForURL(/\/london\/(\?.*)?$/);
  }

  /** `axe: false` without JavaScript: axe-core runs as a script in the page. */
  async function draftTheCall(page: Page, { axe = true } = {}) {
    await page.getByRole('link', { name: 'New report from a call' }).click();
    await page.waitForURL(/\/intakes\/new$/);
    if (axe) expect(await seriousViolations(page), 'paste page').toEqual([]);
    await page.getByLabel('Transcript of the call').fill(SARAH_STANDL_CALL!);
    await page.getByLabel('Day of the call').fill('2026-11-21');
    await page.getByRole('button', { name: 'Draft the report' }).click();
    // The pending page refreshes itself until the draft is ready.
    await page.getByRole('heading', { name: 'Check the draft and record it' }).waitFor({ timeout: 15_000 });
  }

  it('has the call to paste in the README', () => {
    expect(SARAH_STANDL_CALL).toContain('Sarah Standl');
  });

  it("pastes the Sarah Standl call, shows the draft in the form with its evidence, records it corrected, and finds it in the day's list", async () => {
    const context = await watchedContext(browser, problems);
    const page = await context.newPage();
    await signIn(page);
    await draftTheCall(page);
    expect(await page.locator('#f-policyNumber').inputValue()).toBe('546452');
    expect(await page.getByLabel('Driver 1', { exact: true }).inputValue()).toBe('Sarah Standl');
    expect(await page.getByLabel('Driver 2', { exact: true }).inputValue()).toBe('John Radley');
    expect(await page.locator('#f-accidentDate').inputValue()).toBe('2026-11-20');
    expect(await page.locator('#f-location').inputValue()).toContain('M23');
    // Each drafted field says so, and its source is highlighted in the call beside the form.
    expect(await page.locator('#d-policyNumber').textContent()).toMatch(/drafted, \d+% sure/);
    expect(await page.locator('.transcript mark[data-field="drivers"]').first().textContent()).toBe('Sarah Standl');
    expect(await page.locator('.transcript mark[data-field="policyNumber"]').count()).toBeGreaterThan(0);
    expect(await page.locator('.transcript mark[data-field="location"]').count()).toBeGreaterThan(0);
    expect(await seriousViolations(page), 'draft page').toEqual([]);
    await page.screenshot({ path: join(RESULTS, 'intake-draft.png'), fullPage: true });

    // The agent corrects one field and records the report.
    await page.locator('#f-location').fill('M23 southbound, near junction 10');
    await page.getByRole('button', { name: 'Record report' }).click();
    await page.waitForURL(/\/london\/reports\/\d+\?notice=created/);
    const reportId = /reports\/(\d+)/.exec(page.url())![1]!;

    await page.goto(`${base}/?date=2026-11-20`);
    const row = page.locator('tbody tr', { hasText: '546452' });
    expect(await row.textContent()).toContain('M23 southbound, near junction 10');
    expect(await row.textContent()).toContain('Sarah Standl');

    // The report keeps the intake's id, and the audit trail links the two.
    const [stored] = await site.sql<{ intake_id: string }[]>`select intake_id::text as intake_id from accidents where id = ${reportId}`;
    const [created] = await site.sql<
      { intake: string }[]
    >`select details->>'intakeId' as intake from audit_log where action = 'report.create' and resource = ${reportId}`;
    expect(stored?.intake_id).toMatch(/^\d+$/);
    expect(created?.intake).toBe(stored?.intake_id);
    await context.close();
  });

  it('works without JavaScript: submit, a page that refreshes until the draft is ready, then record', async () => {
    const context = await watchedContext(browser, problems, { javaScriptEnabled: false });
    const page = await context.newPage();
    await signIn(page);
    await draftTheCall(page, { axe: false });
    expect(await page.locator('#f-policyNumber').inputValue()).toBe('546452');
    await page.getByRole('button', { name: 'Record report' }).click();
    await page.waitForURL(/notice=created/);
    await context.close();
  });

  it('offers the page in Chinese, axe-clean', async () => {
    const context = await watchedContext(browser, problems, { locale: 'zh-CN' });
    const page = await context.newPage();
    await signIn(page, { username: '用户名', password: '密码', signIn: '登录' });
    await page.goto(`${base}/intakes/new`);
    expect(await page.getByRole('heading', { level: 1 }).textContent()).toBe('从通话新建报告');
    expect(await seriousViolations(page), 'Chinese paste page').toEqual([]);
    await context.close();
  });

  it('met no Content-Security-Policy violation and no script error on any page', () => {
    expect(problems).toEqual([]);
  });
});
