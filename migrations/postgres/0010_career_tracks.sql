-- Career tracks and induction cycles: tracks with ordered ranks, cycles
-- with ordered stages and their committees, nominations with evidence from
-- the nominee's file, the append-only log of stage decisions, and the
-- ranks members were inducted into.

CREATE TABLE career_tracks (
    id          UUID NOT NULL PRIMARY KEY,
    name        TEXT NOT NULL,
    description TEXT NOT NULL,
    created_by  UUID REFERENCES accounts (id),
    created_at  TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX career_tracks_by_name ON career_tracks (lower(name));

-- Ranks from the first (lowest, position 0) to the last.
CREATE TABLE track_ranks (
    track_id    UUID    NOT NULL REFERENCES career_tracks (id),
    position    INTEGER NOT NULL CHECK (position >= 0),
    name        TEXT    NOT NULL,
    description TEXT    NOT NULL,
    PRIMARY KEY (track_id, position)
);

CREATE TABLE induction_cycles (
    id         UUID NOT NULL PRIMARY KEY,
    track_id   UUID NOT NULL REFERENCES career_tracks (id),
    name       TEXT NOT NULL,
    -- Nominations are taken from opens to closes, both included.
    opens      DATE NOT NULL,
    closes     DATE NOT NULL CHECK (closes > opens),
    created_by UUID REFERENCES accounts (id),
    created_at TIMESTAMPTZ NOT NULL
);
CREATE UNIQUE INDEX induction_cycles_by_name ON induction_cycles (track_id, lower(name));

CREATE TABLE cycle_stages (
    cycle_id UUID    NOT NULL REFERENCES induction_cycles (id),
    position INTEGER NOT NULL CHECK (position >= 0),
    name     TEXT    NOT NULL,
    PRIMARY KEY (cycle_id, position)
);

-- Each stage's committee: local members, in the order given.
CREATE TABLE stage_committees (
    cycle_id   UUID    NOT NULL,
    position   INTEGER NOT NULL,
    account_id UUID    NOT NULL REFERENCES accounts (id),
    seat       INTEGER NOT NULL,
    PRIMARY KEY (cycle_id, position, account_id),
    FOREIGN KEY (cycle_id, position) REFERENCES cycle_stages (cycle_id, position)
);
CREATE INDEX stage_committees_by_member ON stage_committees (account_id);

CREATE TABLE nominations (
    id          UUID NOT NULL PRIMARY KEY,
    cycle_id    UUID NOT NULL REFERENCES induction_cycles (id),
    nominee_id  UUID NOT NULL REFERENCES accounts (id),
    -- NULL for a self-nomination.
    sponsor_id  UUID REFERENCES accounts (id),
    target_rank TEXT NOT NULL,
    statement   TEXT NOT NULL,
    -- When the nominee picked the evidence (at once for a self-nomination);
    -- a sponsored nomination waits for the nominee before any decision.
    accepted_at TIMESTAMPTZ,
    withdrawn_at TIMESTAMPTZ,
    created_at  TIMESTAMPTZ NOT NULL,
    updated_at  TIMESTAMPTZ NOT NULL,
    CHECK (sponsor_id IS NULL OR sponsor_id <> nominee_id)
);
-- One nomination per member per cycle, unless withdrawn.
CREATE UNIQUE INDEX nominations_one_per_cycle ON nominations (cycle_id, nominee_id)
    WHERE withdrawn_at IS NULL;
CREATE INDEX nominations_by_nominee ON nominations (nominee_id);
CREATE INDEX nominations_by_sponsor ON nominations (sponsor_id);

-- Items of the nominee's long-term file: an id, or a plan's version number.
CREATE TABLE nomination_evidence (
    nomination_id UUID    NOT NULL REFERENCES nominations (id),
    position      INTEGER NOT NULL,
    kind          TEXT    NOT NULL
        CHECK (kind IN ('session', 'review', 'mentorship', 'credential', 'plan')),
    item          TEXT    NOT NULL,
    PRIMARY KEY (nomination_id, position),
    UNIQUE (nomination_id, kind, item)
);

-- The decision log. Entry `position` n is the nomination's (n+1)th
-- decision: a second decision made on the same log collides on the key.
CREATE TABLE nomination_decisions (
    nomination_id UUID    NOT NULL REFERENCES nominations (id),
    position      INTEGER NOT NULL CHECK (position >= 0),
    stage         INTEGER NOT NULL CHECK (stage >= 0),
    decider_id    UUID    NOT NULL REFERENCES accounts (id),
    decision      TEXT    NOT NULL CHECK (decision IN ('advance', 'reject', 'defer')),
    rationale     TEXT    NOT NULL CHECK (length(rationale) > 0),
    decided_at    TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (nomination_id, position)
);
-- Append-only: no entry is changed or removed, whoever asks.
CREATE FUNCTION refuse_log_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the decision log is append-only';
END;
$$;
CREATE TRIGGER nomination_decisions_append_only BEFORE UPDATE OR DELETE
ON nomination_decisions FOR EACH ROW EXECUTE FUNCTION refuse_log_change();
CREATE TRIGGER nomination_decisions_no_truncate BEFORE TRUNCATE
ON nomination_decisions FOR EACH STATEMENT EXECUTE FUNCTION refuse_log_change();

-- Ranks members hold: one row per induction.
CREATE TABLE inductions (
    id            UUID    NOT NULL PRIMARY KEY,
    account_id    UUID    NOT NULL REFERENCES accounts (id),
    track_id      UUID    NOT NULL REFERENCES career_tracks (id),
    rank_position INTEGER NOT NULL,
    cycle_id      UUID    NOT NULL REFERENCES induction_cycles (id),
    nomination_id UUID    NOT NULL UNIQUE REFERENCES nominations (id),
    inducted_at   TIMESTAMPTZ NOT NULL,
    FOREIGN KEY (track_id, rank_position) REFERENCES track_ranks (track_id, position)
);
CREATE INDEX inductions_by_account ON inductions (account_id, track_id);

-- What a member is told about a nomination: the nominee of a sponsored
-- one, committee members when it waits for them, nominee and sponsor of
-- each decision.
ALTER TABLE notifications ADD COLUMN nomination_id UUID REFERENCES nominations (id);
