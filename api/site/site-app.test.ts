import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '../../test/support/site.js';

describe('site endpoints', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite();
  });
  afterAll(() => site?.stop());

  it('answers /healthz and /readyz with 200 when the database is migrated and ids can be minted', async () => {
    expect((await site.call('GET', '/healthz')).status).toBe(200);
    const ready = await site.call('GET', '/readyz');
    expect(ready.status).toBe(200);
    expect(ready.body.checks).toEqual({ database: true, migrated: true, ids: true });
  });

  it('answers /readyz with 503 while the schema is behind', async () => {
    await site.sql`delete from schema_migrations`;
    try {
      const ready = await site.call('GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.body.checks.migrated).toBe(false);
    } finally {
      await site.sql`insert into schema_migrations (version, name) values (1, 'foundation')`;
    }
  });

  it('publishes an OpenAPI 3.1 document of every contract route, with the schemas that validate them', async () => {
    const doc = await site.call('GET', '/openapi.json');
    expect(doc.status).toBe(200);
    expect(doc.body.openapi).toBe('3.1.0');
    const paths = Object.keys(doc.body.paths);
    expect(paths).toEqual(expect.arrayContaining(['/london/v1/auth/login', '/london/v1/users', '/london/v1/accidents', '/london/v1/accidents/{id}']));
    expect(Object.keys(doc.body.paths['/london/v1/accidents/{id}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']));
    expect(doc.body.components.schemas.NewAccident.required).toEqual(
      expect.arrayContaining(['callReason', 'drivers', 'policyNumber', 'accidentDate', 'location']),
    );
    expect(doc.body.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer' });
  });

  it('serves interactive docs at /docs', async () => {
    const docs = await site.call('GET', '/docs');
    expect(docs.status).toBe(200);
    expect(docs.body).toContain('/london/docs/init.js');
    const init = await site.call('GET', '/docs/init.js');
    expect(init.headers.get('content-type')).toContain('javascript');
    expect(init.body).toContain('/london/openapi.json');
  });

  it('serves Swagger UI itself, so the docs need no internet access', async () => {
    const docs = await site.call('GET', '/docs');
    expect(docs.body).toContain('/london/docs/assets/swagger-ui-bundle.js');
    expect(docs.body).not.toContain('https://');
    const bundle = await site.app.request('/london/docs/assets/swagger-ui-bundle.js');
    expect(bundle.status).toBe(200);
    expect(bundle.headers.get('content-type')).toContain('text/javascript');
    expect((await bundle.text()).length).toBeGreaterThan(100_000);
    expect((await site.app.request('/london/docs/assets/package.json')).status).toBe(404);
  });

  it('answers unknown paths with a 404 problem', async () => {
    const missing = await site.call('GET', '/nowhere');
    expect(missing.status).toBe(404);
    expect(missing.headers.get('content-type')).toBe('application/problem+json');
  });

  it('counts requests in a histogram labelled by site, method, route template and status', async () => {
    const agent = await site.tokenFor('agent');
    await site.call('GET', '/v1/accidents/12345', { token: agent });
    const response = await site.app.request('/metrics');
    const text = await response.text();
    expect(text).toContain('http_request_duration_seconds_count{site="london",method="GET",route="/v1/accidents/:id",status="404"} 1');
    expect(text).not.toContain('12345');
  });
});
