-- Impact you can trust (docs/impact.md): who performed an intervention, whether an email really left, the follow-up
-- measurements 14 and 30 days after every intervention, and the holdout that measures lift.

-- Who performed it (the CSM's name/e-mail, a Slack user, the approver of a run's email) and, for emails, whether it
-- was delivered (SMTP) or is still queued in the outbox (an undelivered email is not counted as an intervention).
ALTER TABLE interventions ADD COLUMN performed_by TEXT;
ALTER TABLE interventions ADD COLUMN delivery VARCHAR(20) CHECK (delivery IN ('delivered', 'queued'));
-- The durable follow-up (Temporal workflow `intervention-follow-up/<id>`) that measures it, once started.
ALTER TABLE interventions ADD COLUMN follow_up_workflow_id TEXT;

-- One row per intervention and checkpoint (14, 30 days): the 14-day usage score up to the day before the
-- intervention (before) and up to the checkpoint day (after), judged like the run's follow-up (adoption/outcome.ts).
CREATE TABLE intervention_measurements (
  intervention_id UUID NOT NULL REFERENCES interventions(id) ON DELETE CASCADE,
  checkpoint_days INTEGER NOT NULL CHECK (checkpoint_days > 0),
  as_of DATE NOT NULL,
  adoption_before INTEGER NOT NULL,
  adoption_after INTEGER NOT NULL,
  stage VARCHAR(50) NOT NULL,
  rule VARCHAR(60),
  outcome VARCHAR(30) NOT NULL,
  effectiveness_score INTEGER NOT NULL,
  workflow_id TEXT,
  measured_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (intervention_id, checkpoint_days)
);

-- Settings of the impact measurement; one row. holdout_percent 0 = no holdout (the default).
CREATE TABLE impact_settings (
  id BOOLEAN PRIMARY KEY DEFAULT TRUE CHECK (id),
  holdout_percent NUMERIC(5, 2) NOT NULL DEFAULT 0 CHECK (holdout_percent >= 0 AND holdout_percent <= 50),
  updated_at TIMESTAMPTZ NOT NULL DEFAULT NOW()
);
INSERT INTO impact_settings (id, holdout_percent) VALUES (TRUE, 0);

-- Holdout assignment of each newly stalled customer-feature (while a holdout is configured), per calendar month of
-- its signal: `holdout` gets no automatic outreach, `treated` runs the playbook. The choice is a hash of customer,
-- feature and month (adoption/holdout.ts), so a rerun chooses the same; the row keeps what was chosen and when.
CREATE TABLE holdout_assignments (
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  month CHAR(7) NOT NULL,
  arm VARCHAR(10) NOT NULL CHECK (arm IN ('treated', 'holdout')),
  holdout_percent NUMERIC(5, 2) NOT NULL,
  signal_id UUID REFERENCES risk_signals(id),
  stalled_on DATE NOT NULL,
  rule VARCHAR(60),
  score_at_stall INTEGER,
  assigned_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  PRIMARY KEY (customer_id, feature_id, month)
);
CREATE INDEX holdout_assignments_stalled_on ON holdout_assignments (stalled_on);
