-- A consumed token names the record it produced.  With the link only on
-- the record (attendance_records.qr_token_id, the latest token), a scan
-- that replaces an "absent" override left the earlier token consumed but
-- pointing nowhere; now every consumed token has its record, by a check
-- and a foreign key, and a record may have several tokens over time.
ALTER TABLE qr_tokens ADD COLUMN record_id uuid
    REFERENCES attendance_records (id) ON DELETE CASCADE;

UPDATE qr_tokens t SET record_id = a.id
FROM attendance_records a
WHERE t.consumed AND a.round_id = t.round_id AND a.student_id = t.consumed_by;

ALTER TABLE qr_tokens ADD CONSTRAINT qr_tokens_record_check
    CHECK (consumed = (record_id IS NOT NULL));
CREATE INDEX qr_tokens_record_idx ON qr_tokens (record_id);

-- api_scan as in 002, with the record written first and the token then
-- consumed with a link to it.
CREATE OR REPLACE FUNCTION api_scan(p_session uuid, p_round uuid,
    p_student uuid, p_hash bytea, p_next_hash bytea,
    OUT error text, OUT body json, OUT recorded json, OUT expires_at text)
LANGUAGE plpgsql AS $$
DECLARE
	s sessions;
	r attendance_rounds;
	t qr_tokens;
	a attendance_records;
	u users;
	late boolean;
BEGIN
	SELECT * INTO s FROM sessions WHERE id = p_session;
	SELECT * INTO r FROM attendance_rounds
	WHERE id = p_round AND session_id = p_session;
	IF s.id IS NULL OR r.id IS NULL THEN
		error := 'not_found';
		RETURN;
	END IF;
	PERFORM 1 FROM enrollments
	WHERE student_id = p_student AND course_id = s.course_id
	    AND group_id = s.group_id
	FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		error := 'not_enrolled';
		RETURN;
	END IF;
	SELECT * INTO r FROM attendance_rounds WHERE id = p_round FOR SHARE;
	SELECT * INTO s FROM sessions WHERE id = p_session;
	IF s.status <> 'active' THEN
		error := 'session_ended';
		RETURN;
	END IF;
	IF r.ends_at IS NOT NULL THEN
		error := 'round_closed';
		RETURN;
	END IF;
	PERFORM 1 FROM attendance_records
	WHERE round_id = p_round AND student_id = p_student
	    AND status <> 'absent';
	IF FOUND THEN
		error := 'already_recorded';
		RETURN;
	END IF;
	SELECT * INTO t FROM qr_tokens
	WHERE token_hash = p_hash AND round_id = p_round FOR UPDATE;
	IF NOT FOUND THEN
		error := 'invalid_token';
		RETURN;
	END IF;
	IF t.consumed OR t.superseded_at IS NOT NULL THEN
		error := 'token_used';
		RETURN;
	END IF;
	IF t.expires_at <= clock_timestamp() THEN
		error := 'token_expired';
		RETURN;
	END IF;

	late := now() > r.starts_at + make_interval(secs => s.late_after_seconds);
	INSERT INTO attendance_records (round_id, session_id, group_id,
	    course_id, student_id, status, qr_token_id)
	VALUES (r.id, s.id, s.group_id, s.course_id, p_student,
	    CASE WHEN late THEN 'late' ELSE 'present' END, t.id)
	ON CONFLICT (round_id, student_id) DO UPDATE
	    SET status = excluded.status, qr_token_id = excluded.qr_token_id,
		recorded_at = excluded.recorded_at
	    WHERE attendance_records.status = 'absent'
	RETURNING * INTO a;
	UPDATE qr_tokens SET consumed = true, consumed_at = now(),
	    consumed_by = p_student, record_id = a.id
	WHERE id = t.id;
	expires_at := at_ts(qr_token_mint(r.id, p_next_hash, s.qr_ttl_seconds));
	SELECT * INTO u FROM users WHERE id = p_student;
	body := json_build_object('record', record_json(a));
	recorded := json_build_object('sessionId', s.id, 'roundId', r.id,
	    'studentId', u.id, 'username', u.username,
	    'displayName', u.display_name, 'status', a.status,
	    'recordedAt', at_ts(a.recorded_at));
END
$$;
