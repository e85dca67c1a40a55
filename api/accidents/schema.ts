import { z } from '@hono/zod-openapi';
import { PageCursorSchema, PageLimitSchema } from '../http/paging.js';
import { parseId } from '../ids/snowflake.js';

// C0 controls and DEL: PostgreSQL cannot store NUL, and the others only ever arrive by mistake
// or malice. Free-text fields may keep tabs and line breaks.
/* eslint-disable no-control-regex -- matching control characters is the point */
const CONTROL = /[\u0000-\u001f\u007f]/;
const CONTROL_EXCEPT_WHITESPACE = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f]/;
/* eslint-enable no-control-regex */

/**
 * The length and count limits of a report's fields, named once so that the console's browser-side
 * checks (which cannot import zod) are rendered from the same numbers the schema enforces.
 */
export const accidentLimits = {
  callReason: 500,
  cause: 2000,
  driver: 200,
  minDrivers: 1,
  maxDrivers: 10,
  policyNumber: 64,
  location: 500,
  damage: 500,
  maxDamages: 50,
  summary: 8000,
} as const;

const line = (max: number) =>
  z
    .string()
    .trim()
    .min(1, 'must not be empty')
    .max(max, `must be at most ${max} characters`)
    .refine((value) => value.isWellFormed() && !CONTROL.test(value), 'must not contain control characters');

const paragraph = (max: number) =>
  z
    .string()
    .trim()
    .max(max, `must be at most ${max} characters`)
    .refine((value) => value.isWellFormed() && !CONTROL_EXCEPT_WHITESPACE.test(value), 'must not contain control characters');

/** Lower case without spaces or hyphens: "AB 12-34" and "ab1234" are the same policy. */
export function normalisePolicyNumber(policyNumber: string): string {
  return policyNumber
    .trim()
    .toLowerCase()
    .replace(/[\s-]+/g, '');
}

/** What a policy number must look like once normalised; the console's form sends it to its browser script. */
export const normalisedPolicyPattern = /^[a-z0-9./]{1,40}$/;

export const PolicyNumberSchema = line(accidentLimits.policyNumber)
  .refine((value) => normalisedPolicyPattern.test(normalisePolicyNumber(value)), {
    message: 'must be 1 to 40 letters or digits (spaces, hyphens, dots and slashes allowed)',
  })
  .openapi({ example: '546452' });

function utcDay(offsetDays = 0): string {
  const now = new Date();
  return new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() + offsetDays)).toISOString().slice(0, 10);
}

export const DateSchema = z.iso.date('must be a real date written YYYY-MM-DD').openapi({ example: '2026-11-20' });

// "Not after tomorrow" leaves room for every time zone ahead of UTC without accepting the future.
export const AccidentDateSchema = DateSchema.refine((day) => day >= '1970-01-01', 'must not be before 1970-01-01').refine(
  (day) => day <= utcDay(1),
  'must not be after tomorrow',
);

export const statuses = ['open', 'under_review', 'closed'] as const;

const drivers = z
  .array(line(accidentLimits.driver))
  .min(accidentLimits.minDrivers, 'must name at least one driver')
  .max(accidentLimits.maxDrivers, `must name at most ${accidentLimits.maxDrivers} drivers`)
  .openapi({ example: ['Sarah Standl', 'John Radley'] });
const damages = z
  .array(line(accidentLimits.damage))
  .max(accidentLimits.maxDamages, `must list at most ${accidentLimits.maxDamages} damages`)
  .openapi({ example: ['headlight broken'] });

const writable = {
  callReason: line(accidentLimits.callReason).openapi({ example: 'Report a car accident' }),
  cause: paragraph(accidentLimits.cause).openapi({ example: 'Hit a pothole and struck another car' }),
  drivers,
  policyNumber: PolicyNumberSchema,
  accidentDate: AccidentDateSchema,
  location: line(accidentLimits.location).openapi({ example: 'M23, near junction 10' }),
  damages,
  summary: paragraph(accidentLimits.summary),
  status: z.enum(statuses),
};

export const NewAccidentSchema = z
  .strictObject({
    callReason: writable.callReason,
    cause: writable.cause.optional(),
    drivers: writable.drivers,
    policyNumber: writable.policyNumber,
    accidentDate: writable.accidentDate,
    location: writable.location,
    damages: writable.damages.optional(),
    summary: writable.summary.optional(),
    intakeId: z
      .string()
      .regex(/^[1-9][0-9]{0,18}$/, 'must be the id of an intake (a decimal 64-bit number)')
      .optional()
      .openapi({ description: 'The intake (POST /intakes) this report was drafted from: kept with the report and on the audit trail.' }),
  })
  .openapi('NewAccident');

export const AccidentPatchSchema = z
  .strictObject({
    callReason: writable.callReason.optional(),
    cause: writable.cause.optional(),
    drivers: writable.drivers.optional(),
    policyNumber: writable.policyNumber.optional(),
    accidentDate: writable.accidentDate.optional(),
    location: writable.location.optional(),
    damages: writable.damages.optional(),
    summary: writable.summary.optional(),
    status: writable.status.optional(),
  })
  .refine((patch) => Object.keys(patch).length > 0, 'must change at least one field')
  .openapi('AccidentPatch');

export const AccidentSchema = z
  .object({
    id: z.string().openapi({ example: '7263512391163904001', description: 'decimal string of a 64-bit id' }),
    site: z.string(),
    version: z.number().int(),
    createdAt: z.iso.datetime(),
    updatedAt: z.iso.datetime(),
    createdBy: z.string(),
    callReason: z.string(),
    cause: z.string(),
    drivers: z.array(z.string()),
    policyNumber: z.string(),
    accidentDate: z.string(),
    location: z.string(),
    damages: z.array(z.string()),
    summary: z.string(),
    status: z.enum(statuses),
  })
  .openapi('Accident');

/** A report id as it appears in a URL: the decimal form of a positive signed 64-bit integer. */
export const ReportIdSchema = z.string().refine((id) => parseId(id) !== undefined, 'must be a report id (a decimal 64-bit number)');

export const IdempotencyHeadersSchema = z.object({
  'idempotency-key': z
    .string()
    .regex(/^[\x21-\x7e]{1,200}$/, 'must be 1 to 200 visible ASCII characters')
    .optional()
    .openapi({ param: { name: 'idempotency-key', in: 'header' }, example: '0b1f7c52-2a4e-4b8e-9a55-1b7c3c9a1e10' }),
});

export const IfMatchHeadersSchema = z.object({
  'if-match': z
    .string()
    .optional()
    .openapi({ param: { name: 'if-match', in: 'header' }, example: '"1"', description: 'the version being changed, quoted' }),
});

export const AccidentIdParamSchema = z.object({
  id: ReportIdSchema.openapi({ param: { name: 'id', in: 'path' }, example: '7263512391163904001' }),
});

export const AccidentListQuerySchema = z
  .strictObject({
    policyNumber: PolicyNumberSchema.optional().openapi({ param: { name: 'policyNumber', in: 'query' } }),
    date: DateSchema.optional().openapi({ param: { name: 'date', in: 'query' } }),
    limit: PageLimitSchema,
    cursor: PageCursorSchema,
  })
  .superRefine((query, ctx) => {
    const byPolicy = query.policyNumber !== undefined;
    const byDate = query.date !== undefined;
    if (byPolicy === byDate) {
      ctx.addIssue({ code: 'custom', path: ['date'], message: 'give exactly one of policyNumber or date' });
    }
  });

/** `limit` when none is given: a day's list pages by 50, a policy lookup by 200 (the API contract). */
export const defaultPageLimits = { date: 50, policyNumber: 200 } as const;

export const AccidentListSchema = z
  .object({ items: z.array(AccidentSchema), nextCursor: z.string().nullable().openapi({ description: 'the next page, or null on the last' }) })
  .openapi('AccidentList');

export type NewAccident = z.infer<typeof NewAccidentSchema>;
export type AccidentPatch = z.infer<typeof AccidentPatchSchema>;
export type Accident = z.infer<typeof AccidentSchema>;
