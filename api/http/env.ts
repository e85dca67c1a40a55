import type { Role } from '../auth/roles.js';

export interface AuthenticatedUser {
  readonly username: string;
  readonly role: Role;
  readonly site: string;
}

/** Hono's per-request variables, shared by every sub-app of a site. */
export interface AppEnv {
  Variables: {
    requestId: string;
    user: AuthenticatedUser;
    /** The caller's address for throttling and the audit trail; undefined when unknown (see http/client-address.ts). */
    clientAddress: string | undefined;
  };
}
