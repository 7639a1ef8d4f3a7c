-- Foundation schema: registry, staff, sessions, throttling, imports, audit log.
-- Instants are UTC epoch milliseconds; dates are ISO 'YYYY-MM-DD' text; hashes are blobs.
-- Append-only: never edit a released migration, add a new one.

CREATE TABLE street_offices (
    id          INTEGER PRIMARY KEY,
    code        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    created_ms  INTEGER NOT NULL
);

CREATE TABLE communities (
    id               INTEGER PRIMARY KEY,
    street_office_id INTEGER NOT NULL REFERENCES street_offices(id),
    code             TEXT NOT NULL UNIQUE,
    name             TEXT NOT NULL,
    created_ms       INTEGER NOT NULL
);
CREATE INDEX communities_street ON communities(street_office_id);

CREATE TABLE resident_groups (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    number       INTEGER NOT NULL,
    name         TEXT NOT NULL,
    UNIQUE (community_id, number)
);

CREATE TABLE households (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    group_id     INTEGER REFERENCES resident_groups(id),
    number       TEXT NOT NULL,
    address      TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    UNIQUE (community_id, number)
);

CREATE TABLE residents (
    id                INTEGER PRIMARY KEY,
    community_id      INTEGER NOT NULL REFERENCES communities(id),
    household_id      INTEGER REFERENCES households(id),
    group_id          INTEGER REFERENCES resident_groups(id),
    name              TEXT NOT NULL,
    gender            TEXT NOT NULL CHECK (gender IN ('male', 'female')),
    ethnicity         TEXT NOT NULL,
    birth_date        TEXT NOT NULL,
    id_number         TEXT NOT NULL,
    hukou_here        INTEGER NOT NULL,
    months_resident   INTEGER NOT NULL,
    community_worker  INTEGER NOT NULL,
    worker_months     INTEGER NOT NULL,
    political_rights  TEXT NOT NULL CHECK (political_rights IN ('full', 'deprived')),
    household_head    INTEGER NOT NULL,
    phone             TEXT NOT NULL,
    version           INTEGER NOT NULL,
    created_ms        INTEGER NOT NULL,
    updated_ms        INTEGER NOT NULL,
    UNIQUE (community_id, id_number)
);
CREATE INDEX residents_household ON residents(household_id);
CREATE INDEX residents_id_number ON residents(id_number);
CREATE INDEX residents_name ON residents(community_id, name);

CREATE TABLE resident_history (
    id          INTEGER PRIMARY KEY,
    resident_id INTEGER NOT NULL REFERENCES residents(id),
    version     INTEGER NOT NULL,
    changed_ms  INTEGER NOT NULL,
    actor       TEXT NOT NULL,
    before_json TEXT NOT NULL,
    after_json  TEXT NOT NULL
);
CREATE INDEX resident_history_resident ON resident_history(resident_id);

CREATE TABLE near_relatives (
    resident_a INTEGER NOT NULL REFERENCES residents(id),
    resident_b INTEGER NOT NULL REFERENCES residents(id),
    relation   TEXT NOT NULL,
    PRIMARY KEY (resident_a, resident_b),
    CHECK (resident_a < resident_b)
);

CREATE TABLE users (
    id            INTEGER PRIMARY KEY,
    username      TEXT NOT NULL UNIQUE,
    display_name  TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    created_ms    INTEGER NOT NULL
);

CREATE TABLE user_roles (
    id         INTEGER PRIMARY KEY,
    user_id    INTEGER NOT NULL REFERENCES users(id),
    role       TEXT NOT NULL CHECK (role IN ('street_admin', 'committee', 'clerk', 'observer')),
    scope_kind TEXT NOT NULL CHECK (scope_kind IN ('street_office', 'community')),
    scope_id   INTEGER NOT NULL,
    UNIQUE (user_id, role, scope_kind, scope_id)
);

CREATE TABLE sessions (
    id_hash      BLOB PRIMARY KEY,
    user_id      INTEGER NOT NULL REFERENCES users(id),
    csrf_token   TEXT NOT NULL,
    created_ms   INTEGER NOT NULL,
    last_seen_ms INTEGER NOT NULL
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE login_throttle (
    key          TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_ms    INTEGER NOT NULL,
    locked_until INTEGER NOT NULL
);

CREATE TABLE import_batches (
    id           INTEGER PRIMARY KEY,
    community_id INTEGER NOT NULL REFERENCES communities(id),
    created_by   INTEGER REFERENCES users(id),       -- NULL: the operator on the CLI
    created_ms   INTEGER NOT NULL,
    filename     TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('preview', 'committed', 'discarded')),
    total_rows   INTEGER NOT NULL,
    error_rows   INTEGER NOT NULL
);

CREATE TABLE import_rows (
    batch_id    INTEGER NOT NULL REFERENCES import_batches(id),
    row_no      INTEGER NOT NULL,
    data_json   TEXT NOT NULL,
    errors_json TEXT NOT NULL,
    PRIMARY KEY (batch_id, row_no)
);

-- The tamper-evident log (RFC 6962 leaves). Append-only: the database itself refuses changes.
CREATE TABLE audit_entries (
    log_id     TEXT NOT NULL,
    idx        INTEGER NOT NULL,
    leaf       BLOB NOT NULL,
    leaf_hash  BLOB NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (log_id, idx)
);
CREATE TRIGGER audit_entries_no_update BEFORE UPDATE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;
CREATE TRIGGER audit_entries_no_delete BEFORE DELETE ON audit_entries
BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;

-- The right edge of each log's Merkle tree, so appending is O(log n).
CREATE TABLE audit_heads (
    log_id   TEXT PRIMARY KEY,
    size     INTEGER NOT NULL,
    frontier BLOB NOT NULL
);
