import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testCity } from '../../test/support/test-city.js';
import { authRole, createVaultClient, transitPolicy } from './vault.js';

// A recording stand-in for Vault's HTTP API: the client's requests are what is under test here;
// the real transit server is exercised by the cluster tests.
const requests: { method: string; path: string; token?: string; body?: unknown }[] = [];
const keys = new Set<string>();
const server = createServer((request: IncomingMessage, response) => {
  let text = '';
  request.on('data', (chunk: Buffer) => (text += chunk.toString()));
  request.on('end', () => {
    const path = request.url ?? '';
    requests.push({ method: request.method ?? '', path, token: request.headers['x-vault-token'] as string, body: text ? JSON.parse(text) : undefined });
    if (path.startsWith('/v1/transit/keys/') && request.method === 'GET') {
      response.writeHead(keys.has(path) ? 200 : 404).end('{}');
      return;
    }
    if (path.startsWith('/v1/transit/keys/') && request.method === 'POST' && !path.endsWith('/config')) keys.add(path);
    response.writeHead(204).end();
  });
});
let address: string;

beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe('transitPolicy', () => {
  it('allows the city key and nothing else', () => {
    const policy = transitPolicy('transit', 'crashdesk-london');
    expect(policy).toContain('path "transit/encrypt/crashdesk-london" { capabilities = ["update"] }');
    expect(policy).toContain('path "transit/datakey/+/crashdesk-london"');
    expect(policy).not.toMatch(/\*/);
  });
});

describe('createVaultClient', () => {
  const city = () => testCity('london', {}, {});
  const withVault = () => ({ ...city(), spec: { ...city().spec, encryption: { ...city().spec.encryption, vaultAddress: address } } });

  it('creates the key, writes the policy and binds the role to the City ServiceAccount', async () => {
    requests.length = 0;
    await createVaultClient('operator-token').ensure(withVault());
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /v1/transit/keys/crashdesk-london',
      'PUT /v1/sys/policies/acl/crashdesk-platform-london',
      'POST /v1/auth/kubernetes/role/crashdesk-platform-london',
    ]);
    expect(requests.every((r) => r.token === 'operator-token')).toBe(true);
    expect(requests[2]?.body).toEqual(authRole(withVault()));
    expect(authRole(withVault())).toMatchObject({
      bound_service_account_names: ['crashdesk-api-london'],
      bound_service_account_namespaces: ['platform'],
      token_policies: ['crashdesk-platform-london'],
    });
  });

  it('removes the role and policy, and the key only when deleteKeyOnDelete is set', async () => {
    requests.length = 0;
    await createVaultClient('t').remove(withVault());
    expect(requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      'DELETE /v1/auth/kubernetes/role/crashdesk-platform-london',
      'DELETE /v1/sys/policies/acl/crashdesk-platform-london',
    ]);
    requests.length = 0;
    const deleting = withVault();
    await createVaultClient('t').remove({ ...deleting, spec: { ...deleting.spec, encryption: { ...deleting.spec.encryption, deleteKeyOnDelete: true } } });
    expect(requests.map((r) => `${r.method} ${r.path}`).slice(2)).toEqual([
      'GET /v1/transit/keys/crashdesk-london',
      'POST /v1/transit/keys/crashdesk-london/config',
      'DELETE /v1/transit/keys/crashdesk-london',
    ]);
  });

  it('only reads while the key, policy and role are all there, and writes them again when one is missing', async () => {
    const city = withVault();
    await createVaultClient('t').ensure(city);
    requests.length = 0;
    await createVaultClient('t').verify(city);
    expect(requests.map((r) => r.method)).toEqual(['GET', 'GET', 'GET']);
    keys.clear();
    requests.length = 0;
    await createVaultClient('t').verify(city);
    expect(requests.map((r) => `${r.method} ${r.path}`).slice(3)).toEqual([
      'POST /v1/transit/keys/crashdesk-london',
      'PUT /v1/sys/policies/acl/crashdesk-platform-london',
      'POST /v1/auth/kubernetes/role/crashdesk-platform-london',
    ]);
  });

  it('names the address when Vault cannot be reached', async () => {
    const unreachable = { ...city(), spec: { ...city().spec, encryption: { ...city().spec.encryption, vaultAddress: 'http://127.0.0.1:1' } } };
    await expect(createVaultClient('t', 500).ensure(unreachable)).rejects.toThrow('Vault at http://127.0.0.1:1 unreachable');
  });
});
