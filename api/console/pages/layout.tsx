import type { Child } from 'hono/jsx';
import { can } from '../../auth/roles.js';
import type { Language, Translate } from '../i18n.js';
import type { ConsoleSession } from '../session.js';

/** What every page needs to know about the request it answers. */
export interface PageContext {
  readonly site: string;
  readonly t: Translate;
  readonly language: Language;
  readonly session: ConsoleSession | undefined;
  /** This page's own path and query, for the language switch to come back to. */
  readonly here: string;
  /** Cache-busting versions of the stylesheet and script. */
  readonly assets: { readonly css: string; readonly js: string };
}

export type Section = 'list' | 'new' | 'intake' | 'export' | 'none';

interface LayoutProps {
  readonly ctx: PageContext;
  readonly title: string;
  readonly section?: Section;
  /** A form whose draft the script should now forget (it was recorded). */
  readonly clearDraft?: string;
  readonly notice?: string;
  /** A page waiting for something (a draft being prepared) reloads itself this often, with no script. */
  readonly refreshSeconds?: number;
  readonly children?: Child;
}

export function Layout({ ctx, title, section = 'none', clearDraft, notice, refreshSeconds, children }: LayoutProps) {
  const { site, t, session } = ctx;
  const base = `/${site}`;
  const other: Language = ctx.language === 'en' ? 'zh' : 'en';
  const navLink = (target: Section, href: string, label: string) => (
    <li>
      <a href={href} aria-current={section === target ? 'page' : undefined}>
        {label}
      </a>
    </li>
  );
  return (
    <html lang={ctx.language === 'zh' ? 'zh-Hans' : 'en'}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <meta name="description" content={t('metaDescription')} />
        {/* No icon to fetch: the browser would otherwise ask for /favicon.ico outside the site. */}
        <link rel="icon" href="data:," />
        {refreshSeconds !== undefined && <meta http-equiv="refresh" content={String(refreshSeconds)} />}
        <title>{`${title} · crashdesk ${site}`}</title>
        <link rel="stylesheet" href={`${base}/assets/console.css?v=${ctx.assets.css}`} />
        <script src={`${base}/assets/console.js?v=${ctx.assets.js}`} defer />
      </head>
      <body data-site={site} data-user={session?.user.username} data-clear-draft={clearDraft}>
        <a class="skip" href="#main">
          {t('skip')}
        </a>
        <header class="top">
          <a class="brand" href={`${base}/`}>
            crashdesk <span>{site}</span>
          </a>
          {session && (
            <form class="search" role="search" method="get" action={`${base}/search`}>
              <label for="search">{t('searchLabel')}</label>
              <input id="search" name="policyNumber" type="search" autocomplete="off" maxlength={64} title={t('searchHint')} />
              <button type="submit">{t('searchButton')}</button>
            </form>
          )}
          {session && (
            <nav aria-label={t('mainNav')}>
              <ul>
                {navLink('list', `${base}/`, t('navList'))}
                {can(session.user.role, 'accidents:write') && navLink('new', `${base}/reports/new`, t('navNew'))}
                {can(session.user.role, 'intakes:write') && navLink('intake', `${base}/intakes/new`, t('navIntake'))}
                {can(session.user.role, 'accidents:export') && navLink('export', `${base}/export`, t('navExport'))}
              </ul>
            </nav>
          )}
          <div class="who">
            <a href={`${base}/language?set=${other}&back=${encodeURIComponent(ctx.here)}`} lang={other === 'zh' ? 'zh-Hans' : 'en'} hreflang={other}>
              {t('otherLanguage')}
            </a>
            {session && <span>{t('signedInAs', { user: session.user.username, role: session.user.role })}</span>}
            {session && (
              <form method="post" action={`${base}/logout`} data-logout>
                <input type="hidden" name="csrf" value={session.csrf} />
                <button type="submit" class="secondary">
                  {t('signOut')}
                </button>
              </form>
            )}
          </div>
        </header>
        <main id="main" tabindex={-1}>
          {notice && (
            <p class="notice" role="status">
              {notice}
            </p>
          )}
          {children}
        </main>
      </body>
    </html>
  );
}
