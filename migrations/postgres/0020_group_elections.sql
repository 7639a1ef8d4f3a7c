-- Residents' group elections (居民小组推选居民代表, LAW.md §4 [N 2018, P], §10): an election of
-- kind `group` in the community, whose roll is one residents' group's voters and whose result,
-- once certified, is the group's representatives for the main election (representatives method).

ALTER TABLE elections DROP CONSTRAINT elections_kind_check;
ALTER TABLE elections ADD CONSTRAINT elections_kind_check
    CHECK (kind IN ('regular', 'by_election', 'recall', 'group'));

-- One row per group election: the main election whose electorate it elects, the group, and
-- the seats (2–3 representatives, the profile's `meetings.representatives_per_group_*`).
CREATE TABLE group_elections (
    election_id      BIGINT PRIMARY KEY REFERENCES elections(id),
    main_election_id BIGINT NOT NULL REFERENCES elections(id),
    group_id         BIGINT NOT NULL REFERENCES resident_groups(id),
    seats            BIGINT NOT NULL,
    created_ms       BIGINT NOT NULL
);
CREATE INDEX group_elections_main ON group_elections(main_election_id);

-- The residents standing in a group election (any voter of the group).
CREATE TABLE group_candidates (
    election_id BIGINT NOT NULL REFERENCES elections(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    PRIMARY KEY (election_id, resident_id)
);

-- Each counted round of a group election: the law engine's result (law::group) over the box.
CREATE TABLE group_counts (
    election_id BIGINT NOT NULL REFERENCES elections(id),
    round_no    BIGINT NOT NULL,
    box_sha256  TEXT NOT NULL,
    result_json TEXT NOT NULL,
    created_ms  BIGINT NOT NULL,
    PRIMARY KEY (election_id, round_no)
);

-- Where a recorded representative came from: the certified group election, or NULL for the
-- result of a group meeting held on paper (service::voters::set_group_representatives).
ALTER TABLE group_representatives ADD COLUMN group_election_id BIGINT REFERENCES elections(id);
