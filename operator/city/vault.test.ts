import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryVault } from '../../test/support/memory-vault.js';
import { testCity } from '../../test/support/test-city.js';
import { createVaultHttp } from '../vault-http.js';
import { RefusedError } from './refusals.js';
import type { City } from './types.js';
import { authRole, createVaultClient, keptKeyPolicy, keyRecordOf, transitPolicy } from './vault.js';

// The transport against a recording stand-in for Vault's HTTP API (what is sent, with which token,
// to which address); the rules about whose names and keys are whose against the in-memory Vault.
const requests: { method: string; path: string; token?: string; body?: unknown }[] = [];
let refuseTokens = new Set<string>();
let logins = 0;
const server = createServer((request: IncomingMessage, response) => {
  let text = '';
  request.on('data', (chunk: Buffer) => (text += chunk.toString()));
  request.on('end', () => {
    const path = request.url ?? '';
    const token = request.headers['x-vault-token'] as string | undefined;
    requests.push({ method: request.method ?? '', path, token, body: text ? JSON.parse(text) : undefined });
    if (path === '/v1/auth/kubernetes/login') {
      logins++;
      const { role, jwt } = JSON.parse(text) as { role: string; jwt: string };
      if (role !== 'crashdesk_operator' || jwt !== 'the-service-account-jwt') return void response.writeHead(403).end('{"errors":["permission denied"]}');
      return void response.writeHead(200).end(JSON.stringify({ auth: { client_token: `issued-${logins}`, lease_duration: 3600 } }));
    }
    if (token !== undefined && refuseTokens.has(token)) return void response.writeHead(403).end('{"errors":["permission denied"]}');
    if (request.method === 'GET') return void response.writeHead(404).end('{"errors":[]}');
    response.writeHead(204).end();
  });
});
let address: string;
let dir: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  dir = await mkdtemp(join(tmpdir(), 'crashdesk-vault-test-'));
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  await rm(dir, { recursive: true, force: true });
});

const london = testCity('london');
const withEncryption = (city: City, encryption: Partial<City['spec']['encryption']>): City => ({
  ...city,
  spec: { ...city.spec, encryption: { ...city.spec.encryption, ...encryption } },
});
const vaultAddress = 'http://vault.vault.svc:8200';
const addresses = { address: vaultAddress, allowed: [vaultAddress] };

describe('transitPolicy', () => {
  it('records whose key it is, then allows that key and nothing else', () => {
    const record = { namespace: 'platform', name: 'london', mount: 'transit', key: 'crashdesk-platform-london', created: true };
    const policy = transitPolicy(record);
    expect(policy.split('\n')[0]).toBe(
      '# crashdesk-operator: City platform/london owns transit key transit/keys/crashdesk-platform-london (created by the operator: yes)',
    );
    expect(policy).toContain('path "transit/encrypt/crashdesk-platform-london" { capabilities = ["update"] }');
    expect(policy).toContain('path "transit/datakey/+/crashdesk-platform-london"');
    expect(policy).toContain('path "transit/hmac/crashdesk-platform-london" { capabilities = ["update"] }');
    expect(policy).toContain('path "transit/verify/crashdesk-platform-london" { capabilities = ["update"] }');
    expect(policy).not.toMatch(/\*/);
    expect(keyRecordOf(policy)).toEqual(record);
    expect(keyRecordOf(keptKeyPolicy(record))).toEqual(record);
    expect(keptKeyPolicy(record)).not.toContain('"update"');
  });
});

describe('createVaultHttp', () => {
  it('sends the static token of a development cluster', async () => {
    requests.length = 0;
    await createVaultHttp({ auth: { method: 'token', token: 'dev-token' }, allowedAddresses: [address] }).write(address, 'sys/policies/acl/x', { policy: 'p' });
    expect(requests).toEqual([{ method: 'POST', path: '/v1/sys/policies/acl/x', token: 'dev-token', body: { policy: 'p' } }]);
  });

  it('logs in with the ServiceAccount token through Kubernetes auth once, and again when Vault refuses the token it issued', async () => {
    const jwtFile = join(dir, 'token');
    await writeFile(jwtFile, 'the-service-account-jwt\n');
    const api = createVaultHttp({ auth: { method: 'kubernetes', role: 'crashdesk_operator', mount: 'kubernetes', jwtFile }, allowedAddresses: [address] });
    requests.length = 0;
    logins = 0;
    await api.write(address, 'transit/keys/crashdesk-platform-london', {});
    await api.read(address, 'transit/keys/crashdesk-platform-london');
    expect(requests.map((r) => `${r.method} ${r.path} ${r.token ?? '-'}`)).toEqual([
      'POST /v1/auth/kubernetes/login -',
      'POST /v1/transit/keys/crashdesk-platform-london issued-1',
      'GET /v1/transit/keys/crashdesk-platform-london issued-1',
    ]);
    refuseTokens = new Set(['issued-1']);
    await api.read(address, 'transit/keys/crashdesk-platform-london');
    expect(requests.slice(3).map((r) => `${r.method} ${r.path} ${r.token ?? '-'}`)).toEqual([
      'GET /v1/transit/keys/crashdesk-platform-london issued-1',
      'POST /v1/auth/kubernetes/login -',
      'GET /v1/transit/keys/crashdesk-platform-london issued-2',
    ]);
    refuseTokens = new Set();
  });

  it('sends nothing, not even a login, to an address outside the allowed ones', async () => {
    requests.length = 0;
    const api = createVaultHttp({ auth: { method: 'token', token: 'dev-token' }, allowedAddresses: ['http://vault.example:8200'] });
    await expect(api.write(address, 'transit/keys/crashdesk-platform-london', {})).rejects.toThrow('is not one the operator is configured to use');
    expect(requests).toEqual([]);
  });

  it('names the address when Vault cannot be reached', async () => {
    const api = createVaultHttp({ auth: { method: 'token', token: 't' }, allowedAddresses: ['http://127.0.0.1:1'], timeoutMs: 500 });
    await expect(api.read('http://127.0.0.1:1', 'sys/health')).rejects.toThrow('Vault at http://127.0.0.1:1 unreachable');
  });
});

describe('createVaultClient', () => {
  it('names key, policy and role crashdesk-<namespace>-<name>, writing the record before the key, and binds the role to the City ServiceAccount', async () => {
    const vault = createMemoryVault();
    expect(await createVaultClient(vault, addresses).ensure(london)).toEqual({ transitKey: 'crashdesk-platform-london' });
    expect(vault.writes()).toEqual([
      'POST sys/policies/acl/crashdesk-platform-london',
      'POST transit/keys/crashdesk-platform-london',
      'POST auth/kubernetes/role/crashdesk-platform-london',
    ]);
    expect(vault.requests.every((request) => request.address === vaultAddress)).toBe(true);
    expect(vault.paths.get('auth/kubernetes/role/crashdesk-platform-london')).toEqual(authRole(london));
    expect(authRole(london)).toMatchObject({
      bound_service_account_names: ['crashdesk-api-london'],
      bound_service_account_namespaces: ['platform'],
      token_policies: ['crashdesk-platform-london'],
    });
  });

  it('only reads while everything is in place, and writes back what Vault lost', async () => {
    const vault = createMemoryVault();
    const client = createVaultClient(vault, addresses);
    await client.ensure(london);
    const mark = vault.requests.length;
    await client.ensure(london);
    expect(vault.requests.slice(mark).map((request) => request.method)).toEqual(['GET', 'GET', 'GET']);
    vault.forget();
    await client.ensure(london);
    expect([...vault.paths.keys()].sort()).toEqual([
      'auth/kubernetes/role/crashdesk-platform-london',
      'sys/policies/acl/crashdesk-platform-london',
      'transit/keys/crashdesk-platform-london',
    ]);
  });

  it('refuses a City whose derived names are recorded as another City (namespace a-b, City c against namespace a, City b-c), touching nothing', async () => {
    const vault = createMemoryVault();
    const client = createVaultClient(vault, addresses);
    const owner = testCity('c', {}, { namespace: 'a-b', uid: 'uid-owner' });
    const hostile = withEncryption(testCity('b-c', {}, { namespace: 'a', uid: 'uid-hostile' }), { deleteKeyOnDelete: true });
    await client.ensure(owner);
    const before = structuredClone([...vault.paths]);
    const refused = await client.ensure(hostile).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(RefusedError);
    expect((refused as RefusedError).refusal).toMatchObject({ reason: 'VaultNamesTaken', rule: 'vault-names-owned' });
    expect((refused as Error).message).toMatch(/recorded as City a-b\/c's; .*\(rule vault-names-owned\)$/);
    await client.remove(hostile);
    expect([...vault.paths]).toEqual(before);
  });

  it('refuses a transit key by the City name that no record says the operator made for it', async () => {
    const vault = createMemoryVault();
    await vault.write(vaultAddress, 'transit/keys/crashdesk-platform-london', { type: 'aes256-gcm96' });
    await expect(createVaultClient(vault, addresses).ensure(london)).rejects.toThrow('(rule vault-names-owned)');
    expect(vault.paths.has('auth/kubernetes/role/crashdesk-platform-london')).toBe(false);
  });

  it('adopts the key of a City reconciled before names were derived, through its role bound to the City ServiceAccount, and never deletes it', async () => {
    const vault = createMemoryVault();
    // What the previous version wrote: key crashdesk-london, policy and role crashdesk-platform-london.
    await vault.write(vaultAddress, 'transit/keys/crashdesk-london', { type: 'aes256-gcm96' });
    await vault.write(vaultAddress, 'sys/policies/acl/crashdesk-platform-london', {
      policy: 'path "transit/encrypt/crashdesk-london" { capabilities = ["update"] }\n',
    });
    await vault.write(vaultAddress, 'auth/kubernetes/role/crashdesk-platform-london', authRole(london));
    const client = createVaultClient(vault, addresses);
    expect(await client.ensure(london)).toEqual({ transitKey: 'crashdesk-london' });
    expect(vault.paths.has('transit/keys/crashdesk-platform-london')).toBe(false);
    expect(keyRecordOf(vault.paths.get('sys/policies/acl/crashdesk-platform-london')?.policy as string)).toMatchObject({
      key: 'crashdesk-london',
      created: false,
    });
    await client.remove(withEncryption(london, { deleteKeyOnDelete: true }));
    expect(vault.paths.has('transit/keys/crashdesk-london')).toBe(true);
  });

  it('does not adopt a legacy policy whose role binds another namespace', async () => {
    const vault = createMemoryVault();
    await vault.write(vaultAddress, 'sys/policies/acl/crashdesk-platform-london', {
      policy: 'path "transit/encrypt/crashdesk-london" { capabilities = ["update"] }\n',
    });
    await vault.write(vaultAddress, 'auth/kubernetes/role/crashdesk-platform-london', {
      ...authRole(london),
      bound_service_account_namespaces: ['platform-x'],
    });
    await expect(createVaultClient(vault, addresses).ensure(london)).rejects.toThrow(/exist and are not recorded as this City; .*\(rule vault-names-owned\)$/);
  });

  it('on deletion keeps the key and its record, which a City of the same namespace and name created again takes back', async () => {
    const vault = createMemoryVault();
    const client = createVaultClient(vault, addresses);
    await client.ensure(london);
    await client.remove(london);
    expect([...vault.paths.keys()].sort()).toEqual(['sys/policies/acl/crashdesk-platform-london', 'transit/keys/crashdesk-platform-london']);
    expect(await client.ensure(testCity('london', {}, { uid: 'uid-london-again' }))).toEqual({ transitKey: 'crashdesk-platform-london' });
    expect(vault.paths.get('sys/policies/acl/crashdesk-platform-london')?.policy).toBe(
      transitPolicy({ namespace: 'platform', name: 'london', mount: 'transit', key: 'crashdesk-platform-london', created: true }),
    );
  });

  it('with deleteKeyOnDelete deletes the key it created, allowing deletion first, and the record with it', async () => {
    const vault = createMemoryVault();
    const client = createVaultClient(vault, addresses);
    const deleting = withEncryption(london, { deleteKeyOnDelete: true });
    await client.ensure(deleting);
    const mark = vault.requests.length;
    await client.remove(deleting);
    expect(vault.writes().slice(vault.writes().length - (vault.requests.length - mark - 2))).toEqual([
      'DELETE auth/kubernetes/role/crashdesk-platform-london',
      'POST transit/keys/crashdesk-platform-london/config',
      'DELETE transit/keys/crashdesk-platform-london',
      'DELETE sys/policies/acl/crashdesk-platform-london',
    ]);
    expect([...vault.paths.keys()]).toEqual([]);
  });
});
