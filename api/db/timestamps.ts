/**
 * `to_char` format of a timestamp in UTC with its microseconds, fixed width: what the audit chain
 * hashes (`audit_append()` in migration 002 spells the same) and what replication compares, where a
 * JS Date would drop the microseconds. Use as `to_char(at at time zone 'UTC', ${UTC_MICROS})`.
 */
export const UTC_MICROS = 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"';
