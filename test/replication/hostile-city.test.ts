// A hostile city: london's operator holds london's valid replication key and talks to HQ's and
// manchester's internal ports directly, trying every way to speak for another site. Each attempt
// must be refused (or change nothing beyond what london may change), and at the end HQ and
// manchester hold every report exactly as they did before the attacks.
import { randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPlainFieldCodec } from '../../api/crypto/field-codec.js';
import { createInternalApp } from '../../api/internal-app.js';
import { createLogger } from '../../api/observability/logger.js';
import { readStatePage, readStates } from '../../api/replication/states.js';
import type { ReplicatedReport } from '../../api/replication/schema.js';
import { deriveCityKey, signRequest } from '../../api/replication/signing.js';
import { eventually } from '../cluster/kube-client.js';
import { createTestSite, newReport, type TestSite } from '../support/site.js';

const codec = createPlainFieldCodec();
const secret = randomBytes(32).toString('hex');
const londonKey = { key: deriveCityKey(secret, 'london'), version: 1 };
let sites: Record<'hq' | 'london' | 'manchester', TestSite>;
let server: ServerType;
let base: string | undefined;
let manchesterReport: ReplicatedReport;
let before: { hq: string; manchester: string };

/** Sends what london's key may sign, exactly as a peer would (or worse). */
async function asLondon(
  target: string,
  path: string,
  body: string | undefined,
  options: { headers?: Record<string, string>; signing?: { key: string; version: number }; sender?: string } = {},
) {
  const method = body === undefined ? 'GET' : 'POST';
  const signed = signRequest(options.signing ?? londonKey, options.sender ?? 'london', method, `/${target}${path}`, body ?? '');
  const response = await fetch(`${base}/${target}${path}`, {
    method,
    headers: { ...(body !== undefined && { 'content-type': 'application/json' }), ...signed, ...options.headers },
    ...(body !== undefined && { body }),
  });
  const text = await response.text();
  return { status: response.status, body: text ? JSON.parse(text) : undefined };
}
/** A request whose headers are sent and whose body never follows: what the server answers on headers alone. */
function rawStatus(method: string, path: string, headers: Record<string, string>): Promise<number> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(`${base}${path}`, { method, headers }, (response) => {
      response.resume();
      resolve(response.statusCode ?? 0);
      request.destroy();
    });
    request.on('error', reject);
    request.flushHeaders();
  });
}
const batch = (reports: unknown[]) => JSON.stringify({ lastSeq: 1, reports });
const everything = async (site: TestSite) => JSON.stringify(await readStatePage(site.sql, codec, '0', 100_000));

beforeAll(async () => {
  const make = (site: 'hq' | 'london' | 'manchester', siteNumber: number) =>
    createTestSite({
      site,
      siteNumber,
      encryption: 'off',
      replication: {
        secret: site === 'hq' ? secret : deriveCityKey(secret, site),
        loopbackUrl: () => base,
        ...(site === 'hq' && { peers: { london: undefined, manchester: undefined } }),
        batchSize: 50,
        intervalMs: 30,
        backoffMaxMs: 300,
      },
    });
  const [hq, london, manchester] = await Promise.all([make('hq', 0), make('london', 1), make('manchester', 2)]);
  sites = { hq, london, manchester };
  server = serve({
    fetch: createInternalApp({ sites: [hq.running, london.running, manchester.running], logger: createLogger('silent') }).fetch,
    hostname: '127.0.0.1',
    port: 0,
  });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  // A report of manchester's, replicated to HQ and london, which london will try to take over.
  const created = await manchester.call('POST', '/v1/accidents', { token: await manchester.tokenFor('agent'), body: newReport() });
  await eventually(
    'the report to reach london',
    async () => (await london.call('GET', `/v1/accidents/${created.body.id}`, { token: await london.tokenFor('agent') })).status,
    (status) => status === 200,
    30_000,
  );
  [manchesterReport] = (await readStates(hq.sql, codec, [created.body.id])) as [ReplicatedReport];
  before = { hq: await everything(hq), manchester: await everything(manchester) };
});

afterAll(async () => {
  base = undefined;
  await Promise.all(Object.values(sites ?? {}).map((site) => site.stop()));
  await new Promise((resolve) => server?.close(resolve));
});

describe('a city holding its own valid key', () => {
  it("cannot overwrite another site's report by claiming that site made the version (not-its-origin)", async () => {
    const forged = { ...manchesterReport, version: manchesterReport.version + 1, fields: { ...manchesterReport.fields, summary: 'taken over' } };
    const answer = await asLondon('hq', '/internal/replication/batch', batch([forged]));
    expect(answer.status).toBe(200);
    expect(answer.body.refused).toEqual([{ id: manchesterReport.id, reason: 'not-its-origin' }]);
  });

  it('cannot bring HQ a report recorded at another site (not-its-report)', async () => {
    const invented = { ...manchesterReport, id: '121199659585765999', originSite: 'london' };
    expect((await asLondon('hq', '/internal/replication/batch', batch([invented]))).body.refused).toEqual([{ id: invented.id, reason: 'not-its-report' }]);
  });

  it('cannot win every conflict for ever with version 2147483647 and an updatedAt in 9999', async () => {
    const forever = { ...manchesterReport, originSite: 'london', version: 2_147_483_647, updatedAt: '9999-12-31T23:59:59.999999Z' };
    const answer = await asLondon('hq', '/internal/replication/batch', batch([forever, { ...forever, version: manchesterReport.version + 1 }]));
    expect(answer.body.refused.map((refusal: { reason: string }) => refusal.reason).sort()).toEqual(['from-the-future', 'invalid']);
    // Nothing pushed the version anywhere near the column's limit, so a later change cannot overflow it.
    const [held] = await readStates(sites.hq.sql, codec, [manchesterReport.id]);
    expect(held?.version).toBe(manchesterReport.version);
  });

  it('leaves a report that reached the column`s limit before this change unchangeable with a 409, never a 500 from an overflow', async () => {
    // At london, whose own reports the last test leaves out.
    const own = await sites.london.call('POST', '/v1/accidents', { token: await sites.london.tokenFor('agent'), body: newReport() });
    await sites.london.sql`update accidents set version = 999999999 where id = ${own.body.id}`;
    const changed = await sites.london.call('PATCH', `/v1/accidents/${own.body.id}`, {
      token: await sites.london.tokenFor('agent'),
      body: { status: 'closed' },
      headers: { 'if-match': '"999999999"' },
    });
    expect(changed.status).toBe(409);
    expect(changed.body.type).toContain('version-limit');
  });

  it('cannot send fields the API would refuse (invalid), and the rest of its batch applies', async () => {
    const own = await sites.london.call('POST', '/v1/accidents', { token: await sites.london.tokenFor('agent'), body: newReport() });
    const [valid] = (await readStates(sites.london.sql, codec, [own.body.id])) as [ReplicatedReport];
    const hostile = { ...valid, id: '121199659585766001', fields: { ...valid.fields, drivers: [], location: 'x'.repeat(100_000) } };
    const answer = await asLondon('hq', '/internal/replication/batch', batch([hostile, valid]));
    expect(answer.body.refused).toEqual([{ id: hostile.id, reason: 'invalid', detail: 'fields.drivers, fields.location' }]);
    expect((await readStates(sites.hq.sql, codec, [valid.id])).map((state) => state.id)).toEqual([valid.id]);
    const audited = await sites.hq.sql`select details from audit_log where action = 'report.replicate' and outcome = 'denied' order by seq desc limit 1`;
    expect(audited[0]?.details.refused).toEqual([{ id: hostile.id, reason: 'invalid', detail: 'fields.drivers, fields.location' }]);
  });

  it('cannot replay a request it captured, signature and all', async () => {
    const body = batch([]);
    const headers = signRequest(londonKey, 'london', 'POST', '/hq/internal/replication/batch', body);
    const send = () => fetch(`${base}/hq/internal/replication/batch`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
    expect((await send()).status).toBe(200);
    const replay = await send();
    expect(replay.status).toBe(401);
    expect(await replay.text()).toContain('replay');
  });

  it('is refused before its body is read: no Content-Length (411), too large (413), a malformed signature (401)', async () => {
    const headers = signRequest(londonKey, 'london', 'POST', '/hq/internal/replication/batch', '');
    // A stream whose length the client cannot know is sent chunked, without Content-Length.
    const stream = new ReadableStream<Uint8Array>({
      async pull(controller) {
        await new Promise((resolve) => setTimeout(resolve, 10));
        controller.enqueue(new TextEncoder().encode('{}'));
        controller.close();
      },
    });
    const chunked = await fetch(`${base}/hq/internal/replication/batch`, { method: 'POST', headers, body: stream, duplex: 'half' });
    expect(chunked.status).toBe(411);
    // Declared too large: refused on the header alone, the 64 MiB never sent (a raw request, as fetch
    // would not send a Content-Length its body does not have).
    expect(
      await rawStatus('POST', '/hq/internal/replication/batch', { ...headers, 'content-type': 'application/json', 'content-length': String(64 * 1024 * 1024) }),
    ).toBe(413);
    const malformed = await fetch(`${base}/hq/internal/replication/batch`, {
      method: 'POST',
      headers: { ...headers, 'x-crashdesk-signature': 'zz' },
      body: '{}',
    });
    expect(malformed.status).toBe(401);
  });

  it('cannot repoint its own registered address, nor announce one HQ may not call', async () => {
    await sites.hq.sql`update replication_peers set url = 'http://london.internal:8443' where site = 'london'`;
    const repoint = await asLondon('hq', '/internal/replication/register', JSON.stringify({ url: 'http://attacker.example:8443' }));
    expect(repoint.status).toBe(403);
    expect((await sites.hq.sql`select url from replication_peers where site = 'london'`)[0]?.url).toBe('http://london.internal:8443');
    await sites.hq.sql`update replication_peers set url = null where site = 'london'`;
    const elsewhere = await asLondon('hq', '/internal/replication/register', JSON.stringify({ url: 'http://169.254.169.254/latest' }));
    expect(elsewhere.status).toBe(403);
    expect((await sites.hq.sql`select url from replication_peers where site = 'london'`)[0]?.url).toBeNull();
  });

  it('cannot speak as another site: not as manchester to HQ, not to manchester, not as HQ to manchester', async () => {
    expect((await asLondon('hq', '/internal/replication/batch', batch([]), { sender: 'manchester' })).status).toBe(401);
    expect((await asLondon('manchester', '/internal/replication/batch', batch([]))).status).toBe(401);
    expect((await asLondon('manchester', '/internal/replication/batch', batch([]), { sender: 'hq' })).status).toBe(401);
  });

  it('is refused at once once revoked, snapshot included, and shipped nothing', async () => {
    await sites.hq.sql`update replication_peers set status = 'revoked', revoked_at = now() where site = 'london'`;
    try {
      expect((await asLondon('hq', '/internal/replication/batch', batch([]))).status).toBe(401);
      expect((await asLondon('hq', '/internal/replication/snapshot?after=0&limit=10', undefined)).status).toBe(401);
      expect((await asLondon('hq', '/internal/replication/register', '{}')).status).toBe(401);
    } finally {
      await sites.hq.sql`update replication_peers set status = 'active', revoked_at = null where site = 'london'`;
    }
  });

  it('after a rotation, signs with the new key version, the old one only until its grace ends', async () => {
    await sites.hq
      .sql`update replication_peers set previous_key_version = 1, previous_key_until = now() + interval '1 hour', key_version = 2 where site = 'london'`;
    const newKey = { key: deriveCityKey(secret, 'london', 2), version: 2 };
    expect((await asLondon('hq', '/internal/replication/batch', batch([]), { signing: newKey })).status).toBe(200);
    expect((await asLondon('hq', '/internal/replication/batch', batch([]))).status).toBe(200);
    await sites.hq.sql`update replication_peers set previous_key_until = now() - interval '1 second' where site = 'london'`;
    expect((await asLondon('hq', '/internal/replication/batch', batch([]))).status).toBe(401);
    // A key of a version HQ never issued is no key.
    expect((await asLondon('hq', '/internal/replication/batch', batch([]), { signing: { key: deriveCityKey(secret, 'london', 3), version: 3 } })).status).toBe(
      401,
    );
    await sites.hq
      .sql`update replication_peers set previous_key_version = null, previous_key_until = null, key_version = 1, presented_key_version = 1 where site = 'london'`;
  });

  it('left every other site exactly as it was', async () => {
    // What london legitimately recorded of its own during the attacks is the only difference.
    const own = (await sites.london.sql<{ id: string }[]>`select id::text as id from accidents where site = 'london'`).map((row) => row.id);
    const withoutOwn = (states: string) => JSON.stringify((JSON.parse(states) as ReplicatedReport[]).filter((state) => !own.includes(state.id)));
    expect(withoutOwn(await everything(sites.manchester))).toBe(withoutOwn(before.manchester));
    expect(withoutOwn(await everything(sites.hq))).toBe(withoutOwn(before.hq));
  });
});
