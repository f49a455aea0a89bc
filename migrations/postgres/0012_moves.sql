-- Moving between instances. History imported from another instance keeps
-- where it happened (origin: that instance's domain; NULL means here).

ALTER TABLE mentorships ADD COLUMN origin TEXT;
ALTER TABLE sessions ADD COLUMN origin TEXT;
ALTER TABLE skill_reviews ADD COLUMN origin TEXT;
ALTER TABLE career_plan_versions ADD COLUMN origin TEXT;

-- A local member's move to another instance (the old side). The archive
-- is served to the new instance at a capability URL whose token is kept
-- here hashed.
CREATE TABLE moves (
    account_id   UUID NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    target_url   TEXT NOT NULL,
    token_hash   BYTEA NOT NULL UNIQUE,
    moved_at     TIMESTAMPTZ NOT NULL,
    -- The member's file as it was when they moved (the JSON archive).
    archive      TEXT NOT NULL,
    -- The archive stays available until then.
    expires_at   TIMESTAMPTZ NOT NULL
);

-- An archive to import into a local member's account (the new side):
-- announced by a Move (fetched from archive_url) or uploaded by the member.
CREATE TABLE imports (
    id           UUID NOT NULL PRIMARY KEY,
    account_id   UUID NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The old actor the archive belongs to, and its instance.
    from_actor   TEXT NOT NULL,
    origin       TEXT NOT NULL,
    archive_url  TEXT,
    -- An uploaded archive, kept until it is imported.
    archive      TEXT,
    state        TEXT NOT NULL CHECK (state IN ('pending', 'imported', 'failed')),
    attempts     INTEGER NOT NULL DEFAULT 0,
    -- What was imported and what was refused, as JSON.
    report       TEXT,
    created_at   TIMESTAMPTZ NOT NULL,
    -- When to try again, after an attempt failed.
    next_attempt_at TIMESTAMPTZ NOT NULL,
    finished_at  TIMESTAMPTZ
);
CREATE INDEX imports_pending ON imports (next_attempt_at) WHERE state = 'pending';
CREATE INDEX imports_by_account ON imports (account_id, created_at);
