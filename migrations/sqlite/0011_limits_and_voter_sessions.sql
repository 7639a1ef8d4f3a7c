-- Issue 12. Rate limits for anonymous requests (public objections, voting codes), counted in the
-- database so they hold across servers: one fixed-window counter per key.
CREATE TABLE rate_limits (
    key       TEXT PRIMARY KEY,
    window_ms INTEGER NOT NULL,   -- start of the current window (epoch ms)
    hits      INTEGER NOT NULL
);

-- A voter signed in with the voting code on their own device. Only the keyed hash of the cookie
-- is stored. Ended by casting, signing out, reissuing that voter's card, removal from the roll
-- and the close of the polls. Holds no ballot reference and no time finer than the expiry.
CREATE TABLE voter_sessions (
    id_hash     BLOB PRIMARY KEY,
    election_id INTEGER NOT NULL REFERENCES elections(id),
    resident_id INTEGER NOT NULL,
    csrf_token  TEXT NOT NULL,
    expires_ms  INTEGER NOT NULL
);
CREATE INDEX voter_sessions_voter ON voter_sessions(election_id, resident_id);
