import { createRoute, OpenAPIHono, type z } from '@hono/zod-openapi';
import { requirePermission } from '../auth/middleware.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonBody, jsonResponse as json, problemResponses } from '../http/openapi.js';
import { notFound } from '../http/problem.js';
import { validationHook } from '../http/validation.js';
import type { AuditedIntakes } from './audited.js';
import { IntakeIdParamSchema, IntakeSchema, NewIntakeSchema } from './schema.js';
import type { Intake } from './store.js';

// How soon a client polling a job that is not done should ask again.
const RETRY_AFTER_SECONDS = '1';

// The document's examples: a short call, the job as first answered, and the job once drafted.
type IntakeBody = z.output<typeof IntakeSchema>;
const TRANSCRIPT = 'Agent: Claims line, how can I help?\nCaller: This is Sarah Standl, policy 546452. I hit a pothole on the M23 yesterday.';
const queuedExample: IntakeBody = {
  id: '7263512391163904002',
  status: 'queued',
  language: 'en',
  callDate: '2026-11-21',
  createdAt: '2026-11-21T09:30:00.000Z',
  createdBy: 'agent1',
  attempts: 0,
  finishedAt: null,
  extractor: null,
  draft: null,
  confidence: null,
  evidence: null,
  error: null,
};
const doneExample: IntakeBody = {
  ...queuedExample,
  status: 'done',
  attempts: 1,
  finishedAt: '2026-11-21T09:30:00.412Z',
  extractor: 'builtin',
  draft: {
    callReason: 'Report a car accident',
    drivers: ['Sarah Standl'],
    policyNumber: '546452',
    accidentDate: '2026-11-20',
    location: 'M23',
    cause: 'Hit a pothole',
  },
  confidence: { drivers: 0.9, policyNumber: 0.95, accidentDate: 0.8, location: 0.6, cause: 0.7, callReason: 0.5 },
  evidence: { drivers: [{ start: 52, end: 64 }], policyNumber: [{ start: 73, end: 79 }], location: [{ start: 104, end: 107 }] },
};

const createIntake = createRoute({
  operationId: 'createIntake',
  method: 'post',
  path: '/',
  tags: ['intakes'],
  summary: "Draft a report from a call's transcript",
  description:
    'Queues the transcript for drafting and answers at once with the job; poll its Location until `status` is `done` ' +
    '(or `failed`). The draft is never a report: record it with POST /accidents once checked.',
  security: bearerSecurity,
  middleware: [requirePermission('intakes:write')] as const,
  request: { body: jsonBody(NewIntakeSchema, { transcript: TRANSCRIPT, callDate: '2026-11-21' }) },
  responses: {
    202: { ...json(IntakeSchema, 'Queued; its Location is the job to poll', queuedExample), headers: { Location: { schema: { type: 'string' } } } },
    ...problemResponses(400, 401, 403, 413, 415),
  },
});

const getIntake = createRoute({
  operationId: 'getIntake',
  method: 'get',
  path: '/{id}',
  tags: ['intakes'],
  summary: 'The job and, once done, its draft with confidence and evidence',
  description: 'Retry-After says when to ask again while the job is queued or running. Intakes are deleted after the retention (7 days by default).',
  security: bearerSecurity,
  middleware: [requirePermission('intakes:read')] as const,
  request: { params: IntakeIdParamSchema },
  responses: { 200: json(IntakeSchema, 'The job', doneExample), ...problemResponses(401, 403, 404) },
});

/** An intake as the API shows it: everything but the transcript, which the client already has. */
export function intakeView(intake: Intake) {
  const extraction = intake.extraction;
  return {
    id: intake.id,
    status: intake.status,
    language: intake.language,
    callDate: intake.callDate,
    createdAt: intake.createdAt.toISOString(),
    createdBy: intake.createdBy,
    attempts: intake.attempts,
    finishedAt: intake.finishedAt?.toISOString() ?? null,
    extractor: intake.extractor,
    draft: extraction?.draft ?? null,
    confidence: extraction?.confidence ?? null,
    evidence: extraction?.evidence ?? null,
    error: intake.status === 'failed' ? intake.error : null,
  };
}

export function createIntakeRoutes({ site, intakes }: { readonly site: string; readonly intakes: AuditedIntakes }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(createIntake, async (c) => {
    const intake = await intakes.submit(c.get('user').username, c.req.valid('json'));
    c.header('location', `/${site}/v1/intakes/${intake.id}`);
    c.header('retry-after', RETRY_AFTER_SECONDS);
    return c.json(intakeView(intake), 202);
  });

  app.openapi(getIntake, async (c) => {
    const { id } = c.req.valid('param');
    const intake = await intakes.read(c.get('user').username, id);
    if (!intake) throw notFound(`No intake ${id} at ${site} (intakes are kept for a limited time).`);
    if (intake.status === 'queued' || intake.status === 'running') c.header('retry-after', RETRY_AFTER_SECONDS);
    // The draft holds personal data: no shared cache may keep it.
    c.header('cache-control', 'no-store');
    return c.json(intakeView(intake), 200);
  });

  return app;
}
