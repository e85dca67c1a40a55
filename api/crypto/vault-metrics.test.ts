import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDataKeyCache } from './data-key-cache.js';
import { vaultMetrics } from './metrics.js';
import { createVaultKeyProvider } from './vault-key-provider.js';

describe('the key metrics', () => {
  let server: Server;
  let address: string;
  beforeAll(async () => {
    // Transit as far as these requests need it: `hmac` answers, `decrypt` refuses.
    server = createServer((request, response) => {
      const hmac = request.url?.startsWith('/v1/transit/hmac/');
      response.writeHead(hmac ? 200 : 400, { 'content-type': 'application/json' });
      response.end(JSON.stringify(hmac ? { data: { hmac: 'vault:v1:AAAA' } } : { errors: ['invalid ciphertext'] }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    address = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  async function vaultRequests(registry: Registry, operation: string, result: string) {
    const { values } = await registry.getSingleMetric('crashdesk_vault_requests_total')!.get();
    return values.find((sample) => sample.labels.site === 'london' && sample.labels.operation === operation && sample.labels.result === result)?.value;
  }

  it('count Vault requests by operation and result: answered, refused, or not answered at all', async () => {
    const registry = new Registry();
    const observe = vaultMetrics(registry, 'london');
    const provider = createVaultKeyProvider({ address, transitMount: 'transit', keyName: 'crashdesk-london', auth: { method: 'token', token: 't' }, observe });
    expect(await vaultRequests(registry, 'hmac', 'ok')).toBe(0);
    await provider.hmac(Buffer.from('head'));
    await expect(provider.unwrap('vault:v1:bad')).rejects.toThrow(/400/);
    expect(await vaultRequests(registry, 'hmac', 'ok')).toBe(1);
    expect(await vaultRequests(registry, 'decrypt', 'refused')).toBe(1);

    const nowhere = createVaultKeyProvider({
      address: 'http://127.0.0.1:1',
      transitMount: 'transit',
      keyName: 'k',
      auth: { method: 'token', token: 't' },
      observe,
    });
    await expect(nowhere.rewrap('vault:v1:x')).rejects.toThrow(/did not answer/);
    expect(await vaultRequests(registry, 'rewrap', 'unreachable')).toBe(1);
    const { values } = await registry.getSingleMetric('crashdesk_vault_request_duration_seconds')!.get();
    expect(
      (values as { metricName?: string; labels: Record<string, unknown>; value: number }[]).find(
        (sample) => sample.metricName?.endsWith('_count') && sample.labels.operation === 'hmac',
      )?.value,
    ).toBe(1);
  });

  it('tell each data key lookup as a hit or a miss', async () => {
    const lookups: string[] = [];
    const cache = createDataKeyCache({ ttlMs: 60_000, maxUses: 10, maxEntries: 10, onLookup: (result) => lookups.push(result) });
    const load = async () => Buffer.alloc(32, 1);
    await cache.get(1, load);
    await cache.get(1, load);
    expect(cache.hit(1)).toBeDefined();
    expect(cache.hit(2)).toBeUndefined();
    expect(lookups).toEqual(['miss', 'hit', 'hit']);
  });
});
