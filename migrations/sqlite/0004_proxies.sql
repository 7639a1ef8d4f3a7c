-- Proxy voting (委托投票, LAW.md §6): written authorisations approved by the committee.
CREATE TABLE proxies (
    id           INTEGER PRIMARY KEY,
    election_id  INTEGER NOT NULL REFERENCES elections(id),
    principal_id INTEGER NOT NULL REFERENCES residents(id),
    proxy_id     INTEGER NOT NULL REFERENCES residents(id),
    reason       TEXT NOT NULL,
    applied_on   TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('applied', 'approved', 'rejected')),
    decided_on   TEXT,
    created_ms   INTEGER NOT NULL
);
-- A principal has at most one live authorisation per election.
CREATE UNIQUE INDEX proxies_one_per_principal ON proxies(election_id, principal_id) WHERE status <> 'rejected';
CREATE INDEX proxies_proxy ON proxies(election_id, proxy_id);
