import type { Hook } from '@hono/zod-openapi';
import type { core } from 'zod';
import type { AppEnv } from './env.js';
import { type FieldError, ProblemError } from './problem.js';

/**
 * Turns a failed zod validation into one 400 problem that names every offending field, so a
 * client (or the console) can show each message beside its field.
 */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (result.success) return;
  const errors = result.error.issues.flatMap((issue) => toFieldErrors(issue));
  const fields = [...new Set(errors.map((error) => error.path))].join(', ');
  throw new ProblemError(400, 'validation', `Invalid ${describeTarget(result.target)}: ${fields}.`, { errors });
};

function toFieldErrors(issue: core.$ZodIssue): FieldError[] {
  const path = issue.path.map(String).join('.');
  if (issue.code === 'unrecognized_keys') {
    return issue.keys.map((key) => ({ path: path ? `${path}.${key}` : key, message: 'is not a known field' }));
  }
  const missing = issue.code === 'invalid_type' && issue.message.endsWith('received undefined');
  return [{ path: path || '(body)', message: missing ? 'is required' : issue.message }];
}

function describeTarget(target: string): string {
  switch (target) {
    case 'json':
      return 'request body';
    case 'query':
      return 'query parameters';
    case 'param':
      return 'path parameters';
    case 'header':
      return 'headers';
    default:
      return target;
  }
}
