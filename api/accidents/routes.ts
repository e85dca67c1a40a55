import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { requirePermission } from '../auth/middleware.js';
import type { CursorCodec } from '../http/cursor.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonBody, jsonResponse as json, problemResponses } from '../http/openapi.js';
import { notFound, ProblemError } from '../http/problem.js';
import { validationHook } from '../http/validation.js';
import type { AuditedReports } from './audited.js';
import {
  type Accident,
  AccidentIdParamSchema,
  AccidentListQuerySchema,
  AccidentListSchema,
  AccidentPatchSchema,
  AccidentSchema,
  IdempotencyHeadersSchema,
  IfMatchHeadersSchema,
  defaultPageLimits,
  type NewAccident,
  NewAccidentSchema,
  normalisePolicyNumber,
} from './schema.js';

export interface AccidentsRoutesDeps {
  readonly site: string;
  /** Every read and change goes through it, and it records each on the audit trail. */
  readonly reports: AuditedReports;
  readonly cursors: CursorCodec;
}

// The document's examples: one report as recorded, and how it was asked for and later changed.
const newReportExample = {
  callReason: 'Report a car accident',
  cause: 'Hit a pothole and struck another car',
  drivers: ['Sarah Standl', 'John Radley'],
  policyNumber: '546452',
  accidentDate: '2026-11-20',
  location: 'M23, near junction 10',
  damages: ['headlight broken', 'front bumper dented'],
  summary: 'Both drivers unhurt; the other car was parked.',
} satisfies NewAccident;
const reportExample: Accident = {
  ...newReportExample,
  id: '7263512391163904001',
  site: 'london',
  version: 1,
  createdAt: '2026-11-20T09:41:07.512Z',
  updatedAt: '2026-11-20T09:41:07.512Z',
  createdBy: 'agent1',
  status: 'open',
};

const createAccident = createRoute({
  operationId: 'createAccident',
  method: 'post',
  path: '/',
  tags: ['accidents'],
  summary: 'Record a report',
  security: bearerSecurity,
  middleware: [requirePermission('accidents:write')] as const,
  request: { headers: IdempotencyHeadersSchema, body: jsonBody(NewAccidentSchema, newReportExample) },
  responses: {
    201: json(AccidentSchema, 'Recorded (or, for a retried Idempotency-Key, the report the first request recorded)', reportExample),
    ...problemResponses(400, 401, 403, 413, 415, 422),
  },
});

const listAccidents = createRoute({
  operationId: 'listAccidents',
  method: 'get',
  path: '/',
  tags: ['accidents'],
  summary: 'Find reports by policy number, or list one day, page by page',
  description:
    'Exactly one of policyNumber or date. Either is paged newest first: limit 1 to 200 (default 200 for a policy ' +
    'number, 50 for a day), and nextCursor, while not null, fetches the next page.',
  security: bearerSecurity,
  middleware: [requirePermission('accidents:read')] as const,
  request: { query: AccidentListQuerySchema },
  responses: {
    200: json(AccidentListSchema, 'Matching reports, newest first', { items: [reportExample], nextCursor: null }),
    ...problemResponses(400, 401, 403),
  },
});

const getAccident = createRoute({
  operationId: 'getAccident',
  method: 'get',
  path: '/{id}',
  tags: ['accidents'],
  summary: 'Open one report',
  security: bearerSecurity,
  middleware: [requirePermission('accidents:read')] as const,
  request: { params: AccidentIdParamSchema },
  responses: { 200: json(AccidentSchema, 'The report', reportExample), ...problemResponses(400, 401, 403, 404) },
});

const patchAccident = createRoute({
  operationId: 'updateAccident',
  method: 'patch',
  path: '/{id}',
  tags: ['accidents'],
  summary: 'Change a report, naming the version being changed',
  security: bearerSecurity,
  middleware: [requirePermission('accidents:write')] as const,
  request: {
    params: AccidentIdParamSchema,
    headers: IfMatchHeadersSchema,
    body: jsonBody(AccidentPatchSchema, { location: 'M23, southbound, near junction 10' }),
  },
  responses: {
    200: json(AccidentSchema, 'The changed report', {
      ...reportExample,
      version: 2,
      updatedAt: '2026-11-20T10:02:31.044Z',
      location: 'M23, southbound, near junction 10',
    }),
    ...problemResponses(400, 401, 403, 404, 412, 413, 415, 428),
  },
});

const deleteAccident = createRoute({
  operationId: 'deleteAccident',
  method: 'delete',
  path: '/{id}',
  tags: ['accidents'],
  summary: 'Delete a report (supervisor); it is kept, hidden, for the audit trail',
  security: bearerSecurity,
  middleware: [requirePermission('accidents:delete')] as const,
  request: { params: AccidentIdParamSchema },
  responses: { 204: { description: 'Deleted' }, ...problemResponses(400, 401, 403, 404) },
});

/** `"3"` or `W/"3"` → 3. */
function parseIfMatch(header: string | undefined): number {
  if (header === undefined) {
    throw new ProblemError(428, 'precondition-required', 'Send If-Match with the version you are changing, e.g. If-Match: "3".');
  }
  const match = /^(?:W\/)?"(\d{1,9})"$/.exec(header.trim());
  if (!match?.[1]) {
    throw new ProblemError(400, 'validation', 'Invalid headers: if-match.', {
      errors: [{ path: 'if-match', message: 'must be a quoted version such as "3"' }],
    });
  }
  return Number(match[1]);
}

const etag = (version: number) => `"${version}"`;

export function createAccidentsRoutes({ site, reports, cursors }: AccidentsRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  const locationOf = (id: string) => `/${site}/v1/accidents/${id}`;

  app.openapi(createAccident, async (c) => {
    const result = await reports.create(c.get('user').username, c.req.valid('json'), c.req.valid('header')['idempotency-key']);
    if (result.kind === 'idempotency-key-reused') {
      throw new ProblemError(422, 'idempotency-key-reused', 'This Idempotency-Key was already used with a different body.');
    }
    c.header('location', locationOf(result.report.id));
    c.header('etag', etag(result.report.version));
    if (result.kind === 'replayed') c.header('idempotent-replayed', 'true');
    return c.json(result.report, 201);
  });

  app.openapi(listAccidents, async (c) => {
    const query = c.req.valid('query');
    const username = c.get('user').username;
    if (query.policyNumber !== undefined) {
      const scope = cursors.hiddenScope('policy', normalisePolicyNumber(query.policyNumber));
      const beforeId = query.cursor === undefined ? undefined : cursors.decode(query.cursor, scope);
      const page = await reports.search(username, query.policyNumber, query.limit ?? defaultPageLimits.policyNumber, beforeId);
      const nextCursor = page.hasMore && page.lastId ? cursors.encode(scope, page.lastId) : null;
      return c.json({ items: page.items, nextCursor }, 200);
    }
    const date = query.date as string; // the schema guarantees exactly one of the two
    const beforeId = query.cursor === undefined ? undefined : cursors.decode(query.cursor, date);
    const page = await reports.page(username, date, query.limit ?? defaultPageLimits.date, beforeId);
    const last = page.items.at(-1);
    const nextCursor = page.hasMore && last ? cursors.encode(date, last.id) : null;
    return c.json({ items: page.items, nextCursor }, 200);
  });

  app.openapi(getAccident, async (c) => {
    const { id } = c.req.valid('param');
    const report = await reports.read(c.get('user').username, id);
    if (!report) throw notFound(`No report ${id} at ${site}.`);
    c.header('etag', etag(report.version));
    return c.json(report, 200);
  });

  app.openapi(patchAccident, async (c) => {
    const { id } = c.req.valid('param');
    const expectedVersion = parseIfMatch(c.req.valid('header')['if-match']);
    const result = await reports.update(c.get('user').username, id, expectedVersion, c.req.valid('json'));
    if (result.kind === 'not-found') throw notFound(`No report ${id} at ${site}.`);
    if (result.kind === 'stale') {
      throw new ProblemError(
        412,
        'version-mismatch',
        `The report is at version ${result.currentVersion}, not ${expectedVersion}; reload it and reapply the change.`,
        {
          currentVersion: result.currentVersion,
        },
      );
    }
    c.header('etag', etag(result.report.version));
    return c.json(result.report, 200);
  });

  app.openapi(deleteAccident, async (c) => {
    const { id } = c.req.valid('param');
    if (!(await reports.remove(c.get('user').username, id))) throw notFound(`No report ${id} at ${site}.`);
    return c.body(null, 204);
  });

  return app;
}
