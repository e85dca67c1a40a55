import { z } from '@hono/zod-openapi';

/** `?limit=` of every keyset-paged list: 1 to 200, default chosen by the route. */
export const PageLimitSchema = z
  .string()
  .regex(/^\d{1,3}$/, 'must be a whole number from 1 to 200')
  .transform(Number)
  .pipe(z.number().min(1, 'must be at least 1').max(200, 'must be at most 200'))
  .optional()
  .openapi({ param: { name: 'limit', in: 'query' }, type: 'integer', example: 50 });

/** `?cursor=` as issued in a previous page's `nextCursor` (see http/cursor.ts). */
export const PageCursorSchema = z
  .string()
  .max(200, 'is not a cursor this site issued')
  .optional()
  .openapi({ param: { name: 'cursor', in: 'query' } });
