-- Accounts, sign-in tokens, instance settings, invites, the skills catalog
-- and member profiles. Ids are UUIDv7; times are timestamptz in UTC.

-- Every person Trellis knows: local members (domain NULL) and members of
-- other instances met through federation (domain set, cached actor data).
CREATE TABLE accounts (
    id               UUID        NOT NULL PRIMARY KEY,
    username         TEXT        NOT NULL,
    domain           TEXT,
    actor_url        TEXT        UNIQUE,
    inbox_url        TEXT,
    shared_inbox_url TEXT,
    public_key_pem   TEXT        NOT NULL,
    also_known_as    TEXT        NOT NULL DEFAULT '[]',
    moved_to         TEXT,
    fetched_at       TIMESTAMPTZ,
    created_at       TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX accounts_by_handle ON accounts (username, COALESCE(domain, ''));

-- Local members' sign-in and signing secrets.
CREATE TABLE users (
    account_id      UUID    NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    password_hash   TEXT    NOT NULL,
    private_key_pem TEXT    NOT NULL,
    is_admin        BOOLEAN NOT NULL DEFAULT FALSE,
    last_login_at   TIMESTAMPTZ
);

CREATE TABLE auth_tokens (
    token_hash BYTEA       NOT NULL PRIMARY KEY,
    account_id UUID        NOT NULL REFERENCES users (account_id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX auth_tokens_by_account ON auth_tokens (account_id);

CREATE TABLE instance_settings (
    id                       INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    registration_mode        TEXT    NOT NULL DEFAULT 'open'
        CHECK (registration_mode IN ('open', 'invite-only', 'closed')),
    organization_name        TEXT    NOT NULL DEFAULT 'Trellis',
    organization_description TEXT    NOT NULL DEFAULT '',
    -- The instance actor's key pair, made at first start.
    public_key_pem           TEXT,
    private_key_pem          TEXT
);
INSERT INTO instance_settings (id) VALUES (1);

CREATE TABLE invites (
    id         UUID        NOT NULL PRIMARY KEY,
    code_hash  BYTEA       NOT NULL UNIQUE,
    created_by UUID        REFERENCES accounts (id) ON DELETE SET NULL,
    note       TEXT        NOT NULL DEFAULT '',
    max_uses   INTEGER     NOT NULL CHECK (max_uses > 0),
    uses       INTEGER     NOT NULL DEFAULT 0,
    expires_at TIMESTAMPTZ,
    revoked_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE skills (
    key         TEXT        NOT NULL PRIMARY KEY,
    family      TEXT        NOT NULL,
    name        TEXT        NOT NULL,
    description TEXT        NOT NULL,
    builtin     BOOLEAN     NOT NULL,
    retired_at  TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL
);

CREATE TABLE profiles (
    account_id        UUID        NOT NULL PRIMARY KEY REFERENCES accounts (id) ON DELETE CASCADE,
    display_name      TEXT        NOT NULL DEFAULT '',
    headline          TEXT        NOT NULL DEFAULT '',
    bio               TEXT        NOT NULL DEFAULT '',
    timezone          TEXT,
    goals_summary     TEXT        NOT NULL DEFAULT '',
    offers_mentoring  BOOLEAN     NOT NULL DEFAULT FALSE,
    accepting_mentees BOOLEAN     NOT NULL DEFAULT FALSE,
    capacity          INTEGER     NOT NULL DEFAULT 0,
    hours_per_month   INTEGER     NOT NULL DEFAULT 0,
    visibility        TEXT        NOT NULL DEFAULT 'organization'
        CHECK (visibility IN ('private', 'organization', 'federated', 'public')),
    updated_at        TIMESTAMPTZ NOT NULL
);
CREATE INDEX profiles_mentors ON profiles (offers_mentoring, visibility);

CREATE TABLE profile_languages (
    account_id UUID    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position   INTEGER NOT NULL,
    tag        TEXT    NOT NULL,
    PRIMARY KEY (account_id, tag)
);
CREATE INDEX profile_languages_by_tag ON profile_languages (tag);

CREATE TABLE profile_skills (
    account_id    UUID    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    skill_key     TEXT    NOT NULL REFERENCES skills (key),
    level         INTEGER NOT NULL CHECK (level BETWEEN 1 AND 7),
    wants_to_grow BOOLEAN NOT NULL,
    PRIMARY KEY (account_id, skill_key)
);
CREATE INDEX profile_skills_by_skill ON profile_skills (skill_key, level);

CREATE TABLE profile_goal_skills (
    account_id   UUID    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    skill_key    TEXT    NOT NULL REFERENCES skills (key),
    target_level INTEGER NOT NULL CHECK (target_level BETWEEN 1 AND 7),
    PRIMARY KEY (account_id, skill_key)
);
