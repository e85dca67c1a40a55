import type { ReportPage } from '../accidents/audited.js';
import type { Accident } from '../accidents/schema.js';

// A spreadsheet runs a cell that starts with one of these as a formula (OWASP "CSV injection").
const FORMULA_START = /^[=+\-@\t\r]/;

/** One RFC 4180 field: formula-looking text made inert with a leading quote, then quoted if needed. */
export function csvField(value: string | number): string {
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export const csvLine = (fields: readonly (string | number)[]) => `${fields.map(csvField).join(',')}\r\n`;

export const CSV_COLUMNS = [
  'id',
  'site',
  'version',
  'createdAt',
  'updatedAt',
  'createdBy',
  'accidentDate',
  'status',
  'policyNumber',
  'callReason',
  'cause',
  'drivers',
  'location',
  'damages',
  'summary',
] as const;

export function csvRecord(report: Accident): string {
  return csvLine(
    CSV_COLUMNS.map((column) => {
      const value = report[column];
      return Array.isArray(value) ? value.join('; ') : value;
    }),
  );
}

/** Every day from `from` to `to` inclusive, as YYYY-MM-DD. */
export function* eachDay(from: string, to: string): Generator<string> {
  for (let day = new Date(`${from}T00:00:00Z`); day.toISOString().slice(0, 10) <= to; day.setUTCDate(day.getUTCDate() + 1)) {
    yield day.toISOString().slice(0, 10);
  }
}

export interface CsvExportOptions {
  /** One keyset page of a day (the audited exporter of accidents/audited.ts, which names every report that leaves). */
  readonly readPage: (day: string, limit: number, beforeId?: string) => Promise<ReportPage>;
  readonly from: string;
  readonly to: string;
  readonly pageSize?: number;
  readonly onError: (error: unknown) => void;
}

/**
 * The reports of a date range as a CSV stream: day by day, each day in the store's keyset pages,
 * one page read only when the client has taken the previous one (the stream's pull), so memory
 * stays at one page whatever the size of the export.
 */
export function csvExportStream({ readPage, from, to, pageSize = 500, onError }: CsvExportOptions): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const days = eachDay(from, to);
  let day = days.next();
  let beforeId: string | undefined;
  return new ReadableStream<Uint8Array>(
    {
      start(controller) {
        // The byte-order mark lets spreadsheet programs read the UTF-8 (names in any script).
        controller.enqueue(encoder.encode(`\uFEFF${csvLine(CSV_COLUMNS)}`));
      },
      async pull(controller) {
        try {
          while (!day.done) {
            const page = await readPage(day.value, pageSize, beforeId);
            const last = page.items.at(-1);
            if (page.hasMore && last) beforeId = last.id;
            else {
              day = days.next();
              beforeId = undefined;
            }
            if (page.items.length > 0) {
              controller.enqueue(encoder.encode(page.items.map(csvRecord).join('')));
              return;
            }
          }
          controller.close();
        } catch (error) {
          onError(error);
          controller.error(new Error('the CSV export failed part-way', { cause: error }));
        }
      },
    },
    { highWaterMark: 1 },
  );
}
