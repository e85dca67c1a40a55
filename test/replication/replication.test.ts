import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signRequest } from '../../api/replication/signing.js';
import type { ReplicationStatus } from '../../api/replication/status-routes.js';
import { newReport } from '../support/site.js';
import { type ClusterSite, type ReplicationCluster, startReplicationCluster, waitForConvergence } from '../support/replication-cluster.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs `jobs` with at most `width` in flight. */
async function pool<T>(width: number, jobs: readonly (() => Promise<T>)[]): Promise<T[]> {
  const results: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: width }, async () => {
      while (next < jobs.length) {
        const index = next++;
        results[index] = await jobs[index]!();
      }
    }),
  );
  return results;
}

/** Writes at `sites` until `stop()`: creates, and updates of reports it created; returns the ids it got. */
function keepWriting(sites: readonly ClusterSite[], everyMs = 60) {
  const created: string[] = [];
  let running = true;
  const loops = sites.map(async (site, n) => {
    let i = 0;
    while (running) {
      i += 1;
      const mine = created.filter((_, k) => k % sites.length === n);
      if (i % 4 === 0 && mine.length > 0) await site.update(mine[i % mine.length]!, { summary: `update ${i} at ${site.name}` });
      else {
        const id = await site.create(newReport({ summary: `written at ${site.name}` }));
        if (id) created.push(id);
      }
      await sleep(everyMs);
    }
  });
  return {
    created,
    async stop() {
      running = false;
      await Promise.all(loops);
      return created;
    },
  };
}

async function expectEverywhere(sites: readonly ClusterSite[], ids: readonly string[]) {
  for (const site of sites) {
    const held = new Set((await site.states()).map((report) => report.id));
    expect(
      ids.filter((id) => !held.has(id)),
      `reports missing at ${site.name}`,
    ).toEqual([]);
  }
}

describe('replication between HQ and cities, each a separate process in single-site mode', () => {
  let cluster: ReplicationCluster;
  let hq: ClusterSite;
  let cities: ClusterSite[];
  const acknowledged: string[] = [];

  beforeAll(async () => {
    cluster = await startReplicationCluster({ cities: ['london', 'manchester', 'leeds'] });
    hq = cluster.hq;
    cities = cluster.cities;
    await Promise.all(cluster.all().map((site) => site.token('agent')));
  });
  afterAll(async () => {
    await cluster?.stop();
  });

  it('converges 1,000 concurrent writes spread across the cities everywhere within 30 s: same rows, versions and content, no duplicates', async () => {
    const createdAt = new Map(cities.map((city) => [city.name, [] as string[]]));
    const jobs = Array.from({ length: 1000 }, (_, i) => async () => {
      const city = cities[i % cities.length]!;
      const mine = createdAt.get(city.name)!;
      // Every fifth write updates a report the same city recorded (each updated once, so no 412).
      if (i % 5 === 4 && mine.length > 0) return city.update(mine.shift()!, { status: 'under_review', summary: `reviewed ${i}` });
      const id = await city.create(newReport());
      if (id) {
        mine.push(id);
        acknowledged.push(id);
      }
      return id !== undefined;
    });
    const outcomes = await pool(24, jobs);
    expect(outcomes.filter((ok) => !ok)).toEqual([]);
    const took = await waitForConvergence(cluster.all(), { minReports: acknowledged.length, timeoutMs: 30_000 });
    expect(took).toBeLessThan(30_000);
    const states = await hq.states();
    expect(states).toHaveLength(acknowledged.length);
    expect(states.filter((report) => report.version === 2).length).toBeGreaterThan(150);
  }, 120_000);

  it("shows a supervisor each peer's backlog, lag and positions at GET /{site}/v1/replication, and the same as metrics", async () => {
    const token = await hq.token('supervisor');
    const status = (await (await fetch(`${hq.base}/hq/v1/replication`, { headers: { authorization: `Bearer ${token}` } })).json()) as ReplicationStatus;
    expect(status.enabled).toBe(true);
    expect(status.peers.map((peer) => peer.peer)).toEqual(['leeds', 'london', 'manchester']);
    for (const peer of status.peers) {
      expect(peer).toMatchObject({ backlogRows: 0, lagSeconds: 0, consecutiveFailures: 0 });
      expect(peer.lastShippedSeq).toBeGreaterThan(0);
      expect(peer.lastAppliedSeq).toBeGreaterThan(0);
    }
    const agent = await fetch(`${hq.base}/hq/v1/replication`, { headers: { authorization: `Bearer ${await hq.token('agent')}` } });
    expect(agent.status).toBe(403);
    const metrics = await (await fetch(`${cities[0]!.base}/metrics`)).text();
    expect(metrics).toMatch(/crashdesk_replication_lag_seconds\{site="london",peer="hq"\} 0/);
    expect(metrics).toMatch(/crashdesk_replication_backlog_rows\{site="london",peer="hq"\} 0/);
    expect(metrics).toMatch(/crashdesk_replication_batch_duration_seconds_count\{site="london",peer="hq",outcome="ok"\} [1-9]/);
    expect(metrics).toMatch(/crashdesk_replication_failures_total/);
  });

  it("refuses an agent's token, an unsigned request and a wrongly signed one on the internal routes", async () => {
    const path = '/hq/internal/replication/batch';
    const body = JSON.stringify({ lastSeq: 0, reports: [] });
    const token = await hq.token('supervisor');
    const call = (base: string, callPath: string, headers: Record<string, string>) =>
      cluster.peerClient(`${base}${callPath}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...headers },
        body,
        signal: AbortSignal.timeout(10_000),
      });
    const withToken = await call(hq.internalUrl, path, { authorization: `Bearer ${token}` });
    expect(withToken.status).toBe(401);
    expect(JSON.parse(withToken.text).type).toMatch(/unauthorized/);
    // The public port does not serve them at all.
    expect((await fetch(`${hq.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body })).status).toBe(404);
    const forged = signRequest({ key: cluster.keyOf('leeds'), version: 1 }, 'london', 'POST', path, body);
    expect((await call(hq.internalUrl, path, forged)).status).toBe(401);
    const good = signRequest({ key: cluster.keyOf('london'), version: 1 }, 'london', 'POST', path, body);
    expect((await call(hq.internalUrl, path, good)).status).toBe(200);
    // A city accepts batches from HQ only, not from another city.
    const cityPath = '/leeds/internal/replication/batch';
    const fromCity = signRequest({ key: cluster.keyOf('leeds'), version: 1 }, 'london', 'POST', cityPath, body);
    expect((await call(cities[2]!.internalUrl, cityPath, fromCity)).status).toBe(401);
  });

  it('applies a batch delivered twice once: the second delivery changes nothing', async () => {
    const [london] = cities as [ClusterSite];
    const id = acknowledged[0]!;
    london.proxy.set({ kind: 'pass' });
    hq.proxy.set({ kind: 'drop' }); // london's shipper cannot reach HQ for now
    expect(await london.update(id, { summary: 'delivered twice' })).toBe(true);
    const state = (await london.states()).find((report) => report.id === id)!;
    const path = '/hq/internal/replication/batch';
    const body = JSON.stringify({ lastSeq: 1, reports: [state] });
    const deliver = async () => {
      const response = await cluster.peerClient(`${hq.directInternalUrl}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...signRequest({ key: cluster.keyOf('london'), version: 1 }, 'london', 'POST', path, body) },
        body,
        signal: AbortSignal.timeout(10_000),
      });
      return JSON.parse(response.text) as unknown;
    };
    const audited = async () => (await hq.db.sql`select count(*)::int as n from audit_log where action = 'report.replicate'`)[0]!.n as number;
    const outbox = async () => (await hq.db.sql`select count(*)::int as n from replication_outbox where report_id = ${id}`)[0]!.n as number;
    expect(await deliver()).toEqual({ applied: 1, rejected: 0, unchanged: 0, refused: [] });
    const [auditAfterFirst, queuedAfterFirst] = [await audited(), await outbox()];
    const hqAfterFirst = JSON.stringify((await hq.states()).find((report) => report.id === id));
    expect(await deliver()).toEqual({ applied: 0, rejected: 0, unchanged: 1, refused: [] });
    expect(await audited()).toBe(auditAfterFirst);
    expect(await outbox()).toBeLessThanOrEqual(queuedAfterFirst);
    expect(JSON.stringify((await hq.states()).find((report) => report.id === id))).toBe(hqAfterFirst);
    // The shipper's own (third) delivery arrives once HQ is reachable again.
    hq.proxy.set({ kind: 'pass' });
    await waitForConvergence(cluster.all(), { minReports: acknowledged.length });
    expect((await cities[2]!.states()).find((report) => report.id === id)?.fields.summary).toBe('delivered twice');
  }, 60_000);

  it('loses nothing while HQ is down for 20 s and cities keep writing', async () => {
    await hq.stop('SIGKILL');
    const writer = keepWriting(cities);
    await sleep(20_000);
    const during = [...writer.created];
    await hq.start();
    await sleep(1_000);
    acknowledged.push(...(await writer.stop()));
    expect(during.length).toBeGreaterThan(30);
    await waitForConvergence(cluster.all(), { minReports: acknowledged.length, timeoutMs: 45_000 });
    await expectEverywhere(cluster.all(), acknowledged);
  }, 120_000);

  it('loses nothing when a city is killed with SIGKILL mid-batch and restarted', async () => {
    const manchester = cities[1]!;
    const burstStarted = new Date();
    let acknowledgedInBurst = 0;
    const burst = pool(
      16,
      Array.from({ length: 300 }, () => async () => {
        const id = await manchester.create(newReport({ summary: 'burst before the kill' }));
        if (id !== undefined) acknowledgedInBurst += 1;
        return id;
      }),
    );
    // Kill once the burst's shipping is under way: some of its rows acknowledged and shipped, some
    // claimed in flight, some waiting. (Shipping left over from the test before does not count.)
    for (let i = 0; i < 500; i++) {
      const [{ shipped }] = (await manchester.db
        .sql`select count(*)::int as shipped from replication_checkpoints where peer = 'hq' and direction = 'shipped' and at >= ${burstStarted}`) as unknown as [
        { shipped: number },
      ];
      const [{ waiting }] = (await manchester.db.sql`select count(*)::int as waiting from replication_outbox`) as unknown as [{ waiting: number }];
      if (acknowledgedInBurst > 0 && shipped > 0 && waiting > 0) break;
      await sleep(20);
    }
    await manchester.stop('SIGKILL');
    const ids = (await burst).filter((id): id is string => id !== undefined);
    expect(ids.length).toBeGreaterThan(0);
    acknowledged.push(...ids);
    await manchester.start();
    await waitForConvergence(cluster.all(), { minReports: acknowledged.length, timeoutMs: 45_000 });
    await expectEverywhere(cluster.all(), acknowledged);
  }, 120_000);

  it('loses nothing while a fault-injecting proxy drops and delays the connections between sites', async () => {
    const writer = keepWriting([hq, ...cities]);
    const links = cluster.all().map((site) => site.proxy);
    for (const mode of [{ kind: 'drop' }, { kind: 'delay', ms: 400 }, { kind: 'pass' }, { kind: 'drop' }, { kind: 'delay', ms: 1500 }] as const) {
      for (const [i, link] of links.entries()) link.set(i % 2 === 0 ? mode : { kind: 'pass' });
      await sleep(1_500);
      for (const [i, link] of links.entries()) link.set(i % 2 === 1 ? mode : { kind: 'pass' });
      await sleep(1_500);
    }
    for (const link of links) link.set({ kind: 'pass' });
    acknowledged.push(...(await writer.stop()));
    await waitForConvergence(cluster.all(), { minReports: acknowledged.length, timeoutMs: 45_000 });
    await expectEverywhere(cluster.all(), acknowledged);
  }, 120_000);

  it('backfills a city that joins late with every existing report while writes continue', async () => {
    const writer = keepWriting([hq, cities[0]!]);
    await sleep(500);
    const york = await cluster.addCity('york');
    const token = await york.token('supervisor');
    for (let i = 0; i < 120; i++) {
      const status = (await (await fetch(`${york.base}/york/v1/replication`, { headers: { authorization: `Bearer ${token}` } })).json()) as ReplicationStatus;
      if (status.backfilled) break;
      await sleep(250);
    }
    await sleep(1_000);
    acknowledged.push(...(await writer.stop()));
    // York also records, and HQ ships to it though no configuration named it.
    const fromYork = await york.create(newReport({ summary: 'recorded at york' }));
    acknowledged.push(fromYork!);
    await waitForConvergence(cluster.all(), { minReports: acknowledged.length, timeoutMs: 45_000 });
    await expectEverywhere(cluster.all(), acknowledged);
    const [{ n }] = (await york.db.sql`select count(*)::int as n from replication_checkpoints where peer = 'hq' and direction = 'backfilled'`) as unknown as [
      { n: number },
    ];
    expect(n).toBe(1);
  }, 120_000);
});
