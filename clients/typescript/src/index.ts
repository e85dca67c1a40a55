// A typed client of one crashdesk site: `openapi-fetch` over the types generated from the site's own
// OpenAPI document (./openapi.ts), plus what every integrator would otherwise write again: the bearer
// token, an Idempotency-Key on every create, If-Match on every change, pages followed by cursor, and
// waiting as Retry-After says (a rate limit's 429, an intake still being drafted).
import createClient, { type Client } from 'openapi-fetch';
import type { components, paths } from './openapi.js';

export type { components, paths } from './openapi.js';
type Schemas = components['schemas'];
export type Accident = Schemas['Accident'];
export type NewAccident = Schemas['NewAccident'];
export type AccidentPatch = Schemas['AccidentPatch'];
export type Intake = Schemas['Intake'];
export type NewIntake = Schemas['NewIntake'];
export type LoginResponse = Schemas['LoginResponse'];
export type Problem = Schemas['Problem'];

/** A response other than the one asked for: the site's problem document (RFC 9457) and its status. */
export class CrashdeskError extends Error {
  constructor(
    readonly status: number,
    readonly problem: Problem | undefined,
  ) {
    super(problem ? `${status} ${problem.title}: ${problem.detail}` : `the site answered ${status}`);
    this.name = 'CrashdeskError';
  }
}

export interface CrashdeskClientOptions {
  /** The site's address, its prefix included: `https://crashdesk.example/london`. */
  readonly baseUrl: string;
  /** A bearer token from an earlier sign-in; `signIn` sets one. */
  readonly token?: string;
  /** Defaults to the global fetch. */
  readonly fetch?: (request: Request) => Promise<Response>;
  /** How long a 429's Retry-After may make a request wait, in all, before the 429 is returned (default 30 s). */
  readonly maxRetryWaitMs?: number;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retry-After in seconds (the site sends seconds, never a date); undefined when absent or unreadable. */
function retryAfterMs(response: Response): number | undefined {
  const value = response.headers.get('retry-after');
  if (value === null || !/^\d+$/.test(value.trim())) return undefined;
  return Number(value) * 1000;
}

export function createCrashdeskClient(options: CrashdeskClientOptions) {
  const send = options.fetch ?? ((request: Request) => fetch(request));
  const maxRetryWaitMs = options.maxRetryWaitMs ?? 30_000;
  let token = options.token;

  // A 429 is retried after the wait it names, while the waits stay within the budget. A create
  // retried this way carries the same Idempotency-Key, so it cannot record twice.
  async function sendRespectingRetryAfter(request: Request): Promise<Response> {
    let waited = 0;
    for (;;) {
      const response = await send(request.clone());
      const wait = response.status === 429 ? retryAfterMs(response) : undefined;
      if (wait === undefined || waited + wait > maxRetryWaitMs) return response;
      await response.body?.cancel();
      await sleep(wait);
      waited += wait;
    }
  }

  const api: Client<paths> = createClient<paths>({ baseUrl: options.baseUrl.replace(/\/+$/, ''), fetch: sendRespectingRetryAfter });
  api.use({
    onRequest({ request }) {
      if (token !== undefined && !request.headers.has('authorization')) request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  });

  /** Throws a CrashdeskError, with the problem the site sent, unless the answer is a success. */
  function check(result: { error?: unknown; response: Response }): void {
    if (!result.response.ok) throw new CrashdeskError(result.response.status, result.error as Problem | undefined);
  }

  /** The body of a successful answer, or a CrashdeskError with the problem the site sent. */
  function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
    check(result);
    if (result.data === undefined) throw new CrashdeskError(result.response.status, undefined);
    return result.data;
  }

  /** Every page of a list, following nextCursor until the last. */
  async function* pages(load: (cursor: string | undefined) => Promise<{ items: Accident[]; nextCursor: string | null }>): AsyncGenerator<Accident[]> {
    let cursor: string | undefined;
    do {
      const page = await load(cursor);
      yield page.items;
      cursor = page.nextCursor ?? undefined;
    } while (cursor !== undefined);
  }

  return {
    /** The typed client itself, for anything the helpers below do not cover. */
    api,
    get token() {
      return token;
    },

    async signIn(username: string, password: string): Promise<LoginResponse> {
      const signedIn = unwrap(await api.POST('/v1/auth/login', { body: { username, password } }));
      token = signedIn.token;
      return signedIn;
    },

    async signOut(): Promise<void> {
      check(await api.POST('/v1/auth/logout'));
      token = undefined;
    },

    /**
     * Records a report. The Idempotency-Key (a fresh UUID unless given) makes a retry safe: the site
     * answers a repeated key with the report the first request recorded.
     */
    async createAccident(report: NewAccident, { idempotencyKey = crypto.randomUUID() }: { idempotencyKey?: string } = {}): Promise<Accident> {
      return unwrap(await api.POST('/v1/accidents', { body: report, params: { header: { 'idempotency-key': idempotencyKey } } }));
    },

    async getAccident(id: string): Promise<Accident> {
      return unwrap(await api.GET('/v1/accidents/{id}', { params: { path: { id } } }));
    },

    /** Changes the report at `version`; another change in between is a CrashdeskError 412 whose problem names the current version. */
    async updateAccident(id: string, version: number, patch: AccidentPatch): Promise<Accident> {
      return unwrap(await api.PATCH('/v1/accidents/{id}', { params: { path: { id }, header: { 'if-match': `"${version}"` } }, body: patch }));
    },

    async deleteAccident(id: string): Promise<void> {
      check(await api.DELETE('/v1/accidents/{id}', { params: { path: { id } } }));
    },

    /** One day's reports, newest first, a page (up to `limit`, default 50) at a time. */
    accidentsOn(date: string, { limit }: { limit?: number } = {}): AsyncGenerator<Accident[]> {
      return pages(async (cursor) => unwrap(await api.GET('/v1/accidents', { params: { query: { date, limit, cursor } } })));
    },

    /** The reports of one policy number (however it is spelt), newest first, a page at a time. */
    accidentsOfPolicy(policyNumber: string, { limit }: { limit?: number } = {}): AsyncGenerator<Accident[]> {
      return pages(async (cursor) => unwrap(await api.GET('/v1/accidents', { params: { query: { policyNumber, limit, cursor } } })));
    },

    /** Queues a transcript for drafting; `waitForIntake` waits for the draft. */
    async createIntake(intake: NewIntake): Promise<Intake> {
      return unwrap(await api.POST('/v1/intakes', { body: intake }));
    },

    /** Polls the intake as its Retry-After says until it is done or failed, or `timeoutMs` (default 60 s) has passed. */
    async waitForIntake(id: string, { timeoutMs = 60_000 }: { timeoutMs?: number } = {}): Promise<Intake> {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const result = await api.GET('/v1/intakes/{id}', { params: { path: { id } } });
        const intake = unwrap(result);
        if (intake.status === 'done' || intake.status === 'failed') return intake;
        const wait = retryAfterMs(result.response) ?? 1000;
        if (Date.now() + wait > deadline) throw new Error(`intake ${id} is still ${intake.status} after ${timeoutMs} ms`);
        await sleep(wait);
      }
    },
  };
}

export type CrashdeskClient = ReturnType<typeof createCrashdeskClient>;
