-- Intake assist (api/intake): a call's transcript waiting to be drafted, and the draft. The row is
-- also the job: its status, attempts, next run and lease are the queue, so a job and its intake
-- can never disagree, and a job survives a restart because it is only ever this row.
-- `sealed` holds the transcript (and, once done, the draft with its evidence) sealed by the site's
-- field codec for table `intakes`; nothing else here holds what the caller said.
create table intakes (
  id          bigint primary key,
  created_by  text not null,
  created_at  timestamptz not null default now(),
  language    text not null check (language in ('en', 'zh')),
  call_date   date not null,
  status      text not null default 'queued' check (status in ('queued', 'running', 'done', 'failed')),
  sealed      bytea not null,
  -- Bumped on every seal, bound into the sealed bytes, so an earlier seal copied back does not open.
  version     integer not null default 1,
  attempts    integer not null default 0,
  run_after   timestamptz not null default now(),
  -- A running job belongs to the worker holding `lease_token` until `lease_until`; past it, another
  -- worker may take it again (its holder died), and the old holder's writes no longer match.
  lease_token uuid,
  lease_until timestamptz,
  extractor   text,
  -- Why a job failed, in words that hold no personal data.
  error       jsonb,
  finished_at timestamptz,
  expires_at  timestamptz not null
);
-- What a worker looks for: queued jobs due now, and running ones whose lease ran out.
create index intakes_due on intakes (run_after) where status = 'queued';
create index intakes_leases on intakes (lease_until) where status = 'running';
create index intakes_expires_at on intakes (expires_at);

-- A report recorded from a draft names its intake (not the transcript): the audit trail links them.
alter table accidents add column intake_id bigint;
