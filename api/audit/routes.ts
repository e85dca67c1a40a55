import { createRoute, OpenAPIHono } from '@hono/zod-openapi';
import { requirePermission } from '../auth/middleware.js';
import type { CursorCodec } from '../http/cursor.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonResponse, problemResponses } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';
import { AuditPageQuerySchema, AuditPageSchema } from './schema.js';
import type { AuditTrail } from './trail.js';

export interface AuditRoutesDeps {
  readonly audit: Pick<AuditTrail, 'record' | 'page'>;
  readonly cursors: CursorCodec;
}

// Signs audit cursors apart from every date list's.
const CURSOR_SCOPE = 'audit';

const listAudit = createRoute({
  operationId: 'listAuditEntries',
  method: 'get',
  path: '/',
  tags: ['audit'],
  summary: 'Read the audit trail, newest first (auditor)',
  description: 'Entries are only ever appended; no route changes or removes one. Follow `nextCursor` to page back in time.',
  security: bearerSecurity,
  middleware: [requirePermission('audit:read')] as const,
  request: { query: AuditPageQuerySchema },
  responses: {
    200: jsonResponse(AuditPageSchema, 'One page of entries', {
      items: [
        {
          seq: '1042',
          at: '2026-11-21T09:30:00.123456Z',
          actor: 'agent1',
          action: 'report.read',
          resource: '7263512391163904001',
          outcome: 'success',
          requestId: '3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b',
          clientAddress: '10.20.0.14',
          details: { version: 1 },
          prevHash: '9b2f4c6d8e0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c',
          hash: '4e6a8c0e2f4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f',
        },
      ],
      nextCursor: null,
    }),
    ...problemResponses(400, 401, 403),
  },
});

export function createAuditRoutes({ audit, cursors }: AuditRoutesDeps) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.openapi(listAudit, async (c) => {
    const { limit = 50, cursor } = c.req.valid('query');
    const beforeSeq = cursor === undefined ? undefined : cursors.decode(cursor, CURSOR_SCOPE);
    const page = await audit.page(limit, beforeSeq);
    const last = page.items.at(-1);
    // Reading the trail is itself on the trail, after the page was read so it never shows on it.
    await audit.record({
      actor: c.get('user').username,
      action: 'audit.read',
      resource: 'audit',
      outcome: 'success',
      details: { count: page.items.length, ...(last && { fromSeq: page.items[0]?.seq, toSeq: last.seq }) },
    });
    return c.json({ items: page.items, nextCursor: page.hasMore && last ? cursors.encode(CURSOR_SCOPE, last.seq) : null }, 200);
  });

  return app;
}
