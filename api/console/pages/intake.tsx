import type { Child } from 'hono/jsx';
import type { EvidenceSpan } from '../../intake/extractor.js';
import type { FieldErrors, ReportFormValues } from '../form-input.js';
import type { MessageKey } from '../i18n.js';
import { Layout, type PageContext } from './layout.js';
import { ReportForm } from './report-form.js';

export interface IntakeStartValues {
  readonly transcript: string;
  readonly callDate: string;
  readonly language: string;
}

/** Paste a call (or open one the telephony system posted): the first step of a report drafted from a call. */
export function IntakeStartPage({ ctx, values, errors = {} }: { ctx: PageContext; values: IntakeStartValues; errors?: FieldErrors }) {
  const { t, session, site } = ctx;
  const base = `/${site}`;
  const error = (name: string) => (
    <p class="error" id={`e-${name}`} aria-live="polite">
      {errors[name]?.join(' ')}
    </p>
  );
  return (
    <Layout ctx={ctx} title={t('intakeTitle')} section="intake">
      <h1>{t('intakeTitle')}</h1>
      <p>{t('intakeExplain')}</p>
      <form method="post" action={`${base}/intakes/new`} class="intake-start">
        <input type="hidden" name="csrf" value={session?.csrf} />
        <input type="hidden" name="_page" value={ctx.here} />
        <div class="field">
          <label for="f-transcript">
            {t('intakeTranscript')} <span class="hint">{t('required')}</span>
          </label>
          <textarea
            id="f-transcript"
            name="transcript"
            required
            rows={16}
            aria-describedby="e-transcript"
            aria-invalid={errors.transcript ? 'true' : undefined}
          >
            {values.transcript}
          </textarea>
          {error('transcript')}
        </div>
        <div class="field">
          <label for="f-callDate">{t('intakeCallDate')}</label>
          <p class="hint" id="h-callDate">
            {t('intakeCallDateHint')}
          </p>
          <input id="f-callDate" name="callDate" type="date" value={values.callDate} aria-describedby="h-callDate e-callDate" />
          {error('callDate')}
        </div>
        <div class="field">
          <label for="f-language">{t('intakeLanguage')}</label>
          <select id="f-language" name="language" aria-describedby="e-language">
            {(
              [
                ['', 'intakeDetect'],
                ['en', 'intakeEnglish'],
                ['zh', 'intakeChinese'],
              ] as const
            ).map(([value, label]) => (
              <option value={value} selected={values.language === value}>
                {t(label)}
              </option>
            ))}
          </select>
          {error('language')}
        </div>
        <div class="actions">
          <button type="submit">{t('intakeSubmit')}</button>
        </div>
      </form>
      <form method="get" action={`${base}/intakes/open`} class="intake-open">
        <label for="f-intake-id">{t('intakeOpenLabel')}</label>
        <input id="f-intake-id" name="id" inputmode="numeric" autocomplete="off" maxlength={20} />
        <button type="submit" class="secondary">
          {t('intakeOpen')}
        </button>
      </form>
    </Layout>
  );
}

/** Shown until the draft is ready: the page asks again by itself, so no script is needed. */
export function IntakePendingPage({ ctx, id, status }: { ctx: PageContext; id: string; status: 'queued' | 'running' }) {
  const { t, site } = ctx;
  return (
    <Layout ctx={ctx} title={t('intakePendingTitle')} section="intake" refreshSeconds={1}>
      <h1>{t('intakePendingTitle')}</h1>
      <p role="status" data-intake-status={status}>
        {t('intakePending', { status: t(`status_${status}`) })}
      </p>
      <p>
        <a href={`/${site}/intakes/${id}`}>{t('intakeRefresh')}</a>
      </p>
    </Layout>
  );
}

/** The draft in the new-report form beside the call, each value's source highlighted. */
export function IntakeDraftPage(props: {
  ctx: PageContext;
  id: string;
  transcript: string;
  values: ReportFormValues;
  confidence: Readonly<Partial<Record<string, number>>>;
  evidence: Readonly<Partial<Record<string, readonly EvidenceSpan[]>>>;
  idempotencyKey: string;
  failed?: string;
}) {
  const { ctx, id } = props;
  const { t, site } = ctx;
  return (
    <Layout ctx={ctx} title={props.failed ? t('intakeFailedTitle') : t('intakeDraftTitle')} section="intake">
      <h1>{props.failed ? t('intakeFailedTitle') : t('intakeDraftTitle')}</h1>
      <p class={props.failed ? 'alert' : undefined} role={props.failed ? 'alert' : undefined}>
        {props.failed ? t('intakeFailed', { detail: props.failed }) : t('intakeDraftExplain')}
      </p>
      <div class="intake-draft">
        <ReportForm
          ctx={ctx}
          mode="new"
          action={`/${site}/reports/new`}
          values={props.values}
          idempotencyKey={props.idempotencyKey}
          draft={`intake-${id}`}
          fresh={true}
          drafted={props.confidence}
        />
        <section class="transcript" aria-labelledby="transcript-heading">
          <h2 id="transcript-heading">{t('intakeTranscriptHeading')}</h2>
          <pre tabindex={0}>{highlighted(props.transcript, props.evidence, (field) => t(field as MessageKey))}</pre>
        </section>
      </div>
    </Layout>
  );
}

/** The transcript as text and `<mark>`s, one for each span of evidence (overlapping ones: the first wins). */
function highlighted(transcript: string, evidence: Readonly<Partial<Record<string, readonly EvidenceSpan[]>>>, label: (field: string) => string) {
  const spans = Object.entries(evidence)
    .flatMap(([field, list]) => (list ?? []).map((span) => ({ field, start: Math.max(0, span.start), end: Math.min(transcript.length, span.end) })))
    .filter((span) => span.end > span.start)
    .sort((a, b) => a.start - b.start || b.end - a.end);
  const parts: Child[] = [];
  let at = 0;
  for (const span of spans) {
    if (span.start < at) continue;
    if (span.start > at) parts.push(transcript.slice(at, span.start));
    parts.push(
      <mark data-field={span.field} title={label(span.field)}>
        {transcript.slice(span.start, span.end)}
      </mark>,
    );
    at = span.end;
  }
  parts.push(transcript.slice(at));
  return parts;
}
