import { randomBytes } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import type { EncryptionSettings } from '../../api/crypto/site-encryption.js';
import { rewrapDataKeys } from '../../api/crypto/rewrap.js';
import { createLogger } from '../../api/observability/logger.js';
import { createTestSite, newReport, type TestSite } from './site.js';

export interface KeyProviderFixture {
  /** Settings with a fresh master key of this provider. */
  fresh(): Promise<EncryptionSettings>;
  /** Rotates the master key behind `settings` and returns settings that see the new version. */
  rotate(settings: EncryptionSettings): Promise<EncryptionSettings>;
  /** Settings with another master key than `settings`. */
  wrongKey(settings: EncryptionSettings): Promise<EncryptionSettings>;
  /** Settings naming a master key that does not exist (may itself reject). */
  missingKey(): Promise<EncryptionSettings>;
  /** The prefix of data keys wrapped under master key version `version`. */
  wrappedPrefix(version: number): string;
}

async function* files(dir: string): AsyncGenerator<string> {
  for (const entry of await readdir(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else if (entry.isFile()) yield path;
  }
}

/** Paths of files under `dir` that contain `needle`. */
export async function filesContaining(dir: string, needle: string): Promise<string[]> {
  const bytes = Buffer.from(needle);
  const found: string[] = [];
  for await (const path of files(dir)) {
    const content = await readFile(path).catch(() => Buffer.alloc(0));
    if (content.includes(bytes)) found.push(path);
  }
  return found;
}

/** Every row of every table of the site's database as text, for searching it for what must not be stored in the clear. */
export async function everyRowAsText(sql: TestSite['sql']): Promise<string> {
  const tables = await sql<{ name: string }[]>`
    select table_name as name from information_schema.tables where table_schema = 'public' and table_type = 'BASE TABLE'`;
  let everything = '';
  for (const { name } of tables) everything += (await sql`select t::text as row from ${sql(name)} t`).map((r) => r.row as string).join('\n');
  return everything;
}

/**
 * What field encryption promises, for one key provider: sensitive values reach no column, no
 * file of the database server (data and WAL) and no log; rotation keeps old reports readable;
 * a wrong or missing key stops the site at start with a clear error.
 */
export function fieldEncryptionTests(label: string, fixture: KeyProviderFixture) {
  describe(`field encryption (${label})`, () => {
    const marker = `zq${randomBytes(8).toString('hex')}`;
    const sensitive = {
      drivers: [`Driver ${marker}d1`, `Other ${marker}d2`],
      policyNumber: `${marker}P`,
      location: `Road ${marker}loc`,
      cause: `Cause ${marker}cause`,
      summary: `Summary ${marker}sum`,
    };
    // Not a sensitive field: stored in the clear, so finding it proves each search can find things.
    const control = `ctl${randomBytes(8).toString('hex')}`;
    let logs = '';
    let settings: EncryptionSettings;
    let site: TestSite;
    let agent: string;
    let reportId: string;

    beforeAll(async () => {
      settings = await fixture.fresh();
      const destination = new Writable({
        write(chunk: Buffer, _encoding, done) {
          logs += chunk.toString();
          done();
        },
      });
      site = await createTestSite({ encryption: settings, logger: createLogger('trace', destination) });
      agent = await site.tokenFor('agent');
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ ...sensitive, callReason: `Call ${control}` }) });
      expect(created.status).toBe(201);
      reportId = created.body.id;
      const patched = await site.call('PATCH', `/v1/accidents/${reportId}`, {
        token: agent,
        headers: { 'if-match': '"1"' },
        body: { summary: `Updated ${marker}sum2`, location: `Road ${marker}loc2` },
      });
      expect(patched.status).toBe(200);
      const found = await site.call('GET', `/v1/accidents?policyNumber=${encodeURIComponent(sensitive.policyNumber.toUpperCase())}`, { token: agent });
      expect(found.body.items.map((r: { id: string }) => r.id)).toEqual([reportId]);
      const rejected = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ drivers: [`${marker}bad`, 42] }) });
      expect(rejected.status).toBe(400);
      expect(JSON.stringify(rejected.body)).not.toContain(marker);
      await site.call('GET', `/v1/accidents/${reportId}`, { token: agent });
    });
    afterAll(() => site?.stop());

    it('returns the report decrypted', async () => {
      const read = await site.call('GET', `/v1/accidents/${reportId}`, { token: agent });
      expect(read.body).toMatchObject({ drivers: sensitive.drivers, policyNumber: sensitive.policyNumber, summary: `Updated ${marker}sum2` });
    });

    it('stores no sensitive value in any column of any table', async () => {
      const everything = await everyRowAsText(site.sql);
      expect(everything).toContain(control);
      expect(everything).not.toContain(marker);
      expect(everything.toLowerCase()).not.toContain(Buffer.from(marker).toString('hex'));
    });

    it('writes no sensitive value to the database files or the WAL', async () => {
      await site.sql`checkpoint`;
      const dataDir = inject('postgresDataDir');
      expect((await filesContaining(dataDir, control)).length).toBeGreaterThan(0);
      expect(await filesContaining(dataDir, marker)).toEqual([]);
      expect(await readFile(inject('postgresLogFile'), 'utf8')).not.toContain(marker);
    });

    it('logs no sensitive value', () => {
      expect(logs).toContain(reportId);
      expect(logs).not.toContain(marker);
    });

    it('refuses to start with another blind-index key', async () => {
      if (settings === 'off') throw new Error('the fixture must encrypt');
      const other = { ...settings, blindIndexKey: Buffer.alloc(32, 9) };
      await expect(site.startAnother({ encryption: other })).rejects.toThrow(/blind-index key/);
    });

    it('keeps every report readable through a master key rotation and re-wrap', async () => {
      const before = await site.call('GET', `/v1/accidents/${reportId}`, { token: agent });
      const rotated = await fixture.rotate(settings);
      if (rotated === 'off' || settings === 'off') throw new Error('the fixture must encrypt');
      const result = await rewrapDataKeys(site.sql, rotated.provider);
      expect(result.rewrapped).toBeGreaterThan(0);
      const wrapped = await site.sql<{ wrapped: string }[]>`select wrapped from data_keys`;
      for (const { wrapped: key } of wrapped) expect(key.startsWith(fixture.wrappedPrefix(2))).toBe(true);

      // The site started afresh with the rotated key reads the old report and records new ones.
      const restarted = await site.startAnother({ encryption: rotated });
      try {
        const headers = { authorization: `Bearer ${agent}` };
        const old = await restarted.app.request(`/${site.site}/v1/accidents/${reportId}`, { headers });
        expect(await old.json()).toEqual(before.body);
        const created = await restarted.app.request(`/${site.site}/v1/accidents`, {
          method: 'POST',
          headers: { ...headers, 'content-type': 'application/json' },
          body: JSON.stringify(newReport()),
        });
        expect(created.status).toBe(201);
      } finally {
        await restarted.running.stop();
      }
      const after = await site.call('GET', `/v1/accidents/${reportId}`, { token: agent });
      expect(after.body).toEqual(before.body);
    });

    it('refuses to start with another master key, with a clear error', async () => {
      const other = await fixture.wrongKey(settings);
      await expect(site.startAnother({ encryption: other })).rejects.toThrow(/field-encryption key cannot open this site's data/);
    });

    it('refuses to start with a master key that does not exist', async () => {
      await expect(fixture.missingKey().then((missing) => site.startAnother({ encryption: missing }))).rejects.toThrow(
        /key file .* does not exist|encryption key not found|not found/,
      );
    });
  });
}
