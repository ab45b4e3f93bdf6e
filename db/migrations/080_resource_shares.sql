-- US-3 share resources: one row per click of "Share Resources" (Slack), "Send Resources" (adoption page) or a call of
-- the share API. The click's own key (Slack action ts, the form's nonce, the API caller's idempotency key) is UNIQUE:
-- a click delivered twice, or two requests racing, insert once and so send once; the loser finds the first row.
CREATE TABLE IF NOT EXISTS resource_shares (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  click_key TEXT NOT NULL,
  source VARCHAR(10) NOT NULL CHECK (source IN ('slack', 'page', 'api')),
  customer_id UUID NOT NULL REFERENCES customers(id),
  workflow_id TEXT,
  feature_ids TEXT[] NOT NULL DEFAULT '{}',
  to_email VARCHAR(255) NOT NULL,
  to_name VARCHAR(255),
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  -- [{ featureId, url, title }]: what was recommended, so "already received" can be answered later.
  resources JSONB NOT NULL DEFAULT '[]'::jsonb,
  requested_by VARCHAR(255),
  -- smtp: the SMTP server accepted it; outbox: waiting for the relay (SMTP unset or down).
  delivery VARCHAR(10) NOT NULL CHECK (delivery IN ('smtp', 'outbox')),
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  delivered_at TIMESTAMPTZ,
  CONSTRAINT resource_shares_once_per_click UNIQUE (click_key)
);
CREATE INDEX IF NOT EXISTS resource_shares_customer ON resource_shares (customer_id, created_at);

-- Engagement lookups (adoption page, "skip what was already received/clicked/completed").
CREATE INDEX IF NOT EXISTS resource_engagement_customer ON resource_engagement (customer_id, feature_id, event);
