import type { Accident } from '../../accidents/schema.js';
import type { Translate } from '../i18n.js';
import { Layout, type PageContext } from './layout.js';

export const statusLabel = (t: Translate, status: Accident['status']) => t(`status_${status}`);

/** `HH:MM` of an ISO instant, in UTC like the column header says. */
const clock = (iso: string) => iso.slice(11, 16);

interface ReportTableProps {
  readonly ctx: PageContext;
  readonly reports: readonly Accident[];
  readonly caption: string;
  /** The list's own address, so the detail page can lead back to exactly this page. */
  readonly back: string;
}

export function ReportTable({ ctx, reports, caption, back }: ReportTableProps) {
  const { t, site } = ctx;
  return (
    <table>
      <caption class="vh">{caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t('colTime')}</th>
          <th scope="col">{t('colPolicy')}</th>
          <th scope="col">{t('colDrivers')}</th>
          <th scope="col">{t('colLocation')}</th>
          <th scope="col">{t('colStatus')}</th>
        </tr>
      </thead>
      <tbody>
        {reports.map((report) => {
          const href = `/${site}/reports/${report.id}?back=${encodeURIComponent(back)}`;
          return (
            <tr id={`r-${report.id}`} data-href={href}>
              <td>
                <a href={href}>
                  <time datetime={report.createdAt}>{clock(report.createdAt)}</time>
                  <span class="vh">{` ${report.accidentDate}, ${report.policyNumber}`}</span>
                </a>
              </td>
              <td>{report.policyNumber}</td>
              <td>{report.drivers.join(', ')}</td>
              <td>{report.location}</td>
              <td>
                <span class={`status status-${report.status}`}>{statusLabel(t, report.status)}</span>
              </td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}

interface DayListProps {
  readonly ctx: PageContext;
  readonly date: string;
  readonly reports: readonly Accident[];
  readonly pageNumber: number;
  readonly previousHref: string | undefined;
  readonly nextHref: string | undefined;
  readonly dateError?: string;
  readonly notice?: string;
}

interface PageNavProps {
  readonly ctx: PageContext;
  readonly count: number;
  readonly pageNumber: number;
  readonly previousHref: string | undefined;
  readonly nextHref: string | undefined;
}

/** Previous and next links of a paged list, as plain URLs so Back returns to the same page. */
function PageNav({ ctx, count, pageNumber, previousHref, nextHref }: PageNavProps) {
  const { t } = ctx;
  return (
    <nav class="pages" aria-label={t('pagination')}>
      {previousHref && (
        <a href={previousHref} rel="prev">
          {t('listPrevious')}
        </a>
      )}
      <span>
        {t('listPage', { n: pageNumber })} · {t('listCount', { n: count })}
      </span>
      {nextHref && (
        <a href={nextHref} rel="next">
          {t('listNext')}
        </a>
      )}
    </nav>
  );
}

export function DayListPage({ ctx, date, reports, pageNumber, previousHref, nextHref, dateError, notice }: DayListProps) {
  const { t, site } = ctx;
  const title = t('listTitle', { date });
  return (
    <Layout ctx={ctx} title={title} section="list" notice={notice}>
      <div class="toolbar">
        <h1>{title}</h1>
        <form method="get" action={`/${site}/`}>
          <div>
            <label for="date">{t('listDate')}</label>
            <input id="date" name="date" type="date" value={date} required aria-describedby="e-date" aria-invalid={dateError ? 'true' : undefined} />
          </div>
          <button type="submit">{t('listShow')}</button>
        </form>
      </div>
      <p class="error" id="e-date" role="alert">
        {dateError}
      </p>
      {reports.length === 0 ? <p>{t('listNone')}</p> : <ReportTable ctx={ctx} reports={reports} caption={title} back={ctx.here} />}
      <PageNav ctx={ctx} count={reports.length} pageNumber={pageNumber} previousHref={previousHref} nextHref={nextHref} />
    </Layout>
  );
}

interface SearchProps {
  readonly ctx: PageContext;
  readonly policyNumber: string;
  readonly reports: readonly Accident[];
  readonly error?: string;
  readonly pageNumber?: number;
  readonly previousHref?: string;
  readonly nextHref?: string;
}

export function SearchPage({ ctx, policyNumber, reports, error, pageNumber = 1, previousHref, nextHref }: SearchProps) {
  const { t } = ctx;
  const title = t('searchTitle', { policy: policyNumber });
  return (
    <Layout ctx={ctx} title={title}>
      <h1>{title}</h1>
      {error ? (
        <p class="alert" role="alert">
          {t('policyNumber')}: {error}
        </p>
      ) : reports.length === 0 && pageNumber === 1 ? (
        <p role="status">{t('searchNone')}</p>
      ) : (
        <>
          <ReportTable ctx={ctx} reports={reports} caption={title} back={ctx.here} />
          <PageNav ctx={ctx} count={reports.length} pageNumber={pageNumber} previousHref={previousHref} nextHref={nextHref} />
        </>
      )}
    </Layout>
  );
}
