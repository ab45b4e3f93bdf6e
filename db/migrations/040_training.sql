-- FR-3.3 training scheduling: the CSM's time zone (customers file `csm.timeZone`, IANA name; NULL means UTC) and the
-- booked sessions. A slot is booked once per CSM by the database itself (the unique constraint), never by a
-- check-then-insert that two champions could race through.
ALTER TABLE customers ADD COLUMN IF NOT EXISTS csm_time_zone VARCHAR(64);

CREATE TABLE IF NOT EXISTS training_bookings (
  id UUID PRIMARY KEY DEFAULT gen_random_uuid(),
  customer_id UUID NOT NULL REFERENCES customers(id),
  -- The enablement run whose email carried the link; NULL for a self-serve request from the customer's page.
  workflow_id TEXT,
  feature_ids TEXT[] NOT NULL DEFAULT '{}',
  csm_email VARCHAR(255) NOT NULL,
  slot_start TIMESTAMPTZ NOT NULL,
  slot_end TIMESTAMPTZ NOT NULL,
  booked_by_name VARCHAR(255),
  booked_by_email VARCHAR(255),
  note TEXT,
  created_at TIMESTAMPTZ NOT NULL DEFAULT NOW(),
  CONSTRAINT training_bookings_one_per_slot UNIQUE (csm_email, slot_start)
);
CREATE INDEX IF NOT EXISTS training_bookings_customer ON training_bookings (customer_id);
