-- The audit trail: one row per traceable access (a report read or changed, a login attempt, an
-- account change, a refused request). Rows are only ever appended. Each row's hash covers the
-- previous row's hash and the row's own fields (api/audit/chain.ts), so altering or removing a row
-- behind the application's back breaks the chain, and `npm run audit:verify` finds where.
--
-- Columns never hold a sensitive value of a report (drivers, policy number, location, cause,
-- summary) nor a password: `resource` names what was touched, `details` holds ids, counts,
-- versions and field names only.
create table audit_log (
  -- Appended under an advisory lock (api/audit/store.ts), so seq order is chain order. Rolled-back
  -- appends leave gaps; the chain links rows by hash, never by consecutive numbers.
  seq            bigint generated always as identity primary key,
  at             timestamptz not null,
  actor          text not null,
  action         text not null,
  resource       text not null,
  outcome        text not null check (outcome in ('success', 'failure', 'denied')),
  request_id     text,
  client_address text,
  details        jsonb not null default '{}',
  prev_hash      bytea not null check (octet_length(prev_hash) = 32),
  hash           bytea not null check (octet_length(hash) = 32),
  -- Two rows chained to the same predecessor would fork the chain; refuse that at the source
  -- (it could only happen if an append ran outside the lock or under a stale snapshot).
  constraint audit_log_one_successor unique (prev_hash)
);
-- Newest-first pages (`order by seq desc`, keyset on seq) are a backward scan of the primary key;
-- no other index is needed.

-- Nobody but the owner may change or remove rows. PUBLIC holds none of these by default; the
-- revoke states the intent and undoes any grant a later hand might add.
revoke update, delete, truncate on audit_log from public;
-- When the schema owner and the application's role are split, the application's role gets exactly
-- what appending and reading need, and nothing else, e.g.:
--   grant select, insert on audit_log to crashdesk_app;
--   grant usage on sequence audit_log_seq_seq to crashdesk_app;  -- appends take nextval() under the lock
-- Until then the application connects as the owner, so the trigger below is what refuses changes.

create function audit_log_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'audit_log is append-only: % is refused', tg_op
    using errcode = 'insufficient_privilege',
          hint = 'Audit entries can be added, never changed or removed.';
end;
$$;

-- A statement trigger fires even when no row matches, so every attempt is refused, and it covers
-- TRUNCATE, which row triggers never see.
create trigger audit_log_append_only
  before update or delete or truncate on audit_log
  for each statement execute function audit_log_refuse_change();
-- ALWAYS: also under `session_replication_role = replica`, which otherwise silences triggers.
-- Only the owner can still disable it (ALTER TABLE), which the chain then exposes.
alter table audit_log enable always trigger audit_log_append_only;
