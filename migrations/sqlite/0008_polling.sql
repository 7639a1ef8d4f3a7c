-- Polling (LAW.md §6): rounds of voting, the participation roll, the ballot box, booths, paper
-- ballot entry, candidate statements. Ballot secrecy (DESIGN.md): the participation roll says
-- THAT a voter received a ballot (channel, station); the box says WHAT was voted (random id,
-- station, marks). Nothing joins the two: no voter column in the box, no time in either, and
-- both are WITHOUT ROWID, so rows are stored in key order rather than in the order they came.

-- One round of voting: the first vote, a run-off (另行选举) or a re-vote among tied candidates.
-- `paper` is the ballot (posts, seats, candidates in list order) fixed when the round opens.
CREATE TABLE polls (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    round_no    INTEGER NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('first', 'runoff', 'revote')),
    paper       TEXT NOT NULL,
    status      TEXT NOT NULL CHECK (status IN ('open', 'closed')),
    opened_ms   INTEGER NOT NULL,
    closed_ms   INTEGER,
    PRIMARY KEY (election_id, round_no)
);

CREATE TABLE participation (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    resident_id INTEGER NOT NULL,
    channel     TEXT NOT NULL CHECK (channel IN ('paper', 'mobile_box', 'proxy', 'booth', 'remote')),
    station     TEXT NOT NULL,
    proxy_id    INTEGER,
    PRIMARY KEY (election_id, round_no, resident_id),
    FOREIGN KEY (election_id, round_no) REFERENCES polls(election_id, round_no)
) WITHOUT ROWID;
CREATE INDEX participation_station ON participation(election_id, round_no, station, channel);

CREATE TABLE ballots (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    id          BLOB NOT NULL,
    station     TEXT NOT NULL,
    entry_no    INTEGER,
    content     TEXT NOT NULL,
    PRIMARY KEY (election_id, round_no, id),
    FOREIGN KEY (election_id, round_no) REFERENCES polls(election_id, round_no)
) WITHOUT ROWID;

-- Neither a cast nor a ballot can be taken back: corrections are new records (DESIGN.md).
CREATE TRIGGER participation_no_update BEFORE UPDATE ON participation
BEGIN SELECT RAISE(ABORT, 'the participation roll is append-only'); END;
CREATE TRIGGER participation_no_delete BEFORE DELETE ON participation
BEGIN SELECT RAISE(ABORT, 'the participation roll is append-only'); END;
CREATE TRIGGER ballots_no_update BEFORE UPDATE ON ballots
BEGIN SELECT RAISE(ABORT, 'the ballot box is append-only'); END;
CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots
BEGIN SELECT RAISE(ABORT, 'the ballot box is append-only'); END;

-- A booth tablet in the secret writing place (秘密写票处). A clerk unlocks it for one ballot
-- of one round; casting locks it again. The tablet holds the token, the server its hash.
CREATE TABLE booths (
    id             INTEGER PRIMARY KEY,
    election_id    INTEGER NOT NULL REFERENCES elections(id),
    station        TEXT NOT NULL,
    name           TEXT NOT NULL,
    token_hash     BLOB NOT NULL UNIQUE,
    unlocked_round INTEGER,
    created_ms     INTEGER NOT NULL,
    UNIQUE (election_id, name)
);

-- Paper ballots entered per box after close, twice, by two different clerks (pass 1 and 2).
CREATE TABLE paper_entries (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    station     TEXT NOT NULL,
    pass        INTEGER NOT NULL CHECK (pass IN (1, 2)),
    seq         INTEGER NOT NULL,
    clerk_id    INTEGER NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (election_id, round_no, station, pass, seq)
);
-- A box whose two entries agreed and went into the ballot box.
CREATE TABLE paper_boxes (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    station     TEXT NOT NULL,
    returned    INTEGER NOT NULL,
    spoiled     INTEGER NOT NULL,
    accepted_ms INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no, station)
);

-- Candidate statements (履职设想, LAW.md §5 [N?, P]) with an optional photo.
CREATE TABLE candidate_statements (
    nomination_id INTEGER PRIMARY KEY REFERENCES nominations(id),
    statement     TEXT NOT NULL,
    photo         BLOB,
    photo_type    TEXT,
    updated_ms    INTEGER NOT NULL
);
