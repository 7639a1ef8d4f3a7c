-- Nominations (提名, LAW.md §5) and the formal candidate list built from them.
CREATE TABLE nominations (
    id            INTEGER PRIMARY KEY,
    election_id   INTEGER NOT NULL REFERENCES elections(id),
    post          TEXT NOT NULL CHECK (post IN ('chair', 'vice_chair', 'member')),
    nominee_id    INTEGER NOT NULL REFERENCES residents(id),
    route         TEXT NOT NULL CHECK (route IN ('joint_voters', 'joint_households', 'self')),
    nominators    TEXT NOT NULL,
    consent_on    TEXT,
    review        TEXT NOT NULL CHECK (review IN ('pending', 'qualified', 'disqualified')),
    reviewer      TEXT NOT NULL,
    reviewed_on   TEXT,
    review_reasons TEXT NOT NULL,
    status        TEXT NOT NULL CHECK (status IN ('nominated', 'candidate', 'reserve', 'withdrawn')),
    list_order    INTEGER,
    support       INTEGER NOT NULL,
    created_ms    INTEGER NOT NULL,
    UNIQUE (election_id, post, nominee_id)
);
CREATE INDEX nominations_election ON nominations(election_id);
