-- Sessions of a mentorship: what both parties share (one JSON value each
-- for topics and action items, which always change together with the
-- session), and each party's private notes, which never travel.

CREATE TABLE sessions (
    id               BLOB     NOT NULL PRIMARY KEY,
    mentorship_id    BLOB     NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    -- The federated MentoringSession's id, when the other instance named it.
    object_url       TEXT     UNIQUE,
    author_id        BLOB     NOT NULL REFERENCES accounts (id),
    held_at          TEXT     NOT NULL,
    duration_minutes INTEGER  NOT NULL CHECK (duration_minutes BETWEEN 1 AND 1440),
    topics           TEXT     NOT NULL DEFAULT '[]',
    notes            TEXT     NOT NULL DEFAULT '',
    action_items     TEXT     NOT NULL DEFAULT '[]',
    created_at       TEXT     NOT NULL,
    updated_at       TEXT     NOT NULL
);
CREATE INDEX sessions_by_mentorship ON sessions (mentorship_id, held_at);

CREATE TABLE session_private_notes (
    session_id BLOB NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
    account_id BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    text       TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (session_id, account_id)
);

-- A session a local member logged or changed, for the other party's instance.
ALTER TABLE outbox_events ADD COLUMN session_id BLOB REFERENCES sessions (id) ON DELETE CASCADE;
