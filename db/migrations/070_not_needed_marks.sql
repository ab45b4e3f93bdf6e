-- "Not needed" marks made by people (PRD open question 4): the audit of who marked or unmarked a customer's feature,
-- when, why, from where, and which running enablement runs were told. The current state stays where detection
-- already reads it (feature_adoption.not_needed, not_needed_at, not_needed_reason), so detection needs no change.
CREATE TABLE not_needed_marks (
  id BIGSERIAL PRIMARY KEY,
  customer_id UUID NOT NULL REFERENCES customers(id),
  feature_id VARCHAR(100) NOT NULL,
  not_needed BOOLEAN NOT NULL,
  reason TEXT,
  marked_by TEXT NOT NULL,
  source VARCHAR(20) NOT NULL CHECK (source IN ('api', 'page', 'slack')),
  marked_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  -- Runs of this customer-feature that accepted the `featureNotNeeded` signal (filled after the mark is stored).
  runs_told TEXT[] NOT NULL DEFAULT '{}'
);
CREATE INDEX not_needed_marks_feature ON not_needed_marks (customer_id, feature_id, marked_at DESC);

-- The CSM workspace closes tasks (PRD 5.2): when and by whom, next to the status.
ALTER TABLE tasks ADD COLUMN closed_at TIMESTAMPTZ;
ALTER TABLE tasks ADD COLUMN closed_by TEXT;
CREATE INDEX tasks_open ON tasks (due_at) WHERE status = 'open';
