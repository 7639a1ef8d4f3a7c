-- Residents' representatives (居民代表) recorded from each residents' group's meeting, for
-- elections by the representatives method (LAW.md §4 [N 2018, P]: 2–3 per group).
CREATE TABLE group_representatives (
    election_id BIGINT NOT NULL REFERENCES elections(id),
    group_id    BIGINT NOT NULL REFERENCES resident_groups(id),
    resident_id BIGINT NOT NULL REFERENCES residents(id),
    PRIMARY KEY (election_id, resident_id)
);
