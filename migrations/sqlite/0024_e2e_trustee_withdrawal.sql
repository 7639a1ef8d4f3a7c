-- Issue 18 (docs/e2e.md §4, LAW.md §2): a trustee who must withdraw takes no further part. The
-- reason is a code from a fixed list (never free text: health facts stay out of the record).
ALTER TABLE e2e_trustees ADD COLUMN withdrawn TEXT;
