-- Appends a batch of entries (the reads and sign-ins a site records outside any transaction, group
-- committed by api/audit/trail.ts) in one call: one lock, one read of the newest hash, one insert.
-- Before this, the batch called audit_append() once per entry, and each call paid for its own
-- SECURITY DEFINER context switch, its own look-up of the chain's head and its own insert
-- statement; the insert alone cost several times what chaining the entry does.
--
-- The entries are chained in the order given, each framed and hashed exactly as audit_append()
-- frames and hashes one, so that `audit:verify` cannot tell how an entry was appended. Each gets
-- its own seq and its own clock_timestamp(), as it would have one by one.
--
-- p_entries: a JSON array of {actor, action, resource, outcome, request_id, client_address,
-- details, body}; body is the canonical encoding of the others (api/audit/chain.ts entryBody).
create function audit_append_all(p_entries jsonb) returns integer
language plpgsql security definer set search_path = pg_catalog, public, pg_temp as $$
declare
  v_sequence regclass := pg_get_serial_sequence('audit_log', 'seq')::regclass;
  v_prev     bytea;
  v_seq      bigint;
  v_at       timestamptz;
  v_body     text;
  v_seqs     bigint[] := '{}';
  v_ats      timestamptz[] := '{}';
  v_prevs    bytea[] := '{}';
begin
  perform pg_advisory_xact_lock(7263512392);
  select hash into v_prev from audit_log order by seq desc limit 1;
  v_prev := coalesce(v_prev, decode(repeat('00', 32), 'hex'));
  -- The hashes are a chain, so they are made one after another; the rows then go in together.
  for v_body in select a.e->>'body' from jsonb_array_elements(p_entries) with ordinality as a(e, n) order by a.n loop
    v_seq := nextval(v_sequence);
    v_at := clock_timestamp();
    v_seqs := v_seqs || v_seq;
    v_ats := v_ats || v_at;
    v_prevs := v_prevs || v_prev;
    v_prev := sha256(v_prev || convert_to(
      '["crashdesk-audit/1","' || v_seq || '","' || to_char(v_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || '",'
        || substr(v_body, 2),
      'UTF8'));
  end loop;
  insert into audit_log (seq, at, actor, action, resource, outcome, request_id, client_address, details, prev_hash, hash)
  overriding system value
  select c.seq, c.at, e->>'actor', e->>'action', e->>'resource', e->>'outcome', e->>'request_id', e->>'client_address',
         e->'details', c.prev,
         -- An entry's hash is its successor's prev_hash; the last one's is the new head.
         coalesce(lead(c.prev) over (order by c.n), v_prev)
  from unnest(v_seqs, v_ats, v_prevs) with ordinality as c(seq, at, prev, n)
  join jsonb_array_elements(p_entries) with ordinality as a(e, n) using (n);
  return cardinality(v_seqs);
end;
$$;

revoke all on function audit_append_all(jsonb) from public;
