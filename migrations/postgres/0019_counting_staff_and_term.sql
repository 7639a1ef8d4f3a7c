-- Issue 16 (branch h3).
-- LAW.md §2 [P]: the counting staff of an election — scrutineers (监票), callers (唱票) and
-- talliers (计票) — are residents of the community, not free text, so the recusal rule can see
-- them (service::counting_staff). A member found in conflict is `removed` with its reason.
CREATE TABLE counting_staff (
    election_id BIGINT NOT NULL REFERENCES elections(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    duty        TEXT NOT NULL CHECK (duty IN ('scrutineer', 'caller', 'tallier')),
    status      TEXT NOT NULL DEFAULT 'serving' CHECK (status IN ('serving', 'removed')),
    note        TEXT NOT NULL DEFAULT '',
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (election_id, resident_id, duty)
);

-- LAW.md §1 [N], §3 [N?, P]: the term calendar the city declares (one row): the first year of a
-- term; terms run `years` years from it. No row: the synchronised national calendar (2021, 5).
CREATE TABLE term_calendar (
    id          BIGINT PRIMARY KEY CHECK (id = 1),
    first_year  BIGINT NOT NULL,
    years       BIGINT NOT NULL,
    declared_on TEXT NOT NULL,
    created_ms  BIGINT NOT NULL
);

-- LAW.md §9 [N?]: loss of legal capacity (丧失行为能力) ends an office automatically; a new cause
-- of vacancy.
ALTER TABLE vacancies DROP CONSTRAINT vacancies_cause_check;
ALTER TABLE vacancies ADD CONSTRAINT vacancies_cause_check
    CHECK (cause IN ('recall', 'resignation', 'death', 'sentence', 'legal_capacity', 'void', 'unfilled'));
