-- Elections: the plan, the lifecycle stage, the voter roll, registration requests, objections.
CREATE TABLE elections (
    id                 INTEGER PRIMARY KEY,
    community_id       INTEGER NOT NULL REFERENCES communities(id),
    round              TEXT NOT NULL,
    kind               TEXT NOT NULL CHECK (kind IN ('regular', 'by_election', 'recall')),
    method             TEXT NOT NULL CHECK (method IN ('direct', 'household', 'representatives')),
    seats_chair        INTEGER NOT NULL,
    seats_vice_chair   INTEGER NOT NULL,
    seats_member       INTEGER NOT NULL,
    profile_json       TEXT NOT NULL,
    election_day       TEXT NOT NULL,
    channels           TEXT NOT NULL,
    remote_legal_basis TEXT NOT NULL,
    stations_json      TEXT NOT NULL,
    stage              TEXT NOT NULL,
    list_published_on  TEXT,
    list_fingerprint   TEXT,
    list_version       INTEGER NOT NULL,
    version            INTEGER NOT NULL,
    created_ms         INTEGER NOT NULL,
    updated_ms         INTEGER NOT NULL
);
CREATE INDEX elections_community ON elections(community_id);
-- One regular re-election per community per round.
CREATE UNIQUE INDEX elections_one_regular ON elections(community_id, round) WHERE kind = 'regular';

-- One place only (LAW.md §3 [N?, P]): a person is registered in at most one election of a round,
-- across every community of the deployment. The primary key makes it hold under concurrency.
CREATE TABLE round_registrations (
    round       TEXT NOT NULL,
    id_number   TEXT NOT NULL,
    election_id INTEGER NOT NULL REFERENCES elections(id),
    PRIMARY KEY (round, id_number)
);

CREATE TABLE voters (
    election_id       INTEGER NOT NULL REFERENCES elections(id),
    resident_id       INTEGER NOT NULL REFERENCES residents(id),
    category          TEXT NOT NULL,
    status            TEXT NOT NULL CHECK (status IN ('registered', 'removed')),
    code_hash         BLOB,
    code_issued_ms    INTEGER,
    registered_ms     INTEGER NOT NULL,
    PRIMARY KEY (election_id, resident_id)
);
CREATE UNIQUE INDEX voters_code ON voters(code_hash) WHERE code_hash IS NOT NULL;

CREATE TABLE registration_requests (
    id          INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    status      TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected')),
    created_ms  INTEGER NOT NULL,
    decided_ms  INTEGER,
    UNIQUE (election_id, resident_id)
);

CREATE TABLE objections (
    id          INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER REFERENCES residents(id),
    filed_by    TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('omitted', 'wrongly_included', 'wrong_details')),
    reason      TEXT NOT NULL,
    filed_on    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'upheld', 'rejected')),
    decision    TEXT NOT NULL,
    decided_on  TEXT,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX objections_election ON objections(election_id);
