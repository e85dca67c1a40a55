import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { KeyProviderError } from './key-provider.js';
import { createLocalKeyProvider, rotateLocalKey } from './local-key-provider.js';

describe('local key provider', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'crashdesk-local-keys-'));
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('creates a key file only the owner can read, and unwraps what it wrapped', async () => {
    const file = join(dir, 'created.json');
    const provider = await createLocalKeyProvider(file, { create: true });
    expect((await stat(file)).mode & 0o077).toBe(0);
    const { plaintext, wrapped } = await provider.generateDataKey();
    expect(plaintext).toHaveLength(32);
    expect(wrapped).toMatch(/^local:v1:/);
    expect(wrapped).not.toContain(plaintext.toString('base64url'));
    expect(await provider.unwrap(wrapped)).toEqual(plaintext);
  });

  it('keeps data keys wrapped before a rotation readable, and rewraps them to the new version', async () => {
    const file = join(dir, 'rotated.json');
    const before = await createLocalKeyProvider(file, { create: true });
    const { plaintext, wrapped } = await before.generateDataKey();
    expect(await rotateLocalKey(file)).toBe(2);
    const after = await createLocalKeyProvider(file, { create: false });
    expect(await after.isCurrent(wrapped)).toBe(false);
    expect(await after.unwrap(wrapped)).toEqual(plaintext);
    const rewrapped = await after.rewrap(wrapped);
    expect(rewrapped).toMatch(/^local:v2:/);
    expect(await after.isCurrent(rewrapped)).toBe(true);
    expect(await after.unwrap(rewrapped)).toEqual(plaintext);
  });

  it('refuses a missing key file when not asked to create one', async () => {
    await expect(createLocalKeyProvider(join(dir, 'absent.json'), { create: false })).rejects.toThrow(/does not exist/);
  });

  it('refuses a file that is not a key file', async () => {
    const file = join(dir, 'garbage.json');
    await writeFile(file, JSON.stringify({ keys: [] }));
    await expect(createLocalKeyProvider(file, { create: false })).rejects.toThrow(/not a crashdesk key file/);
  });

  it('fails clearly, never with garbage, when another key file unwraps a data key', async () => {
    const mine = await createLocalKeyProvider(join(dir, 'mine.json'), { create: true });
    const theirs = await createLocalKeyProvider(join(dir, 'theirs.json'), { create: true });
    const { wrapped } = await mine.generateDataKey();
    const attempt = theirs.unwrap(wrapped);
    await expect(attempt).rejects.toBeInstanceOf(KeyProviderError);
    await expect(attempt).rejects.toThrow(/wrong key file/);
    expect(await readFile(join(dir, 'theirs.json'), 'utf8')).not.toContain(wrapped);
  });
});
