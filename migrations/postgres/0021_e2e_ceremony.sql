-- Issue 18 (docs/e2e.md §4): the trustees' key ceremony, the server only its bulletin board.
-- Every message is also in the election's log (e2e.* entries), so the record proves the key.
CREATE TABLE e2e_ceremonies (
    election_id  BIGINT NOT NULL REFERENCES elections(id),
    number       BIGINT NOT NULL,
    n            BIGINT NOT NULL,
    k            BIGINT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('keys', 'dealing', 'checking', 'done', 'failed')),
    election_key TEXT,
    created_ms   BIGINT NOT NULL,
    PRIMARY KEY (election_id, number)
);

-- One row per trustee (a serving member of the election committee, LAW.md §2): the hash of its
-- token (the token itself is shown once, to be handed to the trustee), then what it posted.
CREATE TABLE e2e_trustees (
    election_id  BIGINT NOT NULL,
    number       BIGINT NOT NULL,
    trustee      BIGINT NOT NULL,
    resident_id  BIGINT NOT NULL REFERENCES residents(id),
    token_hash   TEXT NOT NULL UNIQUE,
    key_message  TEXT,
    dealing      TEXT,
    checked      BIGINT NOT NULL DEFAULT 0,
    PRIMARY KEY (election_id, number, trustee),
    FOREIGN KEY (election_id, number) REFERENCES e2e_ceremonies (election_id, number)
);

CREATE TABLE e2e_complaints (
    election_id BIGINT NOT NULL,
    number      BIGINT NOT NULL,
    dealer      BIGINT NOT NULL,
    recipient   BIGINT NOT NULL,
    complaint   TEXT NOT NULL,
    verdict     TEXT NOT NULL CHECK (verdict IN ('dealer', 'accuser')),
    PRIMARY KEY (election_id, number, dealer, recipient),
    FOREIGN KEY (election_id, number) REFERENCES e2e_ceremonies (election_id, number)
);
