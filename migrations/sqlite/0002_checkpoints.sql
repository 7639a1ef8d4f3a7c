-- Signed checkpoints (C2SP tlog-checkpoint notes) and witness cosignatures.
CREATE TABLE checkpoints (
    log_id     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    root       BLOB NOT NULL,
    note       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (log_id, size)
);
CREATE TABLE cosignatures (
    log_id     TEXT NOT NULL,
    size       INTEGER NOT NULL,
    witness    TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_ms INTEGER NOT NULL,
    PRIMARY KEY (log_id, size, witness)
);
CREATE TRIGGER checkpoints_no_update BEFORE UPDATE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
CREATE TRIGGER checkpoints_no_delete BEFORE DELETE ON checkpoints
BEGIN SELECT RAISE(ABORT, 'checkpoints are append-only'); END;
