/**
 * The highest version a report may reach. The column is a 32-bit integer; a report that changed a
 * billion times is no report, and replication refuses a state beyond this (replication/trust.ts),
 * so neither a peer's state nor a later change can overflow it.
 */
export const MAX_REPORT_VERSION = 1_000_000_000;
