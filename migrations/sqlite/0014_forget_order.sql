-- Issue 15 item 6: the database forgets the order of casting. At the close of a round the box
-- and the participation roll of that round are rewritten in key order (store::polling::
-- forget_order), which deletes and re-inserts their rows. The tables stay append-only for
-- everything else: a delete passes only for a round named in `box_rewrites`, a row that the
-- rewrite inserts and removes inside its own transaction (so no other connection ever sees
-- it), and only a closed round may be named.
CREATE TABLE box_rewrites (
    election_id INTEGER NOT NULL,
    round_no    INTEGER NOT NULL,
    PRIMARY KEY (election_id, round_no)
);
CREATE TRIGGER box_rewrites_closed_only BEFORE INSERT ON box_rewrites
WHEN NOT EXISTS (SELECT 1 FROM polls WHERE election_id = NEW.election_id AND round_no = NEW.round_no AND status = 'closed')
BEGIN SELECT RAISE(ABORT, 'only a closed round is rewritten'); END;

DROP TRIGGER participation_no_delete;
CREATE TRIGGER participation_no_delete BEFORE DELETE ON participation
WHEN NOT EXISTS (SELECT 1 FROM box_rewrites WHERE election_id = OLD.election_id AND round_no = OLD.round_no)
BEGIN SELECT RAISE(ABORT, 'the participation roll is append-only'); END;
DROP TRIGGER ballots_no_delete;
CREATE TRIGGER ballots_no_delete BEFORE DELETE ON ballots
WHEN NOT EXISTS (SELECT 1 FROM box_rewrites WHERE election_id = OLD.election_id AND round_no = OLD.round_no)
BEGIN SELECT RAISE(ABORT, 'the ballot box is append-only'); END;
