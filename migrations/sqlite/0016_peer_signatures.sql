-- The HTTP signature flavour each other server takes (double-knocking):
-- 'draft-cavage' or 'rfc9421', the one that last worked, and when that
-- was settled (the preferred flavour is offered again some time after).
CREATE TABLE peer_signatures (
    domain     TEXT NOT NULL PRIMARY KEY,
    flavour    TEXT NOT NULL CHECK (flavour IN ('draft-cavage', 'rfc9421')),
    settled_at TEXT NOT NULL
);
