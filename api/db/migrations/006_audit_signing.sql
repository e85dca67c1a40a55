-- audit_append() becomes the only way to add to the audit trail. It runs with its owner's rights
-- (SECURITY DEFINER), so the application's role needs no INSERT on audit_log and gets none
-- (api/db/app-role.ts): it cannot choose an entry's seq, time or hashes, only its content. The
-- function's body, and so the chain's encoding, stay exactly as migration 002 made them.
--
-- A definer's function must not resolve names through its caller's schemas: the path is pinned,
-- with pg_temp last, where no caller's temporary table can shadow audit_log.
alter function audit_append(text, text, text, text, text, text, jsonb, text)
  security definer
  set search_path = pg_catalog, public, pg_temp;

-- PUBLIC may execute any new function by default; only the roles granted it may append.
revoke all on function audit_append(text, text, text, text, text, text, jsonb, text) from public;
revoke insert on audit_log from public;

-- The chain head is signed by the api at least every minute and at shutdown, with a key the
-- database never sees (api/audit/head-signer.ts); each signature is an entry of the chain itself,
-- action 'audit.head_signed', appended through audit_append like any other. Nothing else changes
-- here: a signature's evidence is its key, not anything the database holds.
