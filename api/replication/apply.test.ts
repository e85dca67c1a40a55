import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, newReport, type TestSite } from '../../test/support/site.js';
import { createPlainFieldCodec } from '../crypto/field-codec.js';
import { applyStates } from './apply.js';
import type { ReplicatedReport } from './schema.js';
import { readStates } from './states.js';

const codec = createPlainFieldCodec();

describe('applying replicated states', () => {
  let source: TestSite;
  let target: TestSite;
  let state: ReplicatedReport;

  beforeAll(async () => {
    // The rule is the codec's business only for sealing; the plain codec keeps these tests short.
    source = await createTestSite({ site: 'london', siteNumber: 1, encryption: 'off' });
    target = await createTestSite({ site: 'hq', siteNumber: 0, encryption: 'off' });
    const token = await source.tokenFor('agent');
    const created = await source.call('POST', '/v1/accidents', { token, body: newReport({ summary: 'original' }) });
    [state] = (await readStates(source.sql, codec, [created.body.id])) as [ReplicatedReport];
  });
  afterAll(async () => {
    await source?.stop();
    await target?.stop();
  });

  // As HQ passes them on: the trust rules for a city's own states are tested in trust.test.ts.
  const apply = (states: ReplicatedReport[]) => target.sql.begin((tx) => applyStates(tx, codec, states, { receiver: target.site, sender: 'hq' }));
  const current = async () => (await readStates(target.sql, codec, [state.id]))[0];

  it('creates a report it does not hold, and a second delivery changes nothing', async () => {
    expect(await apply([state])).toEqual({ applied: [state.id], rejected: [], unchanged: 0, refused: [] });
    expect(await current()).toEqual(state);
    expect(await apply([state])).toEqual({ applied: [], rejected: [], unchanged: 1, refused: [] });
    expect(await current()).toEqual(state);
  });
});

describe('the conflict rule, applied', () => {
  let hq: TestSite;
  let city: TestSite;
  let base: ReplicatedReport;
  const codec = createPlainFieldCodec();

  beforeAll(async () => {
    hq = await createTestSite({ site: 'hq', siteNumber: 0, encryption: 'off' });
    city = await createTestSite({ site: 'leeds', siteNumber: 2, encryption: 'off' });
    const token = await city.tokenFor('agent');
    const created = await city.call('POST', '/v1/accidents', { token, body: newReport({ summary: 'v1' }) });
    [base] = (await readStates(city.sql, codec, [created.body.id])) as [ReplicatedReport];
  });
  afterAll(async () => {
    await hq?.stop();
    await city?.stop();
  });

  const at = (site: TestSite) => ({
    apply: (states: ReplicatedReport[]) => site.sql.begin((tx) => applyStates(tx, codec, states, { receiver: site.site, sender: 'hq' })),
    current: async () => (await readStates(site.sql, codec, [base.id]))[0]!,
    history: () => site.sql<{ version: number; originSite: string; outcome: string }[]>`
      select version, origin_site as "originSite", outcome from accident_history where report_id = ${base.id} order by version, origin_site`,
  });
  const edit = (version: number, originSite: string, updatedAt: string, summary: string): ReplicatedReport => ({
    ...base,
    version,
    originSite,
    updatedAt,
    fields: { ...base.fields, summary },
  });

  it('never lets an older version overwrite a newer one', async () => {
    const v2 = edit(2, 'leeds', '2026-11-21T10:00:00.000001Z', 'v2');
    await at(hq).apply([v2]);
    expect(await at(hq).apply([base])).toEqual({ applied: [], rejected: [base.id], unchanged: 0, refused: [] });
    expect((await at(hq).current()).fields.summary).toBe('v2');
  });

  it('resolves concurrent updates of one version the same way in either order, keeping the loser in history', async () => {
    // Same version from two sites: the later timestamp wins; at equal timestamps, the greater site name.
    const fromLeeds = edit(3, 'leeds', '2026-11-21T10:00:01.000000Z', 'leeds says');
    const fromHq = edit(3, 'hq', '2026-11-21T10:00:01.000000Z', 'hq says');
    await at(hq).apply([fromHq]);
    expect(await at(hq).apply([fromLeeds])).toMatchObject({ applied: [base.id] });
    await at(city).apply([fromLeeds]);
    expect(await at(city).apply([fromHq])).toMatchObject({ rejected: [base.id] });
    expect(await at(hq).current()).toEqual(await at(city).current());
    expect((await at(city).current()).fields.summary).toBe('leeds says');
    // Each site kept the losing state of version 3.
    expect(await at(hq).history()).toContainEqual({ version: 3, originSite: 'hq', outcome: 'superseded' });
    expect(await at(city).history()).toContainEqual({ version: 3, originSite: 'hq', outcome: 'rejected' });
  });

  it('replicates a soft delete, after which no read finds the report', async () => {
    const deleted = { ...edit(4, 'hq', '2026-11-21T10:00:02.000000Z', 'leeds says'), deletedAt: '2026-11-21T10:00:02.000000Z', deletedBy: 'sup' };
    await at(city).apply([deleted]);
    expect((await at(city).current()).deletedAt).toBe(deleted.deletedAt);
    const token = await city.tokenFor('agent');
    expect((await city.call('GET', `/v1/accidents/${base.id}`, { token })).status).toBe(404);
  });

  it('keeps history append-only', async () => {
    await expect(city.sql`delete from accident_history`).rejects.toThrow(/append-only/);
    await expect(city.sql`update accident_history set status = 'open'`).rejects.toThrow(/append-only/);
  });
});

describe('two batches carrying the same new report at once', () => {
  let site: TestSite;
  const codec = createPlainFieldCodec();
  beforeAll(async () => {
    site = await createTestSite({ site: 'york', siteNumber: 4, encryption: 'off' });
  });
  afterAll(() => site?.stop());

  it('keeps the greater state whichever commits last (a backfill page racing a batch from HQ)', async () => {
    const source = await createTestSite({ site: 'leeds', siteNumber: 2, encryption: 'off' });
    const token = await source.tokenFor('agent');
    const created = await source.call('POST', '/v1/accidents', { token, body: newReport() });
    const [v1] = (await readStates(source.sql, codec, [created.body.id])) as [ReplicatedReport];
    await source.stop();
    const v2: ReplicatedReport = { ...v1, version: 2, updatedAt: '2026-11-21T11:00:00.000000Z', fields: { ...v1.fields, summary: 'newer' } };
    // The newer one inserts first and holds the row until its transaction ends; the older one
    // finds no row to lock, then meets the inserted one.
    let releaseNewer!: () => void;
    const newerInserted = new Promise<void>((resolve) => {
      void site.sql.begin(async (tx) => {
        await applyStates(tx, codec, [v2], { receiver: site.site, sender: 'hq' });
        resolve();
        await new Promise<void>((release) => (releaseNewer = release));
      });
    });
    await newerInserted;
    const older = site.sql.begin((tx) => applyStates(tx, codec, [v1], { receiver: site.site, sender: 'hq' }));
    await new Promise((resolve) => setTimeout(resolve, 200));
    releaseNewer();
    expect(await older).toEqual({ applied: [], rejected: [], unchanged: 1, refused: [] });
    expect((await readStates(site.sql, codec, [v1.id]))[0]).toEqual(v2);
  });
});
