/**
 * `to_char` format of a timestamp in UTC with its microseconds, fixed width: what the audit chain
 * hashes (`audit_append()` in migration 002 spells the same) and what replication compares, where a
 * JS Date would drop the microseconds. Use as `to_char(at at time zone 'UTC', ${UTC_MICROS})`.
 */
export const UTC_MICROS = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';

/**
 * `to_char` format of a timestamp in UTC to the millisecond: exactly what `Date.toISOString()` gives
 * (both truncate), so a row's times can reach the JSON as PostgreSQL wrote them, without a Date
 * parsed and formatted again for each. Use as `to_char(at at time zone 'UTC', ${UTC_MILLIS})`.
 */
export const UTC_MILLIS = 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"';
