-- Data keys of the envelope encryption, stored only wrapped by the key provider's master key.
-- A sealed report names its data key by id; re-wrapping (rotation) changes only this table.
create table data_keys (
  id           integer generated always as identity primary key,
  provider     text not null,
  wrapped      text not null,
  created_at   timestamptz not null default now(),
  rewrapped_at timestamptz
);

-- Known values sealed or indexed at first start, checked at every start, so a wrong key is a clear
-- error then instead of failed reads later.
create table key_checks (
  name       text primary key,
  value      bytea not null,
  created_at timestamptz not null default now()
);
