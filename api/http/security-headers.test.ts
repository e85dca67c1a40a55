import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, newReport, type TestSite } from '../../test/support/site.js';
import { loadEnvironment } from '../config.js';

const ALLOWED = 'https://console.example.com';

function preflight(site: TestSite, origin: string) {
  return site.app.request('/london/v1/accidents', {
    method: 'OPTIONS',
    headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization, content-type' },
  });
}

describe('HTTP hardening', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite();
  });
  afterAll(() => site?.stop());

  it.each(['/london/healthz', '/london/v1/accidents', '/london/nowhere', '/metrics', '/london', '/london/docs'])(
    'sends nosniff, DENY framing and no-referrer on %s',
    async (path) => {
      const response = await site.app.request(path);
      expect(response.headers.get('x-content-type-options')).toBe('nosniff');
      expect(response.headers.get('x-frame-options')).toBe('DENY');
      expect(response.headers.get('referrer-policy')).toBe('no-referrer');
      expect(response.headers.get('content-security-policy')).toContain("frame-ancestors 'none'");
    },
  );

  it('gives JSON and problem responses a CSP that loads nothing', async () => {
    for (const path of ['/london/healthz', '/london/v1/accidents']) {
      expect((await site.app.request(path)).headers.get('content-security-policy')).toBe("default-src 'none'; frame-ancestors 'none'");
    }
  });

  it('tells every cache not to keep JSON API responses (Cache-Control: no-store), successes and problems alike', async () => {
    const agent = await site.tokenFor('agent');
    const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
    const responses = [
      created,
      await site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent }),
      await site.call('GET', `/v1/accidents?policyNumber=${created.body.policyNumber}`, { token: agent }),
      await site.call('GET', '/v1/accidents?date=2026-11-20'),
      await site.call('GET', '/v1/accidents/1', { token: agent }),
      await site.call('POST', '/v1/auth/login', { body: { username: 'agent', password: 'wrong' } }),
      await site.call('GET', '/openapi.json'),
      await site.call('GET', '/readyz'),
    ];
    for (const response of responses) expect(response.headers.get('cache-control')).toBe('no-store');
  });

  it("gives the console and the docs a CSP without 'unsafe-inline' or 'unsafe-eval'", async () => {
    for (const path of ['/london/login', '/london/docs']) {
      const response = await site.app.request(path);
      expect(response.headers.get('content-type')).toContain('text/html');
      const csp = response.headers.get('content-security-policy') ?? '';
      expect(csp).toMatch(/script-src 'self'/);
      expect(csp).not.toContain('unsafe-inline');
      expect(csp).not.toContain('unsafe-eval');
    }
  });

  it('serves the console at /london/ (the address as printed), with the same headers', async () => {
    // Without a session the console's address leads to its sign-in page.
    for (const path of ['/london/', '/london']) {
      const start = await site.app.request(path);
      expect(start.status).toBe(303);
      expect(start.headers.get('location')).toBe('/london/login');
    }
    const page = await site.app.request('/london/login');
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toContain('text/html');
    expect(page.headers.get('x-frame-options')).toBe('DENY');
  });

  it('serves /docs without any inline script, so Swagger UI starts under that CSP', async () => {
    const page = await (await site.app.request('/london/docs')).text();
    const scripts = [...page.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(attributes).toMatch(/ src="/);
      expect(body).toBe('');
    }
    expect(page).not.toMatch(/ on[a-z]+=/i);
    const csp = (await site.app.request('/london/docs')).headers.get('content-security-policy') ?? '';
    for (const [, source] of page.matchAll(/(?:src|href)="(https:\/\/[^/"]+)/g)) expect(csp).toContain(source!);
    const init = await site.app.request('/london/docs/init.js');
    expect(init.status).toBe(200);
    expect(await init.text()).toContain('SwaggerUIBundle({ url: "/london/openapi.json"');
  });

  it('keeps CORS closed by default: no Access-Control-Allow-Origin for any origin', async () => {
    const answer = await preflight(site, ALLOWED);
    expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    const read = await site.app.request('/london/healthz', { headers: { origin: ALLOWED } });
    expect(read.headers.get('access-control-allow-origin')).toBeNull();
  });
});

describe('CORS with configured origins', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite({ corsOrigins: [ALLOWED] });
  });
  afterAll(() => site?.stop());

  it('allows a preflight from a configured origin, with the headers the API needs', async () => {
    const answer = await preflight(site, ALLOWED);
    expect(answer.status).toBe(204);
    expect(answer.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(answer.headers.get('access-control-allow-headers')).toContain('authorization');
    expect(answer.headers.get('access-control-allow-methods')).toContain('PATCH');
    expect(answer.headers.get('access-control-allow-credentials')).toBeNull();
    expect(answer.headers.get('vary')).toContain('Origin');
  });

  it('does not allow any other origin', async () => {
    for (const origin of ['https://evil.example.com', 'https://console.example.com.evil.example', 'null']) {
      const answer = await preflight(site, origin);
      expect(answer.headers.get('access-control-allow-origin')).toBeNull();
    }
  });

  it('exposes Retry-After and ETag to the allowed origin on real responses', async () => {
    const read = await site.app.request('/london/healthz', { headers: { origin: ALLOWED } });
    expect(read.headers.get('access-control-allow-origin')).toBe(ALLOWED);
    expect(read.headers.get('access-control-expose-headers')).toContain('retry-after');
  });
});

describe('CRASHDESK_CORS_ORIGINS', () => {
  it('is a comma-separated list of origins, empty when unset', () => {
    expect(loadEnvironment({}).CRASHDESK_CORS_ORIGINS).toEqual([]);
    expect(loadEnvironment({ CRASHDESK_CORS_ORIGINS: 'https://a.example, http://localhost:5173' }).CRASHDESK_CORS_ORIGINS).toEqual([
      'https://a.example',
      'http://localhost:5173',
    ]);
  });

  it('refuses a wildcard or a URL with a path, naming the setting', () => {
    expect(() => loadEnvironment({ CRASHDESK_CORS_ORIGINS: '*' })).toThrow(/CRASHDESK_CORS_ORIGINS/);
    expect(() => loadEnvironment({ CRASHDESK_CORS_ORIGINS: 'https://a.example/console' })).toThrow(/CRASHDESK_CORS_ORIGINS/);
  });
});
