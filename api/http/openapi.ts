import { z } from '@hono/zod-openapi';
import { genericProblem, ProblemError, type ProblemDetails } from './problem.js';

// Loose: RFC 9457 lets a problem carry members of its own type, and a client must ignore those it does not know.
export const ProblemSchema = z
  .looseObject({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
    currentVersion: z.number().int().optional().openapi({ description: 'version-mismatch (412): the version the report is at now' }),
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

// What each status's problem looks like, for the document's examples: types and details as the routes send them.
const problem = (...args: ConstructorParameters<typeof ProblemError>) => new ProblemError(...args).toProblem();
const problemExamples: Record<number, ProblemDetails> = {
  400: problem(400, 'validation', 'Invalid body: accidentDate.', { errors: [{ path: 'accidentDate', message: 'must be a real date written YYYY-MM-DD' }] }),
  401: problem(401, 'unauthorized', 'The token is unknown, expired or revoked; sign in again.'),
  403: problem(403, 'forbidden', 'The role agent may not perform users:write.'),
  404: problem(404, 'not-found', 'No report 7263512391163904001 at london.'),
  409: problem(409, 'username-taken', 'The username agent1 is already taken at london.'),
  412: problem(412, 'version-mismatch', 'The report is at version 3, not 2; reload it and reapply the change.', { currentVersion: 3 }),
  413: problem(413, 'body-too-large', 'The request body is larger than 1 MiB.'),
  415: genericProblem(415, 'The request body must be JSON (Content-Type: application/json).'),
  422: problem(422, 'idempotency-key-reused', 'This Idempotency-Key was already used with a different body.'),
  428: problem(428, 'precondition-required', 'Send If-Match with the version you are changing, e.g. If-Match: "3".'),
  429: problem(429, 'rate-limited', 'This account has made more than 3000 requests within a minute; retry in 12 seconds.'),
};

/** OpenAPI response entries for the listed error statuses, all problem+json, each with an example. */
export function problemResponses(...statuses: number[]) {
  return Object.fromEntries(
    statuses.map((status) => [
      status,
      {
        description: descriptions[status] ?? 'Error',
        content: {
          'application/problem+json': { schema: ProblemSchema, example: problemExamples[status] ?? genericProblem(status, descriptions[status] ?? 'Error') },
        },
      },
    ]),
  );
}

export const bearerSecurity = [{ bearer: [] }];

/**
 * An OpenAPI response entry with a JSON body and an example of it, typed by the schema (and checked
 * against it by the document's lint, `api/site/openapi-lint.test.ts`).
 */
export function jsonResponse<T extends z.ZodType>(schema: T, description: string, example: z.output<T>) {
  return { description, content: { 'application/json': { schema, example } } };
}

/** A JSON request body declared as required, so a missing or non-JSON body is rejected; with an example, as above. */
export function jsonBody<T extends z.ZodType>(schema: T, example: z.input<T>) {
  return { required: true, content: { 'application/json': { schema, example } } } as const;
}
