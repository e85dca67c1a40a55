import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleClient, fieldValue } from '../../test/support/console-client.js';
import { createTestSite, type TestSite, USER_PASSWORD } from '../../test/support/site.js';
import { defaultIntakeSettings } from '../intake/intake-service.js';

describe('the console: a report from a call', () => {
  let site: TestSite;
  let browser: ReturnType<typeof consoleClient>;
  beforeAll(async () => {
    // No worker: every intake stays queued, so the waiting page can be looked at.
    site = await createTestSite({ intake: { ...defaultIntakeSettings, concurrency: 0 } });
    await site.tokenFor('agent', 'agent1');
    browser = consoleClient(site);
    await browser.login('agent1', USER_PASSWORD);
  });
  afterAll(() => site?.stop());

  it('shows a page that refreshes itself, with no script, while the draft is being prepared', async () => {
    const form = await browser.get('/london/intakes/new');
    const posted = await browser.post('/london/intakes/new', {
      csrf: fieldValue(form.body, 'csrf') ?? '',
      transcript: 'Caller: hello',
      callDate: '2026-11-21',
      language: '',
    });
    expect(posted.status).toBe(303);
    const waiting = await browser.get(posted.headers.get('location')!);
    expect(waiting.status).toBe(200);
    expect(waiting.body).toContain('<meta http-equiv="refresh" content="1"/>');
    expect(waiting.body).toContain('data-intake-status="queued"');
  });

  it('keeps a transcript that breaks the rules in the form, with the reason beside it, and stores nothing', async () => {
    const form = await browser.get('/london/intakes/new');
    const before = (await site.sql<{ n: number }[]>`select count(*)::int as n from intakes`)[0]!.n;
    const posted = await browser.post('/london/intakes/new', {
      csrf: fieldValue(form.body, 'csrf') ?? '',
      transcript: '   ',
      callDate: '2026-02-30',
      language: '',
    });
    expect(posted.status).toBe(400);
    expect(posted.body).toContain('must not be empty');
    expect(posted.body).toContain('must be a real date written YYYY-MM-DD');
    expect((await site.sql<{ n: number }[]>`select count(*)::int as n from intakes`)[0]!.n).toBe(before);
  });

  it('answers an unknown call with 404', async () => {
    expect((await browser.get('/london/intakes/7263512391163904001')).status).toBe(404);
  });
});
