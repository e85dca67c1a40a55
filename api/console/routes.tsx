import { Hono } from 'hono';
import type { Logger } from 'pino';
import type { AuditedReports } from '../accidents/audited.js';
import { DateSchema, normalisePolicyNumber, PolicyNumberSchema } from '../accidents/schema.js';
import { auditRequests } from '../audit/middleware.js';
import type { AuditTrail } from '../audit/trail.js';
import type { LoginThrottle } from '../auth/login-throttle.js';
import { signIn } from '../auth/sign-in.js';
import type { Permission } from '../auth/roles.js';
import type { AuthStore } from '../auth/store.js';
import { hashToken } from '../auth/tokens.js';
import type { CursorCodec } from '../http/cursor.js';
import { createConsoleAssets } from './assets.js';
import { csvExportStream } from './csv-export.js';
import { translateValidation } from './i18n.js';
import { LoginPage } from './pages/login.js';
import { ExportPage, MessagePage, RoleBlockedPage } from './pages/messages.js';
import { DayListPage, SearchPage } from './pages/report-list.js';
import { type ConsoleContext, chooseLanguageOf, formBody, formLimit, guard, html, pageContext } from './render.js';
import type { AuditedIntakes } from '../intake/audited.js';
import { createIntakeRoutes } from './intake-routes.js';
import { createReportRoutes } from './report-routes.js';
import { type ConsoleEnv, clearSessionCookie, csrfMatches, readSession, safeConsolePath, sameOrigin, setLanguageCookie, setSessionCookie } from './session.js';

export interface ConsoleDeps {
  readonly site: string;
  readonly auth: AuthStore;
  readonly throttle: LoginThrottle;
  /** Every read and change of a report, each on the audit trail as through the API. */
  readonly reports: AuditedReports;
  readonly cursors: CursorCodec;
  readonly audit: AuditTrail;
  readonly logger: Logger;
  /** Calls' transcripts and drafts, through the same audited service as the API. */
  readonly intakes: AuditedIntakes;
}

const PAGE_SIZE = 50;
const MAX_EXPORT_DAYS = 3660;
// Earlier pages' cursors ride along in the URL so "previous page" needs no server state.
const MAX_TRAIL = 40;

const today = () => new Date().toISOString().slice(0, 10);
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The page number and the previous and next links of a keyset-paged list (a day, a policy lookup).
 * The cursors of earlier pages ride along in the URL (`trail`), so going back needs no server state.
 */
function pageLinks(c: ConsoleContext, address: string, list: Record<string, string>, next: string | undefined) {
  const cursor = c.req.query('cursor') || undefined;
  const trail = (c.req.query('trail') ?? '').slice(0, 8000).split('~').slice(-MAX_TRAIL);
  const link = (target: string | undefined, targetTrail: string[]) => {
    const query = new URLSearchParams(list);
    if (target) query.set('cursor', target);
    if (target && targetTrail.length > 0) query.set('trail', targetTrail.join('~'));
    return `${address}?${query.toString()}`;
  };
  return {
    pageNumber: cursor === undefined ? 1 : trail.length + 1,
    nextHref: next === undefined ? undefined : link(next, cursor === undefined ? [''] : [...trail, cursor]),
    previousHref: cursor === undefined ? undefined : link(trail.at(-1) || undefined, trail.slice(0, -1)),
  };
}

/**
 * The agents' console at `/{site}/`: server-rendered pages that work without JavaScript, reading
 * and changing reports through the same audited service as the JSON API.
 */
export function createConsoleRoutes(deps: ConsoleDeps) {
  const { site, reports, audit, cursors } = deps;
  const base = `/${site}`;
  const assets = createConsoleAssets();
  const app = new Hono<ConsoleEnv>();
  // Static files first, so none of the page middleware below runs for them.
  app.route('/', assets.routes);

  const ctx = async (c: ConsoleContext) => pageContext(c, site, await assets.versions());
  const roleBlocked = async (c: ConsoleContext, permission: Permission) => html(c, <RoleBlockedPage ctx={await ctx(c)} permission={permission} />, 403);
  const forged = async (c: ConsoleContext) =>
    html(
      c,
      <MessagePage ctx={await ctx(c)} title={c.get('t')('csrf')} message={c.get('t')('csrf')} link={{ href: `${base}/`, label: c.get('t')('navList') }} />,
      403,
    );
  /** Each page states the permission it needs, as each API route does. */
  const allowed = (permission: Permission) => guard({ site, permission, roleBlocked, forged });
  const signedIn = allowed('accidents:read');
  const actorOf = (c: ConsoleContext) => c.get('session')?.user.username ?? '(anonymous)';

  // Every console path (not `*`: that would reach the API's routes mounted beside these).
  for (const path of ['/', '/login', '/logout', '/language', '/search', '/export', '/export.csv', '/reports/*', '/intakes/*']) {
    app.use(path, formLimit, chooseLanguageOf, auditRequests(audit), readSession(site, deps.auth));
  }

  app.get('/login', async (c) => {
    const t = c.get('t');
    const next = safeConsolePath(site, c.req.query('next'));
    if (c.get('session')) return c.redirect(next ?? `${base}/`, 303);
    const notice = c.get('sessionEnded') || c.req.query('ended') ? t('sessionExpired') : c.req.query('out') ? t('signedOut') : undefined;
    return html(c, <LoginPage ctx={await ctx(c)} next={next} notice={notice} />);
  });

  app.post('/login', async (c) => {
    const t = c.get('t');
    // No session yet, so no CSRF token: the browser's Origin (or Sec-Fetch-Site) must be this site.
    if (!sameOrigin(c)) return forged(c);
    const body = await formBody(c);
    const next = safeConsolePath(site, body.next);
    const result = await signIn(
      { store: deps.auth, throttle: deps.throttle, audit },
      {
        username: text(body.username),
        password: text(body.password),
        clientAddress: c.get('clientAddress'),
      },
    );
    if (result.kind !== 'signed-in') {
      const throttled = result.kind === 'throttled';
      if (throttled) c.header('retry-after', String(result.retryAfterSeconds));
      const error = throttled ? t('throttled', { seconds: result.retryAfterSeconds }) : t('badCredentials');
      return html(c, <LoginPage ctx={await ctx(c)} next={next} username={text(body.username)} error={error} />, throttled ? 429 : 401);
    }
    setSessionCookie(c, site, result.token);
    return c.redirect(next ?? `${base}/`, 303);
  });

  app.post('/logout', async (c) => {
    const session = c.get('session');
    if (session) {
      const body = await formBody(c);
      if (!sameOrigin(c) || !csrfMatches(session, body.csrf)) return forged(c);
      await deps.auth.revokeToken(hashToken(session.token));
      await audit.record({ actor: session.user.username, action: 'auth.logout', resource: session.user.username, outcome: 'success' });
    }
    clearSessionCookie(c, site);
    return c.redirect(`${base}/login?out=1`, 303);
  });

  app.get('/language', (c) => {
    const wanted = c.req.query('set');
    if (wanted === 'en' || wanted === 'zh') setLanguageCookie(c, site, wanted);
    return c.redirect(safeConsolePath(site, c.req.query('back')) ?? `${base}/`, 303);
  });

  app.get('/', signedIn, async (c) => {
    const t = c.get('t');
    const requested = c.req.query('date') ?? today();
    const parsed = DateSchema.safeParse(requested);
    const notice = c.req.query('notice') === 'deleted' ? t('noticeDeleted') : undefined;
    if (!parsed.success) {
      const dateError = translateValidation(c.get('language'), 'must be a real date written YYYY-MM-DD');
      return html(
        c,
        <DayListPage ctx={await ctx(c)} date={requested} reports={[]} pageNumber={1} previousHref={undefined} nextHref={undefined} dateError={dateError} />,
        400,
      );
    }
    const date = parsed.data;
    const cursor = c.req.query('cursor') || undefined;
    let beforeId: string | undefined;
    try {
      beforeId = cursor === undefined ? undefined : cursors.decode(cursor, date);
    } catch {
      // A stale or edited page link: start the day from its first page.
      return c.redirect(`${base}/?date=${date}`, 303);
    }
    const page = await reports.page(actorOf(c), date, PAGE_SIZE, beforeId);
    const last = page.items.at(-1);
    const { pageNumber, nextHref, previousHref } = pageLinks(c, `${base}/`, { date }, page.hasMore && last ? cursors.encode(date, last.id) : undefined);
    return html(
      c,
      <DayListPage
        ctx={await ctx(c)}
        date={date}
        reports={page.items}
        pageNumber={pageNumber}
        previousHref={previousHref}
        nextHref={nextHref}
        notice={notice}
      />,
    );
  });

  app.get('/search', signedIn, async (c) => {
    const policyNumber = (c.req.query('policyNumber') ?? '').trim();
    if (policyNumber === '') return c.redirect(`${base}/`, 303);
    const parsed = PolicyNumberSchema.safeParse(policyNumber);
    if (!parsed.success) {
      const error = parsed.error.issues.map((issue) => translateValidation(c.get('language'), issue.message)).join(' ');
      return html(c, <SearchPage ctx={await ctx(c)} policyNumber={policyNumber} reports={[]} error={error} />, 400);
    }
    // Paged like the day's list (a policy may have hundreds of reports), by the API's own cursor.
    const scope = cursors.hiddenScope('policy', normalisePolicyNumber(parsed.data));
    const cursor = c.req.query('cursor') || undefined;
    let beforeId: string | undefined;
    try {
      beforeId = cursor === undefined ? undefined : cursors.decode(cursor, scope);
    } catch {
      return c.redirect(`${base}/search?${new URLSearchParams({ policyNumber }).toString()}`, 303);
    }
    const page = await reports.search(actorOf(c), parsed.data, PAGE_SIZE, beforeId);
    const next = page.hasMore && page.lastId ? cursors.encode(scope, page.lastId) : undefined;
    const pages = pageLinks(c, `${base}/search`, { policyNumber }, next);
    return html(c, <SearchPage ctx={await ctx(c)} policyNumber={policyNumber} reports={page.items} {...pages} />);
  });

  app.get('/export', allowed('accidents:export'), async (c) => html(c, <ExportPage ctx={await ctx(c)} from={today()} to={today()} />));

  app.get('/export.csv', allowed('accidents:export'), async (c) => {
    const t = c.get('t');
    const from = c.req.query('from') ?? '';
    const to = c.req.query('to') ?? '';
    const valid = DateSchema.safeParse(from).success && DateSchema.safeParse(to).success;
    const days = (Date.parse(to) - Date.parse(from)) / 86_400_000;
    if (!valid || days < 0 || days >= MAX_EXPORT_DAYS) {
      const error = !valid
        ? `${t('exportFrom')} / ${t('exportTo')}: ${t('invalidDate')}`
        : days < 0
          ? t('exportRange')
          : t('exportTooLong', { days: MAX_EXPORT_DAYS });
      return html(c, <ExportPage ctx={await ctx(c)} from={from} to={to} error={error} />, 400);
    }
    const requestId = c.get('requestId');
    const stream = csvExportStream({
      readPage: reports.exporter(actorOf(c), { from, to }),
      from,
      to,
      onError: (error) => deps.logger.error({ err: error, requestId }, 'the CSV export failed part-way'),
    });
    return c.body(stream, 200, {
      'content-type': 'text/csv; charset=utf-8',
      'content-disposition': `attachment; filename="crashdesk-${site}-${from}-to-${to}.csv"`,
    });
  });

  app.route('/', createReportRoutes({ site, reports, ctx, allowed, actorOf }));
  app.route('/', createIntakeRoutes({ site, intakes: deps.intakes, ctx, allowed, actorOf }));
  return app;
}
