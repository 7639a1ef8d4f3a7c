-- Issue 15 item 6: the database forgets the order of casting. At the close of a round the box
-- and the participation roll of that round are rewritten in key order (store::polling::
-- forget_order), which deletes and re-inserts their rows in one transaction (new row
-- positions, one xmin for all). The tables stay append-only for everything else: a delete
-- passes only for a round named in `box_rewrites`, a row that the rewrite inserts and
-- removes inside its own transaction (so no other transaction ever sees it), and only a
-- closed round may be named. The triggers keep their names.
CREATE TABLE box_rewrites (
    election_id BIGINT NOT NULL,
    round_no    BIGINT NOT NULL,
    PRIMARY KEY (election_id, round_no)
);
CREATE FUNCTION box_rewrites_closed_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM polls WHERE election_id = NEW.election_id AND round_no = NEW.round_no
                   AND status = 'closed') THEN
        RAISE EXCEPTION 'only a closed round is rewritten';
    END IF;
    RETURN NEW;
END $$;
CREATE TRIGGER box_rewrites_closed_only BEFORE INSERT ON box_rewrites
FOR EACH ROW EXECUTE FUNCTION box_rewrites_closed_only();

CREATE FUNCTION box_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND EXISTS (SELECT 1 FROM box_rewrites WHERE election_id = OLD.election_id
                                    AND round_no = OLD.round_no) THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION '% is append-only', TG_TABLE_NAME;
END $$;
DROP TRIGGER participation_no_change ON participation;
CREATE TRIGGER participation_no_change BEFORE UPDATE OR DELETE ON participation
FOR EACH ROW EXECUTE FUNCTION box_refuse_change();
DROP TRIGGER ballots_no_change ON ballots;
CREATE TRIGGER ballots_no_change BEFORE UPDATE OR DELETE ON ballots
FOR EACH ROW EXECUTE FUNCTION box_refuse_change();
