import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { serve, type ServerType } from '@hono/node-server';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createInternalApp } from '../../api/internal-app.js';
import { createPlainFieldCodec } from '../../api/crypto/field-codec.js';
import { createLogger } from '../../api/observability/logger.js';
import { deriveCityKey } from '../../api/replication/signing.js';
import { readStatePage } from '../../api/replication/states.js';
import { createTestSite, newReport, type TestSite } from '../support/site.js';

const SITES = ['hq', 'london', 'leeds', 'york'] as const;
const codec = createPlainFieldCodec();

/** Every report of every site, as replication sees it; converged when all are equal and no outbox row waits. */
async function converged(sites: readonly TestSite[]): Promise<boolean> {
  const waiting = await Promise.all(sites.map(async (site) => (await site.sql`select count(*)::int as n from replication_outbox`)[0]!.n as number));
  if (waiting.some((n) => n > 0)) return false;
  const states = await Promise.all(sites.map(async (site) => JSON.stringify(await readStatePage(site.sql, codec, '0', 100_000))));
  return states.every((state) => state === states[0]);
}

const command = fc.record({
  site: fc.integer({ min: 0, max: SITES.length - 1 }),
  kind: fc.constantFrom('create', 'update', 'update', 'delete'),
  target: fc.nat(),
  summary: fc.stringMatching(/^[a-z0-9 ]{0,20}$/),
  /** How many commands run at once from here: the interleaving. */
  together: fc.integer({ min: 1, max: 4 }),
});

type Command = typeof command extends fc.Arbitrary<infer T> ? T : never;

/**
 * Sites in one process, replicating to each other over loopback HTTP exactly as the local platform
 * does, so fast-check can try many interleavings quickly.
 */
describe('replication, property-based', () => {
  let sites: TestSite[];
  let server: ServerType;
  let base: string | undefined;
  const known: string[] = [];

  beforeAll(async () => {
    const secret = randomBytes(32).toString('hex');
    sites = await Promise.all(
      SITES.map((site, siteNumber) =>
        createTestSite({
          site,
          siteNumber,
          encryption: 'off',
          replication: {
            secret: site === 'hq' ? secret : deriveCityKey(secret, site),
            loopbackUrl: () => base,
            ...(site === 'hq' && { peers: Object.fromEntries(SITES.filter((peer) => peer !== 'hq').map((peer) => [peer, undefined])) }),
            batchSize: 50,
            intervalMs: 30,
            backoffMaxMs: 500,
          },
        }),
      ),
    );
    // The sites reach each other on the internal port's app, as a process serves it.
    const app = createInternalApp({ sites: sites.map((site) => site.running), logger: createLogger('silent') });
    server = serve({ fetch: app.fetch, hostname: '127.0.0.1', port: 0 });
    await new Promise((resolve) => server.once('listening', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    await Promise.all(sites.map((site) => Promise.all([site.tokenFor('agent'), site.tokenFor('supervisor')])));
  });
  afterAll(async () => {
    base = undefined;
    await Promise.all((sites ?? []).map((site) => site.stop()));
    await new Promise((resolve) => server?.close(resolve));
  });

  async function run(cmd: Command) {
    const site = sites[cmd.site]!;
    if (cmd.kind === 'create' || known.length === 0) {
      const created = await site.call('POST', '/v1/accidents', { token: await site.tokenFor('agent'), body: newReport({ summary: cmd.summary }) });
      expect(created.status).toBe(201);
      known.push(created.body.id as string);
      return;
    }
    const id = known[cmd.target % known.length]!;
    // Whatever this site holds now, possibly stale or not there yet: that is the point.
    const current = await site.call('GET', `/v1/accidents/${id}`, { token: await site.tokenFor('agent') });
    if (current.status !== 200) return;
    if (cmd.kind === 'delete') {
      await site.call('DELETE', `/v1/accidents/${id}`, { token: await site.tokenFor('supervisor') });
      return;
    }
    const updated = await site.call('PATCH', `/v1/accidents/${id}`, {
      token: await site.tokenFor('agent'),
      headers: { 'if-match': `"${current.body.version}"` },
      body: { summary: `${cmd.summary} at ${site.site}` },
    });
    expect([200, 404, 412]).toContain(updated.status);
  }

  it('converges to the same state at every site after random interleavings of creates, updates and deletes at random sites', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 25 }), async (commands) => {
        for (let i = 0; i < commands.length;) {
          const group = commands.slice(i, i + commands[i]!.together);
          await Promise.all(group.map(run));
          i += group.length;
        }
        const deadline = Date.now() + 20_000;
        while (!(await converged(sites))) {
          if (Date.now() > deadline) throw new Error('the sites did not converge within 20 s');
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      }),
      { numRuns: 25 },
    );
    // Concurrent updates of one version at two sites happened, and their losers were kept.
    const [{ n }] = (await sites[0]!.sql`select count(*)::int as n from accident_history`) as unknown as [{ n: number }];
    expect(n).toBeGreaterThan(0);
  }, 180_000);
});
