import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync } from 'node:fs';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { z } from 'zod';
import { type KeyProvider, KeyProviderError } from './key-provider.js';

const keyFileSchema = z.object({
  keys: z
    .array(z.object({ version: z.number().int().positive(), key: z.base64().refine((k) => Buffer.from(k, 'base64').length === 32), createdAt: z.string() }))
    .min(1),
});
type KeyFile = z.infer<typeof keyFileSchema>;

const WRAPPED = /^local:v(\d+):([A-Za-z0-9_-]+)$/;
const HMAC = /^local:v(\d+):[A-Za-z0-9_-]+$/;

/**
 * Master keys in a file (mode 0600) of the data directory: the local platform's default. It keeps
 * a database dump useless without the file, but the file sits on the same machine, so production
 * uses Vault.
 */
export async function createLocalKeyProvider(file: string, options: { create: boolean }): Promise<KeyProvider> {
  if (!existsSync(file)) {
    if (!options.create) throw new KeyProviderError(`the local key file ${file} does not exist`);
    await writeKeyFile(file, { keys: [{ version: 1, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() }] });
  }
  const parsed = keyFileSchema.safeParse(
    JSON.parse(
      await readFile(file, 'utf8').catch((cause: unknown) => {
        throw new KeyProviderError(`cannot read the local key file ${file}`, { cause });
      }),
    ) as unknown,
  );
  if (!parsed.success) throw new KeyProviderError(`the local key file ${file} is not a crashdesk key file`);
  const keys = new Map(parsed.data.keys.map((entry) => [entry.version, Buffer.from(entry.key, 'base64')]));
  const newest = Math.max(...keys.keys());

  const wrap = (dataKey: Buffer, version = newest) => {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', keys.get(version)!, iv);
    const sealed = Buffer.concat([cipher.update(dataKey), cipher.final()]);
    return `local:v${version}:${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
  };
  const unwrap = async (wrapped: string) => {
    const [, version, body] = WRAPPED.exec(wrapped) ?? [];
    const key = keys.get(Number(version));
    if (!key || !body) throw new KeyProviderError(`no local master key version ${version ?? '?'} in ${file} can unwrap this data key`);
    const bytes = Buffer.from(body, 'base64url');
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, bytes.subarray(0, 12));
      decipher.setAuthTag(bytes.subarray(12, 28));
      return Buffer.concat([decipher.update(bytes.subarray(28)), decipher.final()]);
    } catch (cause) {
      throw new KeyProviderError(`the local master key in ${file} cannot unwrap this data key (wrong key file?)`, { cause });
    }
  };

  // Derived from a master key version, so that signing and wrapping never use the same key.
  const hmacWith = (version: number, message: Buffer) => {
    const key = Buffer.from(hkdfSync('sha256', keys.get(version)!, Buffer.alloc(0), 'crashdesk-audit-hmac/1', 32));
    return `local:v${version}:${createHmac('sha256', key).update(message).digest('base64url')}`;
  };

  return {
    name: `local:${file}`,
    async generateDataKey() {
      const plaintext = randomBytes(32);
      return { plaintext, wrapped: wrap(plaintext) };
    },
    unwrap,
    async rewrap(wrapped) {
      return wrap(await unwrap(wrapped));
    },
    async isCurrent(wrapped) {
      return WRAPPED.exec(wrapped)?.[1] === String(newest);
    },
    async hmac(message) {
      return hmacWith(newest, message);
    },
    async verifyHmac(message, hmac) {
      const version = Number(HMAC.exec(hmac)?.[1]);
      if (!keys.has(version)) return false;
      const [expected, given] = [Buffer.from(hmacWith(version, message)), Buffer.from(hmac)];
      return expected.length === given.length && timingSafeEqual(expected, given);
    },
  };
}

/** Adds a new master key version; data keys wrapped before stay readable until re-wrapped. */
export async function rotateLocalKey(file: string): Promise<number> {
  const current = keyFileSchema.parse(JSON.parse(await readFile(file, 'utf8')) as unknown);
  const version = Math.max(...current.keys.map((k) => k.version)) + 1;
  current.keys.push({ version, key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() });
  await writeKeyFile(file, current);
  return version;
}

async function writeKeyFile(file: string, content: KeyFile) {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, JSON.stringify(content, null, 2), { mode: 0o600 });
  await rename(temporary, file);
}
