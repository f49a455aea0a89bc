-- Endorsements: one party of a mentorship vouches for one skill of the
-- other, with a short text. Those given here name no object URL (their
-- federated id is `/endorsements/{id}` here); those received from the
-- endorser's instance keep the id it gave them, and the credential it
-- issued, if any, verbatim. A withdrawn endorsement is kept with the time
-- its endorser withdrew it, shown to no one, and no longer counts against
-- endorsing the same skill again.

CREATE TABLE endorsements (
    id            BLOB NOT NULL PRIMARY KEY,
    mentorship_id BLOB NOT NULL REFERENCES mentorships (id) ON DELETE CASCADE,
    endorser_id   BLOB NOT NULL REFERENCES accounts (id),
    subject_id    BLOB NOT NULL REFERENCES accounts (id),
    skill         TEXT NOT NULL,
    text          TEXT NOT NULL,
    -- The federated Endorsement's id, when the endorser's instance named it.
    object_url    TEXT UNIQUE,
    -- A compact VC-JWT the endorser's instance issued for it, kept as sent.
    credential    TEXT,
    created_at    TEXT NOT NULL,
    withdrawn_at  TEXT,
    CHECK (endorser_id <> subject_id)
);
-- One endorsement in force of a skill by the same endorser.
CREATE UNIQUE INDEX endorsements_one_per_skill ON endorsements (endorser_id, subject_id, skill)
    WHERE withdrawn_at IS NULL;
CREATE INDEX endorsements_by_subject ON endorsements (subject_id, created_at);
CREATE INDEX endorsements_by_endorser ON endorsements (endorser_id, created_at);

-- An endorsement a local member gave or withdrew, for the subject's instance.
ALTER TABLE outbox_events ADD COLUMN endorsement_id BLOB REFERENCES endorsements (id) ON DELETE CASCADE;
