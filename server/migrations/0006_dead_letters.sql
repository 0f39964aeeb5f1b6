-- Rows PostgreSQL refused for good (a data exception, never an outage), set aside by the
-- memory lane's group commit so one bad row cannot hold a whole batch of good ones hostage.
-- `payload` is the refused row as JSON text: its escapes keep even a NUL storable here.
CREATE TABLE IF NOT EXISTS dead_letters (
  id bigserial PRIMARY KEY,
  source text NOT NULL,
  payload text NOT NULL,
  reason text NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
