-- The site's identity: which site this database belongs to, and the site number that places its
-- id generators in their own slice of the id space. Written once; a mismatch at start is fatal.
create table site_identity (
  singleton   boolean primary key default true check (singleton),
  site        text not null,
  site_number smallint not null check (site_number between 0 and 63),
  created_at  timestamptz not null default now()
);

-- Secrets every replica of the site must share (e.g. the key that signs page cursors).
create table site_secrets (
  name       text primary key,
  value      bytea not null,
  created_at timestamptz not null default now()
);

-- Leases on the site's id-generator worker slots. A slot is held by one live process at a time;
-- last_ms lets a new holder refuse to mint below what the previous holder may already have minted.
create table id_worker_leases (
  worker_slot smallint primary key check (worker_slot between 0 and 15),
  holder      uuid not null,
  expires_at  timestamptz not null,
  last_ms     bigint not null default 0
);

create table accounts (
  username      text primary key check (username ~ '^[a-z0-9][a-z0-9._-]{1,63}$'),
  password_hash text not null,
  role          text not null check (role in ('agent', 'supervisor', 'auditor', 'admin')),
  site          text not null,
  disabled_at   timestamptz,
  created_by    text not null,
  created_at    timestamptz not null default now(),
  updated_by    text not null,
  updated_at    timestamptz not null default now()
);

-- Bearer tokens are stored only as a SHA-256 of the random token, so a dump cannot be replayed.
create table auth_tokens (
  token_hash bytea primary key,
  username   text not null references accounts (username) on delete cascade,
  expires_at timestamptz not null,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index auth_tokens_username on auth_tokens (username);
create index auth_tokens_expires_at on auth_tokens (expires_at);

-- Accident reports. Sensitive fields (drivers, policy number, location, cause, summary) live only
-- in `sealed`, written by the site's field codec; `policy_index` is the codec's lookup key for the
-- normalised policy number, so policy searches never need the plaintext.
create table accidents (
  id            bigint primary key,
  site          text not null,
  version       integer not null default 1 check (version >= 1),
  call_reason   text not null,
  accident_date date not null,
  damages       jsonb not null default '[]',
  status        text not null default 'open' check (status in ('open', 'under_review', 'closed')),
  policy_index  text not null,
  sealed        bytea not null,
  created_by    text not null,
  created_at    timestamptz not null default now(),
  updated_by    text not null,
  updated_at    timestamptz not null default now(),
  deleted_by    text,
  deleted_at    timestamptz
);
-- Serves `?policyNumber=`.
create index accidents_policy_index on accidents (policy_index) where deleted_at is null;
-- Serves `?date=` pages: equality on the day, keyset on id, newest first.
create index accidents_date_id on accidents (accident_date, id desc) where deleted_at is null;

-- Idempotency keys are scoped to the account that sent them and expire. A retry with the same
-- body is answered with the report the first request created; only its id is kept here, so this
-- table never holds a copy of a report's sensitive fields.
create table idempotency_keys (
  username     text not null,
  key          text not null,
  request_hash bytea not null,
  accident_id  bigint,
  created_at   timestamptz not null default now(),
  expires_at   timestamptz not null,
  primary key (username, key)
);
create index idempotency_keys_expires_at on idempotency_keys (expires_at);
