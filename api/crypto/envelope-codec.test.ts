import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestDatabase, type TestDatabase } from '../../test/support/database.js';
import { createEnvelopeCodec } from './envelope-codec.js';
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
    const codec = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const sealed = await codec.seal('1001', fields);
    expect(sealed[0]).toBe(1);
    for (const value of [...fields.drivers, fields.policyNumber, fields.location, fields.cause, fields.summary]) {
      expect(sealed.includes(Buffer.from(value))).toBe(false);
    }
    expect(await codec.open('1001', sealed)).toEqual(fields);
  });

  it('refuses to open sealed fields under another report id, or after a single bit changed', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const sealed = await codec.seal('1002', fields);
    await expect(codec.open('1003', sealed)).rejects.toThrow(/failed authentication/);
    const flipped = Buffer.from(sealed);
    flipped[flipped.length - 1]! ^= 1;
    await expect(codec.open('1002', flipped)).rejects.toThrow(/failed authentication/);
  });

  it('asks the provider to unwrap a data key once, then serves opens from its cache', async () => {
    const writer = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const sealed = await Promise.all(Array.from({ length: 50 }, (_, i) => writer.seal(String(2000 + i), fields)));
    const { provider, counts } = counting(local);
    const reader = createEnvelopeCodec({ sql: db.sql, provider, blindIndexKey });
    await Promise.all(sealed.map((value, i) => reader.open(String(2000 + i), value)));
    await Promise.all(sealed.map((value, i) => reader.open(String(2000 + i), value)));
    expect(counts.unwrap).toBe(1);
  });

  it('bounds how many uses and how long an unwrapped key is cached', async () => {
    const writer = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const sealed = await writer.seal('3000', fields);
    const { provider, counts } = counting(local);
    const reader = createEnvelopeCodec({ sql: db.sql, provider, blindIndexKey, cache: { ttlMs: 60_000, maxUses: 3, maxEntries: 10 } });
    for (let i = 0; i < 8; i++) await reader.open('3000', sealed);
    expect(counts.unwrap).toBe(2);
  });

  it('keeps sealing correctly after its data key left the cache', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey, cache: { ttlMs: 20, maxUses: 1000, maxEntries: 10 } });
    const first = await codec.seal('3500', fields);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await codec.open('3500', first)).toEqual(fields);
    const second = await codec.seal('3501', fields);
    const reader = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    expect(await reader.open('3501', second)).toEqual(fields);
  });

  it('moves to a new data key after its maximum number of uses', async () => {
    const { provider, counts } = counting(local);
    const codec = createEnvelopeCodec({ sql: db.sql, provider, blindIndexKey, dataKeyMaxUses: 10 });
    const sealed = [];
    for (let i = 0; i < 25; i++) sealed.push(await codec.seal(String(4000 + i), fields));
    expect(counts.generate).toBe(3);
    expect(new Set(sealed.map((value) => value.readUInt32BE(1))).size).toBe(3);
    for (let i = 0; i < 25; i++) expect(await codec.open(String(4000 + i), sealed[i]!)).toEqual(fields);
  });

  it('indexes policy numbers with a keyed hash that is the same for every codec with the same key', async () => {
    const a = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const b = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const other = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey: Buffer.alloc(32, 2) });
    expect(a.policyIndex('546452')).toBe(b.policyIndex('546452'));
    expect(a.policyIndex('546452')).not.toBe(other.policyIndex('546452'));
    expect(a.policyIndex('546452')).not.toContain('546452');
  });

  it('still opens rows sealed before encryption (plain format)', async () => {
    const codec = createEnvelopeCodec({ sql: db.sql, provider: local, blindIndexKey });
    const legacy = await createPlainFieldCodec().seal('5000', fields);
    expect(await codec.open('5000', legacy)).toEqual(fields);
  });
});
