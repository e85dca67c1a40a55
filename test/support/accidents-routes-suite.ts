import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createEnvelopeCodec } from '../../api/crypto/envelope-codec.js';
import { createLocalKeyProvider } from '../../api/crypto/local-key-provider.js';
import { createTestSite, newReport, TEST_BLIND_INDEX_KEY, type TestSite } from './site.js';

/**
 * The behaviour of the report routes, run once per key provider (local here, Vault in the
 * cluster project): encryption must change nothing a client can see.
 */
export function accidentReportTests(label: string, createSite: () => Promise<TestSite>) {
  describe(`accident reports (${label})`, () => {
    let site: TestSite;
    let agent: string;
    beforeAll(async () => {
      site = await createSite();
      agent = await site.tokenFor('agent');
    });
    afterAll(() => site?.stop());

    it('records a report and answers 201 with the report, a Location and an ETag', async () => {
      const body = newReport({ policyNumber: '546452' });
      const created = await site.call('POST', '/v1/accidents', { token: agent, body });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ ...body, site: 'london', version: 1, status: 'open', createdBy: 'agent' });
      expect(created.body.id).toMatch(/^\d+$/);
      expect(created.headers.get('location')).toBe(`/london/v1/accidents/${created.body.id}`);
      expect(created.headers.get('etag')).toBe('"1"');
      expect(Date.parse(created.body.createdAt)).not.toBeNaN();
    });

    it('fills optional fields with empty values', async () => {
      const { cause: _c, damages: _d, summary: _s, ...required } = newReport();
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: required });
      expect(created.status).toBe(201);
      expect(created.body).toMatchObject({ cause: '', damages: [], summary: '' });
    });

    it('opens a report by id, and answers 404 for an unknown id', async () => {
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
      const read = await site.call('GET', `/v1/accidents/${created.body.id}`, { token: agent });
      expect(read.status).toBe(200);
      expect(read.body).toEqual(created.body);
      expect((await site.call('GET', '/v1/accidents/123456789', { token: agent })).status).toBe(404);
    });

    it('finds every report of a policy ignoring case, spaces and hyphens', async () => {
      const a = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'AB-12 34x' }) });
      const b = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'ab1234X' }) });
      await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'AB12345' }) });
      for (const query of ['ab1234x', 'AB-1234-X', ' a b 1 2 3 4 x ', 'Ab-12-34-X']) {
        const found = await site.call('GET', `/v1/accidents?policyNumber=${encodeURIComponent(query)}`, { token: agent });
        expect(found.status).toBe(200);
        expect(found.body.items.map((r: { id: string }) => r.id)).toEqual([b.body.id, a.body.id]);
      }
      const none = await site.call('GET', '/v1/accidents?policyNumber=nothing-here', { token: agent });
      expect(none.body).toEqual({ items: [], nextCursor: null });
    });

    it('pages a policy lookup: at most 200 a page by default (230 reports of one policy), limit 1 to 200, nextCursor visiting each once, newest first', async () => {
      const created: string[] = [];
      for (let i = 0; i < 230; i++)
        created.push((await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'MANY-230' }) })).body.id);
      const newestFirst = [...created].reverse();
      const lookup = (query: string) => site.call('GET', `/v1/accidents?policyNumber=${query}`, { token: agent });

      const first = await lookup('many230');
      expect(first.status).toBe(200);
      expect(first.body.items).toHaveLength(200);
      expect(first.body.nextCursor).toEqual(expect.any(String));
      const second = await lookup(`MANY-230&cursor=${encodeURIComponent(first.body.nextCursor)}`);
      expect(second.body.items).toHaveLength(30);
      expect(second.body.nextCursor).toBeNull();
      expect([...first.body.items, ...second.body.items].map((r: { id: string }) => r.id)).toEqual(newestFirst);

      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const page: any = await lookup(`many-230&limit=64${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`);
        expect(page.body.items.length).toBeLessThanOrEqual(64);
        seen.push(...page.body.items.map((r: { id: string }) => r.id));
        cursor = page.body.nextCursor;
      } while (cursor && seen.length <= 230);
      expect(seen).toEqual(newestFirst);

      // A cursor belongs to its lookup: refused for another policy or a date list, and it shows no policy number.
      // (in either spelling; its digits alone could stand in the report id the cursor carries)
      expect(Buffer.from(first.body.nextCursor.split('.')[0], 'base64url').toString()).not.toMatch(/many-?230/i);
      expect((await lookup(`other-1&cursor=${encodeURIComponent(first.body.nextCursor)}`)).status).toBe(400);
      const dateList = await site.call('GET', `/v1/accidents?date=2026-11-20&cursor=${encodeURIComponent(first.body.nextCursor)}`, { token: agent });
      expect(dateList.status).toBe(400);
      for (const limit of ['0', '201', 'x']) expect((await lookup(`MANY-230&limit=${limit}`)).status).toBe(400);
    });

    it('pages 120 reports 50 at a time, each exactly once and newest first, while new ones are recorded', async () => {
      const date = '2026-10-01';
      const existing = new Set<string>();
      for (let i = 0; i < 120; i++) {
        const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: date }) });
        existing.add(created.body.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const query: string = `date=${date}&limit=50${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`;
        const page = await site.call('GET', `/v1/accidents?${query}`, { token: agent });
        expect(page.status).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(50);
        for (const item of page.body.items) expect(item.accidentDate).toBe(date);
        seen.push(...page.body.items.map((r: { id: string }) => r.id));
        cursor = page.body.nextCursor;
        pages += 1;
        // New reports for the same day arrive between pages.
        for (let i = 0; i < 3; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: date }) });
      } while (cursor && pages < 10);

      expect(pages).toBe(3);
      expect(new Set(seen).size).toBe(seen.length);
      expect(new Set(seen)).toEqual(existing);
      const asNumbers = seen.map(BigInt);
      expect(asNumbers).toEqual([...asNumbers].sort((x, y) => (x > y ? -1 : x < y ? 1 : 0)));
    });

    it('orders by the id as a number, also across a power of ten in the id length', async () => {
      // Ids grow in length (past 10^17 in October 2026, 10^18 in 2033): text order would be wrong.
      // Rows with chosen ids are sealed here with the keys of a site of this test's own.
      const keyDir = await mkdtemp(join(tmpdir(), 'crashdesk-keys-'));
      const provider = await createLocalKeyProvider(join(keyDir, 'keys.json'), { create: true });
      const own = await createTestSite({ encryption: { provider, blindIndexKey: TEST_BLIND_INDEX_KEY } });
      try {
        const codec = createEnvelopeCodec({ sql: own.sql, site: own.site, provider, blindIndexKey: TEST_BLIND_INDEX_KEY });
        const date = '2026-06-06';
        const ids = ['99999999999999999', '100000000000000001', '999999999999999999', '1000000000000000001'];
        const fields = { drivers: ['A'], policyNumber: '1', location: 'L', cause: '', summary: '' };
        for (const id of ids) {
          const sealed = await codec.seal({ id, version: 1 }, fields);
          await own.sql`
            insert into accidents (id, site, call_reason, accident_date, policy_index, sealed, created_by, updated_by)
            values (${id}, 'london', 'Report', ${date}, 'x', ${sealed}, 'agent', 'agent')`;
        }
        const token = await own.tokenFor('agent');
        const seen: string[] = [];
        let cursor: string | null = null;
        do {
          const page: any = await own.call('GET', `/v1/accidents?date=${date}&limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
          seen.push(...page.body.items.map((r: { id: string }) => r.id));
          cursor = page.body.nextCursor;
        } while (cursor && seen.length < 10);
        expect(seen).toEqual([...ids].reverse());
      } finally {
        await own.stop();
        await rm(keyDir, { recursive: true, force: true });
      }
    });

    it('answers an empty last page with a null cursor and defaults to 50 a page', async () => {
      const date = '2026-09-01';
      for (let i = 0; i < 51; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: date }) });
      const first = await site.call('GET', `/v1/accidents?date=${date}`, { token: agent });
      expect(first.body.items).toHaveLength(50);
      const second = await site.call('GET', `/v1/accidents?date=${date}&cursor=${first.body.nextCursor}`, { token: agent });
      expect(second.body.items).toHaveLength(1);
      expect(second.body.nextCursor).toBeNull();
      const empty = await site.call('GET', '/v1/accidents?date=2001-01-01', { token: agent });
      expect(empty.body).toEqual({ items: [], nextCursor: null });
    });

    it('refuses a cursor issued for another day', async () => {
      const date = '2026-08-01';
      for (let i = 0; i < 3; i++) await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: date }) });
      const first = await site.call('GET', `/v1/accidents?date=${date}&limit=1`, { token: agent });
      const elsewhere = await site.call('GET', `/v1/accidents?date=2026-08-02&cursor=${first.body.nextCursor}`, { token: agent });
      expect(elsewhere.status).toBe(400);
      expect(elsewhere.body.errors[0].path).toBe('cursor');
    });

    it('returns the first response for a retried Idempotency-Key instead of recording twice', async () => {
      const body = newReport({ accidentDate: '2026-07-07' });
      const headers = { 'idempotency-key': 'retry-me-1' };
      const first = await site.call('POST', '/v1/accidents', { token: agent, body, headers });
      const retry = await site.call('POST', '/v1/accidents', { token: agent, body: { ...body }, headers });
      expect(first.status).toBe(201);
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get('location')).toBe(first.headers.get('location'));
      const [row] = await site.sql`select count(*)::int as count from accidents where accident_date = '2026-07-07'`;
      expect(row?.count).toBe(1);
    });

    it('records once when the same Idempotency-Key arrives concurrently', async () => {
      const body = newReport({ accidentDate: '2026-07-08' });
      const headers = { 'idempotency-key': 'double-click' };
      const answers = await Promise.all(Array.from({ length: 8 }, () => site.call('POST', '/v1/accidents', { token: agent, body, headers })));
      expect(new Set(answers.map((a) => a.status))).toEqual(new Set([201]));
      expect(new Set(answers.map((a) => a.body.id)).size).toBe(1);
      const [row] = await site.sql`select count(*)::int as count from accidents where accident_date = '2026-07-08'`;
      expect(row?.count).toBe(1);
    });

    it('answers 422 when an Idempotency-Key is reused with another body, and scopes keys per account', async () => {
      const headers = { 'idempotency-key': 'reused' };
      expect((await site.call('POST', '/v1/accidents', { token: agent, body: newReport(), headers })).status).toBe(201);
      const reused = await site.call('POST', '/v1/accidents', { token: agent, body: newReport(), headers });
      expect(reused.status).toBe(422);
      const other = await site.tokenFor('agent', 'agent2');
      expect((await site.call('POST', '/v1/accidents', { token: other, body: newReport(), headers })).status).toBe(201);
    });

    it('changes a report with If-Match, incrementing its version', async () => {
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
      const id = created.body.id;
      const patched = await site.call('PATCH', `/v1/accidents/${id}`, {
        token: agent,
        headers: { 'if-match': '"1"' },
        body: { status: 'under_review', drivers: ['Sarah Standl'], summary: 'Updated after a second call.' },
      });
      expect(patched.status).toBe(200);
      expect(patched.body).toMatchObject({ version: 2, status: 'under_review', drivers: ['Sarah Standl'], summary: 'Updated after a second call.' });
      expect(patched.body.policyNumber).toBe(created.body.policyNumber);
      expect(patched.headers.get('etag')).toBe('"2"');
      const again = await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': 'W/"2"' }, body: { status: 'closed' } });
      expect(again.body.version).toBe(3);
    });

    it('answers 412 to a stale If-Match and 428 without one, changing nothing', async () => {
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
      const id = created.body.id;
      await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': '"1"' }, body: { status: 'closed' } });
      const stale = await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, headers: { 'if-match': '"1"' }, body: { status: 'open' } });
      expect(stale.status).toBe(412);
      expect(stale.headers.get('content-type')).toBe('application/problem+json');
      expect(stale.body.currentVersion).toBe(2);
      const missing = await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, body: { status: 'open' } });
      expect(missing.status).toBe(428);
      const read = await site.call('GET', `/v1/accidents/${id}`, { token: agent });
      expect(read.body).toMatchObject({ version: 2, status: 'closed' });
    });

    it('lets exactly one of two concurrent edits of the same version win', async () => {
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
      const edits = await Promise.all(
        ['open', 'closed'].map((status) =>
          site.call('PATCH', `/v1/accidents/${created.body.id}`, { token: agent, headers: { 'if-match': '"1"' }, body: { status } }),
        ),
      );
      expect(edits.map((e) => e.status).sort()).toEqual([200, 412]);
    });

    it('answers 404 to a PATCH of an unknown report', async () => {
      const missing = await site.call('PATCH', '/v1/accidents/99999', { token: agent, headers: { 'if-match': '"1"' }, body: { status: 'closed' } });
      expect(missing.status).toBe(404);
    });

    it('lets a supervisor delete a report, which then disappears from every read but stays in the database', async () => {
      const supervisor = await site.tokenFor('supervisor');
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ policyNumber: 'DEL-1' }) });
      const id = created.body.id;
      expect((await site.call('DELETE', `/v1/accidents/${id}`, { token: agent })).status).toBe(403);
      expect((await site.call('DELETE', `/v1/accidents/${id}`, { token: supervisor })).status).toBe(204);
      expect((await site.call('GET', `/v1/accidents/${id}`, { token: agent })).status).toBe(404);
      expect((await site.call('GET', '/v1/accidents?policyNumber=del1', { token: agent })).body.items).toEqual([]);
      expect((await site.call('DELETE', `/v1/accidents/${id}`, { token: supervisor })).status).toBe(404);
      const [row] = await site.sql`select deleted_by from accidents where id = ${id}`;
      expect(row?.deleted_by).toBe('supervisor');
    });

    it('keeps audit columns: who created and who last changed a report', async () => {
      const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport() });
      const supervisor = await site.tokenFor('supervisor');
      await site.call('PATCH', `/v1/accidents/${created.body.id}`, { token: supervisor, headers: { 'if-match': '"1"' }, body: { status: 'closed' } });
      const [row] = await site.sql`select created_by, updated_by, updated_at > created_at as later from accidents where id = ${created.body.id}`;
      expect(row).toEqual({ created_by: 'agent', updated_by: 'supervisor', later: true });
    });
  });
}
