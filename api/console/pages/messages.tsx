import type { Accident } from '../../accidents/schema.js';
import type { Permission } from '../../auth/roles.js';
import { Layout, type PageContext } from './layout.js';
import { ReportFields } from './report-detail.js';
import { ReportForm, type ReportFormProps } from './report-form.js';

export function MessagePage({ ctx, title, message, link }: { ctx: PageContext; title: string; message: string; link?: { href: string; label: string } }) {
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p role="alert">{message}</p>
      {link && (
        <p>
          <a href={link.href}>{link.label}</a>
        </p>
      )}
    </Layout>
  );
}

export function RoleBlockedPage({ ctx, permission }: { ctx: PageContext; permission: Permission }) {
  const { t, site, session } = ctx;
  const [before, after = ''] = t('roleNeeds').split('{permission}');
  return (
    <Layout ctx={ctx} title={t('roleTitle')}>
      <h1>{t('roleTitle')}</h1>
      <p>
        {before}
        <code>{permission}</code>
        {after}
      </p>
      <p>
        {t('roleExplain', { role: session?.user.role ?? '' })} <a href={`/${site}/docs`}>{t('apiDocs')}</a>
      </p>
    </Layout>
  );
}

export function ExportPage({ ctx, from, to, error }: { ctx: PageContext; from: string; to: string; error?: string }) {
  const { t, site } = ctx;
  return (
    <Layout ctx={ctx} title={t('exportTitle')} section="export">
      <h1>{t('exportTitle')}</h1>
      <p id="export-explain">{t('exportExplain')}</p>
      <p class="error" id="e-export" role="alert">
        {error}
      </p>
      <form method="get" action={`/${site}/export.csv`} class="toolbar" aria-describedby="export-explain">
        <div>
          <label for="from">{t('exportFrom')}</label>
          <input id="from" name="from" type="date" value={from} required aria-describedby="e-export" />
        </div>
        <div>
          <label for="to">{t('exportTo')}</label>
          <input id="to" name="to" type="date" value={to} required aria-describedby="e-export" />
        </div>
        <button type="submit">{t('exportButton')}</button>
      </form>
    </Layout>
  );
}

/** Names of the fields whose values differ between two versions of a report. */
export function differingFields(a: Accident, b: Accident): Set<string> {
  const names = ['policyNumber', 'accidentDate', 'status', 'callReason', 'drivers', 'location', 'cause', 'damages', 'summary'] as const;
  return new Set(names.filter((name) => JSON.stringify(a[name]) !== JSON.stringify(b[name])));
}

interface ConflictProps {
  readonly ctx: PageContext;
  readonly yours: Accident;
  readonly yourVersion: number;
  readonly theirs: Accident;
  readonly form: Omit<ReportFormProps, 'ctx'>;
}

/**
 * A 412 from the store, shown plainly: both versions side by side (differences marked), then the
 * agent's own values in a form bound to the current version, to save them over the other change.
 */
export function ConflictPage({ ctx, yours, yourVersion, theirs, form }: ConflictProps) {
  const { t, site } = ctx;
  const differs = differingFields(yours, theirs);
  return (
    <Layout ctx={ctx} title={t('conflictTitle')}>
      <div class="alert" role="alert">
        <h1>{t('conflictTitle')}</h1>
        <p>{t('conflictExplain', { current: theirs.version, yours: yourVersion })}</p>
      </div>
      <div class="compare">
        <section aria-labelledby="yours">
          <h2 id="yours">{t('conflictYours')}</h2>
          <ReportFields t={t} report={yours} differs={differs} />
        </section>
        <section aria-labelledby="theirs">
          <h2 id="theirs">{t('conflictTheirs', { version: theirs.version })}</h2>
          <ReportFields t={t} report={theirs} differs={differs} />
        </section>
      </div>
      <p>
        <a class="button secondary" href={`/${site}/reports/${theirs.id}`}>
          {t('conflictKeepTheirs')}
        </a>
      </p>
      <h2>{t('editTitle', { id: theirs.id })}</h2>
      <ReportForm ctx={ctx} {...form} submitLabel={t('conflictSaveMine')} />
    </Layout>
  );
}
