import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleClient, fieldValue } from '../../test/support/console-client.js';
import { createTestSite, newReport, type TestSite, USER_PASSWORD } from '../../test/support/site.js';
import { safeConsolePath } from './session.js';

/** A new-report form as a browser without JavaScript would send it. */
function reportForm(page: string, overrides: Record<string, string | string[]> = {}) {
  const report = newReport();
  return {
    csrf: fieldValue(page, 'csrf')!,
    idempotencyKey: fieldValue(page, 'idempotencyKey')!,
    _page: '/london/reports/new',
    callReason: report.callReason,
    cause: report.cause,
    drivers: [...report.drivers, ''],
    policyNumber: report.policyNumber,
    accidentDate: report.accidentDate,
    location: report.location,
    damages: [...report.damages, ''],
    summary: report.summary,
    ...overrides,
  };
}

describe('console pages (no JavaScript, in-process)', () => {
  let site: TestSite;
  beforeAll(async () => {
    // One test ends a session in the database, as only time would: no session is served from memory.
    site = await createTestSite({ sessionCacheMs: 0 });
    await Promise.all([site.tokenFor('agent'), site.tokenFor('supervisor'), site.tokenFor('auditor')]);
  });
  afterAll(() => site?.stop());

  async function signedIn(username = 'agent', options: { language?: string } = {}) {
    const browser = consoleClient(site, options);
    await browser.login(username, USER_PASSWORD);
    return browser;
  }

  const auditRows = (action: string, actor: string) =>
    site.sql<
      { resource: string; outcome: string; details: any }[]
    >`select resource, outcome, details from audit_log where action = ${action} and actor = ${actor} order by seq`;

  it('sends a visitor without a session to the login page, remembering where they were going', async () => {
    const browser = consoleClient(site);
    const list = await browser.get('/london/');
    expect(list.status).toBe(303);
    expect(list.location).toBe('/london/login');
    const report = await browser.get('/london/reports/new');
    expect(report.location).toBe('/london/login?next=%2Flondon%2Freports%2Fnew');
    const login = await browser.get('/london/login');
    expect(login.status).toBe(200);
    expect(login.headers.get('content-security-policy')).toContain("script-src 'self'");
    expect(login.body).toContain('<html lang="en">');
    // What a search engine or a link preview shows of the page (Lighthouse's SEO audit asks for it).
    expect(login.body).toMatch(/<meta name="description" content="crashdesk: [^"]+"/);
    expect(login.body).not.toMatch(/<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/i);
  });

  it("signs in with the account's password into an HttpOnly, SameSite=Strict cookie scoped to the site, and audits the attempt", async () => {
    const browser = consoleClient(site);
    const wrong = await browser.post('/london/login', { username: 'agent', password: 'wrong password' });
    expect(wrong.status).toBe(401);
    expect(wrong.body).toContain('The username or password is wrong.');
    const right = await browser.post('/london/login', { username: 'agent', password: USER_PASSWORD, next: '/london/reports/new' });
    expect(right.status).toBe(303);
    expect(right.location).toBe('/london/reports/new');
    const cookie = right.headers.getSetCookie().join('\n');
    expect(cookie).toMatch(/crashdesk_session=cdt_[^;]+; Path=\/london\/; HttpOnly; SameSite=Strict/);
    const outcomes = (await auditRows('auth.login', 'agent')).map((row) => row.outcome);
    expect(outcomes).toEqual(expect.arrayContaining(['failure', 'success']));
  });

  it('never redirects after sign-in outside the site', async () => {
    const browser = consoleClient(site);
    const answer = await browser.post('/london/login', { username: 'agent', password: USER_PASSWORD, next: '//evil.example/london/' });
    expect(answer.location).toBe('/london/');
    expect(safeConsolePath('london', '/manchester/')).toBeUndefined();
    expect(safeConsolePath('london', '/london/\\evil')).toBeUndefined();
    expect(safeConsolePath('london', '/london/?date=2026-11-20')).toBe('/london/?date=2026-11-20');
  });

  it('refuses a redirect target with CR, LF or another control character (next at sign-in, back on the language switch and after a delete): the start page, never a 500', async () => {
    const injected = '/london/\r\nSet-Cookie: crashdesk_session=attacker';
    const signIn = await consoleClient(site).post('/london/login', { username: 'agent', password: USER_PASSWORD, next: injected });
    expect(signIn.status).toBe(303);
    expect(signIn.location).toBe('/london/');
    const browser = await signedIn();
    for (const back of [injected, '/london/\n', '/london/\u0000', '/london/\u007f', '/london/\u2028', '/london/caf\u00e9', '/london/ a']) {
      const language = await browser.get(`/london/language?set=en&back=${encodeURIComponent(back)}`);
      expect(language.status, back).toBe(303);
      expect(language.location, back).toBe('/london/');
    }
    expect(safeConsolePath('london', '/london/?date=2026-11-20&trail=a~b')).toBe('/london/?date=2026-11-20&trail=a~b');
    const supervisor = await signedIn('supervisor');
    const created = await site.call('POST', '/v1/accidents', { token: await site.tokenFor('agent'), body: newReport() });
    const confirm = await supervisor.get(`/london/reports/${created.body.id}/delete`);
    const deleted = await supervisor.post(`/london/reports/${created.body.id}/delete`, { csrf: fieldValue(confirm.body, 'csrf')!, back: injected });
    expect(deleted.status).toBe(303);
    expect(deleted.location).toBe('/london/?notice=deleted');
  });

  it('does not accept the console cookie on the JSON API', async () => {
    const browser = await signedIn();
    const api = await browser.get('/london/v1/accidents?date=2026-11-20');
    expect(api.status).toBe(401);
  });

  it('refuses a form without the CSRF token, or sent from another site', async () => {
    const browser = await signedIn();
    const form = await browser.get('/london/reports/new');
    const valid = reportForm(form.body);
    const { csrf: _csrf, ...withoutToken } = valid;
    expect((await browser.post('/london/reports/new', withoutToken)).status).toBe(403);
    expect((await browser.post('/london/reports/new', { ...valid, csrf: 'x'.repeat(43) })).status).toBe(403);
    expect((await browser.post('/london/reports/new', valid, { origin: 'https://evil.example' })).status).toBe(403);
    expect((await browser.post('/london/reports/new', valid, { origin: 'null', 'sec-fetch-site': 'cross-site' })).status).toBe(403);
    const login = await consoleClient(site).post('/london/login', { username: 'agent', password: USER_PASSWORD }, { origin: 'https://evil.example' });
    expect(login.status).toBe(403);
    // Under Referrer-Policy: no-referrer browsers send Origin: null with Sec-Fetch-Site: same-origin.
    const same = await browser.post('/london/reports/new', valid, { origin: 'null', 'sec-fetch-site': 'same-origin' });
    expect(same.status).toBe(303);
  });

  it('refuses a form larger than any report needs before reading it (413)', async () => {
    const browser = await signedIn();
    const form = await browser.get('/london/reports/new');
    expect((await browser.post('/london/reports/new', reportForm(form.body, { summary: 'x'.repeat(300 * 1024) }))).status).toBe(413);
    expect((await consoleClient(site).post('/london/login', { username: 'agent', password: 'p'.repeat(20 * 1024) })).status).toBe(413);
  });

  it("re-renders the form with the server's messages beside their fields, keeping what was typed", async () => {
    const browser = await signedIn();
    const form = await browser.get('/london/reports/new');
    const answer = await browser.post('/london/reports/new', reportForm(form.body, { location: '   ', drivers: ['', ''], policyNumber: 'AB 12 ??' }));
    expect(answer.status).toBe(400);
    expect(answer.body).toMatch(/<p class="error" id="e-location"[^>]*>must not be empty<\/p>/);
    expect(answer.body).toMatch(/<p class="error" id="e-drivers"[^>]*>must name at least one driver<\/p>/);
    expect(answer.body).toContain('must be 1 to 40 letters or digits');
    expect(answer.body).toMatch(/id="f-location" name="location"[^>]*aria-invalid="true"/);
    expect(answer.body).toContain('value="AB 12 ??"');
    expect(answer.body).toContain('role="alert"');
  });

  it('shows the messages in Chinese to a Chinese-speaking agent', async () => {
    const browser = await signedIn('agent', { language: 'zh-CN,zh;q=0.9' });
    const form = await browser.get('/london/reports/new');
    expect(form.body).toContain('<html lang="zh-Hans">');
    expect(form.body).toContain('新建报告');
    const answer = await browser.post('/london/reports/new', reportForm(form.body, { location: '' }));
    expect(answer.body).toMatch(/id="e-location"[^>]*>不能为空</);
    const switched = await browser.get('/london/language?set=en&back=%2Flondon%2Freports%2Fnew');
    expect(switched.location).toBe('/london/reports/new');
    expect((await browser.get('/london/reports/new')).body).toContain('<html lang="en">');
  });

  it('records a report (PRG), and a second submission of the same form replays it instead of recording twice', async () => {
    const browser = await signedIn();
    const form = await browser.get('/london/reports/new');
    const body = reportForm(form.body, { policyNumber: 'TWICE-1' });
    const first = await browser.post('/london/reports/new', body);
    expect(first.status).toBe(303);
    expect(first.location).toMatch(/^\/london\/reports\/\d+\?notice=created$/);
    const second = await browser.post('/london/reports/new', body);
    expect(second.location).toBe(first.location);
    const detail = await browser.get(first.location!);
    expect(detail.body).toContain('Report recorded.');
    expect(detail.body).toContain('data-clear-draft="new"');
    const found = await site.call('GET', '/v1/accidents?policyNumber=twice1', { token: await site.tokenFor('agent') });
    expect(found.body.items).toHaveLength(1);
    expect(found.body.items[0]).toMatchObject({
      drivers: ['Sarah Standl', 'John Radley'],
      damages: ['headlight broken', 'airbag deployed'],
      createdBy: 'agent',
    });
  });

  it('adds empty rows to a list without JavaScript', async () => {
    const browser = await signedIn();
    const form = await browser.get('/london/reports/new');
    expect(form.body.match(/name="drivers"/g)).toHaveLength(2);
    const more = await browser.post('/london/reports/new', { ...reportForm(form.body), _more: 'drivers' });
    expect(more.status).toBe(200);
    expect(more.body.match(/name="drivers"/g)).toHaveLength(4);
    expect(more.body).toContain('value="Sarah Standl"');
  });

  it('lists the day page by page with links forward and back, and audits what it showed', async () => {
    const agent = await site.tokenFor('agent');
    const date = '2026-09-09';
    for (let i = 0; i < 55; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: date }) });
    const browser = await signedIn();
    const first = await browser.get(`/london/?date=${date}`);
    expect(first.body.match(/<tr id="r-/g)).toHaveLength(50);
    const next = /<a href="([^"]+)" rel="next">/.exec(first.body)?.[1]?.replace(/&amp;/g, '&');
    expect(next).toBeDefined();
    const second = await browser.get(next!);
    expect(second.body.match(/<tr id="r-/g)).toHaveLength(5);
    expect(second.body).toContain('Page 2');
    expect(second.body).not.toContain('rel="next"');
    const previous = /<a href="([^"]+)" rel="prev">/.exec(second.body)?.[1]?.replace(/&amp;/g, '&');
    expect(previous).toBe(`/london/?date=${date}`);
    const listed = (await auditRows('report.list', 'agent')).filter((row) => row.resource === `accidents?date=${date}`);
    expect(listed.map((row) => row.details.count)).toEqual([50, 5]);
    expect((await browser.get(`/london/?date=${date}&cursor=forged.cursor`)).location).toBe(`/london/?date=${date}`);
    expect((await browser.get('/london/?date=2026-02-30')).status).toBe(400);
  });

  it('opens a report and answers an unknown or malformed id with a 404 page, auditing each read', async () => {
    const browser = await signedIn();
    const created = await site.call('POST', '/v1/accidents', {
      token: await site.tokenFor('agent'),
      body: newReport({ location: '<script>alert(1)</script>' }),
    });
    const detail = await browser.get(`/london/reports/${created.body.id}`);
    expect(detail.status).toBe(200);
    expect(detail.body).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect((await browser.get('/london/reports/123456789')).status).toBe(404);
    expect((await browser.get('/london/reports/not-an-id')).status).toBe(404);
    const reads = await auditRows('report.read', 'agent');
    expect(reads.some((row) => row.resource === created.body.id && row.outcome === 'success')).toBe(true);
    expect(reads.some((row) => row.resource === '123456789' && row.outcome === 'failure')).toBe(true);
  });

  it('edits with the version as If-Match, and on a stale version shows both versions side by side (409)', async () => {
    const agent = await site.tokenFor('agent');
    const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ location: 'Before' }) });
    const browser = await signedIn();
    const edit = await browser.get(`/london/reports/${created.body.id}/edit`);
    expect(fieldValue(edit.body, 'version')).toBe('1');
    await site.call('PATCH', `/v1/accidents/${created.body.id}`, { token: agent, headers: { 'if-match': '"1"' }, body: { location: 'Changed elsewhere' } });
    const form = { ...reportForm(edit.body), version: '1', status: 'closed', location: 'Mine' };
    const conflict = await browser.post(`/london/reports/${created.body.id}/edit`, form);
    expect(conflict.status).toBe(409);
    expect(conflict.body).toContain('Someone else changed this report');
    expect(conflict.body).toContain('Changed elsewhere');
    expect(conflict.body).toContain('Mine');
    expect(fieldValue(conflict.body, 'version')).toBe('2');
    const saved = await browser.post(`/london/reports/${created.body.id}/edit`, { ...form, version: '2' });
    expect(saved.status).toBe(303);
    const now = await site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent });
    expect(now.body).toMatchObject({ version: 3, location: 'Mine', status: 'closed' });
    const failures = (await auditRows('report.update', 'agent')).filter((row) => row.resource === created.body.id && row.outcome === 'failure');
    expect(failures.map((row) => row.details.reason)).toEqual(['stale']);
  });

  it('shows auditors and admins a plain page instead of the console, and agents no supervisor pages', async () => {
    const auditor = await signedIn('auditor');
    const page = await auditor.get('/london/');
    expect(page.status).toBe(403);
    expect(page.body).toContain('Not available for your role');
    const agent = await signedIn();
    const created = await site.call('POST', '/v1/accidents', { token: await site.tokenFor('agent'), body: newReport() });
    expect((await agent.get('/london/export')).status).toBe(403);
    expect((await agent.get('/london/export.csv?from=2026-11-01&to=2026-11-02')).status).toBe(403);
    expect((await agent.get(`/london/reports/${created.body.id}/delete`)).status).toBe(403);
    expect((await agent.get(`/london/reports/${created.body.id}`)).body).not.toContain('/delete');
  });

  it('requires accidents:write, not accidents:read, to open or send the new-report and edit forms (the refusal names the permission)', async () => {
    const created = await site.call('POST', '/v1/accidents', { token: await site.tokenFor('agent'), body: newReport() });
    const auditor = await signedIn('auditor');
    const needs = async (answer: Promise<{ status: number; body: string }>, permission: string) => {
      const page = await answer;
      expect(page.status).toBe(403);
      expect(page.body).toContain(`<code>${permission}</code>`);
    };
    await needs(auditor.get('/london/reports/new'), 'accidents:write');
    await needs(auditor.post('/london/reports/new', { callReason: 'x' }), 'accidents:write');
    await needs(auditor.get(`/london/reports/${created.body.id}/edit`), 'accidents:write');
    await needs(auditor.post(`/london/reports/${created.body.id}/edit`, { version: '1', status: 'closed' }), 'accidents:write');
    await needs(auditor.get('/london/'), 'accidents:read');
    await needs(auditor.get(`/london/reports/${created.body.id}`), 'accidents:read');
    await needs(auditor.get('/london/search?policyNumber=1'), 'accidents:read');
    // A call's transcript is for those who record reports from calls.
    const intake = await site.call('POST', '/v1/intakes', { token: await site.tokenFor('agent'), body: { transcript: 'Caller: hello' } });
    await needs(auditor.get('/london/intakes/new'), 'intakes:write');
    await needs(auditor.post('/london/intakes/new', { transcript: 'Caller: hello' }), 'intakes:write');
    await needs(auditor.get(`/london/intakes/${intake.body.id}`), 'intakes:read');
    await needs(auditor.get(`/london/intakes/open?id=${intake.body.id}`), 'intakes:read');
    expect((await site.call('GET', `/v1/accidents/${created.body.id}`, { token: await site.tokenFor('agent') })).body.version).toBe(1);
  });

  it('lets a supervisor delete a report after confirming; it is gone from reads', async () => {
    const supervisor = await signedIn('supervisor');
    const created = await site.call('POST', '/v1/accidents', { token: await site.tokenFor('agent'), body: newReport() });
    const confirm = await supervisor.get(`/london/reports/${created.body.id}/delete`);
    expect(confirm.body).toContain('Yes, delete it');
    const deleted = await supervisor.post(`/london/reports/${created.body.id}/delete`, {
      csrf: fieldValue(confirm.body, 'csrf')!,
      back: '/london/?date=2026-11-20',
    });
    expect(deleted.location).toBe('/london/?date=2026-11-20&notice=deleted');
    expect((await site.call('GET', `/v1/accidents/${created.body.id}`, { token: await site.tokenFor('agent') })).status).toBe(404);
  });

  it("streams a supervisor's CSV export, auditing the ids it sent", async () => {
    const agent = await site.tokenFor('agent');
    const formula = await site.call('POST', '/v1/accidents', {
      token: agent,
      body: newReport({ accidentDate: '2026-08-01', location: '=cmd|calc', drivers: ['Zhang "Wei", Jr.'] }),
    });
    const supervisor = await signedIn('supervisor');
    const csv = await supervisor.get('/london/export.csv?from=2026-07-31&to=2026-08-02');
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toContain('crashdesk-london-2026-07-31-to-2026-08-02.csv');
    expect(csv.body).toContain(`${formula.body.id},london,1,`);
    expect(csv.body).toContain(`"Zhang ""Wei"", Jr.",'=cmd|calc,`);
    const exported = await auditRows('report.export', 'supervisor');
    expect(exported.at(-1)).toMatchObject({
      resource: 'accidents?from=2026-07-31&to=2026-08-02',
      details: { ids: [formula.body.id], count: 1, day: '2026-08-01' },
    });
    expect((await supervisor.get('/london/export.csv?from=2026-08-02&to=2026-08-01')).status).toBe(400);
    expect((await supervisor.get('/london/export.csv?from=yesterday&to=2026-08-01')).status).toBe(400);
  });

  it('searches by policy number and refuses a malformed one', async () => {
    const agent = await site.tokenFor('agent');
    await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'SRCH-42' }) });
    const browser = await signedIn();
    const found = await browser.get('/london/search?policyNumber=srch%2042');
    expect(found.body.match(/<tr id="r-/g)).toHaveLength(1);
    expect((await browser.get('/london/search?policyNumber=%3F%3F')).status).toBe(400);
    expect((await auditRows('report.search', 'agent')).at(-1)).toMatchObject({ resource: 'accidents?policyNumber', details: { count: 1 } });
  });

  it('pages a policy lookup 50 at a time, with links forward and back', async () => {
    const agent = await site.tokenFor('agent');
    for (let i = 0; i < 60; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'CONSOLE-60' }) });
    const browser = await signedIn();
    const href = (page: string, rel: string) => new RegExp(`<a href="([^"]+)" rel="${rel}"`).exec(page)?.[1]?.replace(/&amp;/g, '&');
    const first = await browser.get('/london/search?policyNumber=console%2060');
    expect(first.body.match(/<tr id="r-/g)).toHaveLength(50);
    expect(href(first.body, 'prev')).toBeUndefined();
    const second = await browser.get(href(first.body, 'next')!);
    expect(second.body.match(/<tr id="r-/g)).toHaveLength(10);
    expect(href(second.body, 'next')).toBeUndefined();
    const ids = (page: string) => [...page.matchAll(/<tr id="r-(\d+)"/g)].map((match) => match[1]);
    expect(new Set([...ids(first.body), ...ids(second.body)]).size).toBe(60);
    const back = await browser.get(href(second.body, 'prev')!);
    expect(ids(back.body)).toEqual(ids(first.body));
    const edited = await browser.get('/london/search?policyNumber=console60&cursor=forged.cursor');
    expect(edited.location).toBe('/london/search?policyNumber=console60');
  });

  it('signs out (revoking the token) and sends a form posted after the session ended back to login', async () => {
    const browser = await signedIn();
    const form = await browser.get('/london/reports/new');
    const token = browser.cookies.get('crashdesk_session')!;
    const out = await browser.post('/london/logout', { csrf: fieldValue(form.body, 'csrf')! });
    expect(out.location).toBe('/london/login?out=1');
    expect((await site.call('GET', '/v1/accidents?date=2026-11-20', { token })).status).toBe(401);

    const again = await signedIn();
    const page = await again.get('/london/reports/new');
    await site.sql`update auth_tokens set expires_at = now() - interval '1 second' where username = 'agent' and revoked_at is null`;
    const expired = await again.post('/london/reports/new', reportForm(page.body));
    expect(expired.status).toBe(303);
    expect(expired.location).toBe('/london/login?next=%2Flondon%2Freports%2Fnew&ended=1');
    expect((await again.get(expired.location!)).body).toContain('Your session has ended');
  });

  it('serves its stylesheet and script with long caching when the version matches', async () => {
    const browser = await signedIn();
    const page = await browser.get('/london/');
    const script = /src="(\/london\/assets\/console\.js\?v=[0-9a-f]+)"/.exec(page.body)?.[1];
    const answer = await browser.get(script!);
    expect(answer.headers.get('content-type')).toContain('javascript');
    expect(answer.headers.get('cache-control')).toContain('immutable');
    expect((await browser.get('/london/assets/console.js?v=old')).headers.get('cache-control')).toBe('no-cache');
    expect((await browser.get('/london/assets/other.js')).status).toBe(404);
  });
});

describe('the CSRF token in pages', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite();
    await site.tokenFor('agent');
  });
  afterAll(() => site?.stop());

  it('differs in every page (masked afresh, so compression leaks nothing of it) and each copy is accepted', async () => {
    const browser = consoleClient(site);
    await browser.login('agent', USER_PASSWORD);
    const [first, second] = [await browser.get('/london/reports/new'), await browser.get('/london/reports/new')];
    const [a, b] = [fieldValue(first.body, 'csrf')!, fieldValue(second.body, 'csrf')!];
    expect(a).not.toBe(b);
    for (const [page, csrf] of [
      [first.body, a],
      [second.body, b],
    ] as const) {
      const posted = await browser.post('/london/reports/new', { ...reportForm(page), csrf });
      expect(posted.status).toBe(303);
    }
    // Another session's token, or one bit changed, is refused.
    const flipped = Buffer.from(a, 'base64url');
    flipped[40]! ^= 1;
    const third = await browser.get('/london/reports/new');
    expect((await browser.post('/london/reports/new', { ...reportForm(third.body), csrf: flipped.toString('base64url') })).status).toBe(403);
  });
});
