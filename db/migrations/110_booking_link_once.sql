-- One booking per booking link (docs/api.md): the link's identity from its verified claims (channels/signed-links.ts).
-- A link that booked a session books no other; NULL for bookings made before links were counted.
ALTER TABLE training_bookings ADD COLUMN IF NOT EXISTS link_id TEXT;
CREATE UNIQUE INDEX IF NOT EXISTS training_bookings_one_per_link ON training_bookings (link_id) WHERE link_id IS NOT NULL;
