-- Issue 18 items 3 and 4 (docs/e2e.md §5, §8): the credential list and one ballot per credential.
-- The list holds public keys only, no resident: it is published, sorted by key (so its order
-- says nothing of the voter list's), with each entry's status and who generated it.
CREATE TABLE e2e_credentials (
    election_id BIGINT NOT NULL REFERENCES elections(id),
    credential  TEXT NOT NULL UNIQUE,
    status      TEXT NOT NULL CHECK (status IN ('live', 'revoked')),
    source      TEXT NOT NULL CHECK (source IN ('server', 'authority')),
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (election_id, credential)
);

-- Whose card carries which live credential: what the server, acting as the credential
-- authority, needs to revoke a reissued card's old entry. Never published, never in the record
-- (README "End-to-end ballots: credentials and the encrypted cast" says what it implies).
CREATE TABLE e2e_credential_holders (
    election_id BIGINT NOT NULL REFERENCES elections(id),
    resident_id BIGINT NOT NULL,
    credential  TEXT NOT NULL,
    PRIMARY KEY (election_id, resident_id)
);

-- One encrypted ballot per credential and round, claimed in the cast writer's transaction
-- (the conditional insert also requires the credential to be listed and live); no ciphertext
-- twice in an election (its tracker).
CREATE TABLE e2e_cast (
    election_id BIGINT NOT NULL,
    round_no    BIGINT NOT NULL,
    credential  TEXT NOT NULL,
    tracker     TEXT NOT NULL,
    PRIMARY KEY (election_id, round_no, credential),
    UNIQUE (election_id, tracker)
);
