-- Issue 18 (docs/e2e.md §6–§8): the mix and the threshold decryption of an end-to-end round.
-- The server is their bulletin board: each row is a message a trustee posted (checked before it
-- was stored) or what the last share made; each is logged (e2e.shuffle_posted,
-- e2e.decryption_posted, e2e.decrypted with the hashes of what is here) and published in the
-- election record, so `huanjie verify` checks them without trusting these tables.
CREATE TABLE e2e_shuffles (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    round_no    INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    trustee     INTEGER NOT NULL,
    output      TEXT NOT NULL,
    proof       TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no, seq),
    UNIQUE (election_id, round_no, trustee)
);

CREATE TABLE e2e_decryptions (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    round_no    INTEGER NOT NULL,
    trustee     INTEGER NOT NULL,
    share       TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no, trustee)
);

-- The decrypted ballots in decrypted order: the electronic box the count reads. No link to any
-- voter or to the encrypted box's order (they come out of the last shuffle).
CREATE TABLE e2e_decrypted (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    round_no    INTEGER NOT NULL,
    seq         INTEGER NOT NULL,
    content     TEXT NOT NULL,
    PRIMARY KEY (election_id, round_no, seq)
);
