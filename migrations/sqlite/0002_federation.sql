-- Federation: the other instances Trellis knows (partnership, block, delivery
-- health), the durable outbox and the received-activity log.

CREATE TABLE instances (
    domain                 TEXT    NOT NULL PRIMARY KEY,
    actor_url              TEXT    UNIQUE,
    inbox_url              TEXT,
    shared_inbox_url       TEXT,
    public_key_pem         TEXT,
    name                   TEXT,
    fetched_at             TEXT,
    -- none | requested (we asked, awaiting their answer) | pending (they
    -- asked, awaiting our admin) | active | declined
    partnership            TEXT    NOT NULL DEFAULT 'none'
        CHECK (partnership IN ('none', 'requested', 'pending', 'active', 'declined')),
    -- Our latest Follow of them and their latest Follow of us: answers and
    -- withdrawals must name one of these.
    our_follow_id          TEXT,
    their_follow_id        TEXT,
    partnership_changed_at TEXT,
    blocked_at             TEXT,
    block_reason           TEXT    NOT NULL DEFAULT '',
    -- Delivery health: ok | failing | unreachable.
    delivery_state         TEXT    NOT NULL DEFAULT 'ok'
        CHECK (delivery_state IN ('ok', 'failing', 'unreachable')),
    failing_since          TEXT,
    consecutive_failures   INTEGER NOT NULL DEFAULT 0,
    last_success_at        TEXT,
    last_error             TEXT,
    next_attempt_at        TEXT,
    claimed_until          TEXT,
    delivered_total        BIGINT  NOT NULL DEFAULT 0,
    created_at             TEXT    NOT NULL
);

-- Changes whose consequences must reach other instances, written in the same
-- transaction as the change; turned into deliveries by the federation worker.
CREATE TABLE outbox_events (
    id         BLOB   NOT NULL PRIMARY KEY,
    kind       TEXT   NOT NULL,
    account_id BLOB,
    domain     TEXT,
    created_at TEXT   NOT NULL
);

-- Signed activities waiting to be delivered to one inbox of one instance,
-- in the order of their ids (UUIDv7).
CREATE TABLE deliveries (
    id          BLOB    NOT NULL PRIMARY KEY,
    domain      TEXT    NOT NULL,
    inbox_url   TEXT    NOT NULL,
    activity_id TEXT    NOT NULL,
    -- The local member whose key signs it; NULL for the instance actor.
    signer      BLOB    REFERENCES users (account_id) ON DELETE CASCADE,
    body        TEXT    NOT NULL,
    attempts    INTEGER NOT NULL DEFAULT 0,
    last_error  TEXT,
    created_at  TEXT    NOT NULL
);
CREATE INDEX deliveries_by_domain ON deliveries (domain, id);

-- Ids of activities already processed, so that a repeat has no effect.
CREATE TABLE received_activities (
    activity_id TEXT NOT NULL PRIMARY KEY,
    received_at TEXT NOT NULL
);
CREATE INDEX received_activities_by_time ON received_activities (received_at);

-- When a member's mentor profile was last sent to partners (NULL: not published).
ALTER TABLE profiles ADD COLUMN published_at TEXT;

-- Whether partnership requests wait for an admin (partners-only) or are
-- accepted at once (open).
ALTER TABLE instance_settings ADD COLUMN federation_mode TEXT NOT NULL DEFAULT 'partners-only'
    CHECK (federation_mode IN ('partners-only', 'open'));
