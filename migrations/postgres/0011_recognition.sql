-- Recognition: every credential this instance issued (a signed VC-JWT, its
-- revocation bit), the achievements the organization offers and the awards
-- made of them.

CREATE TABLE credentials (
    id             UUID    NOT NULL PRIMARY KEY,
    kind           TEXT    NOT NULL
        CHECK (kind IN ('award', 'endorsement', 'induction', 'participation')),
    subject_id     UUID    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- What the credential says, as JSON (CredentialContent), and the
    -- compact VC-JWT signed with the instance key.
    content        TEXT    NOT NULL,
    jwt            TEXT    NOT NULL,
    -- The credential's bit in the Bitstring Status List: list number
    -- status_index / 131072, bit status_index % 131072.
    status_index   BIGINT  NOT NULL UNIQUE CHECK (status_index >= 0),
    issued_at      TIMESTAMPTZ NOT NULL,
    revoked_at     TIMESTAMPTZ,
    revoked_reason TEXT,
    CHECK ((revoked_at IS NULL) = (revoked_reason IS NULL))
);
CREATE INDEX credentials_by_subject ON credentials (subject_id, issued_at);
CREATE INDEX credentials_revoked ON credentials (status_index) WHERE revoked_at IS NOT NULL;

-- The next status list index to hand out (one row; taking one locks it).
CREATE TABLE credential_status_counter (
    id         INTEGER NOT NULL PRIMARY KEY CHECK (id = 1),
    next_index BIGINT NOT NULL CHECK (next_index >= 0)
);
INSERT INTO credential_status_counter (id, next_index) VALUES (1, 0);

CREATE TABLE achievements (
    id                 UUID    NOT NULL PRIMARY KEY,
    name               TEXT    NOT NULL,
    description        TEXT    NOT NULL,
    criteria_narrative TEXT    NOT NULL,
    -- A JSON list of alignments (trellis_core::recognition::Alignment).
    alignment          TEXT    NOT NULL DEFAULT '[]',
    -- The automatic rule, if any: metric reaches at_least.
    rule_metric        TEXT,
    rule_at_least      BIGINT  CHECK (rule_at_least >= 1),
    created_by         UUID    REFERENCES accounts (id) ON DELETE SET NULL,
    created_at         TIMESTAMPTZ NOT NULL,
    retired_at         TIMESTAMPTZ,
    CHECK ((rule_metric IS NULL) = (rule_at_least IS NULL))
);

-- A member holds each achievement at most once: this is what makes an
-- automatic award happen once, however many evaluations race.
CREATE TABLE awards (
    id             UUID    NOT NULL PRIMARY KEY,
    achievement_id UUID    NOT NULL REFERENCES achievements (id),
    account_id     UUID    NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    automatic      BOOLEAN NOT NULL,
    reason         TEXT    NOT NULL DEFAULT '',
    awarded_by     UUID    REFERENCES accounts (id) ON DELETE SET NULL,
    credential_id  UUID    NOT NULL UNIQUE REFERENCES credentials (id),
    awarded_at     TIMESTAMPTZ NOT NULL,
    UNIQUE (achievement_id, account_id)
);
CREATE INDEX awards_by_account ON awards (account_id, awarded_at);
