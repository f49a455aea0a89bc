-- Cohorts: a program's group of mentees and mentors, matched as a whole.
-- (Number 0004 is reserved for another change.)

CREATE TABLE cohorts (
    id         BLOB    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    created_by BLOB    REFERENCES accounts (id) ON DELETE SET NULL,
    -- Goes up with every change of the members, so that a proposal computed
    -- from an older list of members is refused.
    revision   INTEGER NOT NULL DEFAULT 0,
    created_at TEXT    NOT NULL,
    updated_at TEXT    NOT NULL
);

-- Mentees are members of this instance; mentors may be members of partner
-- instances (cached accounts). One member may be on both sides.
CREATE TABLE cohort_members (
    cohort_id  BLOB    NOT NULL REFERENCES cohorts (id) ON DELETE CASCADE,
    role       TEXT    NOT NULL CHECK (role IN ('mentee', 'mentor')),
    account_id BLOB    NOT NULL REFERENCES accounts (id),
    position   INTEGER NOT NULL,
    PRIMARY KEY (cohort_id, role, account_id)
);

-- The assignment proposed for a cohort (at most one), kept for review and
-- approved once.
CREATE TABLE cohort_proposals (
    cohort_id       BLOB    NOT NULL PRIMARY KEY REFERENCES cohorts (id) ON DELETE CASCADE,
    -- The weights it was scored with (JSON, see trellis_core::matching::Weights).
    weights         TEXT    NOT NULL,
    total_score     BIGINT  NOT NULL,
    assigned        INTEGER NOT NULL,
    -- What first-come-first-served assignment would have achieved.
    greedy_total    BIGINT  NOT NULL,
    greedy_assigned INTEGER NOT NULL,
    computed_by     BLOB    REFERENCES accounts (id) ON DELETE SET NULL,
    computed_at     TEXT    NOT NULL,
    approved_by     BLOB    REFERENCES accounts (id) ON DELETE SET NULL,
    approved_at     TEXT
);

-- One row per mentee of a proposal: their mentor with the score and its
-- explanation, or why they have none; after approval, what became of the
-- request (the mentorship it created, or why it failed).
CREATE TABLE cohort_proposal_entries (
    cohort_id     BLOB    NOT NULL REFERENCES cohort_proposals (cohort_id) ON DELETE CASCADE,
    mentee_id     BLOB    NOT NULL REFERENCES accounts (id),
    position      INTEGER NOT NULL,
    mentor_id     BLOB    REFERENCES accounts (id),
    score         INTEGER CHECK (score BETWEEN 0 AND 100),
    -- JSON list of trellis_core::matching::FactorScore.
    factors       TEXT    NOT NULL DEFAULT '[]',
    unassigned    TEXT,
    mentorship_id BLOB    REFERENCES mentorships (id) ON DELETE SET NULL,
    failure       TEXT,
    PRIMARY KEY (cohort_id, mentee_id),
    CHECK ((mentor_id IS NULL) = (unassigned IS NOT NULL))
);
