-- v1.1: the window scan mode, for large halls.  A session's tokens each
-- record one student and the scan mints the next (single, the seed's
-- design), or each records every enrolled student who scans it before
-- it expires and is never consumed (window).  The mode is the session's
-- for its whole life.
ALTER TABLE sessions
	ADD COLUMN scan_mode text NOT NULL DEFAULT 'single'
		CONSTRAINT sessions_scan_mode_check
		CHECK (scan_mode IN ('single', 'window'));

-- In window mode many records name one token, so a token no longer has
-- at most one record by a key.  In single mode it still has exactly one:
-- the scan consumes the token under its row lock, and a consumed token
-- names its record (qr_tokens.record_id, by a check and a foreign key).
-- The index the key gave stays for the foreign key's lookups (a round's
-- tokens deleted with it) and the records of a token.
ALTER TABLE attendance_records
	DROP CONSTRAINT attendance_records_qr_token_key;
CREATE INDEX attendance_records_qr_token_idx
    ON attendance_records (qr_token_id) WHERE qr_token_id IS NOT NULL;
