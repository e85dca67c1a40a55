// Vault's HTTP API as the operator speaks it: read, write and delete by path, authenticated with
// Kubernetes auth (the operator's ServiceAccount token, logged in once per address and again before
// the token expires or when Vault refuses it) or, on a development cluster, a static token; and
// only ever to the addresses the operator's configuration allows, so no City can send it elsewhere.
import { readFile } from 'node:fs/promises';

export class VaultError extends Error {}

/** A permission Vault refused (403): the operator's Vault policy does not allow it. */
export class VaultForbidden extends VaultError {}

export type VaultAuth =
  | { readonly method: 'token'; readonly token: string }
  | { readonly method: 'kubernetes'; readonly role: string; readonly mount: string; readonly jwtFile: string };

/** The verbs city/vault.ts uses; test/support/memory-vault.ts gives them over a Map. */
export interface VaultApi {
  /** The `data` of a read, or undefined when Vault has nothing at the path (404). */
  read(address: string, path: string): Promise<Record<string, unknown> | undefined>;
  write(address: string, path: string, body: unknown): Promise<void>;
  /** Deleting what is already gone is done, not failed. */
  delete(address: string, path: string): Promise<void>;
}

export interface VaultHttpOptions {
  readonly auth: VaultAuth;
  /** Every address a request may go to (the operator's VAULT_ADDR and VAULT_ALLOWED_ADDRESSES). */
  readonly allowedAddresses: readonly string[];
  readonly timeoutMs?: number;
  readonly now?: () => number;
}

/** Addresses compare by origin (scheme, host, port): Vault's API lives at /v1 of it whatever path is given. */
export function vaultOrigin(address: string): string {
  try {
    return new URL(address).origin;
  } catch {
    return address; // not a URL: compares equal to no allowed address
  }
}

export function createVaultHttp(options: VaultHttpOptions): VaultApi {
  const { auth, timeoutMs = 5_000, now = Date.now } = options;
  const allowed = new Set(options.allowedAddresses.map(vaultOrigin));
  const tokens = new Map<string, { readonly token: string; readonly renewAt: number }>();

  async function send(address: string, method: string, path: string, token: string | undefined, body?: unknown): Promise<Response> {
    try {
      return await fetch(new URL(`/v1/${path}`, address), {
        method,
        headers: { ...(token === undefined ? {} : { 'X-Vault-Token': token }), ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new VaultError(`Vault at ${address} unreachable (${method} ${path})`, { cause: error });
    }
  }

  async function login(address: string): Promise<string> {
    if (auth.method === 'token') return auth.token;
    const cached = tokens.get(address);
    if (cached && now() < cached.renewAt) return cached.token;
    const jwt = (await readFile(auth.jwtFile, 'utf8')).trim();
    const response = await send(address, 'POST', `auth/${auth.mount}/login`, undefined, { role: auth.role, jwt });
    if (!response.ok) throw new VaultError(`Vault login at ${address} as role ${auth.role} answered ${response.status}: ${(await response.text()).trim()}`);
    const { auth: issued } = (await response.json()) as { auth?: { client_token?: string; lease_duration?: number } };
    if (!issued?.client_token) throw new VaultError(`Vault login at ${address} as role ${auth.role} returned no token`);
    // Log in again at two thirds of the lease rather than renewing: the JWT file is rotated by the kubelet anyway.
    tokens.set(address, { token: issued.client_token, renewAt: now() + ((issued.lease_duration ?? 3600) * 1000 * 2) / 3 });
    return issued.client_token;
  }

  async function call(address: string, method: string, path: string, body?: unknown): Promise<Response> {
    if (!allowed.has(vaultOrigin(address))) throw new VaultError(`Vault address ${address} is not one the operator is configured to use`);
    let response = await send(address, method, path, await login(address), body);
    if (response.status === 403 && auth.method === 'kubernetes' && tokens.has(address)) {
      // A token Vault forgot (a restart, a revocation): log in afresh once before calling it refused.
      tokens.delete(address);
      response = await send(address, method, path, await login(address), body);
    }
    return response;
  }

  async function failure(response: Response, method: string, path: string): Promise<VaultError> {
    const message = `Vault ${method} ${path} answered ${response.status}: ${(await response.text()).trim()}`;
    return response.status === 403 ? new VaultForbidden(message) : new VaultError(message);
  }

  return {
    async read(address, path) {
      const response = await call(address, 'GET', path);
      if (response.status === 404) return undefined;
      if (!response.ok) throw await failure(response, 'GET', path);
      return ((await response.json()) as { data?: Record<string, unknown> }).data ?? {};
    },
    async write(address, path, body) {
      const response = await call(address, 'POST', path, body);
      if (!response.ok) throw await failure(response, 'POST', path);
    },
    async delete(address, path) {
      const response = await call(address, 'DELETE', path);
      if (!response.ok && response.status !== 404) throw await failure(response, 'DELETE', path);
    },
  };
}
