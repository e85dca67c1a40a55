import { execFile } from 'node:child_process';
import { createCipheriv, randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENVELOPE_FORMAT, RESEALED_CHECK } from '../../api/crypto/envelope-codec.js';
import { createPlainFieldCodec, type SensitiveFields } from '../../api/crypto/field-codec.js';
import type { KeyProvider } from '../../api/crypto/key-provider.js';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import { createTestSite, newReport, TEST_BLIND_INDEX_KEY, type TestSite } from '../support/site.js';

const fields: SensitiveFields = { drivers: ['Old Driver'], policyNumber: 'LEGACY-1', location: 'Old Road', cause: '', summary: '' };

/** Format 1, as sites sealed before the binding: AES-256-GCM with the report id alone as associated data. */
function sealFormatOne(dataKey: Buffer, keyId: number, reportId: string, value: SensitiveFields): Buffer {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey, iv);
  cipher.setAAD(Buffer.from(reportId));
  const ciphertext = Buffer.concat([cipher.update(JSON.stringify(value)), cipher.final()]);
  const header = Buffer.alloc(33);
  header[0] = 1;
  header.writeUInt32BE(keyId, 1);
  iv.copy(header, 5);
  cipher.getAuthTag().copy(header, 17);
  return Buffer.concat([header, ciphertext]);
}

/** `npm run keys:rewrap` against one test site's database, as an operator runs it; its output. */
async function runRewrap(site: TestSite): Promise<string> {
  const { host, port, user, pass, database } = site.sql.options;
  const url = `postgres://${user}:${String(pass)}@${host[0]}:${port[0]}/${database}`;
  const { stdout } = await promisify(execFile)(process.execPath, ['--import', 'tsx', 'api/crypto/rewrap-cli.ts'], {
    env: {
      ...process.env,
      CRASHDESK_SITE: site.site,
      CRASHDESK_SITE_NUMBER: '2',
      DATABASE_URL: url,
      CRASHDESK_BLIND_INDEX_KEY: TEST_BLIND_INDEX_KEY.toString('base64'),
      CRASHDESK_LOCAL_KEY_FILE: keyFile,
    },
  });
  return stdout;
}

let keyFile: string;

/**
 * What binding sealed fields to their place means to someone who can write to the database:
 * sealed bytes moved to another row, version, site or table do not open, and once a site has
 * re-sealed, unauthenticated (format 0) and older (format 1) values are refused.
 */
describe('sealed fields bound to site, table, report and version', () => {
  let keyDir: string;
  let provider: KeyProvider;
  let london: TestSite;
  let manchester: TestSite;
  let agent: string;
  beforeAll(async () => {
    keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-keys-'));
    // One master key for both sites, as the local platform's key file may be: only the binding tells them apart.
    keyFile = join(keyDir, 'keys.json');
    provider = await createLocalKeyProvider(keyFile, { create: true });
    london = await createTestSite({ site: 'london', encryption: { provider, blindIndexKey: TEST_BLIND_INDEX_KEY } });
    manchester = await createTestSite({ site: 'manchester', siteNumber: 2, encryption: { provider, blindIndexKey: TEST_BLIND_INDEX_KEY } });
    agent = await london.tokenFor('agent');
  });
  afterAll(async () => {
    await london?.stop();
    await manchester?.stop();
    await rm(keyDir, { recursive: true, force: true });
  });

  const sealedOf = async (site: TestSite, id: string) => (await site.sql<{ sealed: Buffer }[]>`select sealed from accidents where id = ${id}`)[0]!.sealed;
  const insertRaw = (site: TestSite, id: string, sealed: Buffer) =>
    site.sql`
      insert into accidents (id, site, call_reason, accident_date, policy_index, sealed, created_by, updated_by)
      values (${id}, ${site.site}, 'Report', '2026-11-20', 'x', ${sealed}, 'agent', 'agent')`;

  it('refuses an earlier version of a report sealed fields copied back over the current one', async () => {
    const created = await london.call('POST', '/v1/accidents', { token: agent, body: newReport({ location: 'First location' }) });
    const first = await sealedOf(london, created.body.id);
    const patched = await london.call('PATCH', `/v1/accidents/${created.body.id}`, {
      token: agent,
      headers: { 'if-match': '"1"' },
      body: { location: 'Second' },
    });
    expect(patched.status).toBe(200);
    await london.sql`update accidents set sealed = ${first} where id = ${created.body.id}`;
    const read = await london.call('GET', `/v1/accidents/${created.body.id}`, { token: agent });
    expect(read.status).toBe(500);
    expect(JSON.stringify(read.body)).not.toContain('First location');
  });

  it("refuses sealed fields copied with their data key into another site's database under the same master key", async () => {
    const created = await london.call('POST', '/v1/accidents', { token: agent, body: newReport({ location: 'London only' }) });
    const sealed = Buffer.from(await sealedOf(london, created.body.id));
    const [key] = await london.sql<{ wrapped: string }[]>`select wrapped from data_keys where id = ${sealed.readUInt32BE(1)}`;
    await manchester.sql`insert into data_keys (id, provider, wrapped) overriding system value values (9000, ${provider.name}, ${key!.wrapped})`;
    sealed.writeUInt32BE(9000, 1);
    await insertRaw(manchester, created.body.id, sealed);
    const read = await manchester.call('GET', `/v1/accidents/${created.body.id}`, { token: await manchester.tokenFor('agent') });
    expect(read.status).toBe(500);
    expect(JSON.stringify(read.body)).not.toContain('London only');
  });

  it('refuses a value stored unsealed (format 0) in a site that has re-sealed, as a new site has from its first start', async () => {
    const id = '7000000000000000001';
    await insertRaw(london, id, await createPlainFieldCodec().seal({ id, version: 1 }, fields));
    const read = await london.call('GET', `/v1/accidents/${id}`, { token: agent });
    expect(read.status).toBe(500);
    expect(JSON.stringify(read.body)).not.toContain('Old Road');
  });

  it('keeps reports of the previous formats readable until keys:rewrap re-seals them, and refuses those formats afterwards', async () => {
    const site = manchester;
    const token = await site.tokenFor('agent');
    // A site as it was before the binding: no record of having re-sealed, reports in formats 0 and 1.
    await site.sql`delete from key_checks where name = ${RESEALED_CHECK}`;
    const [key] = await site.sql<{ id: number; wrapped: string }[]>`select id, wrapped from data_keys order by id limit 1`;
    const dataKey = await provider.unwrap(key!.wrapped);
    const formatOne = '7000000000000000011';
    const formatZero = '7000000000000000012';
    await insertRaw(site, formatOne, sealFormatOne(dataKey, key!.id, formatOne, fields));
    await insertRaw(site, formatZero, await createPlainFieldCodec().seal({ id: formatZero, version: 1 }, fields));
    for (const id of [formatOne, formatZero]) expect((await site.call('GET', `/v1/accidents/${id}`, { token })).body.location).toBe('Old Road');

    const rewrap = await runRewrap(site);
    expect(rewrap).toMatch(/manchester: re-wrapped 0 of \d+ data keys under local:\S+; re-sealed 2 older reports/);
    const formats = await site.sql<{ format: number }[]>`select distinct get_byte(sealed, 0) as format from accidents`;
    expect(formats.map((row) => row.format)).toEqual([ENVELOPE_FORMAT]);
    for (const id of [formatOne, formatZero]) expect((await site.call('GET', `/v1/accidents/${id}`, { token })).body.location).toBe('Old Road');

    const later = '7000000000000000013';
    await insertRaw(site, later, sealFormatOne(dataKey, key!.id, later, fields));
    // A running site learns of the re-seal within seconds; a site started now knows at once.
    const restarted = await site.startAnother({ encryption: { provider, blindIndexKey: TEST_BLIND_INDEX_KEY } });
    try {
      const read = await restarted.app.request(`/manchester/v1/accidents/${later}`, { headers: { authorization: `Bearer ${token}` } });
      expect(read.status).toBe(500);
    } finally {
      await restarted.running.stop();
    }
  });
});
