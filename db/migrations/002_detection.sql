-- Adoption detection (FR-1, FR-2): usage rollups, evaluations per as-of day, stage history, stall episodes,
-- segment benchmarks. The import keeps the rollups current; `detect` (CLI or the scheduled detection workflow) writes
-- the rest with a few set-based statements per batch of customers. All days are UTC days.

-- FR-1.1 daily rollup of usage_events per customer, feature and UTC day (recomputed from the events for every day an
-- import touches, so re-importing is harmless). A day with only an `activated` event has used_events = 0.
CREATE TABLE usage_daily (
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  day DATE NOT NULL,
  used_events INTEGER NOT NULL DEFAULT 0,       -- sum of `count` over `used` events
  activation_events INTEGER NOT NULL DEFAULT 0, -- sum of `count` over `activated` events
  active_users INTEGER NOT NULL DEFAULT 0,      -- distinct users with a `used` event (no userId counts as one user)
  first_activated_at TIMESTAMPTZ,
  first_used_at TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (customer_id, feature_id, day)
);
CREATE INDEX usage_daily_customer_day ON usage_daily (customer_id, day);

-- Distinct users per customer, feature and day ('' = events without a userId): breadth over any window is a
-- COUNT(DISTINCT) over this table, which is much smaller than the events.
CREATE TABLE usage_daily_users (
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  day DATE NOT NULL,
  user_id VARCHAR(255) NOT NULL,
  PRIMARY KEY (customer_id, feature_id, day, user_id)
);
CREATE INDEX usage_daily_users_customer_day ON usage_daily_users (customer_id, day);

-- FR-1.1 weekly rollup (ISO weeks, Monday start), for trends and the researcher's weekly usage.
CREATE TABLE usage_weekly (
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  week_start DATE NOT NULL,
  used_events INTEGER NOT NULL DEFAULT 0,
  activation_events INTEGER NOT NULL DEFAULT 0,
  active_days INTEGER NOT NULL DEFAULT 0,
  active_users INTEGER NOT NULL DEFAULT 0,
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (customer_id, feature_id, week_start)
);

-- One row per activated customer-feature and as-of day: the score, the stage, the thresholds that applied, which
-- stall rule fired and what detection decided. Re-running a day overwrites that day's rows.
CREATE TABLE feature_evaluations (
  as_of DATE NOT NULL,
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  segment VARCHAR(50) NOT NULL,
  activated_at TIMESTAMPTZ NOT NULL,
  days_since_activation INTEGER NOT NULL,
  last_used_at TIMESTAMPTZ,
  usage_count BIGINT NOT NULL DEFAULT 0,
  active_days_14 INTEGER NOT NULL,
  active_users_14 INTEGER NOT NULL,
  breadth_base INTEGER NOT NULL,
  breadth_base_kind VARCHAR(20) NOT NULL CHECK (breadth_base_kind IN ('seats', 'account_users')),
  usage_score INTEGER NOT NULL CHECK (usage_score BETWEEN 0 AND 100),
  stage VARCHAR(50) NOT NULL,
  importance_score INTEGER NOT NULL,
  expected_adoption_days INTEGER NOT NULL,
  expected_days_source VARCHAR(20) NOT NULL CHECK (expected_days_source IN ('catalog', 'segment')),
  peer_count INTEGER NOT NULL DEFAULT 0,
  peer_median_score NUMERIC(6, 2),
  low_usage_threshold NUMERIC(6, 2) NOT NULL,
  stall_score_threshold NUMERIC(6, 2) NOT NULL,
  others_recent_user_days INTEGER NOT NULL DEFAULT 0,
  others_baseline_user_days INTEGER NOT NULL DEFAULT 0,
  rule VARCHAR(60),
  reason TEXT,
  decision VARCHAR(20) NOT NULL CHECK (decision IN ('none', 'signal', 'suppressed')),
  suppress_reason VARCHAR(40),
  suppress_detail TEXT,
  signal_id UUID REFERENCES risk_signals(id),
  evaluated_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (as_of, customer_id, feature_id)
);
CREATE INDEX feature_evaluations_pair ON feature_evaluations (customer_id, feature_id, as_of);

-- FR-1.4 stage history: a row each time a customer-feature enters a stage, so "days in current stage" is known.
CREATE TABLE feature_stage_history (
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  entered_on DATE NOT NULL,
  stage VARCHAR(50) NOT NULL,
  previous_stage VARCHAR(50),
  usage_score INTEGER NOT NULL,
  recorded_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (customer_id, feature_id, entered_on)
);

-- Stall episodes: opened the day a feature is first found stalled, closed when it recovers (or is marked not needed).
-- `signal_id` is the latest risk signal that named the feature: its enablement run gets the `recovered` signal.
CREATE TABLE feature_stalls (
  id BIGSERIAL PRIMARY KEY,
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  rule VARCHAR(60) NOT NULL,
  detected_on DATE NOT NULL,
  score_at_detection INTEGER NOT NULL,
  signal_id UUID REFERENCES risk_signals(id),
  closed_on DATE,
  closed_reason VARCHAR(20) CHECK (closed_reason IN ('recovered', 'not_needed')),
  score_at_close INTEGER,
  recovery_notified_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE UNIQUE INDEX feature_stalls_one_open ON feature_stalls (customer_id, feature_id) WHERE closed_on IS NULL;
CREATE INDEX feature_stalls_closed_on ON feature_stalls (closed_on);

-- FR-1.6 benchmarks from peers, refreshed by each detection run from the evaluations before its as-of day:
-- the median score of customers in the same segment at the same age (week since activation, 13 = 91+ days) ...
CREATE TABLE segment_benchmarks (
  as_of DATE NOT NULL,
  segment VARCHAR(50) NOT NULL,
  feature_id VARCHAR(100) NOT NULL,
  age_bucket INTEGER NOT NULL,
  peer_count INTEGER NOT NULL,
  median_score NUMERIC(6, 2) NOT NULL,
  PRIMARY KEY (as_of, segment, feature_id, age_bucket)
);

-- ... and the segment's expected timeline: median days from activation to `adopted` among peers that got there.
CREATE TABLE segment_expected_days (
  as_of DATE NOT NULL,
  segment VARCHAR(50) NOT NULL,
  feature_id VARCHAR(100) NOT NULL,
  adopted_peers INTEGER NOT NULL,
  median_days INTEGER NOT NULL,
  PRIMARY KEY (as_of, segment, feature_id)
);

-- One row per as-of day that detection ran for.
CREATE TABLE detection_runs (
  as_of DATE PRIMARY KEY,
  started_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  completed_at TIMESTAMPTZ,
  evaluated INTEGER NOT NULL DEFAULT 0,
  batches INTEGER NOT NULL DEFAULT 0,
  runs INTEGER NOT NULL DEFAULT 1
);

ALTER TABLE feature_adoption ADD COLUMN evaluated_as_of DATE;
ALTER TABLE feature_adoption ADD COLUMN stall_rule VARCHAR(60);
ALTER TABLE feature_adoption ADD COLUMN not_needed_at TIMESTAMPTZ;
ALTER TABLE feature_adoption ADD COLUMN not_needed_reason TEXT;

ALTER TABLE adoption_snapshots ADD COLUMN days_since_activation INTEGER;

CREATE INDEX risk_signals_as_of ON risk_signals (as_of) WHERE signal_type = 'adoption_stalled';
