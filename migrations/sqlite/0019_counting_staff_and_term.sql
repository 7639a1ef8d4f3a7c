-- Issue 16 (branch h3).
-- LAW.md §2 [P]: the counting staff of an election — scrutineers (监票), callers (唱票) and
-- talliers (计票) — are residents of the community, not free text, so the recusal rule can see
-- them (service::counting_staff). A member found in conflict is `removed` with its reason.
CREATE TABLE counting_staff (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    duty        TEXT NOT NULL CHECK (duty IN ('scrutineer', 'caller', 'tallier')),
    status      TEXT NOT NULL DEFAULT 'serving' CHECK (status IN ('serving', 'removed')),
    note        TEXT NOT NULL DEFAULT '',
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, resident_id, duty)
);

-- LAW.md §1 [N], §3 [N?, P]: the term calendar the city declares (one row): the first year of a
-- term; terms run `years` years from it. No row: the synchronised national calendar (2021, 5).
CREATE TABLE term_calendar (
    id          INTEGER PRIMARY KEY CHECK (id = 1),
    first_year  INTEGER NOT NULL,
    years       INTEGER NOT NULL,
    declared_on TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);

-- LAW.md §9 [N?]: loss of legal capacity (丧失行为能力) ends an office automatically; a new cause
-- of vacancy. SQLite cannot alter a CHECK: the table is rebuilt (nothing references it).
CREATE TABLE vacancies_new (
    id               INTEGER PRIMARY KEY,
    term_election_id INTEGER NOT NULL REFERENCES elections(id),
    post             TEXT NOT NULL CHECK (post IN ('chair', 'vice_chair', 'member')),
    member_id        TEXT,
    cause            TEXT NOT NULL CHECK (cause IN ('recall', 'resignation', 'death', 'sentence', 'legal_capacity', 'void', 'unfilled')),
    arose_on         TEXT NOT NULL,
    filing_by        TEXT NOT NULL,
    byelection_by    TEXT NOT NULL,
    byelection_id    INTEGER REFERENCES elections(id),
    created_ms       INTEGER NOT NULL
);
INSERT INTO vacancies_new (id, term_election_id, post, member_id, cause, arose_on, filing_by, byelection_by, byelection_id, created_ms)
    SELECT id, term_election_id, post, member_id, cause, arose_on, filing_by, byelection_by, byelection_id, created_ms FROM vacancies;
DROP TABLE vacancies;
ALTER TABLE vacancies_new RENAME TO vacancies;
CREATE INDEX vacancies_term ON vacancies(term_election_id);
-- One vacancy per member (a member leaves office once).
CREATE UNIQUE INDEX vacancies_member ON vacancies(term_election_id, member_id) WHERE member_id IS NOT NULL;
