import { readFile, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { defaultIntakeSettings } from '../../api/intake/intake-service.js';
import { ADMIN_PASSWORD, createTestSite, newReport, type TestSite } from '../../test/support/site.js';
import { GENERATED_FILE, generateTypes } from './src/generate.js';
import { type CrashdeskClient, CrashdeskError, createCrashdeskClient, type NewAccident } from './src/index.js';

describe('the TypeScript client', () => {
  let site: TestSite;
  let server: ServerType;
  let baseUrl: string;
  let agent: CrashdeskClient;
  beforeAll(async () => {
    site = await createTestSite({ intake: { ...defaultIntakeSettings, retryDelaySeconds: 0 } });
    server = await new Promise<ServerType>((resolve) => {
      const started = serve({ fetch: site.app.fetch, port: 0, hostname: '127.0.0.1' }, () => resolve(started));
    });
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/london`;
    agent = createCrashdeskClient({ baseUrl, token: await site.tokenFor('agent') });
  });
  afterAll(async () => {
    await new Promise((resolve) => server?.close(resolve));
    await site?.stop();
  });

  // `npm run client:generate` runs this with CRASHDESK_WRITE_CLIENT=1 to write the file instead.
  it('has types generated from the document the site serves now (else: npm run client:generate)', async () => {
    const document = (await site.call('GET', '/openapi.json')).body;
    const generated = await generateTypes(document, 'london');
    if (process.env.CRASHDESK_WRITE_CLIENT === '1') await writeFile(GENERATED_FILE, generated);
    expect(await readFile(GENERATED_FILE, 'utf8'), 'clients/typescript/src/openapi.ts is stale: run npm run client:generate').toBe(generated);
  });

  it('signs in, records a report (with an Idempotency-Key, so a retry returns the first) and reads it back', async () => {
    const client = createCrashdeskClient({ baseUrl });
    const signedIn = await client.signIn('admin', ADMIN_PASSWORD);
    expect(signedIn.user.role).toBe('admin');
    expect(client.token).toBe(signedIn.token);

    const body = newReport() as NewAccident;
    const created = await agent.createAccident(body, { idempotencyKey: 'client-test-1' });
    expect(created.id).toMatch(/^[1-9]\d{0,18}$/);
    expect(BigInt(created.id)).toBeGreaterThan(2n ** 53n); // ids stay strings: a number would lose digits
    expect((await agent.createAccident(body, { idempotencyKey: 'client-test-1' })).id).toBe(created.id);
    expect(await agent.getAccident(created.id)).toEqual(created);
  });

  it('changes a report at its version, and a change made meanwhile is a 412 naming the current version', async () => {
    const report = await agent.createAccident(newReport());
    const changed = await agent.updateAccident(report.id, report.version, { location: 'A3, near Guildford' });
    expect(changed).toMatchObject({ version: report.version + 1, location: 'A3, near Guildford' });
    const stale = await agent.updateAccident(report.id, report.version, { location: 'elsewhere' }).catch((error: unknown) => error);
    expect(stale).toBeInstanceOf(CrashdeskError);
    expect(stale).toMatchObject({ status: 412, problem: { currentVersion: changed.version } });
    const missing = await agent.getAccident('1').catch((error: unknown) => error);
    expect(missing).toMatchObject({ status: 404, problem: { type: expect.stringContaining('not-found') } });
  });

  it('pages through a day and through a policy by cursor, each report once', async () => {
    const day = '2026-03-14';
    const recorded = new Set<string>();
    for (let i = 0; i < 7; i++) recorded.add((await agent.createAccident(newReport({ accidentDate: day, policyNumber: 'CL-000777' }))).id);
    const pages: string[][] = [];
    for await (const page of agent.accidentsOn(day, { limit: 3 })) pages.push(page.map((report) => report.id));
    expect(pages.map((page) => page.length)).toEqual([3, 3, 1]);
    expect(new Set(pages.flat())).toEqual(recorded);
    const byPolicy: string[] = [];
    for await (const page of agent.accidentsOfPolicy('cl 000777', { limit: 4 })) byPolicy.push(...page.map((report) => report.id));
    expect(new Set(byPolicy)).toEqual(recorded);
  });

  it('drafts a report from a transcript and waits for the draft as Retry-After says', async () => {
    const transcript = 'Agent: Claims line, how can I help?\nCaller: This is Sarah Standl, my policy number is 546452. I hit a pothole on the M23 yesterday.';
    const queued = await agent.createIntake({ transcript, callDate: '2026-11-21' });
    expect(['queued', 'running', 'done']).toContain(queued.status);
    const done = await agent.waitForIntake(queued.id, { timeoutMs: 30_000 });
    expect(done.status).toBe('done');
    expect(done.draft?.policyNumber).toBe('546452');
  });

  it('waits out a 429 as its Retry-After says, then answers', async () => {
    let refused = 0;
    const oneRefusal = async (request: Request) => {
      if (refused++ === 0) return new Response(null, { status: 429, headers: { 'retry-after': '1' } });
      return fetch(request);
    };
    const client = createCrashdeskClient({ baseUrl, token: agent.token, fetch: oneRefusal });
    const report = await client.createAccident(newReport());
    expect(refused).toBe(2);
    expect((await agent.getAccident(report.id)).id).toBe(report.id);
    const impatient = createCrashdeskClient({ baseUrl, token: agent.token, fetch: oneRefusal, maxRetryWaitMs: 0 });
    refused = 0;
    await expect(impatient.getAccident(report.id)).rejects.toMatchObject({ status: 429 });
  });
});
