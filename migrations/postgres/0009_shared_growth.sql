-- A mentee's growth (timeline and drift insight) as their instance shared
-- it with this instance's member, their current mentor. Kept only while
-- the mentorship is under way; the newest share wins.

CREATE TABLE shared_growth (
    mentorship_id UUID NOT NULL PRIMARY KEY REFERENCES mentorships (id) ON DELETE CASCADE,
    -- The growth as JSON (reviews, skills over time, plan skills, drift).
    growth        TEXT NOT NULL,
    -- When the mentee's instance computed it.
    shared_at     TIMESTAMPTZ NOT NULL,
    received_at   TIMESTAMPTZ NOT NULL
);
