import type { Context, MiddlewareHandler } from 'hono';
import { getCookie } from 'hono/cookie';
import type { JSX } from 'hono/jsx/jsx-runtime';
import { can, type Permission } from '../auth/roles.js';
import { limitBodyWith } from '../http/body-limit.js';
import type { FormBody } from './form-input.js';
import { chooseLanguage, translator } from './i18n.js';
import type { PageContext } from './pages/layout.js';
import { type ConsoleEnv, type ConsoleSession, csrfMatches, LANGUAGE_COOKIE, safeConsolePath, sameOrigin } from './session.js';

export type ConsoleContext = Context<ConsoleEnv>;

/** Sets the language of the request: the `lang` cookie, else Accept-Language. */
export const chooseLanguageOf: MiddlewareHandler<ConsoleEnv> = async (c, next) => {
  const language = chooseLanguage(getCookie(c, LANGUAGE_COOKIE), c.req.header('accept-language'));
  c.set('language', language);
  c.set('t', translator(language));
  await next();
  // Pages hold report data and differ by session and language: never kept by a cache.
  c.header('cache-control', 'no-store');
  c.header('vary', 'Cookie, Accept-Language');
};

export function pathAndQuery(c: ConsoleContext): string {
  const url = new URL(c.req.url);
  return url.pathname + url.search;
}

export function pageContext(c: ConsoleContext, site: string, assets: PageContext['assets']): PageContext {
  return { site, t: c.get('t'), language: c.get('language'), session: c.get('session'), here: pathAndQuery(c), assets };
}

export async function html(c: ConsoleContext, page: JSX.Element, status: 200 | 400 | 401 | 403 | 404 | 409 | 413 | 422 | 429 = 200) {
  const markup = await (page as unknown as Promise<string> | string);
  return c.html(`<!doctype html>${markup}`, status);
}

export async function formBody(c: ConsoleContext): Promise<FormBody> {
  return c.req.parseBody({ all: true });
}

export interface GuardOptions {
  readonly site: string;
  readonly permission: Permission;
  /** Renders the page that says the role lacks `permission` (403). */
  readonly roleBlocked: (c: ConsoleContext, permission: Permission) => Promise<Response>;
  /** Renders the page that says a form was refused as a possible forgery (403). */
  readonly forged: (c: ConsoleContext) => Promise<Response>;
}

/**
 * In front of every page but sign-in: a visitor without a live session goes to the login page
 * (told their session ended if it did), remembering where to come back to; a role without the
 * permission gets a plain page saying so; a POST must be same-origin and carry the CSRF token.
 */
export function guard({ site, permission, roleBlocked, forged }: GuardOptions): MiddlewareHandler<ConsoleEnv> {
  return async (c, next) => {
    const session = c.get('session');
    const posted = c.req.method === 'POST';
    if (!session) {
      // After a POST, come back to the form it came from; the script kept its values in the browser.
      const back = safeConsolePath(site, posted ? (await formBody(c).catch((): FormBody => ({})))._page : pathAndQuery(c));
      const query = new URLSearchParams();
      if (back && back !== `/${site}/`) query.set('next', back);
      if (c.get('sessionEnded') || posted) query.set('ended', '1');
      const search = query.size > 0 ? `?${query.toString()}` : '';
      return c.redirect(`/${site}/login${search}`, 303);
    }
    if (!can(session.user.role, permission)) return roleBlocked(c, permission);
    if (posted && (!sameOrigin(c) || !csrfMatches(session, (await formBody(c)).csrf))) return forged(c);
    await next();
  };
}

/** Console forms are small; a login form smaller still, as in the JSON API. */
const loginFormLimit = limitBodyWith(16 * 1024, (c, headers) => c.text('The form is larger than 16 KiB.', 413, headers));
const reportFormLimit = limitBodyWith(256 * 1024, (c, headers) => c.text('The form is larger than 256 KiB.', 413, headers));
// A pasted call may be 100 KiB of UTF-8, which form encoding can triple (each byte of a Chinese character is %XX).
const intakeFormLimit = limitBodyWith(1024 * 1024, (c, headers) => c.text('The form is larger than 1 MiB.', 413, headers));
export const formLimit: MiddlewareHandler<ConsoleEnv> = async (c, next) =>
  (c.req.path.endsWith('/login') ? loginFormLimit : c.req.path.endsWith('/intakes/new') ? intakeFormLimit : reportFormLimit)(c, next);

export const sessionOf = (c: ConsoleContext): ConsoleSession => {
  const session = c.get('session');
  if (!session) throw new Error('a console handler ran without the guard that ensures a session');
  return session;
};
