-- Signed checkpoints (C2SP tlog-checkpoint notes) and witness cosignatures.
CREATE TABLE checkpoints (
    log_id     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    root       BYTEA NOT NULL,
    note       TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (log_id, size)
);
CREATE TABLE cosignatures (
    log_id     TEXT NOT NULL,
    size       BIGINT NOT NULL,
    witness    TEXT NOT NULL,
    line       TEXT NOT NULL,
    created_ms BIGINT NOT NULL,
    PRIMARY KEY (log_id, size, witness)
);
CREATE TRIGGER checkpoints_no_change BEFORE UPDATE OR DELETE ON checkpoints
FOR EACH ROW EXECUTE FUNCTION audit_entries_refuse();
