-- The residents' election committee (居民选举委员会, LAW.md §2) and its recorded decisions.
CREATE TABLE committee_members (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    position    TEXT NOT NULL CHECK (position IN ('chair', 'member', 'substitute')),
    order_no    INTEGER NOT NULL,
    username    TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('serving', 'recused', 'waiting')),
    note        TEXT NOT NULL,
    PRIMARY KEY (election_id, resident_id)
);
CREATE TABLE committee_decisions (
    id          INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections(id),
    subject     TEXT NOT NULL,
    members     INTEGER NOT NULL,
    present     INTEGER NOT NULL,
    yes         INTEGER NOT NULL,
    adopted     INTEGER NOT NULL,
    decided_on  TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);
