-- Counting and results (LAW.md §7–8): one count per round, the published box with its Merkle
-- root, decisions that an election or one person's election is void, the handover checklist.

-- `box` is the round's ballot box exactly as `huanjie count` reads it; `result` what the law
-- engine made of it. Both are published; the log entry carries their hashes.
CREATE TABLE counts (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    box         TEXT NOT NULL,
    result      TEXT NOT NULL,
    box_root    BLOB NOT NULL,
    counted_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no),
    FOREIGN KEY (election_id, round_no) REFERENCES polls(election_id, round_no)
);
CREATE TRIGGER counts_no_update BEFORE UPDATE ON counts
BEGIN SELECT RAISE(ABORT, 'counts are append-only'); END;
CREATE TRIGGER counts_no_delete BEFORE DELETE ON counts
BEGIN SELECT RAISE(ABORT, 'counts are append-only'); END;

CREATE TABLE void_decisions (
    id            INTEGER PRIMARY KEY,
    election_id   INTEGER NOT NULL REFERENCES elections(id),
    scope         TEXT NOT NULL CHECK (scope IN ('election', 'person')),
    nomination_id INTEGER REFERENCES nominations(id),
    reasons       TEXT NOT NULL,
    decided_on    TEXT NOT NULL,
    created_ms    INTEGER NOT NULL
);

CREATE TABLE handover_items (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    item        TEXT NOT NULL CHECK (item IN ('seals', 'premises', 'equipment', 'finances', 'archives')),
    done_on     TEXT NOT NULL,
    note        TEXT NOT NULL,
    PRIMARY KEY (election_id, item)
);

-- A void election does not block its re-run in the same round (LAW.md §8 [P, CQ Art. 35]).
DROP INDEX elections_one_regular;
CREATE UNIQUE INDEX elections_one_regular ON elections(community_id, round) WHERE kind = 'regular' AND stage <> 'void';
