-- Mentorships between two accounts (either may be a member of another
-- instance), every transition they went through, and members' notifications.

CREATE TABLE mentorships (
    id         BLOB  NOT NULL PRIMARY KEY,
    mentor_id  BLOB  NOT NULL REFERENCES accounts (id),
    mentee_id  BLOB  NOT NULL REFERENCES accounts (id),
    state      TEXT  NOT NULL
        CHECK (state IN ('requested', 'active', 'paused', 'declined', 'withdrawn', 'completed', 'ended')),
    -- What the mentee wrote when asking, and what the mentorship is for.
    message    TEXT  NOT NULL DEFAULT '',
    goals      TEXT  NOT NULL DEFAULT '',
    -- The federated Mentorship object's id, when one party is elsewhere.
    object_url TEXT  UNIQUE,
    created_at TEXT  NOT NULL,
    updated_at TEXT  NOT NULL,
    CHECK (mentor_id <> mentee_id)
);
-- One open request or mentorship per pair.
CREATE UNIQUE INDEX mentorships_one_open_per_pair ON mentorships (mentor_id, mentee_id)
    WHERE state IN ('requested', 'active', 'paused');
CREATE INDEX mentorships_by_mentee ON mentorships (mentee_id, state);
CREATE INDEX mentorships_by_mentor ON mentorships (mentor_id, state);

-- Every state a mentorship entered, by whom, when, and why.
CREATE TABLE mentorship_events (
    id            BLOB  NOT NULL PRIMARY KEY,
    mentorship_id BLOB  NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    state         TEXT  NOT NULL,
    actor_id      BLOB  NOT NULL REFERENCES accounts (id),
    note          TEXT  NOT NULL DEFAULT '',
    at            TEXT  NOT NULL
);
CREATE INDEX mentorship_events_by_mentorship ON mentorship_events (mentorship_id, at);

-- How matching weighs its factors (JSON, see trellis_core::matching::Weights).
ALTER TABLE instance_settings ADD COLUMN match_weights TEXT NOT NULL
    DEFAULT '{"skills":50,"timezone":20,"load":15,"track_record":10,"organization":5}';

-- What members should know: requests, answers, state changes, and (for
-- admins) partnership events. Written with the change they report.
CREATE TABLE notifications (
    id            BLOB  NOT NULL PRIMARY KEY,
    account_id    BLOB  NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    kind          TEXT  NOT NULL,
    mentorship_id BLOB  REFERENCES mentorships (id) ON DELETE CASCADE,
    domain        TEXT,
    created_at    TEXT  NOT NULL,
    read_at       TEXT
);
CREATE INDEX notifications_by_account ON notifications (account_id, read_at, created_at);
