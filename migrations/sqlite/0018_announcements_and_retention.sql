-- Issue 16: the day a result was announced (LAW.md §8: the handover deadline runs from it), and
-- the operator's purges of a finished term's personal data (PIPL; service::retention).
CREATE TABLE result_announcements (
    election_id  INTEGER PRIMARY KEY REFERENCES elections(id),
    announced_on TEXT NOT NULL
);

-- One row per election whose personal data was deleted or reduced; `summary` is the JSON the
-- audit entry carries (how many rows of each kind).
CREATE TABLE personal_data_purges (
    election_id INTEGER PRIMARY KEY REFERENCES elections(id),
    purged_on   TEXT NOT NULL,
    summary     TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);

-- LAW.md §8 [P, CQ Art. 34]: the committee's record that a round was not counted in public
-- (no_public_count) or its result not announced on the spot (not_announced_on_spot); the box
-- carries the facts and the law engine voids the count (service::count_conduct).
CREATE TABLE count_conduct (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    round_no    INTEGER NOT NULL,
    finding     TEXT NOT NULL CHECK (finding IN ('no_public_count', 'not_announced_on_spot')),
    recorded_on TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no, finding)
);

-- LAW.md §6 [P]: a ballot written for a voter who cannot write (代写): on the voter's row of the
-- participation roll, by whom (a resident), never on the ballot (service::polling::check_in).
CREATE TABLE assisted_ballots (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    resident_id INTEGER NOT NULL,
    assisted_by INTEGER NOT NULL REFERENCES residents(id),
    PRIMARY KEY (election_id, round_no, resident_id)
);
