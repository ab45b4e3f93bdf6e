-- Configurable detection rules (adoption.config.yaml, issue 10): which configuration judged each detection run, and
-- the cadence (FR-1.7) detection found for a customer-feature, kept with its evaluation as evidence.
ALTER TABLE detection_runs ADD COLUMN config_digest VARCHAR(64);
ALTER TABLE detection_runs ADD COLUMN config_source TEXT;
ALTER TABLE feature_evaluations ADD COLUMN cadence_days INTEGER;
