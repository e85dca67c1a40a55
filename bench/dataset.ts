import type { SensitiveFields } from '../api/crypto/field-codec.js';
import { CRASHDESK_EPOCH_MS, decodeId } from '../api/ids/snowflake.js';
import type { NewAccident } from '../api/accidents/schema.js';

// The bulk data set is a pure function of the row number, so any row's id, policy or day can be
// recomputed to pick random existing targets without keeping a million ids in memory.

export const BENCH_SITE = 'london';
export const BENCH_SITE_NUMBER = 1;
/** The bulk rows' worker slot: a live site leases slots from 0 up, so it never mints on this one. */
const BULK_WORKER_SLOT = 15;
const DAY_MS = 86_400_000;
const DAYS = 365;
const REPORTS_PER_POLICY = 5;

export interface DatasetShape {
  readonly rows: number;
  readonly days: number;
  readonly policies: number;
  /** Unix ms of the first accident day (UTC midnight). */
  readonly firstDayMs: number;
  /** Unix ms the first bulk id was minted at, and the gap between consecutive ids. */
  readonly firstIdMs: number;
  readonly idStepMs: number;
}

/**
 * Accident days are the 365 days up to yesterday. Ids, which cannot predate the id epoch
 * (2026-01-01), are spread evenly from the epoch to the start of today in row order, so row i is
 * always recorded on or after its accident day, and one day's reports lie close together in id
 * order and on disk, as they would after a year of real traffic.
 */
export function datasetShape(rows: number, nowMs = Date.now()): DatasetShape {
  const todayMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
  const firstIdMs = CRASHDESK_EPOCH_MS + 1000;
  const idStepMs = Math.floor((todayMs - firstIdMs) / rows);
  if (idStepMs < 1) throw new Error(`${rows} rows do not fit one per millisecond between the id epoch and today`);
  return { rows, days: DAYS, policies: Math.max(1, Math.round(rows / REPORTS_PER_POLICY)), firstDayMs: todayMs - DAYS * DAY_MS, firstIdMs, idStepMs };
}

/** lowbias32: a fast integer hash with good avalanche, so rows get independent-looking attributes. */
function hash32(value: number): number {
  let x = value >>> 0;
  x ^= x >>> 16;
  x = Math.imul(x, 0x7feb352d);
  x ^= x >>> 15;
  x = Math.imul(x, 0x846ca68b);
  x ^= x >>> 16;
  return x >>> 0;
}

/** The n-th independent uniform draw in [0, 1) for row i. */
const draw = (row: number, n: number) => hash32(hash32(row) ^ Math.imul(n + 1, 0x9e3779b9)) / 2 ** 32;
const pick = <T>(items: readonly T[], u: number): T => items[Math.floor(u * items.length)] as T;

const WORKER_BITS = BigInt((BENCH_SITE_NUMBER << 4) | BULK_WORKER_SLOT) << 12n;

export function idOf(shape: DatasetShape, row: number): bigint {
  const offsetMs = shape.firstIdMs + row * shape.idStepMs - CRASHDESK_EPOCH_MS;
  return (BigInt(offsetMs) << 22n) | WORKER_BITS;
}

/** Fails loudly if the hand-made ids stopped matching the site's id layout. */
export function assertIdLayout(shape: DatasetShape): void {
  for (const row of [0, shape.rows - 1]) {
    const decoded = decodeId(idOf(shape, row));
    const expectedMs = shape.firstIdMs + row * shape.idStepMs;
    if (decoded.siteNumber !== BENCH_SITE_NUMBER || decoded.workerSlot !== BULK_WORKER_SLOT || decoded.timestamp.getTime() !== expectedMs) {
      throw new Error(`bulk id of row ${row} decodes to ${JSON.stringify(decoded)}`);
    }
  }
}

export function createdAtMs(shape: DatasetShape, row: number): number {
  return shape.firstIdMs + row * shape.idStepMs;
}

/** Most reports arrive the day of the accident or the day after; a few up to six days later. */
export function dayIndexOf(shape: DatasetShape, row: number): number {
  const u = draw(row, 1);
  const lag = u < 0.6 ? 0 : u < 0.85 ? 1 : 2 + Math.floor(((u - 0.85) / 0.15) * 5);
  return Math.max(0, Math.floor((row * shape.days) / shape.rows) - lag);
}

export function dayOf(shape: DatasetShape, dayIndex: number): string {
  return new Date(shape.firstDayMs + dayIndex * DAY_MS).toISOString().slice(0, 10);
}

/** Policies are shared by about five reports each, scattered over the year (and over the table). */
export const policyKeyOf = (shape: DatasetShape, row: number) => Math.floor(draw(row, 2) * shape.policies);

/** Two spellings, so normalisation matters: "AB-004711" and plain six digits. */
export function policyNumberOf(key: number): string {
  return key % 4 === 0 ? `AB-${String(key).padStart(6, '0')}` : String(300_000 + key);
}

const FIRST_NAMES = ['Sarah', 'John', 'Priya', 'Tomasz', 'Aisha', 'Liam', 'Chen', 'Olivia', 'Mohammed', 'Grace', 'Kofi', 'Emma'];
const LAST_NAMES = ['Standl', 'Radley', 'Patel', 'Nowak', 'Okafor', 'Murphy', 'Wei', 'Hughes', 'Khan', 'Evans', 'Mensah', 'Smith'];
const ROADS = ['M23', 'M25', 'A3', 'A40', 'M4', 'A406', 'M1', 'A13', 'High Street', 'Station Road'];
const PLACES = ['near junction 10', 'at the roundabout', 'outside the school', 'by the petrol station', 'in the car park', 'at the traffic lights'];
const CALL_REASONS = ['Report a car accident', 'Report damage to a parked car', 'Follow-up on a reported accident', 'Report a hit and run'];
const CAUSES = [
  'Hit a pothole and struck another car',
  'Rear-ended at a red light',
  'Skidded on ice while braking',
  'Another driver changed lanes without looking',
  'Reversed into a bollard',
  'A deer ran across the road',
];
const DAMAGES = ['headlight broken', 'airbag deployed', 'bumper dented', 'windscreen cracked', 'door scratched', 'wing mirror lost', 'tyre burst'];
const SUMMARY_SENTENCES = [
  'The caller was calm and gave a clear account of what happened.',
  'Police attended the scene and a reference number was given.',
  'No injuries were reported by either party.',
  'The other driver admitted fault at the scene.',
  'Photographs of the damage will be sent by email.',
  'The vehicle was towed to a partner garage for assessment.',
  'A witness left contact details with the caller.',
  'The caller asked for a courtesy car while repairs are made.',
];
const STATUSES = ['open', 'under_review', 'closed', 'closed', 'closed'] as const;

export interface BulkRow {
  readonly id: bigint;
  readonly callReason: string;
  readonly accidentDate: string;
  readonly damages: readonly string[];
  readonly status: (typeof STATUSES)[number];
  readonly createdBy: string;
  readonly createdAtMs: number;
  readonly fields: SensitiveFields;
}

function driversOf(row: number): string[] {
  const count = 1 + Math.floor(draw(row, 3) * 3);
  return Array.from({ length: count }, (_, n) => `${pick(FIRST_NAMES, draw(row, 10 + n))} ${pick(LAST_NAMES, draw(row, 20 + n))}`);
}

function summaryOf(row: number): string {
  const count = 2 + Math.floor(draw(row, 4) * 4);
  return Array.from({ length: count }, (_, n) => pick(SUMMARY_SENTENCES, draw(row, 30 + n))).join(' ');
}

export function bulkRow(shape: DatasetShape, row: number): BulkRow {
  const damages = DAMAGES.filter((_, n) => draw(row, 40 + n) < 0.25);
  return {
    id: idOf(shape, row),
    callReason: pick(CALL_REASONS, draw(row, 5)),
    accidentDate: dayOf(shape, dayIndexOf(shape, row)),
    damages,
    status: pick(STATUSES, draw(row, 6)),
    createdBy: `agent${String(1 + Math.floor(draw(row, 7) * 50)).padStart(3, '0')}`,
    createdAtMs: createdAtMs(shape, row),
    fields: {
      drivers: driversOf(row),
      policyNumber: policyNumberOf(policyKeyOf(shape, row)),
      location: `${pick(ROADS, draw(row, 8))}, ${pick(PLACES, draw(row, 9))}`,
      cause: pick(CAUSES, draw(row, 50)),
      summary: summaryOf(row),
    },
  };
}

/** A valid request body for POST /accidents, varied like the bulk rows; `seed` picks the variant. */
export function newAccidentBody(shape: DatasetShape, seed: number): NewAccident {
  const row = bulkRow(shape, hash32(seed ^ 0x5bd1e995) % shape.rows);
  return {
    callReason: row.callReason,
    cause: row.fields.cause,
    drivers: [...row.fields.drivers],
    policyNumber: row.fields.policyNumber,
    accidentDate: row.accidentDate,
    location: row.fields.location,
    damages: [...row.damages],
    summary: row.fields.summary,
  };
}
