-- Delivery leases name their holder (a process) and when it took the
-- queue; `claimed_until` is renewed while it works. `last_attempt_at` shows
-- whether a queue moves.
ALTER TABLE instances ADD COLUMN claimed_by TEXT;
ALTER TABLE instances ADD COLUMN claimed_at TIMESTAMPTZ;
ALTER TABLE instances ADD COLUMN last_attempt_at TIMESTAMPTZ;

-- One row that health checks write, to see whether writes go through.
CREATE TABLE health_probes (
    id         INTEGER     NOT NULL PRIMARY KEY CHECK (id = 1),
    written_at TIMESTAMPTZ NOT NULL
);
