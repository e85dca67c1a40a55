import { bodyLimit } from 'hono/body-limit';
import type { MiddlewareHandler } from 'hono';
import { ProblemError } from './problem.js';

const sizeOf = (bytes: number) => (bytes >= 1024 * 1024 ? `${bytes / (1024 * 1024)} MiB` : `${bytes / 1024} KiB`);

/**
 * Refuses a body over `maxBytes` with a 413 problem before the handler reads it (a declared
 * Content-Length is checked up front; a chunked body is counted as it streams).
 */
export function limitBody(maxBytes: number, what = 'The request body'): MiddlewareHandler {
  return bodyLimit({
    maxSize: maxBytes,
    onError: () => {
      throw new ProblemError(413, 'body-too-large', `${what} is larger than ${sizeOf(maxBytes)}.`);
    },
  });
}
