-- Credentials a member brought from another instance when they moved
-- here, each verified with its issuer's key before it was kept.

CREATE TABLE held_credentials (
    id             BLOB NOT NULL PRIMARY KEY,
    account_id     BLOB NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The credential's id (its public URL at the issuer).
    credential_url TEXT NOT NULL,
    kind           TEXT NOT NULL,
    -- The issuer's profile URL, as verified.
    issuer         TEXT NOT NULL,
    -- The compact VC-JWT, verbatim.
    jwt            TEXT NOT NULL,
    -- The instance it came from.
    origin         TEXT NOT NULL,
    imported_at    TEXT NOT NULL,
    UNIQUE (account_id, credential_url)
);
