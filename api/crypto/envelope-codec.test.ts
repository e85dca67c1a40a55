import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createEnvelopeCodec, ENVELOPE_FORMAT, RESEALED_CHECK } from './envelope-codec.js';
import { createPlainFieldCodec, type SensitiveFields } from './field-codec.js';
import type { KeyProvider } from './key-provider.js';
import { createLocalKeyProvider } from './local-key-provider.js';

const fields: SensitiveFields = {
  drivers: ['Sarah Standl', 'John Radley'],
  policyNumber: '546452',
  location: 'M23, near junction 10',
  cause: 'Hit a pothole',
  summary: 'Both unhurt',
};

const report = (id: string, version = 1) => ({ id, version });

/** The real local provider, counting how often the codec has to ask it to unwrap. */
function counting(provider: KeyProvider) {
  const counts = { unwrap: 0, generate: 0 };
  const wrapped: KeyProvider = {
    ...provider,
    generateDataKey: () => (counts.generate++, provider.generateDataKey()),
    unwrap: (key) => (counts.unwrap++, provider.unwrap(key)),
  };
  return { provider: wrapped, counts };
}

describe('envelope codec', () => {
  let db: TestDatabase;
  let dir: string;
  let local: KeyProvider;
  const blindIndexKey = Buffer.alloc(32, 1);
  beforeAll(async () => {
    db = await createTestDatabase();
    dir = await mkdtemp(join(tmpdir(), 'crashdesk-codec-'));
    local = await createLocalKeyProvider(join(dir, 'keys.json'), { create: true });
  });
  afterAll(async () => {
    await db.drop();
    await rm(dir, { recursive: true, force: true });
  });

  it('seals fields so that no field value appears in the sealed bytes, and opens them again', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const sealed = await codec.seal(report('1001'), fields);
    expect(sealed[0]).toBe(ENVELOPE_FORMAT);
    for (const value of [...fields.drivers, fields.policyNumber, fields.location, fields.cause, fields.summary]) {
      expect(sealed.includes(Buffer.from(value))).toBe(false);
    }
    expect(await codec.open(report('1001'), sealed)).toEqual(fields);
  });

  it('opens sealed fields only where they were sealed: not under another report id, version, table or site, nor after a single bit changed', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const sealed = await codec.seal(report('1002', 3), fields);
    expect(await codec.open(report('1002', 3), sealed)).toEqual(fields);
    await expect(codec.open(report('1003', 3), sealed)).rejects.toThrow(/failed authentication/);
    await expect(codec.open(report('1002', 2), sealed)).rejects.toThrow(/failed authentication/);
    await expect(codec.open({ ...report('1002', 3), table: 'key_checks' }, sealed)).rejects.toThrow(/failed authentication/);
    const elsewhere = createEnvelopeCodec({ sql: db.sql, site: 'manchester', provider: local, blindIndexKey });
    await expect(elsewhere.open(report('1002', 3), sealed)).rejects.toThrow(/failed authentication/);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    await expect(codec.open(report('1002'), flipped)).rejects.toThrow(/failed authentication/);
  });

  it('asks the provider to unwrap a data key once, then serves opens from its cache', async () => {
    const writer = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.seal(report(String(2000 + i)), fields)));
    const { provider, counts } = counting(local);
    const reader = createEnvelopeCodec({ sql: db.sql, site: 'london', provider, blindIndexKey });
    await Promise.all(sealed.map((value, i) => reader.open(report(String(2000 + i)), value)));
    await Promise.all(sealed.map((value, i) => reader.open(report(String(2000 + i)), value)));
    expect(counts.unwrap).toBe(1);
  });

  it('bounds how many uses and how long an unwrapped key is cached', async () => {
    const writer = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const sealed = await writer.seal(report('3000'), fields);
    const { provider, counts } = counting(local);
    const reader = createEnvelopeCodec({ sql: db.sql, site: 'london', provider, blindIndexKey, cache: { ttlMs: 60_000, maxUses: 3, maxEntries: 10 } });
    for (let i = 0; i < 8; i++) await reader.open(report('3000'), sealed);
    expect(counts.unwrap).toBe(2);
  });

  it('keeps sealing correctly after its data key left the cache', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey, cache: { ttlMs: 20, maxUses: 1000, maxEntries: 10 } });
    const first = await codec.seal(report('3500'), fields);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await codec.open(report('3500'), first)).toEqual(fields);
    const second = await codec.seal(report('3501'), fields);
    const reader = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    expect(await reader.open(report('3501'), second)).toEqual(fields);
  });

  it('moves to a new data key after its maximum number of uses', async () => {
    const { provider, counts } = counting(local);
    const codec = createEnvelopeCodec({ sql: db.sql, site: 'london', provider, blindIndexKey, dataKeyMaxUses: 10 });
    const sealed = [];
    for (let i = 0; i < 25; i++) sealed.push(await codec.seal(report(String(4000 + i)), fields));
    expect(counts.generate).toBe(3);
    expect(new Set(sealed.map((value) => value.readUInt32BE(1))).size).toBe(3);
    for (let i = 0; i < 25; i++) expect(await codec.open(report(String(4000 + i)), sealed[i]!)).toEqual(fields);
  });

  it('indexes policy numbers with a keyed hash that is the same for every codec with the same key', async () => {
    const a = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const b = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const other = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey: Buffer.alloc(32, 2) });
    expect(a.policyIndex('546452')).toBe(b.policyIndex('546452'));
    expect(a.policyIndex('546452')).not.toBe(other.policyIndex('546452'));
    expect(a.policyIndex('546452')).not.toContain('546452');
  });

  it('opens rows sealed before encryption (plain format) until the site records that it re-sealed, then refuses them', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    const legacy = await createPlainFieldCodec().seal(report('5000'), fields);
    expect(await codec.open(report('5000'), legacy)).toEqual(fields);
    await db.sql`insert into key_checks (name, value) values (${RESEALED_CHECK}, ${Buffer.of(ENVELOPE_FORMAT)})`;
    const started = createEnvelopeCodec({ sql: db.sql, site: 'london', provider: local, blindIndexKey });
    await expect(started.open(report('5000'), legacy)).rejects.toThrow(/no longer opens/);
  });
});
