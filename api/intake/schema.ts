import { z } from '@hono/zod-openapi';
import { AccidentDateSchema } from '../accidents/schema.js';

/** The most a transcript may hold, in UTF-8 bytes; more is 413 (the contract's limit). */
export const MAX_TRANSCRIPT_BYTES = 100 * 1024;

/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/* eslint-enable no-control-regex */

/** Today in the site's time zone: what "yesterday" means when the call's day is not given. */
export function siteToday(timezone: string, now = new Date()): string {
  // en-CA writes dates as YYYY-MM-DD.
  return new Intl.DateTimeFormat('en-CA', { timeZone: timezone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(now);
}

export const NewIntakeSchema = z
  .strictObject({
    transcript: z
      .string()
      .refine((text) => text.trim() !== '', 'must not be empty')
      .refine((text) => text.isWellFormed() && !CONTROL_EXCEPT_WHITESPACE.test(text), 'must be text without control characters (tabs and line breaks are fine)')
      .openapi({
        description: `The call, one turn a line ("Agent: …", "Caller: …"); 1 character to ${MAX_TRANSCRIPT_BYTES} bytes of UTF-8 (more is 413).`,
        example: 'Agent: Claims line, how can I help?\nCaller: I had an accident yesterday on the M23...',
      }),
    callDate: AccidentDateSchema.optional().openapi({ description: 'The day of the call (default: today at the site); relative dates resolve against it.' }),
    language: z.enum(['en', 'zh']).optional().openapi({ description: 'Detected from the transcript when absent.' }),
  })
  .openapi('NewIntake');

export type NewIntakeBody = z.infer<typeof NewIntakeSchema>;

const fieldNames = ['callReason', 'cause', 'drivers', 'policyNumber', 'accidentDate', 'location', 'damages', 'summary'] as const;

export const DraftSchema = z
  .object({
    callReason: z.string().optional(),
    cause: z.string().optional(),
    drivers: z.array(z.string()).optional(),
    policyNumber: z.string().optional(),
    accidentDate: z.string().optional(),
    location: z.string().optional(),
    damages: z.array(z.string()).optional(),
    summary: z.string().optional(),
  })
  .openapi('IntakeDraft', { description: 'The writable report fields the extractor found; a field it could not find is absent.' });

const SpanSchema = z.object({ start: z.number().int(), end: z.number().int() }).openapi('EvidenceSpan', {
  description: 'Characters [start, end) of the transcript (UTF-16 offsets, as JavaScript indexes strings).',
});

export const IntakeSchema = z
  .object({
    id: z.string().openapi({ example: '7263512391163904001' }),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    language: z.enum(['en', 'zh']),
    callDate: z.string(),
    createdAt: z.iso.datetime(),
    createdBy: z.string(),
    attempts: z.number().int(),
    finishedAt: z.iso.datetime().nullable(),
    extractor: z.string().nullable().openapi({ description: '`builtin`, or `llm` when the site asks a language model and it answered.' }),
    draft: DraftSchema.nullable(),
    confidence: z.partialRecord(z.enum(fieldNames), z.number()).nullable().openapi({ description: '0 to 1 per field found: check the low ones first.' }),
    evidence: z.partialRecord(z.enum(fieldNames), z.array(SpanSchema)).nullable().openapi({ description: 'Where in the transcript each value came from.' }),
    error: z.object({ code: z.string(), detail: z.string() }).nullable(),
  })
  .openapi('Intake');

// Any text: an id that cannot name an intake is simply not found (404), like a typed report URL.
export const IntakeIdParamSchema = z.object({ id: z.string().openapi({ param: { name: 'id', in: 'path' }, example: '7263512391163904001' }) });
