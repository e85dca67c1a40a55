import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Context, MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import type { AuthStore } from '../auth/store.js';
import { hashToken, looksLikeToken } from '../auth/tokens.js';
import type { AppEnv, AuthenticatedUser } from '../http/env.js';
import type { Language, Translate } from './i18n.js';

/**
 * The console's session is the same kind of token the JSON API issues (hashed in `auth_tokens`,
 * sliding idle expiry, revoked at logout or by an admin), kept in a cookie that scripts cannot
 * read (HttpOnly), that browsers never send with a request started by another site
 * (SameSite=Strict), scoped to this site's prefix, and Secure over TLS. The JSON API under /v1
 * never reads this cookie: it accepts Authorization: Bearer only.
 *
 * Forms that change something also carry a CSRF token derived from the session token by a
 * one-way hash (a synchronizer token that needs no storage: only a holder of the cookie can know
 * it, and showing it in a page reveals nothing of the token), and every POST must come from this
 * origin when the browser says where it came from (Origin, else Sec-Fetch-Site).
 */
export const SESSION_COOKIE = 'crashdesk_session';
export const LANGUAGE_COOKIE = 'crashdesk_lang';

export interface ConsoleSession {
  readonly user: AuthenticatedUser;
  readonly token: string;
  /** The CSRF token as this page carries it: masked afresh for every response (see maskCsrf). */
  readonly csrf: string;
}

export interface ConsoleEnv extends AppEnv {
  Variables: AppEnv['Variables'] & {
    session: ConsoleSession | undefined;
    /** A session cookie was sent but is no longer valid: the login page says the session ended. */
    sessionEnded: boolean;
    language: Language;
    t: Translate;
  };
}

function csrfSecretFor(token: string): Buffer {
  return createHash('sha256').update(`crashdesk-console-csrf\0${token}`).digest();
}

/**
 * The session's CSRF secret under a random mask (mask ‖ mask ⊕ secret), new in every response: the
 * bytes of a page never repeat the secret, so compressed pages leak nothing about it (BREACH).
 */
export function maskCsrf(token: string): string {
  const secret = csrfSecretFor(token);
  const mask = randomBytes(secret.length);
  return Buffer.concat([mask, Buffer.from(secret.map((byte, i) => byte ^ mask[i]!))]).toString('base64url');
}

export function csrfMatches(session: ConsoleSession, given: unknown): boolean {
  if (typeof given !== 'string') return false;
  const expected = csrfSecretFor(session.token);
  const masked = Buffer.from(given, 'base64url');
  if (masked.length !== expected.length * 2 || masked.toString('base64url') !== given) return false;
  const unmasked = Buffer.from(masked.subarray(expected.length).map((byte, i) => byte ^ masked[i]!));
  return timingSafeEqual(unmasked, expected);
}

/**
 * False when the browser says the request was started by another site. Under this site's
 * `Referrer-Policy: no-referrer` browsers send `Origin: null` with form posts, so Sec-Fetch-Site
 * (sent by every current browser) is the usual witness; a request with neither relies on the CSRF
 * token and the SameSite cookie alone.
 */
export function sameOrigin(c: Context): boolean {
  const origin = c.req.header('origin');
  if (origin !== undefined && origin !== 'null') {
    const host = c.req.header('x-forwarded-host') ?? c.req.header('host') ?? new URL(c.req.url).host;
    try {
      return new URL(origin).host === host;
    } catch {
      return false;
    }
  }
  const fetchSite = c.req.header('sec-fetch-site');
  if (fetchSite !== undefined) return fetchSite === 'same-origin' || fetchSite === 'none';
  return origin === undefined;
}

const isTls = (c: Context) => new URL(c.req.url).protocol === 'https:' || c.req.header('x-forwarded-proto') === 'https';

/** A browser-session cookie: the token's own idle and absolute expiry (server side) decide how long it works. */
export function setSessionCookie(c: Context, site: string, token: string): void {
  setCookie(c, SESSION_COOKIE, token, { path: `/${site}/`, httpOnly: true, sameSite: 'Strict', secure: isTls(c) });
}

export function clearSessionCookie(c: Context, site: string): void {
  deleteCookie(c, SESSION_COOKIE, { path: `/${site}/`, httpOnly: true, sameSite: 'Strict', secure: isTls(c) });
}

export function setLanguageCookie(c: Context, site: string, language: Language): void {
  setCookie(c, LANGUAGE_COOKIE, language, { path: `/${site}/`, sameSite: 'Lax', secure: isTls(c), maxAge: 365 * 24 * 3600 });
}

/** Resolves the session cookie to its account (sliding the token's expiry, as a Bearer use does). */
export function readSession(site: string, auth: AuthStore): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const token = getCookie(c, SESSION_COOKIE);
    let session: ConsoleSession | undefined;
    if (token !== undefined) {
      const user = looksLikeToken(token) ? await auth.findSession(hashToken(token)) : undefined;
      if (user) {
        session = { user, token, csrf: maskCsrf(token) };
        // The audit middleware names the actor of a refused request from this.
        c.set('user', user);
      } else {
        clearSessionCookie(c, site);
      }
    }
    c.set('session', session);
    c.set('sessionEnded', token !== undefined && session === undefined);
    await next();
  };
}

// What a redirect target may hold: visible ASCII only, as in a URL the console itself wrote. A CR or
// LF would split the Location header (Node refuses it, so it used to be a 500), and anything else
// outside this range is not a URL character at all.
const URL_CHARACTERS = /^[\x21-\x7e]+$/;

/** A path inside this site's console, or undefined: never an open redirect to another host, never a broken header. */
export function safeConsolePath(site: string, path: unknown): string | undefined {
  if (typeof path !== 'string' || path.length > 2000 || !URL_CHARACTERS.test(path)) return undefined;
  if (!path.startsWith(`/${site}/`) || path.includes('\\') || path.includes('//')) return undefined;
  return path;
}
