-- The long-term file: career plans kept as versions (never overwritten),
-- and skill reviews of mentorships.

CREATE TABLE career_plan_versions (
    account_id BLOB    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    version    INTEGER NOT NULL CHECK (version >= 1),
    -- The whole plan as JSON (goals, targets, milestones).
    plan       TEXT    NOT NULL,
    created_at TEXT    NOT NULL,
    PRIMARY KEY (account_id, version)
);

CREATE TABLE skill_reviews (
    id                  BLOB NOT NULL PRIMARY KEY,
    mentorship_id       BLOB NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    -- The federated SkillReview's id, when the other instance named it.
    object_url          TEXT UNIQUE,
    started_by          BLOB NOT NULL REFERENCES accounts (id),
    -- The skills under review, a JSON list of keys.
    skills              TEXT NOT NULL,
    state               TEXT NOT NULL
        CHECK (state IN ('open', 'mentee_done', 'mentor_done', 'completed')),
    -- Each party's ratings, as JSON, once submitted.
    mentee_part         TEXT,
    mentee_submitted_at TEXT,
    mentor_part         TEXT,
    mentor_submitted_at TEXT,
    started_at          TEXT NOT NULL,
    completed_at        TEXT
);
CREATE INDEX skill_reviews_by_mentorship ON skill_reviews (mentorship_id, started_at);
-- One review in progress per mentorship.
CREATE UNIQUE INDEX skill_reviews_one_open ON skill_reviews (mentorship_id) WHERE state <> 'completed';

-- How often a mentorship reviews, and when it was last told a review is due.
ALTER TABLE mentorships ADD COLUMN review_every_weeks INTEGER NOT NULL DEFAULT 13
    CHECK (review_every_weeks BETWEEN 2 AND 52);
ALTER TABLE mentorships ADD COLUMN review_due_told_at TEXT;

-- A review a local member started or submitted a part of, for the other
-- party's instance.
ALTER TABLE outbox_events ADD COLUMN review_id BLOB REFERENCES skill_reviews (id) ON DELETE CASCADE;
