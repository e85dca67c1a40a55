// Vault as the reconciler uses it (operator/city/vault.ts's VaultClient), in memory: transit keys,
// ACL policies and Kubernetes-auth roles by path, written and removed by the same rules as the HTTP
// client's, and a seal that fails every call the way a sealed Vault answers (503). The HTTP client
// itself is tested against a recording server (vault.test.ts) and against OpenBao (test/cluster/).
import { authRole, transitPolicy, type VaultClient, VaultError } from '../../operator/city/vault.js';
import { type City, cityNames } from '../../operator/city/types.js';

export interface MemoryVault extends VaultClient {
  /** `transit/keys/crashdesk-london`, `sys/policies/acl/…`, `auth/kubernetes/role/…`: what Vault holds. */
  readonly paths: ReadonlyMap<string, unknown>;
  /** Every call (`ensure platform/london`), in order. */
  readonly calls: readonly string[];
  seal(): void;
  unseal(): void;
  /** What a restarted dev server does: everything written is gone. */
  forget(): void;
}

export function createMemoryVault(): MemoryVault {
  const paths = new Map<string, unknown>();
  const calls: string[] = [];
  let sealed = false;

  function pathsOf(city: City) {
    const names = cityNames(city);
    const { transitMount, authMount } = city.spec.encryption;
    return {
      key: `${transitMount}/keys/${names.transitKey}`,
      policy: `sys/policies/acl/${names.vaultPolicy}`,
      role: `auth/${authMount}/role/${names.vaultRole}`,
    };
  }

  function open(method: string, path: string) {
    if (sealed) throw new VaultError(`Vault ${method} ${path} answered 503: {"errors":["Vault is sealed"]}`);
  }

  async function ensure(city: City) {
    calls.push(`ensure ${city.metadata.namespace}/${city.metadata.name}`);
    const { key, policy, role } = pathsOf(city);
    // Creating a key that exists keeps it (and its versions), as transit does.
    open('POST', key);
    if (!paths.has(key)) paths.set(key, { type: 'aes256-gcm96' });
    open('PUT', policy);
    paths.set(policy, transitPolicy(city.spec.encryption.transitMount, cityNames(city).transitKey));
    open('POST', role);
    paths.set(role, authRole(city));
  }

  return {
    paths,
    calls,
    ensure,
    async verify(city) {
      calls.push(`verify ${city.metadata.namespace}/${city.metadata.name}`);
      const all = Object.values(pathsOf(city));
      for (const path of all) open('GET', path);
      if (!all.every((path) => paths.has(path))) await ensure(city);
    },
    async remove(city) {
      calls.push(`remove ${city.metadata.namespace}/${city.metadata.name}`);
      const { key, policy, role } = pathsOf(city);
      open('DELETE', role);
      paths.delete(role);
      open('DELETE', policy);
      paths.delete(policy);
      if (city.spec.encryption.deleteKeyOnDelete) {
        open('DELETE', key);
        paths.delete(key);
      }
    },
    seal: () => void (sealed = true),
    unseal: () => void (sealed = false),
    forget: () => paths.clear(),
  };
}
