-- Recall (罢免) and vacancies (LAW.md §9): the petition, the member's answer, the outcome; every
-- vacant seat of a term with its cause, deadlines and the by-election that fills it.
CREATE TABLE recalls (
    election_id      INTEGER PRIMARY KEY REFERENCES elections(id),
    term_election_id INTEGER NOT NULL REFERENCES elections(id),
    member_id        TEXT NOT NULL,
    member_post      TEXT NOT NULL,
    member_name      TEXT NOT NULL,
    reasons          TEXT NOT NULL,
    signers          TEXT NOT NULL,
    verified_on      TEXT,
    answer           TEXT,
    answer_on        TEXT
);

CREATE TABLE vacancies (
    id               INTEGER PRIMARY KEY,
    term_election_id INTEGER NOT NULL REFERENCES elections(id),
    post             TEXT NOT NULL CHECK (post IN ('chair', 'vice_chair', 'member')),
    member_id        TEXT,
    cause            TEXT NOT NULL CHECK (cause IN ('recall', 'resignation', 'death', 'sentence', 'void', 'unfilled')),
    arose_on         TEXT NOT NULL,
    filing_by        TEXT NOT NULL,
    byelection_by    TEXT NOT NULL,
    byelection_id    INTEGER REFERENCES elections(id),
    created_ms       INTEGER NOT NULL
);
CREATE INDEX vacancies_term ON vacancies(term_election_id);
-- One vacancy per member (a member leaves office once).
CREATE UNIQUE INDEX vacancies_member ON vacancies(term_election_id, member_id) WHERE member_id IS NOT NULL;
