-- Residents' group elections (居民小组推选居民代表, LAW.md §4 [N 2018, P], §10): an election of
-- kind `group` in the community, whose roll is one residents' group's voters and whose result,
-- once certified, is the group's representatives for the main election (representatives method).
--
-- `elections.kind` gains 'group'. SQLite cannot alter a CHECK constraint; the documented way
-- for a constraint that only widens (sqlite.org/lang_altertable.html, "making other kinds of
-- table schema changes") rewrites the table's stored SQL, no row touched; the two renames make
-- every connection, this one included, re-read the schema (and check it).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'CHECK (kind IN (''regular'', ''by_election'', ''recall''))',
                          'CHECK (kind IN (''regular'', ''by_election'', ''recall'', ''group''))')
 WHERE type = 'table' AND name = 'elections';
PRAGMA writable_schema = OFF;
ALTER TABLE elections RENAME TO elections_widening;
ALTER TABLE elections_widening RENAME TO elections;

-- One row per group election: the main election whose electorate it elects, the group, and
-- the seats (2–3 representatives, the profile's `meetings.representatives_per_group_*`).
CREATE TABLE group_elections (
    election_id      INTEGER PRIMARY KEY REFERENCES elections(id),
    main_election_id INTEGER NOT NULL REFERENCES elections(id),
    group_id         INTEGER NOT NULL REFERENCES resident_groups(id),
    seats            INTEGER NOT NULL,
    created_ms       INTEGER NOT NULL
);
CREATE INDEX group_elections_main ON group_elections(main_election_id);

-- The residents standing in a group election (any voter of the group).
CREATE TABLE group_candidates (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    PRIMARY KEY (election_id, resident_id)
);

-- Each counted round of a group election: the law engine's result (law::group) over the box.
CREATE TABLE group_counts (
    election_id INTEGER NOT NULL REFERENCES elections(id),
    round_no    INTEGER NOT NULL,
    box_sha256  TEXT NOT NULL,
    result_json TEXT NOT NULL,
    created_ms  INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no)
);

-- Where a recorded representative came from: the certified group election, or NULL for the
-- result of a group meeting held on paper (service::voters::set_group_representatives).
ALTER TABLE group_representatives ADD COLUMN group_election_id INTEGER REFERENCES elections(id);
