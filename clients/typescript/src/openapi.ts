// Generated from the OpenAPI document a site serves (clients/typescript/src/generate.ts); do not edit.
// Regenerate with `npm run client:generate`; `npm test` fails while this file and the document differ.
export interface paths {
  '/v1/auth/login': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Exchange a username and password for a bearer token
     * @description Repeated failures for one username from one client address, for one username from many addresses, or for many usernames from one address are answered with 429 and a Retry-After (seconds) that doubles with every further failure, up to a configured maximum.
     */
    post: operations['signIn'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/auth/logout': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /** Revoke the bearer token of this request */
    post: operations['signOut'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** List this site's accounts (admin) */
    get: operations['listUsers'];
    put?: never;
    /** Create an account at this site (admin) */
    post: operations['createUser'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/users/{username}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Show one account (admin) */
    get: operations['getUser'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    /** Reset an account's password, change its role, disable or enable it (admin) */
    patch: operations['updateUser'];
    trace?: never;
  };
  '/v1/accidents': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Find reports by policy number, or list one day, page by page
     * @description Exactly one of policyNumber or date. Either is paged newest first: limit 1 to 200 (default 200 for a policy number, 50 for a day), and nextCursor, while not null, fetches the next page.
     */
    get: operations['listAccidents'];
    put?: never;
    /** Record a report */
    post: operations['createAccident'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/accidents/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /** Open one report */
    get: operations['getAccident'];
    put?: never;
    post?: never;
    /** Delete a report (supervisor); it is kept, hidden, for the audit trail */
    delete: operations['deleteAccident'];
    options?: never;
    head?: never;
    /** Change a report, naming the version being changed */
    patch: operations['updateAccident'];
    trace?: never;
  };
  '/v1/intakes': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    get?: never;
    put?: never;
    /**
     * Draft a report from a call's transcript
     * @description Queues the transcript for drafting and answers at once with the job; poll its Location until `status` is `done` (or `failed`). The draft is never a report: record it with POST /accidents once checked.
     */
    post: operations['createIntake'];
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/intakes/{id}': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * The job and, once done, its draft with confidence and evidence
     * @description Retry-After says when to ask again while the job is queued or running. Intakes are deleted after the retention (7 days by default).
     */
    get: operations['getIntake'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/audit': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Read the audit trail, newest first (auditor)
     * @description Entries are only ever appended; no route changes or removes one. Follow `nextCursor` to page back in time.
     */
    get: operations['listAuditEntries'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
  '/v1/replication': {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    /**
     * Replication to and from each peer site (supervisor)
     * @description The same figures as the crashdesk_replication_* metrics: backlog and lag per peer, positions on both ends, failures.
     */
    get: operations['getReplicationStatus'];
    put?: never;
    post?: never;
    delete?: never;
    options?: never;
    head?: never;
    patch?: never;
    trace?: never;
  };
}
export type webhooks = Record<string, never>;
export interface components {
  schemas: {
    LoginResponse: {
      token: string;
      /** Format: date-time */
      expiresAt: string;
      user: components['schemas']['User'];
    };
    User: {
      username: string;
      /** @enum {string} */
      role: 'agent' | 'supervisor' | 'auditor' | 'admin';
      site: string;
    };
    /** @description RFC 9457 problem details */
    Problem: {
      type: string;
      title: string;
      status: number;
      detail: string;
      errors?: {
        path: string;
        message: string;
      }[];
      /** @description version-mismatch (412): the version the report is at now */
      currentVersion?: number;
    } & {
      [key: string]: unknown;
    };
    LoginRequest: {
      username: string;
      password: string;
    };
    CreatedUser: components['schemas']['User'] & {
      /** Format: date-time */
      createdAt: string;
    };
    NewUser: {
      /** @example agent1 */
      username: string;
      password: string;
      /** @enum {string} */
      role: 'agent' | 'supervisor' | 'auditor' | 'admin';
    };
    AccountList: {
      items: components['schemas']['Account'][];
    };
    Account: components['schemas']['User'] & {
      disabled: boolean;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
    };
    /** @description A new password signs the account out everywhere; `disabled: true` does too, and refuses every later login until `disabled: false`. An admin may not disable or demote their own account. */
    AccountPatch: {
      password?: string;
      /** @enum {string} */
      role?: 'agent' | 'supervisor' | 'auditor' | 'admin';
      disabled?: boolean;
    };
    Accident: {
      /**
       * @description decimal string of a 64-bit id
       * @example 7263512391163904001
       */
      id: string;
      site: string;
      version: number;
      /** Format: date-time */
      createdAt: string;
      /** Format: date-time */
      updatedAt: string;
      createdBy: string;
      callReason: string;
      cause: string;
      drivers: string[];
      policyNumber: string;
      accidentDate: string;
      location: string;
      damages: string[];
      summary: string;
      /** @enum {string} */
      status: 'open' | 'under_review' | 'closed';
    };
    NewAccident: {
      /** @example Report a car accident */
      callReason: string;
      /** @example Hit a pothole and struck another car */
      cause?: string;
      /**
       * @example [
       *       "Sarah Standl",
       *       "John Radley"
       *     ]
       */
      drivers: string[];
      /** @example 546452 */
      policyNumber: string;
      /**
       * Format: date
       * @example 2026-11-20
       */
      accidentDate: string;
      /** @example M23, near junction 10 */
      location: string;
      /**
       * @example [
       *       "headlight broken"
       *     ]
       */
      damages?: string[];
      summary?: string;
      /** @description The intake (POST /intakes) this report was drafted from: kept with the report and on the audit trail. */
      intakeId?: string;
    };
    AccidentList: {
      items: components['schemas']['Accident'][];
      /** @description the next page, or null on the last */
      nextCursor: string | null;
    };
    AccidentPatch: {
      /** @example Report a car accident */
      callReason?: string;
      /** @example Hit a pothole and struck another car */
      cause?: string;
      /**
       * @example [
       *       "Sarah Standl",
       *       "John Radley"
       *     ]
       */
      drivers?: string[];
      /** @example 546452 */
      policyNumber?: string;
      /**
       * Format: date
       * @example 2026-11-20
       */
      accidentDate?: string;
      /** @example M23, near junction 10 */
      location?: string;
      /**
       * @example [
       *       "headlight broken"
       *     ]
       */
      damages?: string[];
      summary?: string;
      /** @enum {string} */
      status?: 'open' | 'under_review' | 'closed';
    };
    Intake: {
      /** @example 7263512391163904001 */
      id: string;
      /** @enum {string} */
      status: 'queued' | 'running' | 'done' | 'failed';
      /** @enum {string} */
      language: 'en' | 'zh';
      callDate: string;
      /** Format: date-time */
      createdAt: string;
      createdBy: string;
      attempts: number;
      /** Format: date-time */
      finishedAt: string | null;
      /** @description `builtin`, or `llm` when the site asks a language model and it answered. */
      extractor: string | null;
      draft: components['schemas']['IntakeDraft'];
      /** @description 0 to 1 per field found: check the low ones first. */
      confidence: {
        callReason?: number;
        cause?: number;
        drivers?: number;
        policyNumber?: number;
        accidentDate?: number;
        location?: number;
        damages?: number;
        summary?: number;
      } | null;
      /** @description Where in the transcript each value came from. */
      evidence: {
        callReason?: components['schemas']['EvidenceSpan'][];
        cause?: components['schemas']['EvidenceSpan'][];
        drivers?: components['schemas']['EvidenceSpan'][];
        policyNumber?: components['schemas']['EvidenceSpan'][];
        accidentDate?: components['schemas']['EvidenceSpan'][];
        location?: components['schemas']['EvidenceSpan'][];
        damages?: components['schemas']['EvidenceSpan'][];
        summary?: components['schemas']['EvidenceSpan'][];
      } | null;
      error: {
        code: string;
        detail: string;
      } | null;
    };
    /** @description The writable report fields the extractor found; a field it could not find is absent. */
    IntakeDraft: {
      callReason?: string;
      cause?: string;
      drivers?: string[];
      policyNumber?: string;
      accidentDate?: string;
      location?: string;
      damages?: string[];
      summary?: string;
    } | null;
    /** @description Characters [start, end) of the transcript (UTF-16 offsets, as JavaScript indexes strings). */
    EvidenceSpan: {
      start: number;
      end: number;
    };
    NewIntake: {
      /**
       * @description The call, one turn a line ("Agent: …", "Caller: …"); 1 character to 102400 bytes of UTF-8 (more is 413).
       * @example Agent: Claims line, how can I help?
       *     Caller: I had an accident yesterday on the M23...
       */
      transcript: string;
      /**
       * Format: date
       * @description The day of the call (default: today at the site); relative dates resolve against it.
       * @example 2026-11-20
       */
      callDate?: string;
      /**
       * @description Detected from the transcript when absent.
       * @enum {string}
       */
      language?: 'en' | 'zh';
    };
    AuditPage: {
      items: components['schemas']['AuditEntry'][];
      nextCursor: string | null;
    };
    AuditEntry: {
      /**
       * @description position in the chain (decimal); gaps are normal
       * @example 1042
       */
      seq: string;
      /**
       * Format: date-time
       * @example 2026-11-21T09:30:00.000Z
       */
      at: string;
      /**
       * @description the account (for a login attempt: the username given)
       * @example agent1
       */
      actor: string;
      /** @example report.read */
      action: string;
      /**
       * @description what was touched: a report id, an account, a list
       * @example 7263512391163904001
       */
      resource: string;
      /** @enum {string} */
      outcome: 'success' | 'failure' | 'denied';
      requestId: string | null;
      clientAddress: string | null;
      /** @description ids, counts, versions and field names; never a field value */
      details: {
        [key: string]: unknown;
      };
      /** @description SHA-256 of the previous entry (hex) */
      prevHash: string;
      /** @description SHA-256 over prevHash and this entry (hex) */
      hash: string;
    };
    ReplicationStatus: {
      site: string;
      enabled: boolean;
      /** @description A city: whether its snapshot from hq is complete; null at hq */
      backfilled: boolean | null;
      peers: {
        /** @example hq */
        peer: string;
        /** @description Where this site ships to the peer (null: not known yet) */
        url: string | null;
        /** @description Changes waiting for delivery to the peer */
        backlogRows: number;
        /** @description Age of the oldest change waiting for the peer; 0 when none waits */
        lagSeconds: number;
        lastShippedSeq: number | null;
        lastShippedAt: string | null;
        /** @description The peer's outbox position this site last applied */
        lastAppliedSeq: number | null;
        lastAppliedAt: string | null;
        /** @description Failed attempts since the last success, in this process */
        consecutiveFailures: number;
        lastError: string | null;
      }[];
    };
  };
  responses: never;
  parameters: never;
  requestBodies: never;
  headers: never;
  pathItems: never;
}
export type $defs = Record<string, never>;
export interface operations {
  signIn: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "username": "agent1",
         *       "password": "correct horse battery staple"
         *     }
         */
        'application/json': components['schemas']['LoginRequest'];
      };
    };
    responses: {
      /** @description Signed in */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "token": "cdt_3q2-7wz9Xk1mV8rP0aLsYb4nE6uJcH5g",
           *       "expiresAt": "2026-11-20T17:41:07.512Z",
           *       "user": {
           *         "username": "agent1",
           *         "role": "agent",
           *         "site": "london"
           *       }
           *     }
           */
          'application/json': components['schemas']['LoginResponse'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body over 1 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/body-too-large",
           *       "title": "Payload Too Large",
           *       "status": 413,
           *       "detail": "The request body is larger than 1 MiB."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "about:blank",
           *       "title": "Unsupported Media Type",
           *       "status": 415,
           *       "detail": "The request body must be JSON (Content-Type: application/json)."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Too many attempts; see Retry-After */
      429: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/rate-limited",
           *       "title": "Too Many Requests",
           *       "status": 429,
           *       "detail": "This account has made more than 3000 requests within a minute; retry in 12 seconds."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  signOut: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Signed out */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listUsers: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Every account, by name; never a password hash */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "items": [
           *         {
           *           "username": "agent1",
           *           "role": "agent",
           *           "site": "london",
           *           "disabled": false,
           *           "createdAt": "2026-11-02T08:15:00.000Z",
           *           "updatedAt": "2026-11-02T08:15:00.000Z"
           *         }
           *       ]
           *     }
           */
          'application/json': components['schemas']['AccountList'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createUser: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "username": "agent1",
         *       "password": "correct horse battery staple",
         *       "role": "agent"
         *     }
         */
        'application/json': components['schemas']['NewUser'];
      };
    };
    responses: {
      /** @description Created */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "username": "agent1",
           *       "role": "agent",
           *       "site": "london",
           *       "createdAt": "2026-11-02T08:15:00.000Z"
           *     }
           */
          'application/json': components['schemas']['CreatedUser'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Conflicts with the current state */
      409: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/username-taken",
           *       "title": "Conflict",
           *       "status": 409,
           *       "detail": "The username agent1 is already taken at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body over 1 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/body-too-large",
           *       "title": "Payload Too Large",
           *       "status": 413,
           *       "detail": "The request body is larger than 1 MiB."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "about:blank",
           *       "title": "Unsupported Media Type",
           *       "status": 415,
           *       "detail": "The request body must be JSON (Content-Type: application/json)."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        username: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The account */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "username": "agent1",
           *       "role": "agent",
           *       "site": "london",
           *       "disabled": false,
           *       "createdAt": "2026-11-02T08:15:00.000Z",
           *       "updatedAt": "2026-11-02T08:15:00.000Z"
           *     }
           */
          'application/json': components['schemas']['Account'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/not-found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No report 7263512391163904001 at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateUser: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        username: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "role": "supervisor"
         *     }
         */
        'application/json': components['schemas']['AccountPatch'];
      };
    };
    responses: {
      /** @description The changed account */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "username": "agent1",
           *       "role": "supervisor",
           *       "site": "london",
           *       "disabled": false,
           *       "createdAt": "2026-11-02T08:15:00.000Z",
           *       "updatedAt": "2026-11-21T14:00:00.000Z"
           *     }
           */
          'application/json': components['schemas']['Account'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/not-found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No report 7263512391163904001 at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body over 1 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/body-too-large",
           *       "title": "Payload Too Large",
           *       "status": 413,
           *       "detail": "The request body is larger than 1 MiB."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "about:blank",
           *       "title": "Unsupported Media Type",
           *       "status": 415,
           *       "detail": "The request body must be JSON (Content-Type: application/json)."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAccidents: {
    parameters: {
      query?: {
        policyNumber?: string;
        date?: string;
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Matching reports, newest first */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "items": [
           *         {
           *           "callReason": "Report a car accident",
           *           "cause": "Hit a pothole and struck another car",
           *           "drivers": [
           *             "Sarah Standl",
           *             "John Radley"
           *           ],
           *           "policyNumber": "546452",
           *           "accidentDate": "2026-11-20",
           *           "location": "M23, near junction 10",
           *           "damages": [
           *             "headlight broken",
           *             "front bumper dented"
           *           ],
           *           "summary": "Both drivers unhurt; the other car was parked.",
           *           "id": "7263512391163904001",
           *           "site": "london",
           *           "version": 1,
           *           "createdAt": "2026-11-20T09:41:07.512Z",
           *           "updatedAt": "2026-11-20T09:41:07.512Z",
           *           "createdBy": "agent1",
           *           "status": "open"
           *         }
           *       ],
           *       "nextCursor": null
           *     }
           */
          'application/json': components['schemas']['AccidentList'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createAccident: {
    parameters: {
      query?: never;
      header?: {
        'idempotency-key'?: string;
      };
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "callReason": "Report a car accident",
         *       "cause": "Hit a pothole and struck another car",
         *       "drivers": [
         *         "Sarah Standl",
         *         "John Radley"
         *       ],
         *       "policyNumber": "546452",
         *       "accidentDate": "2026-11-20",
         *       "location": "M23, near junction 10",
         *       "damages": [
         *         "headlight broken",
         *         "front bumper dented"
         *       ],
         *       "summary": "Both drivers unhurt; the other car was parked."
         *     }
         */
        'application/json': components['schemas']['NewAccident'];
      };
    };
    responses: {
      /** @description Recorded (or, for a retried Idempotency-Key, the report the first request recorded) */
      201: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "callReason": "Report a car accident",
           *       "cause": "Hit a pothole and struck another car",
           *       "drivers": [
           *         "Sarah Standl",
           *         "John Radley"
           *       ],
           *       "policyNumber": "546452",
           *       "accidentDate": "2026-11-20",
           *       "location": "M23, near junction 10",
           *       "damages": [
           *         "headlight broken",
           *         "front bumper dented"
           *       ],
           *       "summary": "Both drivers unhurt; the other car was parked.",
           *       "id": "7263512391163904001",
           *       "site": "london",
           *       "version": 1,
           *       "createdAt": "2026-11-20T09:41:07.512Z",
           *       "updatedAt": "2026-11-20T09:41:07.512Z",
           *       "createdBy": "agent1",
           *       "status": "open"
           *     }
           */
          'application/json': components['schemas']['Accident'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body over 1 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/body-too-large",
           *       "title": "Payload Too Large",
           *       "status": 413,
           *       "detail": "The request body is larger than 1 MiB."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "about:blank",
           *       "title": "Unsupported Media Type",
           *       "status": 415,
           *       "detail": "The request body must be JSON (Content-Type: application/json)."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Idempotency-Key reused with a different body */
      422: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/idempotency-key-reused",
           *       "title": "Unprocessable Entity",
           *       "status": 422,
           *       "detail": "This Idempotency-Key was already used with a different body."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getAccident: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The report */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "callReason": "Report a car accident",
           *       "cause": "Hit a pothole and struck another car",
           *       "drivers": [
           *         "Sarah Standl",
           *         "John Radley"
           *       ],
           *       "policyNumber": "546452",
           *       "accidentDate": "2026-11-20",
           *       "location": "M23, near junction 10",
           *       "damages": [
           *         "headlight broken",
           *         "front bumper dented"
           *       ],
           *       "summary": "Both drivers unhurt; the other car was parked.",
           *       "id": "7263512391163904001",
           *       "site": "london",
           *       "version": 1,
           *       "createdAt": "2026-11-20T09:41:07.512Z",
           *       "updatedAt": "2026-11-20T09:41:07.512Z",
           *       "createdBy": "agent1",
           *       "status": "open"
           *     }
           */
          'application/json': components['schemas']['Accident'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/not-found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No report 7263512391163904001 at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  deleteAccident: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Deleted */
      204: {
        headers: {
          [name: string]: unknown;
        };
        content?: never;
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/not-found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No report 7263512391163904001 at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  updateAccident: {
    parameters: {
      query?: never;
      header?: {
        /** @description the version being changed, quoted */
        'if-match'?: string;
      };
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "location": "M23, southbound, near junction 10"
         *     }
         */
        'application/json': components['schemas']['AccidentPatch'];
      };
    };
    responses: {
      /** @description The changed report */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "callReason": "Report a car accident",
           *       "cause": "Hit a pothole and struck another car",
           *       "drivers": [
           *         "Sarah Standl",
           *         "John Radley"
           *       ],
           *       "policyNumber": "546452",
           *       "accidentDate": "2026-11-20",
           *       "location": "M23, southbound, near junction 10",
           *       "damages": [
           *         "headlight broken",
           *         "front bumper dented"
           *       ],
           *       "summary": "Both drivers unhurt; the other car was parked.",
           *       "id": "7263512391163904001",
           *       "site": "london",
           *       "version": 2,
           *       "createdAt": "2026-11-20T09:41:07.512Z",
           *       "updatedAt": "2026-11-20T10:02:31.044Z",
           *       "createdBy": "agent1",
           *       "status": "open"
           *     }
           */
          'application/json': components['schemas']['Accident'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/not-found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No report 7263512391163904001 at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match does not name the current version */
      412: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/version-mismatch",
           *       "title": "Precondition Failed",
           *       "status": 412,
           *       "detail": "The report is at version 3, not 2; reload it and reapply the change.",
           *       "currentVersion": 3
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body over 1 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/body-too-large",
           *       "title": "Payload Too Large",
           *       "status": 413,
           *       "detail": "The request body is larger than 1 MiB."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "about:blank",
           *       "title": "Unsupported Media Type",
           *       "status": 415,
           *       "detail": "The request body must be JSON (Content-Type: application/json)."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description If-Match is required */
      428: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/precondition-required",
           *       "title": "Precondition Required",
           *       "status": 428,
           *       "detail": "Send If-Match with the version you are changing, e.g. If-Match: \"3\"."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  createIntake: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody: {
      content: {
        /**
         * @example {
         *       "transcript": "Agent: Claims line, how can I help?\nCaller: This is Sarah Standl, policy 546452. I hit a pothole on the M23 yesterday.",
         *       "callDate": "2026-11-21"
         *     }
         */
        'application/json': components['schemas']['NewIntake'];
      };
    };
    responses: {
      /** @description Queued; its Location is the job to poll */
      202: {
        headers: {
          Location?: string;
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "7263512391163904002",
           *       "status": "queued",
           *       "language": "en",
           *       "callDate": "2026-11-21",
           *       "createdAt": "2026-11-21T09:30:00.000Z",
           *       "createdBy": "agent1",
           *       "attempts": 0,
           *       "finishedAt": null,
           *       "extractor": null,
           *       "draft": null,
           *       "confidence": null,
           *       "evidence": null,
           *       "error": null
           *     }
           */
          'application/json': components['schemas']['Intake'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body over 1 MiB */
      413: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/body-too-large",
           *       "title": "Payload Too Large",
           *       "status": 413,
           *       "detail": "The request body is larger than 1 MiB."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Body is not JSON */
      415: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "about:blank",
           *       "title": "Unsupported Media Type",
           *       "status": 415,
           *       "detail": "The request body must be JSON (Content-Type: application/json)."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getIntake: {
    parameters: {
      query?: never;
      header?: never;
      path: {
        id: string;
      };
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description The job */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "id": "7263512391163904002",
           *       "status": "done",
           *       "language": "en",
           *       "callDate": "2026-11-21",
           *       "createdAt": "2026-11-21T09:30:00.000Z",
           *       "createdBy": "agent1",
           *       "attempts": 1,
           *       "finishedAt": "2026-11-21T09:30:00.412Z",
           *       "extractor": "builtin",
           *       "draft": {
           *         "callReason": "Report a car accident",
           *         "drivers": [
           *           "Sarah Standl"
           *         ],
           *         "policyNumber": "546452",
           *         "accidentDate": "2026-11-20",
           *         "location": "M23",
           *         "cause": "Hit a pothole"
           *       },
           *       "confidence": {
           *         "drivers": 0.9,
           *         "policyNumber": 0.95,
           *         "accidentDate": 0.8,
           *         "location": 0.6,
           *         "cause": 0.7,
           *         "callReason": 0.5
           *       },
           *       "evidence": {
           *         "drivers": [
           *           {
           *             "start": 52,
           *             "end": 64
           *           }
           *         ],
           *         "policyNumber": [
           *           {
           *             "start": 73,
           *             "end": 79
           *           }
           *         ],
           *         "location": [
           *           {
           *             "start": 104,
           *             "end": 107
           *           }
           *         ]
           *       },
           *       "error": null
           *     }
           */
          'application/json': components['schemas']['Intake'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Not found */
      404: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/not-found",
           *       "title": "Not Found",
           *       "status": 404,
           *       "detail": "No report 7263512391163904001 at london."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  listAuditEntries: {
    parameters: {
      query?: {
        limit?: number;
        cursor?: string;
      };
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description One page of entries */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "items": [
           *         {
           *           "seq": "1042",
           *           "at": "2026-11-21T09:30:00.123456Z",
           *           "actor": "agent1",
           *           "action": "report.read",
           *           "resource": "7263512391163904001",
           *           "outcome": "success",
           *           "requestId": "3f1c9a2e-5b7d-4e8f-9a0b-1c2d3e4f5a6b",
           *           "clientAddress": "10.20.0.14",
           *           "details": {
           *             "version": 1
           *           },
           *           "prevHash": "9b2f4c6d8e0a1b3c5d7e9f1a2b4c6d8e0f1a3b5c7d9e1f2a4b6c8d0e2f4a6b8c",
           *           "hash": "4e6a8c0e2f4b6d8f0a2c4e6b8d0f2a4c6e8b0d2f4a6c8e0b2d4f6a8c0e2b4d6f"
           *         }
           *       ],
           *       "nextCursor": null
           *     }
           */
          'application/json': components['schemas']['AuditPage'];
        };
      };
      /** @description Invalid input; `errors` names each field */
      400: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/validation",
           *       "title": "Bad Request",
           *       "status": 400,
           *       "detail": "Invalid body: accidentDate.",
           *       "errors": [
           *         {
           *           "path": "accidentDate",
           *           "message": "must be a real date written YYYY-MM-DD"
           *         }
           *       ]
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
  getReplicationStatus: {
    parameters: {
      query?: never;
      header?: never;
      path?: never;
      cookie?: never;
    };
    requestBody?: never;
    responses: {
      /** @description Per-peer replication status */
      200: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "site": "london",
           *       "enabled": true,
           *       "backfilled": true,
           *       "peers": [
           *         {
           *           "peer": "hq",
           *           "url": "https://hq.crashdesk.internal",
           *           "backlogRows": 0,
           *           "lagSeconds": 0,
           *           "lastShippedSeq": 58231,
           *           "lastShippedAt": "2026-11-21T09:30:01.204Z",
           *           "lastAppliedSeq": 91877,
           *           "lastAppliedAt": "2026-11-21T09:30:00.870Z",
           *           "consecutiveFailures": 0,
           *           "lastError": null
           *         }
           *       ]
           *     }
           */
          'application/json': components['schemas']['ReplicationStatus'];
        };
      };
      /** @description Missing, invalid or expired bearer token */
      401: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/unauthorized",
           *       "title": "Unauthorized",
           *       "status": 401,
           *       "detail": "The token is unknown, expired or revoked; sign in again."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
      /** @description The role may not do this */
      403: {
        headers: {
          [name: string]: unknown;
        };
        content: {
          /**
           * @example {
           *       "type": "https://crashdesk.io/problems/forbidden",
           *       "title": "Forbidden",
           *       "status": 403,
           *       "detail": "The role agent may not perform users:write."
           *     }
           */
          'application/problem+json': components['schemas']['Problem'];
        };
      };
    };
  };
}
