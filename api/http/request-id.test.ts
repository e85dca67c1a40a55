import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestSite, type TestSite } from '../../test/support/site.js';

describe('request ids', () => {
  let site: TestSite;
  beforeAll(async () => {
    site = await createTestSite();
  });
  afterAll(() => site?.stop());

  /** A failed login with the given X-Request-Id, and the id its audit entry recorded. */
  async function loginWith(requestId: string) {
    const username = `rid-${Math.random().toString(36).slice(2, 10)}`;
    await site.call('POST', '/v1/auth/login', { body: { username, password: 'wrong password' }, headers: { 'x-request-id': requestId } });
    const [entry] = await site.sql<{ requestId: string }[]>`select request_id as "requestId" from audit_log where actor = ${username}`;
    return entry?.requestId;
  }

  it('copies a client X-Request-Id into the audit trail only when it is bounded and well-formed, else uses its own', async () => {
    for (const accepted of ['call-7f3a-retry-1', '0af7651916cd43dd8448eb211c80319c', 'a'.repeat(64)]) expect(await loginWith(accepted)).toBe(accepted);
    for (const refused of ['a'.repeat(65), 'x'.repeat(255), '=====', '-leading-dash', '__', 'two words', 'quote"d', '<script>']) {
      expect(await loginWith(refused), refused).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
