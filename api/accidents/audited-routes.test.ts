// Every route of a site that touches a report, through either front door, goes through the audited
// report service (accidents/audited.ts) and so leaves its entry on the audit trail. A new route must
// be listed below, as touching reports (with the entry it must leave) or as not touching them.
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { consoleClient, fieldValue } from '../../test/support/console-client.js';
import { createTestSite, newReport, type TestSite, USER_PASSWORD } from '../../test/support/site.js';

interface Touch {
  /** The audit action the request must record, with the request's id. */
  readonly action: string;
  /** Sends the request (against fresh reports of its own) and returns the response's request id. */
  readonly send: () => Promise<string | null>;
}

let site: TestSite;
let agent: string;
let supervisor: string;
let browser: ReturnType<typeof consoleClient>;

beforeAll(async () => {
  site = await createTestSite();
  agent = await site.tokenFor('agent');
  supervisor = await site.tokenFor('supervisor');
  browser = consoleClient(site);
  await browser.login('supervisor', USER_PASSWORD);
});
afterAll(async () => {
  await site?.stop();
});

const requestIdOf = (response: { headers: Headers }) => response.headers.get('x-request-id');
async function recordReport(): Promise<{ id: string; version: number }> {
  const created = await site.call('POST', '/v1/accidents', { token: agent, body: newReport({ accidentDate: '2026-11-21' }) });
  return { id: created.body.id, version: created.body.version };
}
async function consoleForm(path: string) {
  const page = await browser.get(`/london${path}`);
  return { csrf: fieldValue(page.body, 'csrf') ?? '', idempotencyKey: fieldValue(page.body, 'idempotencyKey') ?? '' };
}
const newIntake = async (): Promise<string> => (await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: 'Caller: hi' } })).body.id as string;
const consoleValues = (report = newReport()) => ({
  callReason: report.callReason,
  cause: report.cause,
  drivers: report.drivers,
  policyNumber: report.policyNumber,
  accidentDate: report.accidentDate,
  location: report.location,
  damages: report.damages,
  summary: report.summary,
});

const REPORT_ROUTES: Record<string, Touch> = {
  'POST /london/v1/accidents': {
    action: 'report.create',
    send: async () => requestIdOf(await site.call('POST', '/v1/accidents', { token: agent, body: newReport() })),
  },
  'GET /london/v1/accidents': {
    action: 'report.list',
    send: async () => requestIdOf(await site.call('GET', '/v1/accidents?date=2026-11-21', { token: agent })),
  },
  'GET /london/v1/accidents/:id': {
    action: 'report.read',
    send: async () => requestIdOf(await site.call('GET', `/v1/accidents/${(await recordReport()).id}`, { token: agent })),
  },
  'PATCH /london/v1/accidents/:id': {
    action: 'report.update',
    send: async () => {
      const { id, version } = await recordReport();
      return requestIdOf(
        await site.call('PATCH', `/v1/accidents/${id}`, { token: agent, body: { status: 'closed' }, headers: { 'if-match': `"${version}"` } }),
      );
    },
  },
  'DELETE /london/v1/accidents/:id': {
    action: 'report.delete',
    send: async () => requestIdOf(await site.call('DELETE', `/v1/accidents/${(await recordReport()).id}`, { token: supervisor })),
  },
  'GET /london': { action: 'report.list', send: async () => requestIdOf(await browser.get('/london/?date=2026-11-21')) },
  'GET /london/search': { action: 'report.search', send: async () => requestIdOf(await browser.get('/london/search?policyNumber=POL-1')) },
  'GET /london/export.csv': {
    action: 'report.export',
    send: async () => {
      await recordReport();
      const response = await browser.get('/london/export.csv?from=2026-11-21&to=2026-11-21');
      // The pages are read, and recorded, as the body is pulled.
      await new Response(response.body).text();
      return requestIdOf(response);
    },
  },
  'POST /london/reports/new': {
    action: 'report.create',
    send: async () => {
      const { csrf, idempotencyKey } = await consoleForm('/reports/new');
      return requestIdOf(await browser.post('/london/reports/new', { csrf, idempotencyKey, ...consoleValues() }));
    },
  },
  // Intakes hold the whole call: audited through their own service (intake/audited.ts) the same way.
  'POST /london/v1/intakes': {
    action: 'intake.create',
    send: async () => requestIdOf(await site.call('POST', '/v1/intakes', { token: agent, body: { transcript: 'Caller: hello' } })),
  },
  'GET /london/v1/intakes/:id': {
    action: 'intake.read',
    send: async () => requestIdOf(await site.call('GET', `/v1/intakes/${await newIntake()}`, { token: agent })),
  },
  'POST /london/intakes/new': {
    action: 'intake.create',
    send: async () => {
      const { csrf } = await consoleForm('/intakes/new');
      return requestIdOf(await browser.post('/london/intakes/new', { csrf, transcript: 'Caller: hello', callDate: '2026-11-21', language: '' }));
    },
  },
  'GET /london/intakes/:id': { action: 'intake.read', send: async () => requestIdOf(await browser.get(`/london/intakes/${await newIntake()}`)) },
  'GET /london/reports/:id': { action: 'report.read', send: async () => requestIdOf(await browser.get(`/london/reports/${(await recordReport()).id}`)) },
  'GET /london/reports/:id/edit': {
    action: 'report.read',
    send: async () => requestIdOf(await browser.get(`/london/reports/${(await recordReport()).id}/edit`)),
  },
  'POST /london/reports/:id/edit': {
    action: 'report.update',
    send: async () => {
      const { id, version } = await recordReport();
      const { csrf } = await consoleForm(`/reports/${id}/edit`);
      return requestIdOf(await browser.post(`/london/reports/${id}/edit`, { csrf, version: String(version), back: '/london/', ...consoleValues() }));
    },
  },
  'GET /london/reports/:id/delete': {
    action: 'report.read',
    send: async () => requestIdOf(await browser.get(`/london/reports/${(await recordReport()).id}/delete`)),
  },
  'POST /london/reports/:id/delete': {
    action: 'report.delete',
    send: async () => {
      const { id } = await recordReport();
      const { csrf } = await consoleForm(`/reports/${id}/delete`);
      return requestIdOf(await browser.post(`/london/reports/${id}/delete`, { csrf, back: '/london/' }));
    },
  },
};

/** Routes that read or change no report, each with why. */
const OTHER_ROUTES: Record<string, string> = {
  'POST /london/v1/auth/login': 'accounts',
  'POST /london/v1/auth/logout': 'accounts',
  'POST /london/v1/users': 'accounts',
  'GET /london/v1/users': 'accounts',
  'GET /london/v1/users/:username': 'accounts',
  'PATCH /london/v1/users/:username': 'accounts',
  'GET /london/v1/audit': 'the audit trail itself',
  'GET /london/v1/replication': 'replication status (counts, no report)',
  'GET /london/assets/:file': 'static files',
  'GET /london/login': 'sign-in page',
  'POST /london/login': 'accounts',
  'POST /london/logout': 'accounts',
  'GET /london/language': 'language switch',
  'GET /london/export': 'the export form',
  'GET /london/reports/new': 'an empty form',
  'GET /london/intakes/new': 'an empty form',
  'GET /london/intakes/open': 'a redirect to the intake named',
  'GET /london/healthz': 'probe',
  'GET /london/readyz': 'probe',
  'GET /london/openapi.json': 'documentation',
  'GET /london/docs': 'documentation',
  'GET /london/docs/init.js': 'documentation',
  'GET /london/docs/assets/:file': 'documentation',
};

describe('the routes that touch reports', () => {
  it('are every route of the site, each listed as touching reports or not', () => {
    const served = new Set(
      site.running.app.routes.filter((route) => route.method !== 'ALL' && !route.path.endsWith('*')).map((route) => `${route.method} ${route.path}`),
    );
    expect([...served].sort()).toEqual([...Object.keys(REPORT_ROUTES), ...Object.keys(OTHER_ROUTES)].sort());
  });

  for (const [route, touch] of Object.entries(REPORT_ROUTES)) {
    it(`${route} leaves ${touch.action} on the audit trail with its request id`, async () => {
      const requestId = await touch.send();
      expect(requestId).toBeTruthy();
      const entries = await site.sql<{ action: string }[]>`select action from audit_log where request_id = ${requestId}`;
      expect(entries.map((entry) => entry.action)).toContain(touch.action);
    });
  }

  it('are written against the audited service only: no route module holds the store or records a report entry itself', async () => {
    for (const file of ['./routes.ts', '../console/routes.tsx', '../console/report-routes.tsx']) {
      const source = await readFile(new URL(file, import.meta.url), 'utf8');
      expect(source, file).not.toMatch(/from '(\.\.\/accidents|\.)\/store\.js'/);
      expect(source, file).not.toMatch(/action: 'report\./);
    }
  });
});

describe('the audited report service', () => {
  it('records one export entry per page that left, naming its ids', async () => {
    const ids = [(await recordReport()).id, (await recordReport()).id];
    const response = await browser.get('/london/export.csv?from=2026-11-21&to=2026-11-21');
    await new Response(response.body).text();
    const [entry] = await site.sql<{ details: { ids: string[]; day: string } }[]>`
      select details from audit_log where request_id = ${requestIdOf(response)} and action = 'report.export'`;
    expect(entry?.details.day).toBe('2026-11-21');
    expect(entry?.details.ids).toEqual(expect.arrayContaining(ids));
  });
});
