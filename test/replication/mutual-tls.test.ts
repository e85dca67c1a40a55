// Replication over the internal port's mutual TLS: sites with certificates from the platform's CA
// replicate; a peer holding a valid replication key but a certificate from another CA, or none, is
// refused before any request is read; and a site will not send reports to a server that cannot
// prove itself, nor over plain HTTP.
import { randomBytes } from 'node:crypto';
import { createServer as createHttpsServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { request as httpsRequest } from 'node:https';
import { serve, type ServerType } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalApp } from '../../api/internal-app.js';
import { createLogger } from '../../api/observability/logger.js';
import { createPeerClient } from '../../api/replication/peer-client.js';
import { deriveCityKey, signRequest } from '../../api/replication/signing.js';
import { eventually } from '../cluster/kube-client.js';
import { createTestSite, newReport, type TestSite } from '../support/site.js';
import { createTestCa, type IssuedCertificate, type TestCa } from '../support/test-ca.js';

let platformCa: TestCa;
let rogueCa: TestCa;
let hqCert: IssuedCertificate;
let rogueCert: IssuedCertificate;
let sites: TestSite[];
let server: ServerType;
let base: string | undefined;
const secret = randomBytes(32).toString('hex');

beforeAll(async () => {
  platformCa = await createTestCa('crashdesk platform ca');
  rogueCa = await createTestCa('someone else');
  hqCert = await platformCa.issue('crashdesk-api-hq');
  const londonCert = await platformCa.issue('crashdesk-api-london');
  rogueCert = await rogueCa.issue('crashdesk-api-london');
  sites = await Promise.all(
    (['hq', 'london'] as const).map((site, siteNumber) =>
      createTestSite({
        site,
        siteNumber,
        encryption: 'off',
        peerTls: { ...(site === 'hq' ? hqCert : londonCert), ca: platformCa.ca },
        replication: {
          secret: site === 'hq' ? secret : deriveCityKey(secret, site),
          loopbackUrl: () => base,
          ...(site === 'hq' && { peers: { london: undefined } }),
          batchSize: 50,
          intervalMs: 30,
          backoffMaxMs: 300,
        },
      }),
    ),
  );
  server = serve({
    fetch: createInternalApp({ sites: sites.map((site) => site.running), logger: createLogger('silent') }).fetch,
    hostname: '127.0.0.1',
    port: 0,
    createServer: createHttpsServer,
    serverOptions: { cert: hqCert.cert, key: hqCert.key, ca: platformCa.ca, requestCert: true, rejectUnauthorized: true },
  });
  await new Promise((resolve) => server.once('listening', resolve));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  base = undefined;
  await Promise.all((sites ?? []).map((site) => site.stop()));
  await new Promise((resolve) => server?.close(resolve));
  await platformCa?.remove();
  await rogueCa?.remove();
});

/** One signed request with london's valid key, over TLS with the given client certificate (or none). */
function callWith(client: IssuedCertificate | undefined): Promise<number> {
  const body = JSON.stringify({ lastSeq: 0, reports: [] });
  const headers = {
    'content-type': 'application/json',
    ...signRequest({ key: deriveCityKey(secret, 'london'), version: 1 }, 'london', 'POST', '/hq/internal/replication/batch', body),
  };
  return new Promise((resolve, reject) => {
    const request = httpsRequest(
      `${base}/hq/internal/replication/batch`,
      { method: 'POST', headers, ca: platformCa.ca, ...(client && { cert: client.cert, key: client.key }) },
      (response) => {
        response.resume();
        resolve(response.statusCode ?? 0);
      },
    );
    request.on('error', reject);
    request.end(body);
  });
}

describe('replication over mutual TLS', () => {
  it('carries a report between sites whose certificates the platform CA issued', async () => {
    const [hq, london] = sites as [TestSite, TestSite];
    const created = await london.call('POST', '/v1/accidents', { token: await london.tokenFor('agent'), body: newReport() });
    await eventually(
      'the report to reach hq',
      async () => (await hq.call('GET', `/v1/accidents/${created.body.id}`, { token: await hq.tokenFor('agent') })).status,
      (status) => status === 200,
      30_000,
    );
  });

  it('refuses a peer whose certificate another CA issued, even with a valid replication key', async () => {
    expect(await callWith(await platformCa.issue('crashdesk-api-london-again'))).toBe(200);
    await expect(callWith(rogueCert)).rejects.toThrow();
  });

  it('refuses a peer that presents no certificate', async () => {
    await expect(callWith(undefined)).rejects.toThrow();
  });

  it('sends nothing to a server whose certificate another CA issued', async () => {
    const impostor = serve({
      fetch: () => new Response('{}'),
      hostname: '127.0.0.1',
      port: 0,
      createServer: createHttpsServer,
      serverOptions: { cert: rogueCert.cert, key: rogueCert.key },
    });
    await new Promise((resolve) => impostor.once('listening', resolve));
    try {
      const client = createPeerClient({ ...hqCert, ca: platformCa.ca });
      const url = `https://127.0.0.1:${(impostor.address() as AddressInfo).port}/london/internal/replication/batch`;
      await expect(client(url, { method: 'POST', headers: {}, body: '{}', signal: AbortSignal.timeout(5_000) })).rejects.toThrow(/certificate/i);
    } finally {
      await new Promise((resolve) => impostor.close(resolve));
    }
  });

  it('never sends reports over plain HTTP once it has a certificate', async () => {
    const client = createPeerClient({ ...hqCert, ca: platformCa.ca });
    await expect(
      client('http://127.0.0.1:9/london/internal/replication/batch', { method: 'POST', headers: {}, body: '{}', signal: AbortSignal.timeout(1_000) }),
    ).rejects.toThrow(/without TLS/);
  });
});
