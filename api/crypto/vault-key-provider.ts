import { readFile } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { type KeyProvider, KeyProviderError } from './key-provider.js';
import type { VaultOperation, VaultRequestObserver } from './metrics.js';

export type VaultAuth =
  | { readonly method: 'token'; readonly token: string }
  | { readonly method: 'kubernetes'; readonly role: string; readonly mount: string; readonly jwtFile: string };

export interface VaultKeyProviderOptions {
  /** e.g. `https://vault.vault.svc:8200` */
  readonly address: string;
  readonly transitMount: string;
  readonly keyName: string;
  readonly auth: VaultAuth;
  readonly timeoutMs?: number;
  /** Told of every request's operation, result and duration (crypto/metrics.ts). */
  readonly observe?: VaultRequestObserver;
}

interface VaultResponse<T> {
  readonly data?: T;
  readonly auth?: { client_token: string; lease_duration: number };
  readonly errors?: string[];
}

/**
 * Data keys from Vault's (or OpenBao's) transit engine over its HTTP API: `datakey/wrapped` makes a
 * key Vault never shows, `decrypt` unwraps it when a site needs it, `rewrap` moves it to the newest
 * master key version; `hmac` and `verify` sign and check the audit chain's head with the same
 * transit key's HMAC key. No key ever leaves Vault.
 */
export function createVaultKeyProvider(options: VaultKeyProviderOptions): KeyProvider {
  const base = `${options.address.replace(/\/+$/, '')}/v1`;
  const transit = `${base}/${options.transitMount}`;
  const key = encodeURIComponent(options.keyName);
  let token: { value: string; renewAt: number } | undefined;

  async function login(): Promise<string> {
    if (options.auth.method === 'token') return options.auth.token;
    const jwt = (await readFile(options.auth.jwtFile, 'utf8')).trim();
    const answer = await call<never>('login', 'POST', `${base}/auth/${options.auth.mount}/login`, { role: options.auth.role, jwt }, undefined);
    if (!answer.auth) throw new KeyProviderError('Vault kubernetes login returned no token');
    // Log in again well before the lease ends rather than racing its expiry.
    token = { value: answer.auth.client_token, renewAt: Date.now() + answer.auth.lease_duration * 1000 * 0.66 };
    return token.value;
  }

  async function currentToken(): Promise<string> {
    if (options.auth.method === 'token') return options.auth.token;
    if (!token || Date.now() >= token.renewAt) return login();
    return token.value;
  }

  async function call<T>(operation: VaultOperation, method: string, url: string, body: unknown, vaultToken: string | undefined): Promise<VaultResponse<T>> {
    const started = performance.now();
    const observe = (result: 'ok' | 'refused' | 'unreachable') => options.observe?.(operation, result, (performance.now() - started) / 1000);
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: { 'content-type': 'application/json', ...(vaultToken ? { 'x-vault-token': vaultToken } : {}) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(options.timeoutMs ?? 5000),
      });
    } catch (cause) {
      observe('unreachable');
      throw new KeyProviderError(`Vault at ${options.address} did not answer ${method} ${url.slice(base.length)}`, { cause });
    }
    const payload = (await response.json().catch(() => ({}))) as VaultResponse<T>;
    observe(response.ok ? 'ok' : 'refused');
    if (!response.ok) {
      const reason = payload.errors?.join('; ') || response.statusText;
      throw new KeyProviderError(`Vault answered ${response.status} to ${method} ${url.slice(base.length)}: ${reason}`);
    }
    return payload;
  }

  /** A transit call; a rejected Kubernetes token is renewed once before giving up. */
  async function transitCall<T>(path: string, body: unknown): Promise<T> {
    const operation = path.split('/')[0] as VaultOperation;
    try {
      const answer = await call<T>(operation, 'POST', `${transit}/${path}/${key}`, body, await currentToken());
      if (!answer.data) throw new KeyProviderError(`Vault returned no data for ${path}`);
      return answer.data;
    } catch (error) {
      if (options.auth.method !== 'kubernetes' || !(error instanceof KeyProviderError) || !error.message.includes(' 403 ')) throw error;
      token = undefined;
      const answer = await call<T>(operation, 'POST', `${transit}/${path}/${key}`, body, await login());
      if (!answer.data) throw new KeyProviderError(`Vault returned no data for ${path}`, { cause: error });
      return answer.data;
    }
  }

  const versionOf = (wrapped: string) => Number(/^vault:v(\d+):/.exec(wrapped)?.[1] ?? NaN);

  return {
    name: `vault:${options.transitMount}/${options.keyName}`,
    async generateDataKey() {
      const { ciphertext } = await transitCall<{ ciphertext: string }>('datakey/wrapped', { bits: 256 });
      return { plaintext: await this.unwrap(ciphertext), wrapped: ciphertext };
    },
    async unwrap(wrapped) {
      const { plaintext } = await transitCall<{ plaintext: string }>('decrypt', { ciphertext: wrapped });
      const dataKey = Buffer.from(plaintext, 'base64');
      if (dataKey.length !== 32) throw new KeyProviderError('Vault unwrapped a data key that is not 256 bits');
      return dataKey;
    },
    async rewrap(wrapped) {
      return (await transitCall<{ ciphertext: string }>('rewrap', { ciphertext: wrapped })).ciphertext;
    },
    async hmac(message) {
      return (await transitCall<{ hmac: string }>('hmac', { input: message.toString('base64') })).hmac;
    },
    async verifyHmac(message, hmac) {
      // Vault answers 400, not `valid: false`, to what is not an HMAC of its own format.
      if (!/^vault:v\d+:[A-Za-z0-9+/]+=*$/.test(hmac)) return false;
      return (await transitCall<{ valid: boolean }>('verify', { input: message.toString('base64'), hmac })).valid === true;
    },
    async isCurrent(wrapped) {
      const info = await call<{ latest_version: number }>('keys', 'GET', `${transit}/keys/${key}`, undefined, await currentToken());
      return versionOf(wrapped) === info.data?.latest_version;
    },
  };
}
