// The City's Vault objects through Vault's HTTP API: a transit key, an ACL policy that allows only
// that key, and a Kubernetes-auth role that binds the City's ServiceAccount to the policy. Each
// write is idempotent (Vault upserts), so reconcile may repeat them.
import { type City, cityNames } from './types.js';

export class VaultError extends Error {}

export interface VaultClient {
  ensure(city: City): Promise<void>;
  /** Reads the key, policy and role back (reads only), and writes them again if any is missing. */
  verify(city: City): Promise<void>;
  remove(city: City): Promise<void>;
}

/** The policy text: the city's api may use its own key, and nothing else. */
export function transitPolicy(mount: string, key: string): string {
  return [
    `path "${mount}/encrypt/${key}" { capabilities = ["update"] }`,
    `path "${mount}/decrypt/${key}" { capabilities = ["update"] }`,
    `path "${mount}/rewrap/${key}" { capabilities = ["update"] }`,
    `path "${mount}/datakey/+/${key}" { capabilities = ["update"] }`,
    `path "${mount}/keys/${key}" { capabilities = ["read"] }`,
    '',
  ].join('\n');
}

export function authRole(city: City) {
  const names = cityNames(city);
  return {
    bound_service_account_names: [names.serviceAccount],
    bound_service_account_namespaces: [city.metadata.namespace],
    token_policies: [names.vaultPolicy],
    token_ttl: '1h',
    token_max_ttl: '4h',
  };
}

export function createVaultClient(token: string, timeoutMs = 5_000): VaultClient {
  async function call(address: string, method: string, path: string, body?: unknown): Promise<void> {
    let response: Response;
    try {
      response = await fetch(new URL(`/v1/${path}`, address), {
        method,
        headers: { 'X-Vault-Token': token, ...(body === undefined ? {} : { 'Content-Type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (error) {
      throw new VaultError(`Vault at ${address} unreachable (${method} ${path})`, { cause: error });
    }
    // A delete of something already gone is done, not failed.
    if (response.ok || (method === 'DELETE' && response.status === 404)) return;
    throw new VaultError(`Vault ${method} ${path} answered ${response.status}: ${(await response.text()).trim()}`);
  }

  async function exists(address: string, path: string): Promise<boolean> {
    const response = await fetch(new URL(`/v1/${path}`, address), { headers: { 'X-Vault-Token': token }, signal: AbortSignal.timeout(timeoutMs) }).catch(
      (error: unknown) => {
        throw new VaultError(`Vault at ${address} unreachable (GET ${path})`, { cause: error });
      },
    );
    if (response.status === 404) return false;
    if (response.ok) return true;
    throw new VaultError(`Vault GET ${path} answered ${response.status}: ${(await response.text()).trim()}`);
  }

  async function ensure(city: City): Promise<void> {
    const names = cityNames(city);
    const { vaultAddress: address, transitMount: mount, authMount } = city.spec.encryption;
    await call(address, 'POST', `${mount}/keys/${names.transitKey}`, { type: 'aes256-gcm96' });
    await call(address, 'PUT', `sys/policies/acl/${names.vaultPolicy}`, { policy: transitPolicy(mount, names.transitKey) });
    await call(address, 'POST', `auth/${authMount}/role/${names.vaultRole}`, authRole(city));
  }

  return {
    ensure,
    async verify(city) {
      const names = cityNames(city);
      const { vaultAddress: address, transitMount: mount, authMount } = city.spec.encryption;
      const present = await Promise.all([
        exists(address, `${mount}/keys/${names.transitKey}`),
        exists(address, `sys/policies/acl/${names.vaultPolicy}`),
        exists(address, `auth/${authMount}/role/${names.vaultRole}`),
      ]);
      // A Vault restored from an old snapshot, or a dev server restarted, lost them: put them back.
      if (present.includes(false)) await ensure(city);
    },
    async remove(city) {
      const names = cityNames(city);
      const { vaultAddress: address, transitMount: mount, authMount, deleteKeyOnDelete } = city.spec.encryption;
      await call(address, 'DELETE', `auth/${authMount}/role/${names.vaultRole}`);
      await call(address, 'DELETE', `sys/policies/acl/${names.vaultPolicy}`);
      if (deleteKeyOnDelete && (await exists(address, `${mount}/keys/${names.transitKey}`))) {
        // Vault refuses to delete a key until deletion is allowed on it.
        await call(address, 'POST', `${mount}/keys/${names.transitKey}/config`, { deletion_allowed: true });
        await call(address, 'DELETE', `${mount}/keys/${names.transitKey}`);
      }
    },
  };
}
