import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createLogger } from '../observability/logger.js';
import { everyRowAsText, filesContaining } from '../../test/support/encryption-suite.js';
import { createTestSite, newReport, type TestSite } from '../../test/support/site.js';
import { type Extraction, ExtractionError, type Extractor } from './extractor.js';
import { defaultIntakeSettings } from './intake-service.js';

const fast = { ...defaultIntakeSettings, retryDelaySeconds: 0, attemptTimeoutMs: 2000 };
const drafted = (policyNumber: string): Extraction => ({
  draft: { policyNumber, drivers: ['A Driver'] },
  confidence: { policyNumber: 0.9 },
  evidence: { policyNumber: [{ start: 0, end: 3 }] },
});

async function until<T>(what: string, probe: () => Promise<T | undefined>, timeoutMs = 15_000): Promise<T> {
  for (const started = Date.now(); Date.now() - started < timeoutMs; await new Promise((r) => setTimeout(r, 50))) {
    const value = await probe();
    if (value !== undefined) return value;
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('intakes: the queue', () => {
  let site: TestSite;
  let agent: string;
  const others: { running: { stop(): Promise<void> } }[] = [];

  beforeAll(async () => {
    // This process drafts nothing: each test starts the workers it needs on the same database.
    site = await createTestSite({ intake: { ...fast, concurrency: 0 } });
    agent = await site.tokenFor('agent');
  });
  afterAll(async () => {
    await Promise.all(others.map((other) => other.running.stop()));
    await site?.stop();
  });
  const worker = async (extractor: Extractor, settings: Partial<typeof fast> = {}) => {
    const other = await site.startAnother({ intake: { ...fast, concurrency: 2, ...settings }, intakeExtractor: extractor });
    others.push(other);
    return other;
  };
  const submit = async (transcript: string) => {
    const created = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript, callDate: '2026-11-20' } });
    expect(created.status).toBe(202);
    return created;
  };
  const statusOf = async (id: string) => (await site.call('GET', `/v1/intakes/${id}`, { token: agent })).body;

  it('goes queued, then running, then done with the draft, its confidence and evidence', async () => {
    const created = await submit('Caller: my policy is 1-2-3.');
    expect(created.headers.get('location')).toBe(`/london/v1/intakes/${created.body.id}`);
    expect(created.body).toMatchObject({ status: 'queued', draft: null, language: 'en', callDate: '2026-11-20' });
    const queued = await site.call('GET', `/v1/intakes/${created.body.id}`, { token: agent });
    expect(queued.body.status).toBe('queued');
    expect(queued.headers.get('retry-after')).toBe('1');

    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const other = await worker({ name: 'gated', extract: async () => (await gate, drafted('123')) });
    await until('running', async () => ((await statusOf(created.body.id)).status === 'running' ? true : undefined));
    release();
    const done = await until('done', async () => {
      const body = await statusOf(created.body.id);
      return body.status === 'done' ? body : undefined;
    });
    expect(done).toMatchObject({
      draft: { policyNumber: '123' },
      confidence: { policyNumber: 0.9 },
      evidence: { policyNumber: [{ start: 0, end: 3 }] },
      extractor: 'gated',
      error: null,
      attempts: 1,
    });
    const read = await site.call('GET', `/v1/intakes/${created.body.id}`, { token: agent });
    expect(read.headers.get('retry-after')).toBeNull();
    expect(read.headers.get('cache-control')).toBe('no-store');
    await other.running.stop();
  });

  it('never runs one job twice across two replicas', async () => {
    const runs = new Map<string, number>();
    const counting: Extractor = {
      name: 'counting',
      async extract({ transcript }) {
        runs.set(transcript, (runs.get(transcript) ?? 0) + 1);
        await new Promise((resolve) => setTimeout(resolve, 5));
        return drafted('1');
      },
    };
    const ids = await Promise.all(Array.from({ length: 40 }, async (_, i) => (await submit(`Caller: call number ${i}`)).body.id as string));
    const replicas = await Promise.all([worker(counting, { concurrency: 4 }), worker(counting, { concurrency: 4 })]);
    for (const id of ids) await until(`intake ${id} done`, async () => ((await statusOf(id)).status === 'done' ? true : undefined));
    expect(runs.size).toBe(40);
    expect([...runs.values()].every((count) => count === 1)).toBe(true);
    await Promise.all(replicas.map((replica) => replica.running.stop()));
  });

  it('retries a failing extractor and ends failed with its reason once attempts run out', async () => {
    let calls = 0;
    const other = await worker(
      {
        name: 'failing',
        async extract() {
          calls += 1;
          throw new ExtractionError('the model answered HTTP 503');
        },
      },
      { maxAttempts: 3 },
    );
    const { body } = await submit('Caller: this one fails.');
    const failed = await until('failed', async () => {
      const read = await statusOf(body.id);
      return read.status === 'failed' ? read : undefined;
    });
    expect(failed).toMatchObject({
      attempts: 3,
      draft: null,
      error: { code: 'extractor-failed', detail: 'the failing extractor failed: the model answered HTTP 503' },
    });
    expect(calls).toBe(3);
    await other.running.stop();
  });

  it('ends a job that keeps overrunning its deadline failed as timed out', async () => {
    const other = await worker({ name: 'stuck', extract: () => new Promise<never>(() => undefined) }, { maxAttempts: 2, attemptTimeoutMs: 100 });
    const { body } = await submit('Caller: this one hangs.');
    const failed = await until('failed', async () => {
      const read = await statusOf(body.id);
      return read.status === 'failed' ? read : undefined;
    });
    expect(failed.error).toEqual({ code: 'timed-out', detail: 'drafting took longer than 100 ms' });
    await other.running.stop();
  });
});

describe('intakes: retention', () => {
  it('deletes an intake and its draft once its retention has passed', async () => {
    const site = await createTestSite({ intake: { ...fast, retentionSeconds: 1 }, intakeExtractor: { name: 'quick', extract: async () => drafted('9') } });
    try {
      const agent = await site.tokenFor('agent');
      const { body } = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: 'Caller: short-lived.' } });
      await until('deleted', async () => ((await site.sql`select 1 from intakes where id = ${body.id}`).length === 0 ? true : undefined), 10_000);
      expect((await site.call('GET', `/v1/intakes/${body.id}`, { token: agent })).status).toBe(404);
    } finally {
      await site.stop();
    }
  });
});

describe('intakes: refusals', () => {
  let site: TestSite;
  let manchester: TestSite;
  let agent: string;
  beforeAll(async () => {
    [site, manchester] = await Promise.all([createTestSite({ intake: { ...fast, concurrency: 0 } }), createTestSite({ site: 'manchester', siteNumber: 2 })]);
    agent = await site.tokenFor('agent');
  });
  afterAll(async () => {
    await Promise.all([site?.stop(), manchester?.stop()]);
  });
  const count = async () => (await site.sql<{ n: number }[]>`select count(*)::int as n from intakes`)[0]!.n;

  it.each([
    ['an empty transcript', 400, { transcript: '' }, 'transcript'],
    ['a blank transcript', 400, { transcript: ' \n\t ' }, 'transcript'],
    ['no transcript', 400, { callDate: '2026-11-20' }, 'transcript'],
    ['a transcript that is not a string', 400, { transcript: 42 }, 'transcript'],
    ['a control character', 400, { transcript: 'Caller: \u0007' }, 'transcript'],
    ['a call date that is no date', 400, { transcript: 'Caller: hi', callDate: '2026-02-30' }, 'callDate'],
    ['a language it does not draft', 400, { transcript: 'Caller: hi', language: 'fr' }, 'language'],
    ['an unknown field', 400, { transcript: 'Caller: hi', priority: 'high' }, ''],
  ])('answers %s with %i problem+json and stores nothing', async (_, status, body, path) => {
    const before = await count();
    const response = await site.call('POST', '/v1/intakes', { token: agent, body });
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toContain('application/problem+json');
    if (path) expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await count()).toBe(before);
  });

  it('answers a transcript over 100 KiB with 413, and one of exactly 100 KiB with 202', async () => {
    const before = await count();
    const over = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: `Caller: ${'é'.repeat(51_200)}` } });
    expect(over.status).toBe(413);
    expect(over.body).toMatchObject({ status: 413, title: expect.any(String), detail: expect.stringContaining('102400') });
    expect(await count()).toBe(before);
    const exactly = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: 'x'.repeat(100 * 1024) } });
    expect(exactly.status).toBe(202);
  });

  it('answers malformed JSON with 400 and a body that is not JSON with 415', async () => {
    expect((await site.call('POST', '/v1/intakes', { token: agent, body: '{"transcript":' })).status).toBe(400);
    const plain = await site.call('POST', '/v1/intakes', { token: agent, body: 'Caller: hi', headers: { 'content-type': 'text/plain' } });
    expect(plain.status).toBe(415);
  });

  it("answers an unknown id, a malformed one and another site's job with 404", async () => {
    const elsewhere = await manchester.call('POST', '/v1/intakes', { token: await manchester.tokenFor('agent'), body: { transcript: 'Caller: hi' } });
    expect(elsewhere.status).toBe(202);
    for (const id of ['7263512391163904001', 'not-an-id', '-1', elsewhere.body.id]) {
      const response = await site.call('GET', `/v1/intakes/${id}`, { token: agent });
      expect(response.status).toBe(404);
      expect(response.headers.get('content-type')).toContain('application/problem+json');
    }
  });

  it('refuses an auditor and an admin (403), and a caller without a token (401)', async () => {
    const { body } = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: 'Caller: hi' } });
    const before = await count();
    for (const role of ['auditor', 'admin'] as const) {
      const token = await site.tokenFor(role);
      expect((await site.call('POST', '/v1/intakes', { token, body: { transcript: 'Caller: hi' } })).status).toBe(403);
      expect((await site.call('GET', `/v1/intakes/${body.id}`, { token })).status).toBe(403);
    }
    expect((await site.call('GET', `/v1/intakes/${body.id}`)).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it("lets a supervisor read an agent's intake, and puts every read and refusal on the audit trail", async () => {
    const { body } = await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: 'Caller: hi' } });
    expect((await site.call('GET', `/v1/intakes/${body.id}`, { token: await site.tokenFor('supervisor') })).status).toBe(200);
    const entries = await site.sql<{ actor: string; action: string; outcome: string }[]>`
      select actor, action, outcome from audit_log where resource = ${body.id} order by seq`;
    expect(entries).toEqual([
      { actor: 'agent', action: 'intake.create', outcome: 'success' },
      { actor: 'supervisor', action: 'intake.read', outcome: 'success' },
    ]);
  });
});

describe('intakes: privacy', () => {
  // Letters only, so the extractor takes it for a surname and the draft holds it too.
  const marker = `Zq${[...randomBytes(10)].map((byte) => String.fromCharCode(97 + (byte % 26))).join('')}`;
  const control = `ctl${randomBytes(8).toString('hex')}`;
  const transcript = [
    'Agent: Claims line, you are speaking with Pat. How can I help?',
    `Caller: I had an accident yesterday. My name is Robin ${marker}.`,
    'Agent: And your policy number?',
    `Caller: It is seven seven one two three four.`,
    `Caller: It happened on ${marker} Road, my front bumper is cracked.`,
  ].join('\n');
  let logs = '';
  let site: TestSite;
  let id: string;

  beforeAll(async () => {
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        logs += chunk.toString();
        done();
      },
    });
    site = await createTestSite({ logger: createLogger('trace', destination), intake: fast });
    const agent = await site.tokenFor('agent');
    expect((await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ callReason: `Call ${control}` }) })).status).toBe(201);
    id = (await site.call('POST', '/v1/intakes', { token: agent, body: { transcript, callDate: '2026-11-20' } })).body.id;
    const done = await until('done', async () => {
      const read = await site.call('GET', `/v1/intakes/${id}`, { token: agent });
      return read.body.status === 'done' ? read.body : undefined;
    });
    expect(done.draft.drivers).toContain(`Robin ${marker}`);
  });
  afterAll(() => site?.stop());

  it('stores no transcript or draft text in any column of any table', async () => {
    const everything = await everyRowAsText(site.sql);
    expect(everything).toContain(control);
    expect(everything).toContain(id);
    expect(everything).not.toContain(marker);
    expect(everything.toLowerCase()).not.toContain(Buffer.from(marker).toString('hex'));
  });

  it('writes no transcript text to the database files, the WAL or the server log', async () => {
    await site.sql`checkpoint`;
    const dataDir = inject('postgresDataDir');
    expect((await filesContaining(dataDir, control)).length).toBeGreaterThan(0);
    expect(await filesContaining(dataDir, marker)).toEqual([]);
    expect(await readFile(inject('postgresLogFile'), 'utf8')).not.toContain(marker);
  });

  it('logs no transcript text', () => {
    expect(logs).toContain(id);
    expect(logs).not.toContain(marker);
  });
});
