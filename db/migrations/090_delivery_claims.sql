-- Exactly-once delivery (docs/delivery.md): every outgoing message is an outbox row written BEFORE it is handed to
-- its peer. An attempt claims the row (claimed_at, a lease in lease_until so two attempts never send at once), sends,
-- then marks it delivered with the peer's receipt. A claim that is still open when the next attempt comes means the
-- previous one may have reached the peer: the message is "in doubt" and is resolved at the peer (Slack: looked up by
-- its metadata) or resent as the same message (email: the same Message-ID).
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS claimed_at TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS lease_until TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS attempts INTEGER NOT NULL DEFAULT 0;
-- How often an attempt found the message in doubt, and how the last doubt was resolved ('found_at_peer', 'resent').
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS in_doubt_count INTEGER NOT NULL DEFAULT 0;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS doubt_resolution VARCHAR(20);
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS receipt JSONB;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS delivered_at TIMESTAMPTZ;
ALTER TABLE outbox ADD COLUMN IF NOT EXISTS last_error TEXT;
-- The relay's scan: undelivered rows, oldest first.
CREATE INDEX IF NOT EXISTS outbox_undelivered ON outbox (id) WHERE NOT delivered;
