-- Check-in numbers (issue 13 item 9): a short number printed on the voter card for the clerk at
-- the polling station, which is not the secret voting code. Given once per voter and election,
-- at the first card, in list order (max + 1): a reissued card keeps it, and no number is reused.
ALTER TABLE voters ADD COLUMN checkin_no BIGINT;
CREATE UNIQUE INDEX voters_checkin_no ON voters(election_id, checkin_no) WHERE checkin_no IS NOT NULL;
