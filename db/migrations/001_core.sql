-- Core schema: the PRD-090 tables (section 4.1) plus what the enablement playbook needs around them.
-- Everything lives in schema "adoption"; connections use search_path adoption,public so the PRD's unqualified SQL works.

CREATE TABLE customers (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  name VARCHAR(255) NOT NULL,
  arr NUMERIC(14, 2) NOT NULL DEFAULT 0,
  segment VARCHAR(50) NOT NULL DEFAULT 'unknown',
  seats INTEGER,
  csm_name VARCHAR(255),
  csm_email VARCHAR(255),
  csm_slack_user_id VARCHAR(64),
  champion_name VARCHAR(255),
  champion_email VARCHAR(255),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE feature_catalog (
  feature_id VARCHAR(100) PRIMARY KEY,
  feature_name VARCHAR(255) NOT NULL,
  category VARCHAR(100),
  importance_score INTEGER DEFAULT 50 CHECK (importance_score BETWEEN 0 AND 100),
  expected_adoption_days INTEGER DEFAULT 30 CHECK (expected_adoption_days > 0),
  training_resources JSONB NOT NULL DEFAULT '[]'::jsonb,
  tips TEXT,
  key_benefit TEXT,
  created_at TIMESTAMPTZ DEFAULT NOW()
);

CREATE TABLE feature_adoption (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  feature_name VARCHAR(255) NOT NULL,
  activated_at TIMESTAMPTZ,
  last_used_at TIMESTAMPTZ,
  usage_count INTEGER DEFAULT 0,
  usage_score INTEGER DEFAULT 0 CHECK (usage_score BETWEEN 0 AND 100),
  stage VARCHAR(50) DEFAULT 'not_started'
    CHECK (stage IN ('not_started', 'started', 'engaged', 'adopted', 'churned')),
  expected_adoption_days INTEGER DEFAULT 30,
  stall_detected_at TIMESTAMPTZ,
  intervention_sent_at TIMESTAMPTZ,
  intervention_type VARCHAR(50),
  adoption_after_intervention INTEGER,
  -- beyond the PRD: when the stage last changed (days in current stage), the customer's "not needed" mark
  -- (PRD open question 4), and the outcome of the last intervention.
  stage_changed_at TIMESTAMPTZ,
  not_needed BOOLEAN NOT NULL DEFAULT FALSE,
  recovered_at TIMESTAMPTZ,
  intervention_outcome VARCHAR(30),
  created_at TIMESTAMPTZ DEFAULT NOW(),
  updated_at TIMESTAMPTZ DEFAULT NOW(),
  UNIQUE (customer_id, feature_id)
);

CREATE TABLE usage_events (
  id BIGSERIAL PRIMARY KEY,
  -- the source's eventId, or a digest of the event's fields: importing the same event twice counts it once
  event_key TEXT NOT NULL UNIQUE,
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  event VARCHAR(20) NOT NULL CHECK (event IN ('activated', 'used')),
  occurred_at TIMESTAMPTZ NOT NULL,
  user_id VARCHAR(255),
  count INTEGER NOT NULL DEFAULT 1 CHECK (count > 0),
  imported_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX usage_events_customer_feature_time ON usage_events (customer_id, feature_id, occurred_at);

CREATE TABLE risk_signals (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID NOT NULL REFERENCES customers(id),
  signal_type VARCHAR(50) NOT NULL,
  priority INTEGER NOT NULL DEFAULT 0,
  as_of DATE,
  details JSONB NOT NULL DEFAULT '{}'::jsonb,
  workflow_id TEXT,
  handled_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
CREATE INDEX risk_signals_unhandled ON risk_signals (created_at) WHERE handled_at IS NULL;

CREATE TABLE risk_signal_features (
  signal_id UUID NOT NULL REFERENCES risk_signals(id) ON DELETE CASCADE,
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  stage VARCHAR(50) NOT NULL,
  usage_score INTEGER NOT NULL,
  days_since_activation INTEGER,
  expected_adoption_days INTEGER,
  rule VARCHAR(50) NOT NULL,
  reason TEXT NOT NULL,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (signal_id, feature_id)
);
CREATE INDEX risk_signal_features_recent ON risk_signal_features (customer_id, feature_id, created_at);

-- Listeners start workflows for new signals; the id is the payload so the listener re-reads the committed row.
CREATE FUNCTION notify_risk_signal_created() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  PERFORM pg_notify('risk_signal_created', NEW.id::text);
  RETURN NEW;
END $$;
CREATE TRIGGER risk_signal_created AFTER INSERT ON risk_signals
  FOR EACH ROW EXECUTE FUNCTION notify_risk_signal_created();

CREATE TABLE tasks (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  -- workflow id + step id: Temporal may run an activity twice, the task exists once
  idempotency_key TEXT NOT NULL UNIQUE,
  customer_id UUID REFERENCES customers(id),
  feature_ids TEXT[] NOT NULL DEFAULT '{}',
  title TEXT NOT NULL,
  description TEXT,
  priority VARCHAR(10) NOT NULL CHECK (priority IN ('low', 'medium', 'high', 'urgent')),
  due_at TIMESTAMPTZ NOT NULL,
  owner_name VARCHAR(255),
  owner_email VARCHAR(255),
  status VARCHAR(20) NOT NULL DEFAULT 'open',
  workflow_id TEXT,
  run_id TEXT,
  step_id TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE interventions (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key TEXT UNIQUE,
  feature_adoption_id UUID REFERENCES feature_adoption(id),
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  intervention_type VARCHAR(50) NOT NULL,
  details TEXT,
  resources_shared JSONB NOT NULL DEFAULT '[]'::jsonb,
  workflow_id TEXT,
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  adoption_before INTEGER,
  adoption_after INTEGER,
  outcome VARCHAR(30),
  effectiveness_score INTEGER,
  measured_at TIMESTAMPTZ
);
CREATE INDEX interventions_recent ON interventions (customer_id, feature_id, occurred_at);

CREATE TABLE email_drafts (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  idempotency_key TEXT NOT NULL UNIQUE,
  workflow_id TEXT,
  step_id TEXT,
  customer_id UUID REFERENCES customers(id),
  feature_ids TEXT[] NOT NULL DEFAULT '{}',
  to_email VARCHAR(255),
  to_name VARCHAR(255),
  from_email VARCHAR(255),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  status VARCHAR(20) NOT NULL DEFAULT 'draft'
    CHECK (status IN ('draft', 'pending_approval', 'approved', 'rejected', 'expired', 'sent')),
  decided_by VARCHAR(255),
  decided_at TIMESTAMPTZ,
  decision_reason TEXT,
  sent_at TIMESTAMPTZ,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

-- Messages for channels that are not configured (no Slack token, no SMTP URL) and the record of what was delivered.
CREATE TABLE outbox (
  id BIGSERIAL PRIMARY KEY,
  idempotency_key TEXT NOT NULL UNIQUE,
  channel VARCHAR(20) NOT NULL CHECK (channel IN ('slack', 'email')),
  recipient TEXT,
  payload JSONB NOT NULL,
  delivered BOOLEAN NOT NULL DEFAULT FALSE,
  delivery_ref TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE resource_engagement (
  id BIGSERIAL PRIMARY KEY,
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  resource_url TEXT NOT NULL,
  event VARCHAR(20) NOT NULL CHECK (event IN ('sent', 'open', 'click', 'completion')),
  user_id VARCHAR(255),
  occurred_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);

CREATE TABLE adoption_snapshots (
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  as_of DATE NOT NULL,
  usage_score INTEGER NOT NULL,
  stage VARCHAR(50) NOT NULL,
  active_days_14 INTEGER,
  active_users_14 INTEGER,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (customer_id, feature_id, as_of)
);
