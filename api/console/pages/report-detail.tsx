import type { Child } from 'hono/jsx';
import type { Accident } from '../../accidents/schema.js';
import { can } from '../../auth/roles.js';
import type { Translate } from '../i18n.js';
import { Layout, type PageContext } from './layout.js';
import { statusLabel } from './report-list.js';

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

function Items({ t, items }: { t: Translate; items: readonly string[] }) {
  if (items.length === 0) return <>{t('noneGiven')}</>;
  return (
    <ul>
      {items.map((item) => (
        <li>{item}</li>
      ))}
    </ul>
  );
}

/** A report's fields as a definition list; `differs` marks the fields that another version has otherwise. */
export function ReportFields({ t, report, differs = new Set() }: { t: Translate; report: Accident; differs?: ReadonlySet<string> }) {
  const row = (name: keyof Accident, label: string, value: Child) => (
    <>
      <dt class={differs.has(name) ? 'differs' : undefined}>{label}</dt>
      <dd class={differs.has(name) ? 'differs' : undefined}>{value}</dd>
    </>
  );
  return (
    <dl class="report">
      {row('policyNumber', t('policyNumber'), report.policyNumber)}
      {row('accidentDate', t('accidentDate'), report.accidentDate)}
      {row('status', t('status'), statusLabel(t, report.status))}
      {row('callReason', t('callReason'), report.callReason)}
      {row('drivers', t('drivers'), <Items t={t} items={report.drivers} />)}
      {row('location', t('location'), report.location)}
      {row('cause', t('cause'), report.cause || t('noneGiven'))}
      {row('damages', t('damages'), <Items t={t} items={report.damages} />)}
      {row('summary', t('summary'), report.summary || t('noneGiven'))}
    </dl>
  );
}

interface DetailProps {
  readonly ctx: PageContext;
  readonly report: Accident;
  readonly back: string;
  readonly notice?: string;
  readonly clearDraft?: string;
}

export function ReportDetailPage({ ctx, report, back, notice, clearDraft }: DetailProps) {
  const { t, site, session } = ctx;
  const title = t('detailTitle', { id: report.id });
  return (
    <Layout ctx={ctx} title={title} notice={notice} clearDraft={clearDraft}>
      <p>
        <a href={back}>← {t('backToList')}</a>
      </p>
      <h1>{title}</h1>
      <p class="meta">
        {t('recordedBy', { at: when(report.createdAt), user: report.createdBy })} · {t('changedAt', { at: when(report.updatedAt), version: report.version })}
      </p>
      <ReportFields t={t} report={report} />
      <div class="actions">
        {session && can(session.user.role, 'accidents:write') && (
          <a class="button" href={`/${site}/reports/${report.id}/edit?back=${encodeURIComponent(back)}`}>
            {t('edit')}
          </a>
        )}
        {session && can(session.user.role, 'accidents:delete') && (
          <a class="button secondary" href={`/${site}/reports/${report.id}/delete?back=${encodeURIComponent(back)}`}>
            {t('delete')}
          </a>
        )}
      </div>
    </Layout>
  );
}

export function DeleteConfirmPage({ ctx, report, back }: { ctx: PageContext; report: Accident; back: string }) {
  const { t, site, session } = ctx;
  const title = t('deleteTitle', { id: report.id });
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      <p>{t('deleteExplain')}</p>
      <ReportFields t={t} report={report} />
      <form method="post" action={`/${site}/reports/${report.id}/delete`} class="actions">
        <input type="hidden" name="csrf" value={session?.csrf} />
        <input type="hidden" name="back" value={back} />
        <button type="submit" class="danger">
          {t('deleteConfirm')}
        </button>
        <a href={`/${site}/reports/${report.id}?back=${encodeURIComponent(back)}`}>{t('cancel')}</a>
      </form>
    </Layout>
  );
}
