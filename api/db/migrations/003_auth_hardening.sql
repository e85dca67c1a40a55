-- Sliding expiry: `expires_at` now moves forward while a token is used (the idle timeout), and
-- `max_expires_at` is the absolute end that no amount of use extends. Tokens issued before this
-- migration keep the end they were given.
alter table auth_tokens add column max_expires_at timestamptz;
update auth_tokens set max_expires_at = expires_at;
alter table auth_tokens alter column max_expires_at set not null;

-- Login attempts counted per username and per client address. It lives in the database because
-- every replica of a site must see the same counts, or an attacker would simply spread guesses
-- across replicas. An attempt is counted before its password is checked (so a burst of parallel
-- guesses cannot slip past the count) and a success takes it back. `blocked_until` is the end of
-- the current back-off; a row whose last attempt is older than the configured window starts afresh.
create table login_throttle (
  scope           text not null check (scope in ('username', 'client')),
  key             text not null check (length(key) between 1 and 100),
  failures        integer not null default 0 check (failures >= 0),
  last_failure_at timestamptz,
  blocked_until   timestamptz,
  primary key (scope, key)
);
create index login_throttle_last_failure_at on login_throttle (last_failure_at);
