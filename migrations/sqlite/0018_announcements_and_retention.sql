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
