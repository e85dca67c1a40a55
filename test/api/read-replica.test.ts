import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestSite, newReport, type TestSite } from '../support/site.js';
import { type StreamingReplica, startStreamingReplica } from '../support/streaming-replica.js';

const DAY = '2026-03-14';
// Well above what replay needs; the replica is checked every 100 ms.
const WAIT = { timeout: 10_000, interval: 100 };

describe('day pages, lookups and exports read from a streaming replica', () => {
  let replica: StreamingReplica;
  beforeAll(async () => {
    replica = await startStreamingReplica();
  }, 60_000);
  afterAll(async () => {
    await replica?.stop();
  });

  async function siteWith(maxLagMs: number) {
    const site = await createTestSite({
      server: (database) => replica.primary.url(database),
      readReplica: { urlOf: (url) => replica.replicaUrl(url), maxLagMs, checkIntervalMs: 100 },
    });
    return { site, agent: await site.tokenFor('agent') };
  }

  const metric = async (site: TestSite, name: string) =>
    (await site.registry.getSingleMetric(name)?.get())?.values.find((value) => value.labels.site === site.site)?.value;

  const listed = async (site: TestSite, token: string, id: string) => {
    const page = await site.call('GET', `/v1/accidents?date=${DAY}&limit=200`, { token });
    expect(page.status).toBe(200);
    return (page.body.items as { id: string }[]).some((item) => item.id === id);
  };

  describe('while the replica keeps up', () => {
    let site: TestSite;
    let agent: string;
    beforeAll(async () => {
      // A bound no pause in this block reaches: the replica is used however far behind it is.
      ({ site, agent } = await siteWith(60_000));
    });
    afterAll(() => site?.stop());

    it('lists a day and looks a policy up on the replica, yet opens a report just recorded from the primary', async () => {
      await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(1), WAIT);
      await replica.pauseReplay();
      try {
        const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: DAY, policyNumber: 'RP-7001' }) });
        expect(created.status).toBe(201);
        const id = created.body.id as string;
        // The replica has not applied it: the list and the lookup, read there, do not have it yet.
        expect(await listed(site, agent, id)).toBe(false);
        const lookup = await site.call('GET', '/v1/accidents?policyNumber=RP-7001', { token: agent });
        expect(lookup.body.items).toEqual([]);
        // Opening it by id reads the primary: found at once, as the agent who just recorded it expects.
        const opened = await site.call('GET', `/v1/accidents/${id}`, { token: agent });
        expect(opened.status).toBe(200);
        expect(opened.body).toMatchObject({ id, policyNumber: 'RP-7001' });
      } finally {
        await replica.resumeReplay();
      }
    });

    it('lists what the replica has applied once it replays again', async () => {
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: DAY }) });
      await vi.waitFor(async () => expect(await listed(site, agent, created.body.id as string)).toBe(true), WAIT);
    });
  });

  describe('when the replica falls behind or goes away', () => {
    let site: TestSite;
    let agent: string;
    beforeAll(async () => {
      ({ site, agent } = await siteWith(300));
    });
    afterAll(() => site?.stop());

    it('reads from the primary while the replica lags beyond the bound, says so in its metrics, and returns to the replica', async () => {
      await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(1), WAIT);
      await replica.pauseReplay();
      let id: string;
      try {
        const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: DAY }) });
        id = created.body.id as string;
        await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(0), WAIT);
        expect(await metric(site, 'crashdesk_read_replica_lag_seconds')).toBeGreaterThan(0.3);
        // Only the primary has it, so finding it proves where the list was read.
        expect(await listed(site, agent, id)).toBe(true);
      } finally {
        await replica.resumeReplay();
      }
      await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(1), WAIT);
      expect(await metric(site, 'crashdesk_read_replica_lag_seconds')).toBeLessThanOrEqual(0.3);
      expect(await listed(site, agent, id)).toBe(true);
    });

    it('answers every list from the primary while the replica is down, never an error, and uses the replica again once it is back', async () => {
      await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(1), WAIT);
      await replica.stopReplica();
      try {
        const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: DAY }) });
        // The first list may meet the dead replica before any check noticed: it is retried on the primary.
        for (let i = 0; i < 5; i++) expect(await listed(site, agent, created.body.id as string)).toBe(true);
        const exported = await site.call('GET', `/v1/accidents?date=${DAY}`, { token: agent });
        expect(exported.status).toBe(200);
        await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(0), WAIT);
      } finally {
        await replica.startReplica();
      }
      await vi.waitFor(async () => expect(await metric(site, 'crashdesk_read_replica_in_use')).toBe(1), { timeout: 20_000, interval: 100 });
    });
  });
});
