// Vault's HTTP API as the operator uses it (operator/vault-http.ts's VaultApi), in memory: documents
// by path, so the real client (operator/city/vault.ts) runs its own rules on top; a transit key exists
// once written, its `config` and deletion as transit does them (a key is deleted only once deletion
// is allowed); and a seal that fails every call the way a sealed Vault answers (503). The HTTP
// transport itself is tested against a recording server (vault.test.ts) and the dev server (test/cluster/).
import { type VaultApi, VaultError } from '../../operator/vault-http.js';

export interface MemoryVault extends VaultApi {
  /** `transit/keys/crashdesk-platform-london`, `sys/policies/acl/…`, `auth/kubernetes/role/…`: what Vault holds. */
  readonly paths: ReadonlyMap<string, Record<string, unknown>>;
  /** Every request (`GET sys/policies/acl/…`, `POST …`, `DELETE …`), in order, with its address. */
  readonly requests: readonly { readonly address: string; readonly method: string; readonly path: string }[];
  /** Requests that wrote or deleted something. */
  writes(): string[];
  seal(): void;
  unseal(): void;
  /** What a restarted dev server does: everything written is gone. */
  forget(): void;
}

export function createMemoryVault(): MemoryVault {
  const paths = new Map<string, Record<string, unknown>>();
  const requests: { address: string; method: string; path: string }[] = [];
  let sealed = false;

  function open(address: string, method: string, path: string) {
    requests.push({ address, method, path });
    if (sealed) throw new VaultError(`Vault ${method} ${path} answered 503: {"errors":["Vault is sealed"]}`);
  }
  const keyOf = (path: string) => /^([^/]+\/keys\/[^/]+)\/config$/.exec(path)?.[1];

  return {
    paths,
    requests,
    writes: () => requests.filter((request) => request.method !== 'GET').map((request) => `${request.method} ${request.path}`),
    async read(address, path) {
      open(address, 'GET', path);
      const found = paths.get(path);
      return found && structuredClone(found);
    },
    async write(address, path, body) {
      open(address, 'POST', path);
      const key = keyOf(path);
      if (key) {
        const existing = paths.get(key);
        if (!existing) throw new VaultError(`Vault POST ${path} answered 404`);
        paths.set(key, { ...existing, ...(body as Record<string, unknown>) });
      } else if (/^[^/]+\/keys\/[^/]+$/.test(path) && paths.has(path)) {
        // Creating a transit key that exists keeps it (and its versions), as transit does.
      } else {
        paths.set(path, structuredClone(body) as Record<string, unknown>);
      }
    },
    async delete(address, path) {
      open(address, 'DELETE', path);
      const stored = paths.get(path);
      if (/^[^/]+\/keys\/[^/]+$/.test(path) && stored && stored.deletion_allowed !== true) {
        throw new VaultError(`Vault DELETE ${path} answered 400: deletion is not allowed for this key`);
      }
      paths.delete(path);
    },
    seal: () => void (sealed = true),
    unseal: () => void (sealed = false),
    forget: () => paths.clear(),
  };
}
