import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ADMIN_PASSWORD, createTestSite, newReport, type TestSite, USER_PASSWORD } from '../../test/support/site.js';
import { verifyAuditChain } from './verify.js';

describe('the audit trail of a site', () => {
  let site: TestSite;
  let agent: string;
  let supervisor: string;
  let auditor: string;
  beforeAll(async () => {
    site = await createTestSite();
    [agent, supervisor, auditor] = await Promise.all([site.tokenFor('agent'), site.tokenFor('supervisor'), site.tokenFor('auditor')]);
  });
  afterAll(() => site?.stop());

  /** The newest stored entry matching, as the database holds it. */
  async function lastEntry(action: string, resource?: string) {
    const [row] = await site.sql`
      select actor, action, resource, outcome, request_id, details from audit_log
      where action = ${action} ${resource === undefined ? site.sql`` : site.sql`and resource = ${resource}`}
      order by audit_log.seq desc limit 1`;
    return row;
  }

  const record = async (overrides: Record<string, unknown> = {}) => {
    const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport(overrides) });
    expect(created.status).toBe(201);
    return created;
  };

  it('records every read of a report: by id (an unknown id as a failure), by policy number and by date', async () => {
    const created = await record({ accidentDate: '2026-09-09' });
    const id = created.body.id as string;

    expect((await site.call('GET', `/v1/accidents/${id}`, { token: agent })).status).toBe(200);
    expect(await lastEntry('report.read', id)).toMatchObject({ actor: 'agent', outcome: 'success', details: { version: 1 } });

    expect((await site.call('GET', '/v1/accidents/123456789', { token: agent })).status).toBe(404);
    expect(await lastEntry('report.read', '123456789')).toMatchObject({ actor: 'agent', outcome: 'failure', details: { reason: 'not-found' } });

    const policy = await site.call('GET', `/v1/accidents?policyNumber=${encodeURIComponent(created.body.policyNumber)}`, { token: supervisor });
    expect(policy.status).toBe(200);
    expect(await lastEntry('report.search')).toMatchObject({
      actor: 'supervisor',
      resource: 'accidents?policyNumber',
      outcome: 'success',
      details: { ids: [id], count: 1 },
    });

    expect((await site.call('GET', '/v1/accidents?date=2026-09-09', { token: agent })).status).toBe(200);
    expect(await lastEntry('report.list')).toMatchObject({ resource: 'accidents?date=2026-09-09', details: { ids: [id], count: 1 } });
  });

  it('records each change of a report with its version, the names of the changed fields and the request id', async () => {
    const created = await record();
    const id = created.body.id as string;
    expect(created.headers.get('x-request-id')).toMatch(/^[\w-]{8,}$/);
    expect(await lastEntry('report.create', id)).toMatchObject({
      actor: 'agent',
      outcome: 'success',
      request_id: created.headers.get('x-request-id'),
      details: { version: 1 },
    });

    const patch = { status: 'closed', summary: 'changed' };
    expect((await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': '"1"' }, body: patch })).status).toBe(200);
    expect(await lastEntry('report.update', id)).toMatchObject({ outcome: 'success', details: { version: 2, fields: ['status', 'summary'] } });

    expect((await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': '"1"' }, body: patch })).status).toBe(412);
    expect(await lastEntry('report.update', id)).toMatchObject({ outcome: 'failure', details: { reason: 'stale', expectedVersion: 1 } });

    expect((await site.call('DELETE', `/v1/accidents/${id}`, { token: supervisor })).status).toBe(204);
    expect(await lastEntry('report.delete', id)).toMatchObject({ actor: 'supervisor', outcome: 'success', details: { version: 3 } });
  });

  it('does not make a change whose audit entry cannot be written: both commit or neither does', async () => {
    const created = await record();
    const id = created.body.id as string;
    // The entry is staged in the change's transaction (migration 010): refusing it there refuses the change.
    await site.sql`alter table audit_staged add constraint refuse_updates_for_this_test check (action <> 'report.update') not valid`;
    try {
      const patch = await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': '"1"' }, body: { status: 'closed' } });
      expect(patch.status).toBe(500);
    } finally {
      await site.sql`alter table audit_staged drop constraint refuse_updates_for_this_test`;
    }
    const read = await site.call('GET', `/v1/accidents/${id}`, { token: agent });
    expect(read.body).toMatchObject({ version: 1, status: 'open' });
    expect(await verifyAuditChain(site.sql, { site: site.site, key: site.auditKey })).toMatchObject({ intact: true });
  });

  it('answers a change whose entry could not be chained yet, and chains the staged entry once the chain takes it again', async () => {
    const created = await record();
    const id = created.body.id as string;
    await site.sql`alter table audit_log add constraint refuse_updates_for_this_test check (action <> 'report.update') not valid`;
    try {
      const patch = await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': '"1"' }, body: { status: 'closed' } });
      expect(patch.status).toBe(200);
      const staged = await site.sql`select action, resource from audit_staged where resource = ${id}`;
      expect(staged).toEqual([{ action: 'report.update', resource: id }]);
    } finally {
      await site.sql`alter table audit_log drop constraint refuse_updates_for_this_test`;
    }
    // The next change chains what is staged, oldest first.
    await record();
    expect(await lastEntry('report.update', id)).toMatchObject({ outcome: 'success', details: { version: 2, fields: ['status'] } });
    expect(await site.sql`select id from audit_staged`).toEqual([]);
    expect(await verifyAuditChain(site.sql, { site: site.site, key: site.auditKey })).toMatchObject({ intact: true });
  });

  it('records an idempotent replay, which hands the report back, without recording a second create', async () => {
    const headers = { 'idempotency-key': `k-${randomBytes(4).toString('hex')}` };
    const body = newReport();
    const first = await site.call('POST', '/v1/accidents', { token: agent, headers, body });
    const again = await site.call('POST', '/v1/accidents', { token: agent, headers, body });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
    const rows = await site.sql`select details from audit_log where action = 'report.create' and resource = ${first.body.id} order by audit_log.seq`;
    expect(rows.map((row) => row.details)).toEqual([{ version: 1 }, { version: 1, replayed: true }]);
  });

  it('records logins that succeed and fail (never the password), logouts and account creation', async () => {
    const admin = await site.login('admin', ADMIN_PASSWORD);
    expect(await lastEntry('auth.login', 'admin')).toMatchObject({ actor: 'admin', outcome: 'success' });

    const wrongPassword = `wrong-${randomBytes(6).toString('hex')}`;
    expect((await site.call('POST', '/v1/auth/login', { body: { username: 'admin', password: wrongPassword } })).status).toBe(401);
    expect(await lastEntry('auth.login', 'admin')).toMatchObject({ actor: 'admin', outcome: 'failure' });
    expect((await site.call('POST', '/v1/auth/login', { body: { username: ' No.Such.User ', password: wrongPassword } })).status).toBe(401);
    expect(await lastEntry('auth.login')).toMatchObject({ actor: 'no.such.user', outcome: 'failure' });

    const created = await site.call('POST', '/v1/users', { token: admin, body: { username: 'newcomer', password: USER_PASSWORD, role: 'agent' } });
    expect(created.status).toBe(201);
    expect(await lastEntry('user.create', 'newcomer')).toMatchObject({ actor: 'admin', outcome: 'success', details: { role: 'agent' } });

    expect((await site.call('POST', '/v1/auth/logout', { token: admin })).status).toBe(204);
    expect(await lastEntry('auth.logout')).toMatchObject({ actor: 'admin', outcome: 'success' });

    const [leaks] =
      await site.sql`select count(*)::int as n from audit_log where audit_log::text like ${`%${wrongPassword}%`} or audit_log::text like ${`%${USER_PASSWORD}%`}`;
    expect(leaks!.n).toBe(0);
  });

  it('records a signed-in caller refused with 403 as denied, naming what was asked for', async () => {
    expect((await site.call('GET', '/v1/audit', { token: agent })).status).toBe(403);
    expect(await lastEntry('access.denied')).toMatchObject({ actor: 'agent', resource: 'GET /london/v1/audit', outcome: 'denied', details: { role: 'agent' } });
    expect((await site.call('GET', '/v1/accidents/42', { token: auditor })).status).toBe(403);
    expect(await lastEntry('access.denied')).toMatchObject({ actor: 'auditor', resource: 'GET /london/v1/accidents/42', outcome: 'denied' });
  });

  it('never stores a value of a sensitive field, however the report is touched', async () => {
    const marker = `zq${randomBytes(8).toString('hex')}`;
    const created = await record({
      drivers: [`Driver ${marker}`],
      policyNumber: `${marker}-1`,
      location: `Road ${marker}`,
      cause: `Cause ${marker}`,
      summary: `Summary ${marker}`,
    });
    const id = created.body.id as string;
    await site.call('GET', `/v1/accidents/${id}`, { token: agent });
    await site.call('GET', `/v1/accidents?policyNumber=${marker}-1`, { token: agent });
    await site.call('GET', `/v1/accidents?date=${created.body.accidentDate}`, { token: agent });
    await site.call('PATCH', `/v1/accidents/${id}`, {
      token: agent,
      headers: { 'if-match': '"1"' },
      body: { drivers: [`Other ${marker}`], location: `Elsewhere ${marker}`, policyNumber: `${marker}-2` },
    });
    await site.call('DELETE', `/v1/accidents/${id}`, { token: supervisor });

    const rows = await site.sql`select audit_log::text as row from audit_log`;
    expect(rows.length).toBeGreaterThan(0);
    for (const { row } of rows) expect((row as string).toLowerCase()).not.toContain(marker);
    expect(await lastEntry('report.update', id)).toMatchObject({ details: { fields: ['drivers', 'location', 'policyNumber'] } });
  });

  describe('GET /v1/audit', () => {
    it('answers 401 without a token and 403 to every role but auditor', async () => {
      expect((await site.call('GET', '/v1/audit')).status).toBe(401);
      for (const role of ['agent', 'supervisor', 'admin'] as const) {
        const response = await site.call('GET', '/v1/audit', { token: await site.tokenFor(role) });
        expect(response.status).toBe(403);
        expect(response.body.type).toContain('forbidden');
      }
      expect((await site.call('GET', '/v1/audit', { token: auditor })).status).toBe(200);
    });

    it('lists entries newest first with at, actor, action, resource and outcome', async () => {
      const created = await record();
      await site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent });
      const page = await site.call('GET', '/v1/audit?limit=3', { token: auditor });
      expect(page.status).toBe(200);
      expect(page.body.items).toHaveLength(3);
      const [newest] = page.body.items;
      expect(newest).toMatchObject({ actor: 'agent', action: 'report.read', resource: created.body.id, outcome: 'success' });
      expect(newest.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      const seqs = page.body.items.map((item: { seq: string }) => BigInt(item.seq));
      expect(seqs[0] > seqs[1] && seqs[1] > seqs[2]).toBe(true);
      expect(typeof page.body.nextCursor).toBe('string');
    });

    it('visits every entry exactly once by following nextCursor, while new entries are recorded', async () => {
      const [top] = await site.sql`select max(seq)::text as seq from audit_log`;
      const expected = (await site.sql`select seq::text as seq from audit_log order by audit_log.seq desc`).map((row) => row.seq as string);
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: { status: number; body: { items: { seq: string }[]; nextCursor: string | null } } = await site.call(
          'GET',
          `/v1/audit?limit=7${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
          { token: auditor },
        );
        expect(page.status).toBe(200);
        // Each page read is itself recorded; those entries are newer than the first page and never show up.
        seen.push(...page.body.items.map((item) => item.seq).filter((seq) => BigInt(seq) <= BigInt(top!.seq)));
        await record();
        cursor = page.body.nextCursor;
      } while (cursor);
      expect(seen).toEqual(expected);
      expect(await lastEntry('audit.read')).toMatchObject({ actor: 'auditor', resource: 'audit', outcome: 'success' });
    });

    it('answers 400 to a forged cursor, a date list cursor, a bad limit or an unknown parameter', async () => {
      const first = await site.call('GET', '/v1/audit?limit=1', { token: auditor });
      const cursor = first.body.nextCursor as string;
      const [payload, mac] = cursor.split('.');
      const forged = `${Buffer.from('audit/999999999').toString('base64url')}.${mac}`;
      expect(Buffer.from(payload!, 'base64url').toString()).toMatch(/^audit\/\d+$/);
      for (const bad of [forged, `${payload}.AAAAAAAAAAAAAAAAAAAAAA`, 'not-a-cursor']) {
        const response = await site.call('GET', `/v1/audit?cursor=${encodeURIComponent(bad)}`, { token: auditor });
        expect(response.status).toBe(400);
        expect(response.body.errors[0].path).toBe('cursor');
      }
      for (let i = 0; i < 3; i++) await record({ accidentDate: '2026-08-08' });
      const datePage = await site.call('GET', '/v1/accidents?date=2026-08-08&limit=1', { token: agent });
      expect((await site.call('GET', `/v1/audit?cursor=${encodeURIComponent(datePage.body.nextCursor)}`, { token: auditor })).status).toBe(400);
      for (const query of ['limit=0', 'limit=201', 'limit=ten', 'actor=agent']) {
        expect((await site.call('GET', `/v1/audit?${query}`, { token: auditor })).status).toBe(400);
      }
    });

    it('offers no way to change or remove an entry', async () => {
      const [before] = await site.sql`select count(*)::int as n, max(seq)::text as top from audit_log`;
      for (const method of ['POST', 'PUT', 'PATCH', 'DELETE']) {
        const response = await site.call(method, '/v1/audit', { token: auditor, body: {} });
        expect(response.status).toBe(404);
        expect((await site.call(method, `/v1/audit/${before!.top}`, { token: auditor, body: {} })).status).toBe(404);
      }
      const [after] = await site.sql`select count(*)::int as n from audit_log where seq <= ${before!.top}`;
      expect(after!.n).toBe(before!.n);
    });
  });

  it('keeps the chain intact under 50 concurrent audited reads', async () => {
    const created = await record();
    const responses = await Promise.all(Array.from({ length: 50 }, () => site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent })));
    expect(responses.every((response) => response.status === 200)).toBe(true);
    const [reads] = await site.sql`select count(*)::int as n from audit_log where action = 'report.read' and resource = ${created.body.id}`;
    expect(reads!.n).toBe(50);
    expect(await verifyAuditChain(site.sql, { site: site.site, key: site.auditKey })).toMatchObject({ intact: true });
  });

  it('describes GET /v1/audit in the OpenAPI document', async () => {
    const doc = await site.call('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths['/london/v1/audit'])).toEqual(['get']);
    expect(doc.body.components.schemas.AuditEntry.required).toEqual(expect.arrayContaining(['at', 'actor', 'action', 'resource', 'outcome']));
  });
});
