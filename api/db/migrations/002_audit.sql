-- The audit trail: one row per traceable access (a report read or changed, a login attempt, an
-- account change, a refused request). Rows are only ever appended. Each row's hash covers the
-- previous row's hash and the row's own fields (api/audit/chain.ts), so altering or removing a row
-- behind the application's back breaks the chain, and `npm run audit:verify` finds where.
--
-- Columns never hold a sensitive value of a report (drivers, policy number, location, cause,
-- summary) nor a password: `resource` names what was touched, `details` holds ids, counts,
-- versions and field names only.
create table audit_log (
  -- Appended by audit_append() under an advisory lock, so seq order is chain order. Rolled-back
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
--   grant usage on sequence audit_log_seq_seq to crashdesk_app;  -- audit_append() takes nextval() under the lock
--   (audit_append runs with its caller's rights, so it needs exactly these; it adds no privilege.)
-- Until then the application connects as the owner, so the trigger below is what refuses changes.

-- Appends one entry: takes the chain's lock, reads the newest hash, numbers and timestamps the
-- entry, inserts it chained. One statement, so that outside a caller's transaction the lock is
-- held for no client round trip at all, only for this insert and its commit. The entry's fields
-- arrive both as columns and as `body`, their canonical JSON encoding made by the application
-- (api/audit/chain.ts), which this function frames with the seq and the time it assigns:
--   hash = sha256(prev_hash || utf8('["crashdesk-audit/1","<seq>","<at>",' || body without its '['))
-- Called inside a caller's transaction, the lock is held until that transaction ends.
-- VOLATILE (the default): each statement sees what committed before it, so the newest hash is
-- read after the lock is granted.
create function audit_append(
  p_actor text, p_action text, p_resource text, p_outcome text, p_request_id text,
  p_client_address text, p_details jsonb, p_body text
) returns bigint
language plpgsql as $$
declare
  v_prev bytea;
  v_seq  bigint;
  v_at   timestamptz := clock_timestamp();
begin
  perform pg_advisory_xact_lock(7263512392);
  select hash into v_prev from audit_log order by seq desc limit 1;
  v_prev := coalesce(v_prev, decode(repeat('00', 32), 'hex'));
  v_seq := nextval(pg_get_serial_sequence('audit_log', 'seq'));
  insert into audit_log (seq, at, actor, action, resource, outcome, request_id, client_address, details, prev_hash, hash)
  overriding system value
  values (
    v_seq, v_at, p_actor, p_action, p_resource, p_outcome, p_request_id, p_client_address, p_details, v_prev,
    sha256(v_prev || convert_to(
      '["crashdesk-audit/1","' || v_seq || '","' || to_char(v_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '",'
        || substr(p_body, 2),
      'UTF8'))
  );
  return v_seq;
end;
$$;

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
