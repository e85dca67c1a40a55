// The City's Vault objects: a transit key, an ACL policy that allows only that key, and a
// Kubernetes-auth role binding the City's ServiceAccount to the policy, all named
// crashdesk-<namespace>-<name>. Which key belongs to which City is recorded in Vault itself: the
// first line of the City's policy names the owning City and its key, and says whether the operator
// created the key. Only the operator writes policies, the record outlives the City while its key is
// kept, and so a City never gets a key or name another City holds, and the operator deletes only
// keys it created for the City being deleted.
import { type VaultApi, VaultError } from '../vault-http.js';
import { refusal, RefusedError, type VaultAddresses, vaultAddressOf } from './refusals.js';
import { type City, cityNames } from './types.js';

export interface VaultClient {
  /**
   * Reads the City's record, policy, role and key, and writes only what is missing or differs (an
   * unchanged City costs reads only); returns the key its data is sealed with. Throws RefusedError
   * when the names are another City's.
   */
  ensure(city: City): Promise<{ readonly transitKey: string }>;
  /** Removes the role; the policy too, or leaves only its record while the key is kept. */
  remove(city: City): Promise<void>;
}

/** Whose key a policy's record says it is. */
export interface KeyRecord {
  readonly namespace: string;
  readonly name: string;
  readonly mount: string;
  readonly key: string;
  /** Created by the operator for this City (not adopted from an earlier version): only then may it delete it. */
  readonly created: boolean;
}

const RECORD =
  /^# crashdesk-operator: City ([a-z0-9-]+)\/([a-z0-9-]+) owns transit key ([a-z0-9_-]+)\/keys\/([A-Za-z0-9_-]+) \(created by the operator: (yes|no)\)$/m;

export function keyRecordOf(policy: string | undefined): KeyRecord | undefined {
  const match = policy === undefined ? null : RECORD.exec(policy);
  if (!match) return undefined;
  const [, namespace = '', name = '', mount = '', key = '', created] = match;
  return { namespace, name, mount, key, created: created === 'yes' };
}

const recordLine = (record: KeyRecord) =>
  `# crashdesk-operator: City ${record.namespace}/${record.name} owns transit key ${record.mount}/keys/${record.key} (created by the operator: ${record.created ? 'yes' : 'no'})`;

/** The policy text: the record, then the city's api may use its own key, and nothing else. */
export function transitPolicy(record: KeyRecord): string {
  const { mount, key } = record;
  return [
    recordLine(record),
    `path "${mount}/encrypt/${key}" { capabilities = ["update"] }`,
    `path "${mount}/decrypt/${key}" { capabilities = ["update"] }`,
    `path "${mount}/rewrap/${key}" { capabilities = ["update"] }`,
    `path "${mount}/datakey/+/${key}" { capabilities = ["update"] }`,
    // The audit chain's head is signed and checked with the same key (api/audit/head-signer.ts).
    `path "${mount}/hmac/${key}" { capabilities = ["update"] }`,
    `path "${mount}/verify/${key}" { capabilities = ["update"] }`,
    `path "${mount}/keys/${key}" { capabilities = ["read"] }`,
    '',
  ].join('\n');
}

/** What is left of the policy once its City is gone but the key is kept: the record, granting nothing. */
export function keptKeyPolicy(record: KeyRecord): string {
  return [recordLine(record), `path "${record.mount}/keys/${record.key}" { capabilities = ["deny"] }`, ''].join('\n');
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

const sameList = (actual: unknown, expected: readonly string[]) => JSON.stringify(actual) === JSON.stringify(expected);

/** Whether a role binds exactly the City's ServiceAccount in its namespace. */
function bindsCity(role: Record<string, unknown> | undefined, city: City): boolean {
  const wanted = authRole(city);
  return (
    role !== undefined &&
    sameList(role.bound_service_account_names, wanted.bound_service_account_names) &&
    sameList(role.bound_service_account_namespaces, wanted.bound_service_account_namespaces)
  );
}

const namesTaken = (city: City, why: string) =>
  new RefusedError(
    refusal(
      'VaultNamesTaken',
      'vault-names-owned',
      `Vault objects ${cityNames(city).vaultPolicy} ${why}; the operator gives a City only names and keys recorded as its own`,
    ),
  );

export function createVaultClient(api: VaultApi, addresses: VaultAddresses): VaultClient {
  // One City's Vault objects at a time per name: two Cities whose names collide never both see "free".
  const locks = new Map<string, Promise<unknown>>();
  function serialised<T>(name: string, work: () => Promise<T>): Promise<T> {
    const run = (locks.get(name) ?? Promise.resolve()).then(work);
    const settled = run.catch(() => undefined);
    locks.set(name, settled);
    void settled.then(() => locks.get(name) === settled && locks.delete(name));
    return run;
  }

  /**
   * A City reconciled before names were derived has a role (its authRole, or today's name) bound
   * to its ServiceAccount and a policy without a record naming its key: that ServiceAccount
   * already holds the key, so adopting it gives nobody anything new.
   */
  async function adoptLegacy(address: string, city: City): Promise<KeyRecord | undefined> {
    const { authMount, authRole: legacyName = cityNames(city).vaultRole } = city.spec.encryption;
    const role = await api.read(address, `auth/${authMount}/role/${legacyName}`);
    if (!bindsCity(role, city)) return undefined;
    const policy = (await api.read(address, `sys/policies/acl/${legacyName}`))?.policy;
    const key = typeof policy === 'string' ? /^path "([a-z0-9_-]+)\/encrypt\/([A-Za-z0-9_-]+)"/m.exec(policy) : null;
    if (!key?.[1] || !key[2]) return undefined;
    return { namespace: city.metadata.namespace, name: city.metadata.name, mount: key[1], key: key[2], created: false };
  }

  async function ensure(city: City): Promise<{ transitKey: string }> {
    const names = cityNames(city);
    const address = vaultAddressOf(city, addresses);
    const { authMount, transitMount } = city.spec.encryption;
    const policyPath = `sys/policies/acl/${names.vaultPolicy}`;
    const policy = (await api.read(address, policyPath))?.policy as string | undefined;
    let record = keyRecordOf(policy);
    if (record && (record.namespace !== city.metadata.namespace || record.name !== city.metadata.name)) {
      throw namesTaken(city, `are recorded as City ${record.namespace}/${record.name}'s`);
    }
    if (!record && (policy !== undefined || city.spec.encryption.authRole !== undefined)) {
      record = await adoptLegacy(address, city);
      if (!record && policy !== undefined) throw namesTaken(city, 'exist and are not recorded as this City');
    }
    if (!record && city.status?.transitKey !== undefined && city.status.transitKey === names.transitKey) {
      // Vault lost the record but kept the key (a partial restore): the City's status, which only the
      // operator writes, says the key is the one it made for this City.
      record = { namespace: city.metadata.namespace, name: city.metadata.name, mount: transitMount, key: names.transitKey, created: true };
    }
    if (!record) {
      // A key by the City's name that no record claims was not made for it: never hand it out.
      if (await api.read(address, `${transitMount}/keys/${names.transitKey}`)) {
        throw namesTaken(city, `include transit key ${transitMount}/keys/${names.transitKey}, which is not recorded as this City's`);
      }
      record = { namespace: city.metadata.namespace, name: city.metadata.name, mount: transitMount, key: names.transitKey, created: true };
    }
    // The record first: a key created a moment later is then never one the operator forgot it made.
    if (policy !== transitPolicy(record)) await api.write(address, policyPath, { policy: transitPolicy(record) });
    if (!(await api.read(address, `${record.mount}/keys/${record.key}`))) {
      if (!record.created) throw new VaultError(`the transit key ${record.mount}/keys/${record.key} this City used before is gone from Vault`);
      await api.write(address, `${record.mount}/keys/${record.key}`, { type: 'aes256-gcm96' });
    }
    const rolePath = `auth/${authMount}/role/${names.vaultRole}`;
    const role = await api.read(address, rolePath);
    if (!bindsCity(role, city) || !sameList(role?.token_policies, [names.vaultPolicy])) await api.write(address, rolePath, authRole(city));
    return { transitKey: record.key };
  }

  async function remove(city: City): Promise<void> {
    const names = cityNames(city);
    const address = vaultAddressOf(city, addresses);
    const { authMount, deleteKeyOnDelete } = city.spec.encryption;
    const policyPath = `sys/policies/acl/${names.vaultPolicy}`;
    const rolePath = `auth/${authMount}/role/${names.vaultRole}`;
    const policy = (await api.read(address, policyPath))?.policy as string | undefined;
    const record = keyRecordOf(policy);
    if (!record) {
      // Never recorded: delete only what is provably this City's (a role bound to its ServiceAccount), never a key.
      if (bindsCity(await api.read(address, rolePath), city)) {
        await api.delete(address, rolePath);
        await api.delete(address, policyPath);
      }
      return;
    }
    if (record.namespace !== city.metadata.namespace || record.name !== city.metadata.name) return; // another City's
    await api.delete(address, rolePath);
    const keyPath = `${record.mount}/keys/${record.key}`;
    if (deleteKeyOnDelete && record.created) {
      if (await api.read(address, keyPath)) {
        // Vault refuses to delete a key until deletion is allowed on it.
        await api.write(address, `${keyPath}/config`, { deletion_allowed: true });
        await api.delete(address, keyPath);
      }
      await api.delete(address, policyPath);
    } else if (policy !== keptKeyPolicy(record)) {
      await api.write(address, policyPath, { policy: keptKeyPolicy(record) });
    }
  }

  return {
    ensure: (city) => serialised(cityNames(city).vaultPolicy, () => ensure(city)),
    remove: (city) => serialised(cityNames(city).vaultPolicy, () => remove(city)),
  };
}
