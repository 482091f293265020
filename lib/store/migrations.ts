/**
 * The serving store's schema: the same SQL for PGlite and PostgreSQL, applied in order once.
 * decisions = the current answer per business; decision_history = every decision with the date
 * it takes effect (its as-of date); runs = typing runs with their counts; businesses = the
 * register the public searches.
 */
export const MIGRATIONS: readonly { readonly version: number; readonly sql: string }[] = [
  {
    version: 1,
    sql: `
create table businesses (
  credit_code text primary key,
  name text,
  region text not null,
  operator_id text,
  updated_at timestamptz not null default now()
);
create index businesses_name on businesses (name);
create table decisions (
  credit_code text primary key,
  decision_id text not null,
  region text not null,
  ruleset text not null,
  as_of date not null,
  type text not null,
  label text not null,
  mtyx_basic_eligible boolean not null,
  run_id text,
  reasons jsonb not null,
  sources jsonb not null,
  recorded_at timestamptz not null default now()
);
create index decisions_region_type on decisions (region, type);
create table decision_history (
  credit_code text not null,
  decision_id text not null,
  region text not null,
  ruleset text not null,
  effective_from date not null,
  type text not null,
  label text not null,
  mtyx_basic_eligible boolean not null,
  run_id text,
  reasons jsonb not null,
  sources jsonb not null,
  recorded_at timestamptz not null default now(),
  primary key (credit_code, decision_id)
);
create index decision_history_code_date on decision_history (credit_code, effective_from);
create table runs (
  run_id text primary key,
  area text not null,
  as_of date not null,
  ruleset text not null,
  snapshot jsonb not null,
  counts jsonb,
  status text not null,
  started_at timestamptz not null default now(),
  completed_at timestamptz
);
`,
  },
  {
    version: 2,
    sql: `
create table audit_log (
  seq bigint primary key,
  at timestamptz not null,
  subject text not null,
  role text not null,
  action text not null,
  purpose text,
  credit_code text,
  outcome text not null,
  prev_hash text not null,
  hash text not null
);
create table recognitions (
  credit_code text primary key,
  category text not null,
  valid_from date not null,
  valid_until date not null,
  status text not null,
  round_id text not null,
  reason text,
  updated_at timestamptz not null default now()
);
create table disputes (
  id text primary key,
  credit_code text not null,
  filed_by text not null,
  claim text not null,
  status text not null,
  resolution text,
  filed_at timestamptz not null default now(),
  resolved_at timestamptz
)
`,
  },
  {
    // Badge status changes (expired, cancelled, revoked) from getihu.decision.badge. Kept apart
    // from the round's row so that the order in which the two topics are replayed does not
    // matter: a change applies to the recognition it falls within.
    version: 3,
    sql: `
create table recognition_changes (
  event_id text primary key,
  credit_code text not null,
  status text not null,
  category text not null,
  valid_until date not null,
  changed_on date not null,
  reason text not null,
  recorded_at timestamptz not null default now()
);
create index recognition_changes_by_code on recognition_changes (credit_code, changed_on)
`,
  },
  {
    // Banks' webhooks for corrections (gateway/webhooks.ts): one per bank subject, where its
    // deliveries stand, and when to try again. \`id\` changes when the bank registers anew, so a
    // delivery under way for the old registration cannot move the new one's cursor.
    version: 4,
    sql: `
create table webhooks (
  subject text primary key,
  id text not null,
  url text not null,
  secret text not null,
  cursor_at text not null,
  cursor_code text not null,
  cursor_kind int not null,
  failures int not null default 0,
  next_attempt timestamptz not null default now(),
  last_attempt_at timestamptz,
  last_delivered_at timestamptz,
  last_error text,
  created_at timestamptz not null default now()
);
create index webhooks_due on webhooks (next_attempt)
`,
  },
  {
    // Leases of regulator jobs that must not overlap (a province's 名特优新 rounds share one quota
    // ledger): whoever holds an unexpired lease runs; the others wait for it.
    version: 5,
    sql: `
create table job_leases (
  name text primary key,
  holder text not null,
  expires_at timestamptz not null
)
`,
  },
  {
    // Every outcome of every 名特优新 round for a business (getihu.decision.mtyx): its application's
    // outcome with the reasons and clauses, and renewal reviews. With recognition_changes it is
    // the life of a recognition the regulator's explanation shows.
    version: 6,
    sql: `
create table mtyx_outcomes (
  event_id text primary key,
  credit_code text not null,
  round_id text not null,
  year int not null,
  decided_on date,
  outcome text not null,
  category text,
  valid_from date,
  valid_until date,
  explanation text not null,
  reasons jsonb not null,
  recorded_at timestamptz not null default now()
);
create index mtyx_outcomes_by_code on mtyx_outcomes (credit_code, decided_on)
`,
  },
  {
    // The level above's review of a district's filed recognitions (备案; 抽查): confirmed, more
    // material asked for by a date (限期补充材料), or refused (不予认定, which also ends the
    // recognition on getihu.decision.badge).
    version: 7,
    sql: `
create table filing_reviews (
  event_id text primary key,
  credit_code text not null,
  year int not null,
  outcome text not null,
  reviewed_on date not null,
  supplement_by date,
  actor text not null,
  note text not null,
  recorded_at timestamptz not null default now()
);
create index filing_reviews_by_code on filing_reviews (credit_code, reviewed_on)
`,
  },
  {
    // Disputes over a type or a 名特优新 outcome, with the date the reply is due and the region
    // the dispute belongs to (a regulator sees and resolves those of its own region only).
    version: 8,
    sql: `
alter table disputes add column subject text not null default 'type';
alter table disputes add column year int;
alter table disputes add column respond_by date;
alter table disputes add column region text;
create index disputes_by_code on disputes (credit_code, filed_at)
`,
  },
  {
    // Each yearly re-check of a recognition (the sweep): kept, cancelled or expired, with why and
    // the information reports owed and missing or late; one per business and day.
    version: 9,
    sql: `
create table rechecks (
  credit_code text not null,
  checked_on date not null,
  outcome text not null,
  reason text not null,
  reports jsonb not null,
  recorded_at timestamptz not null default now(),
  primary key (credit_code, checked_on)
)
`,
  },
  {
    // Regulators' jobs (runs, rounds, sweeps): accepted at once, executed off the request, their
    // state, progress and result kept here for whoever asks.
    version: 10,
    sql: `
create table jobs (
  id text primary key,
  kind text not null,
  area text not null,
  subject text not null,
  params jsonb not null,
  state text not null,
  progress jsonb,
  result jsonb,
  error jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
)
`,
  },
  {
    // What a business authorised a bank to read (授权): for one purpose, which parts, until when;
    // revocable by the business. Checked on every bank read beyond what is published.
    version: 11,
    sql: `
create table consents (
  id text primary key,
  credit_code text not null,
  bank text not null,
  purpose text not null,
  scope jsonb not null,
  expires_on date not null,
  granted_by text not null,
  granted_at timestamptz not null default now(),
  revoked_at timestamptz
);
create index consents_by_bank on consents (bank, credit_code, purpose)
`,
  },
  {
    // Signed checkpoints of the audit chain's head (gateway/checkpoints.ts): one per head, kept to
    // show who asks; the ones that count are those others kept.
    version: 12,
    sql: `
create table audit_checkpoints (
  seq bigint primary key,
  hash text not null,
  at timestamptz not null,
  token text not null
)
`,
  },
  {
    // A bank's tags from the decision's own columns, without reading its reasons (most of the
    // row): the basic-standard flags, kept by the database itself from the reasons as written.
    version: 13,
    sql: `
alter table decisions add column basic_standard_met boolean generated always as
  (not jsonb_path_exists(reasons, '$[*] ? (@.criterion starts with "basic." && @.met != true)')) stored;
alter table decisions add column no_excluding_penalty boolean generated always as
  (jsonb_path_exists(reasons, '$[*] ? (@.criterion == "mtyx.penalty" && @.met == true)')) stored;
alter table decisions add column operator_not_on_court_list boolean generated always as
  (jsonb_path_exists(reasons, '$[*] ? (@.criterion == "mtyx.court" && @.met == true)')) stored
`,
  },
  {
    // 精准帮扶: what each business is owed by its current typing decision (the support topic), one
    // row a business, the newest decision's measures replacing what it was owed before.
    version: 14,
    sql: `
create table support_owed (
  credit_code text primary key,
  decision_id text not null,
  region text not null,
  as_of date not null,
  type text not null,
  mtyx_basic_eligible boolean not null,
  catalogue text not null,
  run_id text,
  measures jsonb not null,
  if_recognised jsonb not null,
  updated_at timestamptz not null default now()
);
create index support_owed_by_region on support_owed (region, type)
`,
  },
  {
    // 帮扶台账: what each responsible department did with a measure a business is owed.
    version: 15,
    sql: `
create table support_deliveries (
  credit_code text not null,
  measure_id text not null,
  department text not null,
  status text not null,
  on_date date not null,
  note text,
  recorded_by text not null,
  recorded_at timestamptz not null default now(),
  primary key (credit_code, measure_id, department)
)
`,
  },
  {
    // 双随机、一公开: the year's inspection draw of an area, made once from a published seed.
    version: 16,
    sql: `
create table spot_check_draws (
  area text not null,
  year int not null,
  seed text not null,
  catalogue text not null,
  rule jsonb not null,
  summary jsonb not null,
  list jsonb not null,
  drawn_by text not null,
  drawn_at timestamptz not null default now(),
  primary key (area, year)
)
`,
  },
  {
    // The order authorisations were granted in: two grants can carry the same granted_at (the
    // embedded store's clock counts milliseconds), and "the latest granted" must still be one.
    version: 17,
    sql: `alter table consents add column grant_seq bigint generated always as identity`,
  },
  {
    // The order rows were recorded in, for the histories read "latest first" or in recorded order:
    // rows written by one statement share their recorded_at (a transaction's now()), so two
    // changes of one business on one day in one batch — a cancellation and a revocation found the
    // same day, a decision and its adjustment — were otherwise in whatever order a scan met them.
    version: 18,
    sql: `
alter table recognition_changes add column seq bigint generated always as identity;
alter table decision_history add column seq bigint generated always as identity;
alter table filing_reviews add column seq bigint generated always as identity;
alter table mtyx_outcomes add column seq bigint generated always as identity
`,
  },
  {
    // Where a bank's webhook deliveries stand, with the sequence of the change last delivered:
    // changes recorded by one statement share their time, business and kind, and a position
    // without the sequence would skip the rest of them. Null for positions stored before.
    version: 19,
    sql: `alter table webhooks add column cursor_seq bigint`,
  },
  {
    // Results in the order they were published: the history holds each decision every time it
    // became the current one (a corrective run can bring back a decision made before), so a
    // decision id may stand in it more than once, each with its own sequence.
    version: 20,
    sql: `
alter table decision_history drop constraint decision_history_pkey;
create index decision_history_code_id on decision_history (credit_code, decision_id);
create index decision_history_code_seq on decision_history (credit_code, seq)
`,
  },
  {
    // Disputes read one by one and in pages (newest first, by the order they were filed in), and
    // closed by whom: a dispute is claimed by one regulator, whoever else tries at the same moment.
    version: 21,
    sql: `
alter table disputes add column seq bigint generated always as identity;
alter table disputes add column resolved_by text;
create index disputes_by_seq on disputes (seq);
create index disputes_open_by_code on disputes (credit_code, subject) where status = 'open'
`,
  },
  {
    // A revocation's note (names, phone numbers, case ids) stays with the regulators: the status
    // change that reaches banks and platforms carries the ground and the clause only.
    version: 22,
    sql: `
create table revocation_notes (
  credit_code text not null,
  revoked_on date not null,
  ground text not null,
  note text not null,
  actor text not null,
  recorded_at timestamptz not null default now(),
  seq bigint generated always as identity
);
create index revocation_notes_by_code on revocation_notes (credit_code, seq)
`,
  },
  {
    // A draw's seed is the server's, fixed before the draw: a secret made once per area and year,
    // its SHA-256 published in advance, the secret itself published with the draw (commit, reveal).
    version: 23,
    sql: `
create table spot_check_commitments (
  area text not null,
  year int not null,
  secret text not null,
  commitment text not null,
  committed_by text not null,
  committed_at timestamptz not null default now(),
  public_value text,
  primary key (area, year)
)
`,
  },
  {
    // Which runner holds a job: a runner keeps its own jobs fresh while it lives, so a runner that
    // starts fails only the jobs no live runner keeps (another replica's go on).
    version: 24,
    sql: `
alter table jobs add column runner text;
create index jobs_unfinished on jobs (state, updated_at)
`,
  },
  {
    // The year's 名特优新 applications and recommendations and the review steps recorded for them
    // (走访核实, 征求意见, 信息公示, objections), as the fact topics carry them: the regulators'
    // worklist of candidates by review step, before the round decides.
    version: 25,
    sql: `
create table mtyx_applications (
  credit_code text not null,
  year int not null,
  route text not null,
  category text,
  submitted_on date,
  recommender text,
  recorded_at timestamptz not null default now(),
  primary key (credit_code, year)
);
create table mtyx_review_steps (
  credit_code text not null,
  year int not null,
  step text not null,
  step_id text not null,
  on_day date not null,
  until_day date,
  outcome text not null,
  actor text not null,
  note text,
  recorded_at timestamptz not null default now(),
  primary key (credit_code, year, step, step_id)
)
`,
  },
  {
    // Objections the public raises against a 名特优新 candidate while its notice runs (信息公示和
    // 异议处理): kept for the regulator, who records its handling as the candidate's objection step.
    version: 26,
    sql: `
create table mtyx_objections (
  id text primary key,
  credit_code text not null,
  year int not null,
  reason text not null,
  contact text,
  received_at timestamptz not null default now()
);
create index mtyx_objections_by_year on mtyx_objections (year, credit_code)
`,
  },
];
