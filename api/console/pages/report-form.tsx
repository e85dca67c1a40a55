import { accidentLimits, normalisedPolicyPattern, statuses } from '../../accidents/schema.js';
import type { FieldErrors, ReportFormValues } from '../form-input.js';
import { type Language, type MessageKey, translateValidation } from '../i18n.js';
import { Layout, type PageContext } from './layout.js';

export type ListName = 'drivers' | 'damages';

export interface ReportFormProps {
  readonly ctx: PageContext;
  readonly mode: 'new' | 'edit';
  readonly action: string;
  readonly values: ReportFormValues;
  readonly errors?: FieldErrors;
  /** New reports: the key that makes a second submission of this form replay the first. */
  readonly idempotencyKey?: string;
  /** Edits: the version the agent is changing (sent as If-Match). */
  readonly version?: number;
  /** The draft this form saves to in the browser (`new`, `edit-<id>`). */
  readonly draft: string;
  /** A first render (not a re-render after a submission): a saved draft may be restored into it. */
  readonly fresh: boolean;
  /** Extra empty rows asked for with the "more rows" button (no script needed). */
  readonly extraRows?: Partial<Record<ListName, number>>;
  readonly formError?: string;
  readonly submitLabel?: string;
  readonly back?: string;
  /** A form filled from a call's draft: how sure the extractor was of each field it filled (0 to 1). */
  readonly drafted?: Readonly<Partial<Record<string, number>>>;
}

const tomorrow = () => new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

/**
 * The server's rules for the browser's checks: limits from api/accidents/schema.ts, messages as
 * the schema words them (translated), so both sides refuse the same input with the same words.
 */
function browserRules(language: Language) {
  const say = (message: string) => translateValidation(language, message);
  const line = (max: number, required: boolean) => ({ line: true, required, max });
  return {
    rules: {
      callReason: line(accidentLimits.callReason, true),
      // The pattern itself travels, so the browser cannot drift from the schema.
      policyNumber: { ...line(accidentLimits.policyNumber, true), policy: normalisedPolicyPattern.source },
      accidentDate: { line: true, required: true, date: true, min: '1970-01-01', maxDate: tomorrow() },
      location: line(accidentLimits.location, true),
      drivers: {
        list: true,
        minItems: accidentLimits.minDrivers,
        maxItems: accidentLimits.maxDrivers,
        tooFew: say('must name at least one driver'),
        tooMany: say(`must name at most ${accidentLimits.maxDrivers} drivers`),
        item: line(accidentLimits.driver, true),
      },
      damages: {
        list: true,
        minItems: 0,
        maxItems: accidentLimits.maxDamages,
        tooFew: '',
        tooMany: say(`must list at most ${accidentLimits.maxDamages} damages`),
        item: line(accidentLimits.damage, true),
      },
      cause: { max: accidentLimits.cause },
      summary: { max: accidentLimits.summary },
    },
    messages: {
      empty: say('must not be empty'),
      tooLong: say('must be at most {n} characters'),
      control: say('must not contain control characters'),
      policy: say('must be 1 to 40 letters or digits (spaces, hyphens, dots and slashes allowed)'),
      date: say('must be a real date written YYYY-MM-DD'),
      dateMin: say('must not be before 1970-01-01'),
      dateFuture: say('must not be after tomorrow'),
    },
  };
}

export function ReportForm(props: ReportFormProps) {
  const { ctx, mode, values, errors = {}, extraRows = {} } = props;
  const { t, session, language } = ctx;
  const { rules, messages } = browserRules(language);
  const invalid = Object.keys(errors).length > 0;

  const errorSlot = (name: string) => (
    <p class="error" id={`e-${name}`} aria-live="polite">
      {errors[name]?.join(' ')}
    </p>
  );
  const drafted = props.drafted ?? {};
  const describedBy = (name: string, hint?: boolean) =>
    [drafted[name] !== undefined ? `d-${name}` : '', hint ? `h-${name}` : '', `e-${name}`].filter(Boolean).join(' ');
  // A field filled from the call says so, and how sure the draft was, until the agent has checked it.
  const draftedMark = (name: string) =>
    drafted[name] !== undefined && (
      <span class="drafted" id={`d-${name}`}>
        {t('intakeDrafted', { percent: Math.round((drafted[name] ?? 0) * 100) })}
      </span>
    );
  const input = (name: 'callReason' | 'policyNumber' | 'location', max: number, hint?: MessageKey) => (
    <div class="field">
      <label for={`f-${name}`}>
        {t(name)} <span class="hint">{t('required')}</span> {draftedMark(name)}
      </label>
      {hint && (
        <p class="hint" id={`h-${name}`}>
          {t(hint)}
        </p>
      )}
      <input
        id={`f-${name}`}
        name={name}
        value={values[name]}
        required
        maxlength={max}
        autocomplete="off"
        aria-describedby={describedBy(name, Boolean(hint))}
        aria-invalid={errors[name] ? 'true' : undefined}
      />
      {errorSlot(name)}
    </div>
  );
  const textarea = (name: 'cause' | 'summary', max: number) => (
    <div class="field">
      <label for={`f-${name}`}>
        {t(name)} {draftedMark(name)}
      </label>
      <textarea id={`f-${name}`} name={name} maxlength={max} aria-describedby={describedBy(name)} aria-invalid={errors[name] ? 'true' : undefined}>
        {values[name]}
      </textarea>
      {errorSlot(name)}
    </div>
  );
  const list = (name: ListName, itemKey: 'driverN' | 'damageN', max: number, min: number, hint: MessageKey, required: boolean) => {
    const given = values[name];
    const rows = Math.min(max, Math.max(given.length, min) + (extraRows[name] ?? 0));
    const items = Array.from({ length: Math.max(rows, 1) }, (_, i) => given[i] ?? '');
    return (
      <fieldset data-list={name} data-max={max} data-item-label={t(itemKey)} data-remove={t('remove')} aria-describedby={describedBy(name, true)}>
        <legend>
          {t(name)} {required && <span class="hint">{t('required')}</span>} {draftedMark(name)}
        </legend>
        <p class="hint" id={`h-${name}`}>
          {t(hint, { max })}
        </p>
        <ol>
          {items.map((value, i) => (
            <li>
              <label for={`f-${name}-${i}`}>{t(itemKey, { n: i + 1 })}</label>
              <input
                id={`f-${name}-${i}`}
                name={name}
                value={value}
                maxlength={name === 'drivers' ? accidentLimits.driver : accidentLimits.damage}
                autocomplete="off"
                aria-invalid={errors[name] ? 'true' : undefined}
                aria-describedby={`e-${name}`}
              />
            </li>
          ))}
        </ol>
        {errorSlot(name)}
        <button type="submit" name="_more" value={name} class="secondary" data-add formnovalidate>
          {t(name === 'drivers' ? 'addDriver' : 'addDamage')}
        </button>
      </fieldset>
    );
  };

  return (
    <form
      method="post"
      action={props.action}
      data-report-form
      data-draft={props.draft}
      data-fresh={props.fresh ? 'true' : 'false'}
      data-rules={JSON.stringify(rules)}
      data-messages={JSON.stringify(messages)}
    >
      <input type="hidden" name="csrf" value={session?.csrf} />
      <input type="hidden" name="_page" value={ctx.here} />
      {props.back && <input type="hidden" name="back" value={props.back} />}
      {props.idempotencyKey && <input type="hidden" name="idempotencyKey" value={props.idempotencyKey} />}
      {props.version !== undefined && <input type="hidden" name="version" value={String(props.version)} />}
      {props.values.intakeId && <input type="hidden" name="intakeId" value={props.values.intakeId} />}
      <input type="hidden" name="_draft" value={props.draft} />
      {/* Enter in a field submits with the first submit button: this one, not "add a driver". */}
      <button type="submit" class="vh" tabindex={-1} aria-hidden="true">
        {props.submitLabel ?? t(mode === 'new' ? 'save' : 'update')}
      </button>
      <div class="alert" role="alert" data-summary hidden={!invalid && !props.formError}>
        <h2>{props.formError ?? t('errorsSummary')}</h2>
        {invalid && (
          <ul>
            {Object.entries(errors).map(([name, list]) => (
              <li>
                <a href={`#${name === 'drivers' || name === 'damages' ? `f-${name}-0` : `f-${name}`}`}>
                  {t(name as MessageKey)}: {list.join(' ')}
                </a>
              </li>
            ))}
          </ul>
        )}
      </div>
      <p class="notice" data-draft-note hidden>
        {t('draftRestored')}{' '}
        <button type="button" class="secondary">
          {t('discardDraft')}
        </button>
      </p>
      {input('policyNumber', accidentLimits.policyNumber, 'hintPolicy')}
      <div class="field">
        <label for="f-accidentDate">
          {t('accidentDate')} <span class="hint">{t('required')}</span> {draftedMark('accidentDate')}
        </label>
        <p class="hint" id="h-accidentDate">
          {t('hintDate')}
        </p>
        <input
          id="f-accidentDate"
          name="accidentDate"
          type="date"
          value={values.accidentDate}
          required
          min="1970-01-01"
          max={tomorrow()}
          aria-describedby={describedBy('accidentDate', true)}
          aria-invalid={errors.accidentDate ? 'true' : undefined}
        />
        {errorSlot('accidentDate')}
      </div>
      {input('callReason', accidentLimits.callReason)}
      {list('drivers', 'driverN', accidentLimits.maxDrivers, 2, 'hintDrivers', true)}
      {input('location', accidentLimits.location)}
      {textarea('cause', accidentLimits.cause)}
      {list('damages', 'damageN', accidentLimits.maxDamages, 2, 'hintDamages', false)}
      {textarea('summary', accidentLimits.summary)}
      {mode === 'edit' && (
        <div class="field">
          <label for="f-status">{t('status')}</label>
          <select id="f-status" name="status" aria-describedby="e-status">
            {statuses.map((status) => (
              <option value={status} selected={values.status === status}>
                {t(`status_${status}`)}
              </option>
            ))}
          </select>
          {errorSlot('status')}
        </div>
      )}
      <div class="actions">
        <button type="submit">{props.submitLabel ?? t(mode === 'new' ? 'save' : 'update')}</button>
        {props.back && <a href={props.back}>{t('cancel')}</a>}
      </div>
    </form>
  );
}

export function ReportFormPage(props: ReportFormProps & { readonly title: string }) {
  return (
    <Layout ctx={props.ctx} title={props.title} section={props.mode === 'new' ? 'new' : 'none'}>
      <h1>{props.title}</h1>
      <ReportForm {...props} />
    </Layout>
  );
}
