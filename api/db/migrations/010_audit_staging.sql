-- A report's change no longer holds the audit chain's lock until its transaction commits. Its entry
-- is staged in the change's own transaction (so the two still commit or roll back together) and a
-- chainer links committed staged entries into audit_log afterwards, many under one lock and one
-- commit (api/audit/trail.ts). Before this, every create, update and delete of a site waited in one
-- line for the lock, held across its own insert, outbox write and commit.
--
-- Staged rows are the chain's inbox, not part of the record: seq, prev_hash and hash are given when
-- chained. `at` is the time of staging, the time of the change; a staged entry may be chained after
-- one staged later (its transaction committed later), so `at` is not monotonic in seq, as it never
-- promised to be across concurrent transactions.
create table audit_staged (
  id             bigint generated always as identity primary key,
  at             timestamptz not null,
  actor          text not null,
  action         text not null,
  resource       text not null,
  outcome        text not null check (outcome in ('success', 'failure', 'denied')),
  request_id     text,
  client_address text,
  details        jsonb not null,
  -- The canonical encoding of the fields above (api/audit/chain.ts entryBody), framed when chained.
  body           text not null
);
revoke all on audit_staged from public;

-- The only way to stage: the caller chooses the content, never the time or the order.
create function audit_stage(
  p_actor text, p_action text, p_resource text, p_outcome text, p_request_id text,
  p_client_address text, p_details jsonb, p_body text
) returns void
language sql security definer set search_path = pg_catalog, public, pg_temp as $$
  insert into audit_staged (at, actor, action, resource, outcome, request_id, client_address, details, body)
  values (clock_timestamp(), p_actor, p_action, p_resource, p_outcome, p_request_id, p_client_address, p_details, p_body);
$$;

-- Chains up to p_limit committed staged entries, oldest staged first, under the lock audit_append
-- takes, framed and hashed exactly as audit_append does; returns how many it chained. Entries of
-- transactions still open are invisible here and wait for a later call.
create function audit_chain_staged(p_limit integer) returns integer
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_prev  bytea;
  v_seq   bigint;
  v_count integer := 0;
  r       audit_staged;
begin
  perform pg_advisory_xact_lock(7263512392);
  select hash into v_prev from audit_log order by seq desc limit 1;
  v_prev := coalesce(v_prev, decode(repeat('00', 32), 'hex'));
  for r in select * from audit_staged order by id limit p_limit for update loop
    v_seq := nextval(pg_get_serial_sequence('audit_log', 'seq'));
    insert into audit_log (seq, at, actor, action, resource, outcome, request_id, client_address, details, prev_hash, hash)
    overriding system value
    values (
      v_seq, r.at, r.actor, r.action, r.resource, r.outcome, r.request_id, r.client_address, r.details, v_prev,
      sha256(v_prev || convert_to(
        '["crashdesk-audit/1","' || v_seq || '","' || to_char(r.at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '",'
          || substr(r.body, 2),
        'UTF8'))
    )
    returning hash into v_prev;
    delete from audit_staged where id = r.id;
    v_count := v_count + 1;
  end loop;
  return v_count;
end;
$$;

revoke all on function audit_stage(text, text, text, text, text, text, jsonb, text) from public;
revoke all on function audit_chain_staged(integer) from public;
