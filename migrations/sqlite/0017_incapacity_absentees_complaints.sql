-- Issue 16 (LAW.md §3, §8): the committee's confirmations of incapacity, absentees' notices,
-- and complaints with their written answers.
--
-- Incapacity (LAW.md §3 [N?]): `basis` holds health facts (personal information under PIPL);
-- it is read only by staff who run the election and never copied into a log entry or a page
-- anyone else sees. The retention purge (service::retention) blanks it.
CREATE TABLE incapacity_confirmations (
    id           INTEGER PRIMARY KEY,
    election_id  INTEGER NOT NULL REFERENCES elections(id),
    resident_id  INTEGER NOT NULL REFERENCES residents(id),
    basis        TEXT NOT NULL,
    confirmed_on TEXT NOT NULL,
    confirmed_by INTEGER NOT NULL,
    created_ms   INTEGER NOT NULL,
    UNIQUE (election_id, resident_id)
);

-- A voter's notice that they cannot return for election day (LAW.md §3 [P]).
CREATE TABLE absentee_notices (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    notified_on TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, resident_id)
);

-- Complaints (LAW.md §8 [P, CQ Art. 33]): answered in writing within the profile's
-- `deadlines.complaint_answer_days` (30) of filing.
CREATE TABLE complaints (
    id          INTEGER PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections(id),
    filed_by    TEXT NOT NULL,
    contact     TEXT NOT NULL,
    subject     TEXT NOT NULL,
    filed_on    TEXT NOT NULL,
    answer      TEXT,
    answered_on TEXT,
    created_ms  INTEGER NOT NULL
);
CREATE INDEX complaints_election ON complaints(election_id);
