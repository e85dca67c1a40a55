-- HQ's registry of cities (api/replication/registry.ts): besides where a city is, whether it may
-- replicate at all and with which key. A revoked city's requests are refused at once; rotating a
-- city's key moves it to the next version, and the previous one keeps working until its grace ends.
alter table replication_peers
  add column status text not null default 'active' check (status in ('active', 'revoked')),
  add column key_version integer not null default 1 check (key_version >= 1),
  add column previous_key_version integer check (previous_key_version >= 1),
  add column previous_key_until timestamptz,
  -- The version the city last signed with: HQ signs its own requests to the city with that one.
  add column presented_key_version integer not null default 1 check (presented_key_version >= 1),
  add column revoked_at timestamptz;

-- Signatures of internal requests accepted within the signing window: the same signature again is a
-- replay and is refused. Rows outlive the window by nothing; the receiver deletes them as it goes.
create table replication_seen_signatures (
  signature  bytea primary key,
  expires_at timestamptz not null
);
create index replication_seen_signatures_expires_at on replication_seen_signatures (expires_at);
