import { STATUS_CODES } from 'node:http';

export interface FieldError {
  readonly path: string;
  readonly message: string;
}

export interface ProblemDetails {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly detail: string;
  readonly errors?: readonly FieldError[];
  readonly [extension: string]: unknown;
}

const PROBLEM_BASE = 'https://crashdesk.io/problems/';

/** An error that already knows how it should look to the client (RFC 9457). */
export class ProblemError extends Error {
  constructor(
    readonly status: number,
    readonly slug: string,
    readonly detail: string,
    readonly extras: { errors?: FieldError[]; headers?: Record<string, string>; [extension: string]: unknown } = {},
  ) {
    super(detail);
    this.name = 'ProblemError';
  }

  toProblem(): ProblemDetails {
    const { headers: _headers, ...extensions } = this.extras;
    return { type: PROBLEM_BASE + this.slug, title: titleFor(this.status), status: this.status, detail: this.detail, ...extensions };
  }
}

export function titleFor(status: number): string {
  return STATUS_CODES[status] ?? 'Error';
}

export function problemResponse(problem: ProblemDetails, headers: Record<string, string> = {}): Response {
  return new Response(JSON.stringify(problem), {
    status: problem.status,
    headers: { 'content-type': 'application/problem+json', ...headers },
  });
}

/** A problem with a generic type for statuses that need no more explanation than their title. */
export function genericProblem(status: number, detail: string): ProblemDetails {
  return { type: 'about:blank', title: titleFor(status), status, detail };
}

export const notFound = (detail: string) => new ProblemError(404, 'not-found', detail);
export const badRequest = (detail: string, errors?: FieldError[]) => new ProblemError(400, 'invalid-request', detail, errors ? { errors } : {});
