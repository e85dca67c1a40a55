import { z } from '@hono/zod-openapi';

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .openapi('Problem', { description: 'RFC 9457 problem details' });

const descriptions: Record<number, string> = {
  400: 'Invalid input; `errors` names each field',
  401: 'Missing, invalid or expired bearer token',
  403: 'The role may not do this',
  404: 'Not found',
  409: 'Conflicts with the current state',
  412: 'If-Match does not name the current version',
  413: 'Body over 1 MiB',
  415: 'Body is not JSON',
  422: 'Idempotency-Key reused with a different body',
  428: 'If-Match is required',
  429: 'Too many attempts; see Retry-After',
};

/** OpenAPI response entries for the listed error statuses, all problem+json. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [status, { description: descriptions[status] ?? 'Error', content: { 'application/problem+json': { schema: ProblemSchema } } }]),
  );
}

export const bearerSecurity = [{ bearer: [] }];

/** An OpenAPI response entry with a JSON body. */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { 'application/json': { schema } } };
}

/** A JSON request body declared as required, so a missing or non-JSON body is rejected. */
export function jsonBody<T extends z.ZodType>(schema: T) {
  return { required: true, content: { 'application/json': { schema } } } as const;
}
