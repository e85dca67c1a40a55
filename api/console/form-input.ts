import type { z } from '@hono/zod-openapi';
import { AccidentPatchSchema, type AccidentPatch, NewAccidentSchema, type NewAccident } from '../accidents/schema.js';
import { type Language, translateValidation } from './i18n.js';

/** A submitted form's fields as the agent typed them (lists keep their empty rows for re-display). */
export interface ReportFormValues {
  readonly callReason: string;
  readonly cause: string;
  readonly drivers: readonly string[];
  readonly policyNumber: string;
  readonly accidentDate: string;
  readonly location: string;
  readonly damages: readonly string[];
  readonly summary: string;
  readonly status?: string;
  /** A report drafted from a call: the intake it came from. */
  readonly intakeId?: string;
}

/** Messages by field name (`drivers`, `policyNumber`, ...), shown beside the field. */
export type FieldErrors = Readonly<Record<string, readonly string[]>>;

export type FormBody = Record<string, string | File | (string | File)[]>;

const text = (value: unknown): string => (typeof value === 'string' ? value : '');
const texts = (value: unknown): string[] => (Array.isArray(value) ? value.map(text) : value === undefined ? [] : [text(value)]);

export function formValues(body: FormBody): ReportFormValues {
  return {
    callReason: text(body.callReason),
    cause: text(body.cause),
    drivers: texts(body.drivers),
    policyNumber: text(body.policyNumber),
    accidentDate: text(body.accidentDate),
    location: text(body.location),
    damages: texts(body.damages),
    summary: text(body.summary),
    ...(body.status !== undefined && { status: text(body.status) }),
    ...(text(body.intakeId) !== '' && { intakeId: text(body.intakeId) }),
  };
}

// Empty rows of a list are unused slots of the form, not empty names.
const filled = (items: readonly string[]) => items.filter((item) => item.trim() !== '');

export type Parsed<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly errors: FieldErrors };

/** The fields both forms share, as the API's schemas expect them. */
function reportInput(values: ReportFormValues) {
  return {
    callReason: values.callReason,
    cause: values.cause,
    drivers: filled(values.drivers),
    policyNumber: values.policyNumber,
    accidentDate: values.accidentDate,
    location: values.location,
    damages: filled(values.damages),
    summary: values.summary,
  };
}

/** Validates a new report with the API's own schema. */
export function parseNewReport(values: ReportFormValues, language: Language): Parsed<NewAccident> {
  return toParsed(NewAccidentSchema.safeParse({ ...reportInput(values), ...(values.intakeId && { intakeId: values.intakeId }) }), language);
}

/** The edit form sends every writable field; the schema that checks a PATCH checks it. */
export function parseReportEdit(values: ReportFormValues, language: Language): Parsed<AccidentPatch> {
  const input = { ...reportInput(values), status: values.status };
  return toParsed(AccidentPatchSchema.safeParse(input), language);
}

function toParsed<T>(result: z.ZodSafeParseResult<T>, language: Language): Parsed<T> {
  if (result.success) return { ok: true, value: result.data };
  const errors: Record<string, string[]> = {};
  for (const issue of result.error.issues) {
    const [field = 'form', index] = issue.path.map(String);
    let message = issue.message;
    if (issue.code === 'invalid_type' && message.endsWith('received undefined')) message = 'is required';
    if (issue.code === 'invalid_value' && field === 'status') message = `must be one of the listed values`;
    message = translateValidation(language, message);
    // An item of a list: say which one, numbered as the agent sees them.
    const shown = index === undefined ? message : `${Number(index) + 1}: ${message}`;
    (errors[field] ??= []).push(shown);
  }
  return { ok: false, errors };
}
