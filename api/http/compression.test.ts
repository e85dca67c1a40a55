import { brotliDecompressSync, gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, newReport, type TestSite } from '../../test/support/site.js';
import { negotiateEncoding } from './compression.js';

describe('negotiating the encoding', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['identity', undefined],
    ['gzip, deflate, br', 'br'],
    ['gzip', 'gzip'],
    ['br;q=0, gzip', 'gzip'],
    ['gzip;q=1.0, br;q=0.5', 'gzip'],
    ['*', 'br'],
    ['*;q=0', undefined],
    ['br;q=0, gzip;q=0', undefined],
  ])('answers %j with %s', (header, expected) => {
    expect(negotiateEncoding(header)).toBe(expected);
  });
});

describe('compressed answers', () => {
  let site: TestSite;
  let agent: string;
  beforeAll(async () => {
    site = await createTestSite();
    agent = await site.tokenFor('agent');
    for (let i = 0; i < 10; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: '2026-11-19' }) });
  });
  afterAll(() => site?.stop());
  const get = (path: string, acceptEncoding?: string) =>
    site.app.request(`/london${path}`, { headers: { authorization: `Bearer ${agent}`, ...(acceptEncoding && { 'accept-encoding': acceptEncoding }) } });

  it('sends a day page of JSON with Brotli or gzip as accepted, the same JSON once decoded', async () => {
    const plain = await get('/v1/accidents?date=2026-11-19');
    const text = await plain.text();
    expect(text.length).toBeGreaterThan(1024);
    expect(plain.headers.get('content-encoding')).toBeNull();
    expect(plain.headers.get('vary')).toContain('Accept-Encoding');

    const br = await get('/v1/accidents?date=2026-11-19', 'gzip, br');
    expect(br.headers.get('content-encoding')).toBe('br');
    const brBytes = Buffer.from(await br.arrayBuffer());
    expect(brBytes.length).toBeLessThan(text.length / 2);
    expect(JSON.parse(brotliDecompressSync(brBytes).toString())).toEqual(JSON.parse(text));

    const gz = await get('/v1/accidents?date=2026-11-19', 'gzip');
    expect(gz.headers.get('content-encoding')).toBe('gzip');
    expect(JSON.parse(gunzipSync(Buffer.from(await gz.arrayBuffer())).toString())).toEqual(JSON.parse(text));
  });

  it('leaves a body under 1 KiB, problem+json errors included, as it is', async () => {
    const small = await get('/healthz', 'br');
    expect(small.headers.get('content-encoding')).toBeNull();
    const problem = await get('/v1/accidents/7263512391163904001', 'br');
    expect(problem.status).toBe(404);
    expect(problem.headers.get('content-encoding')).toBeNull();
    expect(((await problem.json()) as { status: number }).status).toBe(404);
  });

  it('compresses the console pages', async () => {
    const login = await site.app.request('/london/login', { headers: { 'accept-encoding': 'br' } });
    expect(login.headers.get('content-type')).toContain('text/html');
    expect(login.headers.get('content-encoding')).toBe('br');
    expect(brotliDecompressSync(Buffer.from(await login.arrayBuffer())).toString()).toContain('<form');
  });
});
