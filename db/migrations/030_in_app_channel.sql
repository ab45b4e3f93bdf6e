-- The in-app messaging tool is an outbox channel like Slack and email (the send_in_app_tips step kind).
ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_channel_check;
ALTER TABLE outbox ADD CONSTRAINT outbox_channel_check CHECK (channel IN ('slack', 'email', 'in_app'));
