import { randomUUID } from 'node:crypto';
import { Hono, type MiddlewareHandler } from 'hono';
import { type Accident, IdempotencyHeadersSchema, ReportIdSchema } from '../accidents/schema.js';
import type { AuditedReports } from '../accidents/audited.js';
import type { Permission } from '../auth/roles.js';
import { formValues, parseNewReport, parseReportEdit, type ReportFormValues } from './form-input.js';
import type { PageContext } from './pages/layout.js';
import { ConflictPage, MessagePage } from './pages/messages.js';
import { DeleteConfirmPage, ReportDetailPage } from './pages/report-detail.js';
import { type ListName, ReportFormPage } from './pages/report-form.js';
import { type ConsoleContext, formBody, html, sessionOf } from './render.js';
import { type ConsoleEnv, safeConsolePath } from './session.js';

export interface ReportRoutesDeps {
  readonly site: string;
  readonly reports: AuditedReports;
  readonly ctx: (c: ConsoleContext) => Promise<PageContext>;
  /** The guard of a page needing `permission`: a session with a role that has it (and CSRF on a POST). */
  readonly allowed: (permission: Permission) => MiddlewareHandler<ConsoleEnv>;
  /** Who the audit trail names for this request. */
  readonly actorOf: (c: ConsoleContext) => string;
}

const today = () => new Date().toISOString().slice(0, 10);
const emptyForm = (): ReportFormValues => ({
  callReason: '',
  cause: '',
  drivers: [],
  policyNumber: '',
  accidentDate: today(),
  location: '',
  damages: [],
  summary: '',
});
const valuesOf = (report: Accident): ReportFormValues => ({ ...report });
const validKey = (key: unknown) => (IdempotencyHeadersSchema.shape['idempotency-key'].safeParse(key).success && typeof key === 'string' ? key : undefined);
// The browser-side draft a new-report form saves to: the blank form's, or one per call it was drafted from.
const draftName = (value: unknown) => (typeof value === 'string' && /^(new|intake-[0-9]{1,20})$/.test(value) ? value : 'new');
const moreRows = (value: unknown): Partial<Record<ListName, number>> | undefined => (value === 'drivers' || value === 'damages' ? { [value]: 1 } : undefined);

/** Opening, recording, editing and deleting one report. */
export function createReportRoutes({ site, reports, ctx, allowed, actorOf }: ReportRoutesDeps) {
  const base = `/${site}`;
  const reader = allowed('accidents:read');
  const writer = allowed('accidents:write');
  const deleter = allowed('accidents:delete');
  const app = new Hono<ConsoleEnv>();
  const backOf = (c: ConsoleContext, value: unknown, report?: Accident) =>
    safeConsolePath(site, value) ?? (report ? `${base}/?date=${report.accidentDate}` : `${base}/`);

  const notFoundPage = async (c: ConsoleContext, id: string) => {
    const t = c.get('t');
    return html(
      c,
      <MessagePage ctx={await ctx(c)} title={t('notFoundTitle')} message={t('notFound', { id })} link={{ href: `${base}/`, label: t('navList') }} />,
      404,
    );
  };

  const readReport = (c: ConsoleContext, id: string): Promise<Accident | undefined> => reports.read(actorOf(c), id);

  const newForm = async (
    c: ConsoleContext,
    values: ReportFormValues,
    options: {
      key?: string;
      errors?: Record<string, readonly string[]>;
      extraRows?: Partial<Record<ListName, number>>;
      formError?: string;
      fresh?: boolean;
      draft?: string;
    } = {},
  ) => {
    const t = c.get('t');
    return ReportFormPage({
      ctx: await ctx(c),
      title: t('newTitle'),
      mode: 'new',
      action: `${base}/reports/new`,
      values,
      errors: options.errors,
      idempotencyKey: options.key ?? randomUUID(),
      draft: options.draft ?? 'new',
      fresh: options.fresh ?? false,
      extraRows: options.extraRows,
      formError: options.formError,
    });
  };

  app.get('/reports/new', writer, async (c) => html(c, await newForm(c, emptyForm(), { fresh: true })));

  app.post('/reports/new', writer, async (c) => {
    const body = await formBody(c);
    const values = formValues(body);
    const key = validKey(body.idempotencyKey);
    const draft = draftName(body._draft);
    const extraRows = moreRows(body._more);
    if (extraRows) return html(c, await newForm(c, values, { key, extraRows, draft }));
    const parsed = parseNewReport(values, c.get('language'));
    if (!parsed.ok) return html(c, await newForm(c, values, { key, errors: parsed.errors, draft }), 400);

    // A second press of the same form carries the same key: recorded once, and the first report shown.
    const result = await reports.create(sessionOf(c).user.username, parsed.value, key);
    if (result.kind === 'idempotency-key-reused') {
      return html(c, await newForm(c, values, { formError: c.get('t')('keyReused'), draft }), 422);
    }
    return c.redirect(`${base}/reports/${result.report.id}?notice=created${draft === 'new' ? '' : `&clear=${draft}`}`, 303);
  });

  app.get('/reports/:id', reader, async (c) => {
    const id = c.req.param('id');
    const report = await readReport(c, id);
    if (!report) return notFoundPage(c, id);
    const t = c.get('t');
    const notice = c.req.query('notice');
    const shown = notice === 'created' ? t('noticeCreated') : notice === 'updated' ? t('noticeUpdated') : undefined;
    const clearDraft = notice === 'created' ? draftName(c.req.query('clear')) : notice === 'updated' ? `edit-${id}` : undefined;
    return html(
      c,
      <ReportDetailPage ctx={await ctx(c)} report={report} back={backOf(c, c.req.query('back'), report)} notice={shown} clearDraft={clearDraft} />,
    );
  });

  const editForm = async (
    c: ConsoleContext,
    id: string,
    values: ReportFormValues,
    version: number,
    back: string,
    options: { errors?: Record<string, readonly string[]>; extraRows?: Partial<Record<ListName, number>>; fresh?: boolean } = {},
  ) =>
    ReportFormPage({
      ctx: await ctx(c),
      title: c.get('t')('editTitle', { id }),
      mode: 'edit',
      action: `${base}/reports/${id}/edit`,
      values,
      version,
      back,
      draft: `edit-${id}`,
      fresh: options.fresh ?? false,
      errors: options.errors,
      extraRows: options.extraRows,
    });

  app.get('/reports/:id/edit', writer, async (c) => {
    const id = c.req.param('id');
    const report = await readReport(c, id);
    if (!report) return notFoundPage(c, id);
    const back = backOf(c, c.req.query('back'), report);
    return html(c, await editForm(c, id, valuesOf(report), report.version, back, { fresh: true }));
  });

  app.post('/reports/:id/edit', writer, async (c) => {
    const id = c.req.param('id');
    if (!ReportIdSchema.safeParse(id).success) return notFoundPage(c, id);
    const body = await formBody(c);
    const values = formValues(body);
    const version = Number(typeof body.version === 'string' ? body.version : NaN);
    const back = backOf(c, body.back);
    if (!Number.isInteger(version) || version < 1) return notFoundPage(c, id);
    const extraRows = moreRows(body._more);
    if (extraRows) return html(c, await editForm(c, id, values, version, back, { extraRows }));
    const parsed = parseReportEdit(values, c.get('language'));
    if (!parsed.ok) return html(c, await editForm(c, id, values, version, back, { errors: parsed.errors }), 400);

    const result = await reports.update(sessionOf(c).user.username, id, version, parsed.value);
    if (result.kind === 'not-found') return notFoundPage(c, id);
    if (result.kind === 'stale') {
      const theirs = await readReport(c, id);
      if (!theirs) return notFoundPage(c, id);
      const yours: Accident = { ...theirs, ...parsed.value, version };
      const page = (
        <ConflictPage
          ctx={await ctx(c)}
          yours={yours}
          yourVersion={version}
          theirs={theirs}
          form={{ mode: 'edit', action: `${base}/reports/${id}/edit`, values, version: theirs.version, back, draft: `edit-${id}`, fresh: false }}
        />
      );
      return html(c, page, 409);
    }
    return c.redirect(`${base}/reports/${id}?notice=updated&back=${encodeURIComponent(back)}`, 303);
  });

  app.get('/reports/:id/delete', deleter, async (c) => {
    const id = c.req.param('id');
    const report = await readReport(c, id);
    if (!report) return notFoundPage(c, id);
    return html(c, <DeleteConfirmPage ctx={await ctx(c)} report={report} back={backOf(c, c.req.query('back'), report)} />);
  });

  app.post('/reports/:id/delete', deleter, async (c) => {
    const id = c.req.param('id');
    if (!(await reports.remove(sessionOf(c).user.username, id))) return notFoundPage(c, id);
    const back = backOf(c, (await formBody(c)).back);
    return c.redirect(`${back}${back.includes('?') ? '&' : '?'}notice=deleted`, 303);
  });

  return app;
}
