-- Sign-in that holds under attack (issue 12): two-factor sign-in for staff (TOTP, RFC 6238) with
-- single-use recovery codes, the half-signed-in state between the password and the code, and the
-- addresses each account has signed in from (exempt from the per-account slow path).

-- One TOTP secret per account, encrypted with a key derived from the session key
-- (nonce ‖ ciphertext ‖ tag). confirmed_ms NULL: enrolment started, no code typed yet.
-- last_step: the last 30-second step whose code was accepted (a code is never accepted twice).
CREATE TABLE staff_totp (
    user_id      BIGINT PRIMARY KEY REFERENCES users(id),
    secret_enc   BYTEA NOT NULL,
    confirmed_ms BIGINT,
    last_step    BIGINT NOT NULL,
    created_ms   BIGINT NOT NULL
);

-- Ten single-use recovery codes per enrolment, stored as keyed hashes.
CREATE TABLE staff_recovery_codes (
    user_id   BIGINT NOT NULL REFERENCES users(id),
    code_hash BYTEA NOT NULL,
    used_ms   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- The password was right, the second factor is still due: no session exists until it is.
-- kind 'code' (type a code) or 'enrol' (a street admin must set up TOTP first).
CREATE TABLE login_pending (
    id_hash    BYTEA PRIMARY KEY,
    user_id    BIGINT NOT NULL REFERENCES users(id),
    kind       TEXT NOT NULL CHECK (kind IN ('code', 'enrol')),
    address    TEXT NOT NULL,
    next_path  TEXT NOT NULL,
    attempts   BIGINT NOT NULL,
    expires_ms BIGINT NOT NULL
);
CREATE INDEX login_pending_user ON login_pending(user_id);

-- Addresses an account has fully signed in from: they skip the per-account slow path.
CREATE TABLE login_known_addresses (
    username TEXT NOT NULL,
    address  TEXT NOT NULL,
    last_ms  BIGINT NOT NULL,
    PRIMARY KEY (username, address)
);
