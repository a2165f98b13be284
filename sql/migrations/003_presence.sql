-- v1.1: proof of presence.  A course may name the networks its students
-- scan from; each record keeps where it came from (its source), the
-- evidence of its scan and the flags computed from it.

ALTER TABLE courses
	ADD COLUMN allowed_networks cidr[]
		CONSTRAINT courses_allowed_networks_check
		CHECK (cardinality(allowed_networks) BETWEEN 1 AND 50),
	ADD COLUMN network_policy text NOT NULL DEFAULT 'flag'
		CONSTRAINT courses_network_policy_check
		CHECK (network_policy IN ('flag', 'refuse'));

-- Evidence is personal data: attendance-admin purge clears address,
-- device_hash and user_agent after evidence_retention_days and keeps
-- the flags.
ALTER TABLE attendance_records
	ADD COLUMN source text NOT NULL DEFAULT 'scan'
		CONSTRAINT attendance_records_source_check
		CHECK (source IN ('scan', 'code', 'professor')),
	ADD COLUMN address inet,
	ADD COLUMN device_hash bytea,
	ADD COLUMN user_agent text
		CONSTRAINT attendance_records_user_agent_check
		CHECK (octet_length(user_agent) <= 200),
	ADD COLUMN flags text[] NOT NULL DEFAULT '{}'
		CONSTRAINT attendance_records_flags_check
		CHECK (flags <@ ARRAY['shared_device', 'outside_network',
		    'no_device']);
UPDATE attendance_records SET source = 'professor'
WHERE qr_token_id IS NULL;
-- The shared_device check of a scan: the session's records of one
-- device.
CREATE INDEX attendance_records_device_idx
    ON attendance_records (session_id, device_hash)
    WHERE device_hash IS NOT NULL;

-- The typed code of each token (8 characters of Crockford's base32), by
-- its hash; no two live tokens share one.  A code names the token most
-- recently minted with it.
ALTER TABLE qr_tokens ADD COLUMN code_hash bytea;
CREATE UNIQUE INDEX qr_tokens_live_code_key ON qr_tokens (code_hash)
    WHERE NOT consumed AND superseded_at IS NULL;
CREATE INDEX qr_tokens_code_idx ON qr_tokens (code_hash, created_at);

-- POST /api/scan/code's invalid_token answers, behind its limit per
-- student.
CREATE TABLE code_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	student_id	uuid NOT NULL REFERENCES users ON DELETE CASCADE,
	failed_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX code_failures_student_idx
    ON code_failures (student_id, failed_at);
