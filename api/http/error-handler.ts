import type { Context, ErrorHandler, NotFoundHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import type { Logger } from 'pino';
import postgres from 'postgres';
import { ReportVersionLimit } from '../accidents/version-limit.js';
import { IdsUnavailableError } from '../ids/snowflake.js';
import { genericProblem, ProblemError, problemResponse } from './problem.js';

/**
 * The one place where errors become responses. Anything unrecognised is a bug: it is logged with
 * the request id and answered with a 500 that reveals nothing of the cause.
 */
export function createErrorHandler(logger: Logger): ErrorHandler {
  return (error: Error, c: Context) => {
    if (error instanceof ProblemError) return problemResponse(error.toProblem(), error.extras.headers);
    if (error instanceof HTTPException) {
      return problemResponse(genericProblem(error.status, describeHttpException(error)));
    }
    if (error instanceof ReportVersionLimit) {
      return problemResponse(
        new ProblemError(
          409,
          'version-limit',
          `Report ${error.reportId} has reached the highest version a report may have; it can no longer be changed.`,
        ).toProblem(),
      );
    }
    if (error instanceof IdsUnavailableError) {
      // Minting is paused (clock stepped back, lease being renewed); readiness already reports it.
      return problemResponse(genericProblem(503, 'This server cannot record reports right now; retry shortly.'), { 'retry-after': '5' });
    }
    if (error instanceof postgres.PostgresError) {
      const mapped = mapDatabaseError(error);
      if (mapped) return problemResponse(mapped);
    }
    const requestId = c.get('requestId') as string | undefined;
    logger.error({ err: error, requestId, method: c.req.method, route: c.req.routePath }, 'unhandled error');
    return problemResponse(genericProblem(500, `An unexpected error occurred; quote request id ${requestId ?? 'unknown'}.`));
  };
}

export const notFoundHandler: NotFoundHandler = (c) => problemResponse(genericProblem(404, `No route matches ${c.req.method} ${c.req.path}.`));

function describeHttpException(error: HTTPException): string {
  switch (error.status) {
    case 400:
      return error.message.includes('JSON') ? 'The request body is not valid JSON.' : error.message || 'Bad request.';
    case 413:
      return 'The request body is larger than 1 MiB.';
    case 415:
      return 'The request body must be JSON (Content-Type: application/json).';
    default:
      return error.message || 'Request failed.';
  }
}

/** Constraint violations that a racing client can cause are conflicts, not server faults. */
function mapDatabaseError(error: postgres.PostgresError) {
  switch (error.code) {
    case '23505': // unique_violation
    case '40001': // serialization_failure
    case '40P01': // deadlock_detected
      return genericProblem(409, 'The request conflicts with a concurrent change; retry it.');
    case '23503': // foreign_key_violation
      return genericProblem(409, 'The request refers to something that no longer exists.');
    default:
      return undefined;
  }
}
