-- Replication between HQ and the cities (api/replication/). Every table here holds ids, versions,
-- site names and positions; a report's sensitive fields appear only sealed by this site's codec.

-- The site whose change made a report's current version; null means the site that recorded it.
-- Part of the conflict rule: (version, updated_at, origin site) decides which state wins.
alter table accidents add column origin_site text;

-- The transactional outbox: a row per report change and per peer that must hear of it, inserted in
-- the change's own transaction. It names the report, not its content: the shipper reads and opens
-- the current row when it sends, so no plaintext ever rests here, and several changes of one report
-- waiting together ship as one state.
create table replication_outbox (
  seq         bigint generated always as identity primary key,
  target      text not null,
  report_id   bigint not null,
  enqueued_at timestamptz not null default clock_timestamp()
);
create index replication_outbox_target_seq on replication_outbox (target, seq);

-- HQ: the cities it fans changes out to. Rows come from configuration or from a city registering
-- before its backfill; a change queues one outbox row per row here (but its source).
create table replication_peers (
  site          text primary key,
  url           text,
  registered_at timestamptz not null default now()
);

-- Positions on both ends: `shipped` is the last outbox seq this site delivered to a peer,
-- `applied` the last seq of a peer's outbox this site applied, `backfilled` marks a city's finished
-- snapshot (position = the number of reports it applied). Informational and for lag: apply is
-- idempotent by the conflict rule, never by these positions, since several replicas ship at once.
create table replication_checkpoints (
  peer      text not null,
  direction text not null check (direction in ('shipped', 'applied', 'backfilled')),
  position  bigint not null default 0,
  at        timestamptz not null default now(),
  primary key (peer, direction)
);

-- States a replicated change displaced, and replicated states that lost the conflict rule: a
-- report's history, sealed by this site's codec like the report itself.
create table accident_history (
  report_id     bigint not null,
  version       integer not null,
  origin_site   text not null,
  outcome       text not null check (outcome in ('superseded', 'rejected')),
  call_reason   text not null,
  accident_date date not null,
  damages       jsonb not null,
  status        text not null,
  sealed        bytea not null,
  updated_by    text not null,
  updated_at    timestamptz not null,
  deleted_at    timestamptz,
  recorded_at   timestamptz not null default now(),
  primary key (report_id, version, origin_site)
);

-- History is evidence of what a conflict threw away: only ever appended, like the audit trail.
create function accident_history_refuse_change() returns trigger
language plpgsql as $$
begin
  raise exception 'accident_history is append-only: % is refused', tg_op using errcode = 'insufficient_privilege';
end;
$$;
create trigger accident_history_append_only
  before update or delete or truncate on accident_history
  for each statement execute function accident_history_refuse_change();
alter table accident_history enable always trigger accident_history_append_only;
