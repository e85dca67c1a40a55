import { createRoute, OpenAPIHono, z } from '@hono/zod-openapi';
import { requirePermission } from '../auth/middleware.js';
import type { AppEnv } from '../http/env.js';
import { bearerSecurity, jsonResponse, problemResponses } from '../http/openapi.js';
import { validationHook } from '../http/validation.js';

const PeerStatusSchema = z.object({
  peer: z.string().openapi({ example: 'hq' }),
  url: z.string().nullable().openapi({ description: 'Where this site ships to the peer (null: not known yet)' }),
  backlogRows: z.number().int().openapi({ description: 'Changes waiting for delivery to the peer' }),
  lagSeconds: z.number().openapi({ description: 'Age of the oldest change waiting for the peer; 0 when none waits' }),
  lastShippedSeq: z.number().int().nullable(),
  lastShippedAt: z.string().nullable(),
  lastAppliedSeq: z.number().int().nullable().openapi({ description: "The peer's outbox position this site last applied" }),
  lastAppliedAt: z.string().nullable(),
  consecutiveFailures: z.number().int().openapi({ description: 'Failed attempts since the last success, in this process' }),
  lastError: z.string().nullable(),
});

export const ReplicationStatusSchema = z
  .object({
    site: z.string(),
    enabled: z.boolean(),
    backfilled: z.boolean().nullable().openapi({ description: 'A city: whether its snapshot from hq is complete; null at hq' }),
    peers: z.array(PeerStatusSchema),
  })
  .openapi('ReplicationStatus');
export type ReplicationStatus = z.infer<typeof ReplicationStatusSchema>;

const getStatus = createRoute({
  operationId: 'getReplicationStatus',
  method: 'get',
  path: '/',
  tags: ['replication'],
  summary: 'Replication to and from each peer site (supervisor)',
  description: 'The same figures as the crashdesk_replication_* metrics: backlog and lag per peer, positions on both ends, failures.',
  security: bearerSecurity,
  middleware: [requirePermission('replication:read')] as const,
  responses: {
    200: jsonResponse(ReplicationStatusSchema, 'Per-peer replication status', {
      site: 'london',
      enabled: true,
      backfilled: true,
      peers: [
        {
          peer: 'hq',
          url: 'https://hq.crashdesk.internal',
          backlogRows: 0,
          lagSeconds: 0,
          lastShippedSeq: 58231,
          lastShippedAt: '2026-11-21T09:30:01.204Z',
          lastAppliedSeq: 91877,
          lastAppliedAt: '2026-11-21T09:30:00.870Z',
          consecutiveFailures: 0,
          lastError: null,
        },
      ],
    }),
    ...problemResponses(401, 403),
  },
});

export function createReplicationStatusRoutes(deps: { status: () => Promise<ReplicationStatus> }) {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
  app.openapi(getStatus, async (c) => c.json(await deps.status(), 200));
  return app;
}
