-- A training platform may deliver the same completion more than once: the database keeps one (the webhook inserts
-- with ON CONFLICT DO NOTHING against this index), instead of a check-then-insert two deliveries could race through.
CREATE UNIQUE INDEX IF NOT EXISTS resource_engagement_completion_once
  ON resource_engagement (customer_id, feature_id, resource_url, COALESCE(user_id, ''), occurred_at)
  WHERE event = 'completion';
