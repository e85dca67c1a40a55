import { z } from '@hono/zod-openapi';
import { PageCursorSchema, PageLimitSchema } from '../http/paging.js';

export const AuditPageQuerySchema = z.strictObject({
  limit: PageLimitSchema,
  cursor: PageCursorSchema,
});

export const AuditEntrySchema = z
  .object({
    seq: z.string().openapi({ description: 'position in the chain (decimal); gaps are normal', example: '1042' }),
    at: z.iso.datetime().openapi({ example: '2026-11-21T09:30:00.000Z' }),
    actor: z.string().openapi({ description: 'the account (for a login attempt: the username given)', example: 'agent1' }),
    action: z.string().openapi({ example: 'report.read' }),
    resource: z.string().openapi({ description: 'what was touched: a report id, an account, a list', example: '7263512391163904001' }),
    outcome: z.enum(['success', 'failure', 'denied']),
    requestId: z.string().nullable(),
    clientAddress: z.string().nullable(),
    details: z.record(z.string(), z.unknown()).openapi({ description: 'ids, counts, versions and field names; never a field value' }),
    prevHash: z.string().openapi({ description: 'SHA-256 of the previous entry (hex)' }),
    hash: z.string().openapi({ description: 'SHA-256 over prevHash and this entry (hex)' }),
  })
  .openapi('AuditEntry');

export const AuditPageSchema = z.object({ items: z.array(AuditEntrySchema), nextCursor: z.string().nullable() }).openapi('AuditPage');
