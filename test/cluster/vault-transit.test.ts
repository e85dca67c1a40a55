// The Vault transit HTTP API as crashdesk uses it: batch encryption, key rotation, and decryption
// of ciphertexts made before the rotation.
import { randomBytes } from 'node:crypto';
import { describe, expect, inject, it } from 'vitest';

const address = inject('vaultAddress');
const token = inject('vaultToken');

async function vault<T>(method: 'GET' | 'POST', path: string, body?: unknown): Promise<T> {
  const response = await fetch(`${address}/v1/${path}`, {
    method,
    headers: { 'X-Vault-Token': token, 'Content-Type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} answered ${response.status}: ${text}`);
  return (text === '' ? undefined : JSON.parse(text)) as T;
}

interface BatchResults<T> {
  data: { batch_results: T[] };
}

describe('Vault transit', () => {
  it('decrypts a batch of 100 values, before and after the key is rotated', async () => {
    const key = `accidents-${randomBytes(4).toString('hex')}`;
    await vault('POST', `transit/keys/${key}`, { type: 'aes256-gcm96' });
    const plaintexts = Array.from({ length: 100 }, (_, i) => Buffer.from(`policy holder ${i}: ${randomBytes(8).toString('hex')}`).toString('base64'));

    const encrypted = await vault<BatchResults<{ ciphertext: string }>>('POST', `transit/encrypt/${key}`, {
      batch_input: plaintexts.map((plaintext) => ({ plaintext })),
    });
    const ciphertexts = encrypted.data.batch_results.map((result) => result.ciphertext);
    expect(ciphertexts).toHaveLength(100);
    expect(ciphertexts.every((ciphertext) => ciphertext.startsWith('vault:v1:'))).toBe(true);
    const decryptAll = async (values: string[]) =>
      (
        await vault<BatchResults<{ plaintext: string }>>('POST', `transit/decrypt/${key}`, {
          batch_input: values.map((ciphertext) => ({ ciphertext })),
        })
      ).data.batch_results.map((result) => result.plaintext);
    expect(await decryptAll(ciphertexts)).toEqual(plaintexts);

    await vault('POST', `transit/keys/${key}/rotate`);
    const rotated = await vault<{ data: { latest_version: number } }>('GET', `transit/keys/${key}`);
    expect(rotated.data.latest_version).toBe(2);
    const afterRotation = await vault<{ data: { ciphertext: string } }>('POST', `transit/encrypt/${key}`, {
      plaintext: plaintexts[0],
    });
    expect(afterRotation.data.ciphertext).toMatch(/^vault:v2:/);

    expect(await decryptAll(ciphertexts)).toEqual(plaintexts);
  });

  it('wraps a 256-bit data key that decrypts to 32 bytes, and rewraps it to the newest key version', async () => {
    const key = `data-keys-${randomBytes(4).toString('hex')}`;
    await vault('POST', `transit/keys/${key}`);
    const wrapped = await vault<{ data: { ciphertext: string } }>('POST', `transit/datakey/wrapped/${key}`, { bits: 256 });
    const unwrap = async (ciphertext: string) =>
      Buffer.from((await vault<{ data: { plaintext: string } }>('POST', `transit/decrypt/${key}`, { ciphertext })).data.plaintext, 'base64');
    const dataKey = await unwrap(wrapped.data.ciphertext);
    expect(dataKey).toHaveLength(32);

    await vault('POST', `transit/keys/${key}/rotate`);
    const rewrapped = await vault<{ data: { ciphertext: string } }>('POST', `transit/rewrap/${key}`, { ciphertext: wrapped.data.ciphertext });

    expect(rewrapped.data.ciphertext).toMatch(/^vault:v2:/);
    expect(await unwrap(rewrapped.data.ciphertext)).toEqual(dataKey);
  });

  it('refuses a request that does not carry the token', async () => {
    const response = await fetch(`${address}/v1/transit/encrypt/anything`, {
      method: 'POST',
      headers: { 'X-Vault-Token': 'not-the-token', 'Content-Type': 'application/json' },
      body: JSON.stringify({ plaintext: Buffer.from('secret').toString('base64') }),
    });
    expect(response.status).toBe(403);
  });
});
