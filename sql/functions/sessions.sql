-- Class sessions, rounds, tokens and the professor's record overrides:
-- one transaction and one round trip each.  A function that can refuse
-- returns a contract error code ("session_ended", ...) in its "error"
-- column and NULL elsewhere.

-- v1.1 gave each token a typed code: the old signatures go.
DROP FUNCTION IF EXISTS qr_token_mint(uuid, bytea, integer);
DROP FUNCTION IF EXISTS api_session_start(uuid, uuid, integer, integer,
    bytea);
DROP FUNCTION IF EXISTS api_round_start(uuid, uuid, bytea);
DROP FUNCTION IF EXISTS api_qr_refresh(uuid, uuid, uuid, bytea);
-- v1.1's scan mode: the start takes it.
DROP FUNCTION IF EXISTS api_session_start(uuid, uuid, integer, integer,
    bytea, bytea);

-- Mints a round's next token, with the hash of its typed code: the
-- previous live one (if any) dies first, so the partial unique index
-- never sees two.  Returns the expiry.
CREATE OR REPLACE FUNCTION qr_token_mint(p_round uuid, p_hash bytea,
    p_code_hash bytea, p_ttl integer)
RETURNS timestamptz
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	expires timestamptz := now() + make_interval(secs => p_ttl);
BEGIN
	UPDATE qr_tokens SET superseded_at = now()
	WHERE round_id = p_round AND NOT consumed AND superseded_at IS NULL;
	INSERT INTO qr_tokens (round_id, token_hash, code_hash, expires_at)
	VALUES (p_round, p_hash, p_code_hash, expires);
	RETURN expires;
END
$$;

-- POST /api/groups/:groupId/sessions: the session (p_mode its scan mode,
-- "single" or "window"), its round 1 and round 1's first token, in one
-- transaction.
CREATE OR REPLACE FUNCTION api_session_start(p_group uuid, p_professor uuid,
    p_ttl integer, p_late integer, p_mode text, p_hash bytea,
    p_code_hash bytea,
    OUT error text, OUT body json, OUT started json, OUT session_id uuid,
    OUT round_id uuid, OUT expires_at text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	g groups;
	s sessions;
	r attendance_rounds;
BEGIN
	SELECT groups.* INTO g FROM groups JOIN courses c ON c.id = groups.course_id
	WHERE groups.id = p_group AND c.professor_id = p_professor;
	IF NOT FOUND THEN
		error := 'not_found';
		RETURN;
	END IF;
	BEGIN
		INSERT INTO sessions (group_id, course_id, professor_id,
		    qr_ttl_seconds, late_after_seconds, scan_mode)
		VALUES (g.id, g.course_id, p_professor, p_ttl, p_late, p_mode)
		RETURNING * INTO s;
	EXCEPTION WHEN unique_violation THEN
		error := 'session_active';
		RETURN;
	END;
	INSERT INTO attendance_rounds (session_id, round_number)
	VALUES (s.id, 1) RETURNING * INTO r;
	expires_at := at_ts(qr_token_mint(r.id, p_hash, p_code_hash,
	    s.qr_ttl_seconds));
	body := json_build_object('session', session_json(s),
	    'round', round_json(r));
	started := round_started_json(r);
	session_id := s.id;
	round_id := r.id;
END
$$;

-- POST /api/sessions/:sessionId/rounds
CREATE OR REPLACE FUNCTION api_round_start(p_session uuid, p_professor uuid,
    p_hash bytea, p_code_hash bytea, OUT error text, OUT body json,
    OUT started json, OUT round_id uuid, OUT expires_at text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	s sessions;
	r attendance_rounds;
	previous integer;
BEGIN
	-- The session row lock orders concurrent new rounds and the end.
	SELECT * INTO s FROM sessions
	WHERE id = p_session AND professor_id = p_professor FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		error := 'not_found';
		RETURN;
	END IF;
	IF s.status <> 'active' THEN
		error := 'session_ended';
		RETURN;
	END IF;
	-- Closing the round waits for scans in flight (they share-lock it),
	-- so the supersede below sees every token they minted.
	UPDATE attendance_rounds SET ends_at = now()
	WHERE session_id = s.id AND ends_at IS NULL;
	UPDATE qr_tokens t SET superseded_at = now()
	FROM attendance_rounds ar
	WHERE ar.session_id = s.id AND t.round_id = ar.id
	    AND NOT t.consumed AND t.superseded_at IS NULL;
	SELECT coalesce(max(round_number), 0) INTO previous
	FROM attendance_rounds WHERE session_id = s.id;
	INSERT INTO attendance_rounds (session_id, round_number)
	VALUES (s.id, previous + 1) RETURNING * INTO r;
	expires_at := at_ts(qr_token_mint(r.id, p_hash, p_code_hash,
	    s.qr_ttl_seconds));
	body := json_build_object('round', round_json(r));
	started := round_started_json(r);
	round_id := r.id;
END
$$;

-- POST /api/sessions/:sessionId/rounds/:roundId/qr
CREATE OR REPLACE FUNCTION api_qr_refresh(p_session uuid, p_round uuid,
    p_professor uuid, p_hash bytea, p_code_hash bytea, OUT error text,
    OUT expires_at text)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	s sessions;
	r attendance_rounds;
BEGIN
	SELECT * INTO s FROM sessions
	WHERE id = p_session AND professor_id = p_professor;
	-- Waits for scans in flight, which share-lock the round.
	SELECT * INTO r FROM attendance_rounds
	WHERE id = p_round AND session_id = p_session FOR NO KEY UPDATE;
	IF s.id IS NULL OR r.id IS NULL THEN
		error := 'not_found';
		RETURN;
	END IF;
	SELECT * INTO s FROM sessions WHERE id = p_session;
	IF s.status <> 'active' THEN
		error := 'session_ended';
		RETURN;
	END IF;
	IF r.ends_at IS NOT NULL THEN
		error := 'round_closed';
		RETURN;
	END IF;
	expires_at := at_ts(qr_token_mint(r.id, p_hash, p_code_hash,
	    s.qr_ttl_seconds));
END
$$;

-- PATCH /api/sessions/:sessionId/end
CREATE OR REPLACE FUNCTION api_session_end(p_session uuid, p_professor uuid,
    OUT error text, OUT body json, OUT ended json)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	s sessions;
	summary json;
BEGIN
	SELECT * INTO s FROM sessions
	WHERE id = p_session AND professor_id = p_professor FOR NO KEY UPDATE;
	IF NOT FOUND THEN
		error := 'not_found';
		RETURN;
	END IF;
	IF s.status <> 'active' THEN
		error := 'session_ended';
		RETURN;
	END IF;
	UPDATE sessions SET status = 'ended', ends_at = now()
	WHERE id = s.id RETURNING * INTO s;
	UPDATE attendance_rounds SET ends_at = now()
	WHERE session_id = s.id AND ends_at IS NULL;
	UPDATE qr_tokens t SET superseded_at = now()
	FROM attendance_rounds ar
	WHERE ar.session_id = s.id AND t.round_id = ar.id
	    AND NOT t.consumed AND t.superseded_at IS NULL;
	SELECT json_build_object(
	    'totalRounds', (SELECT count(*) FROM attendance_rounds
		WHERE session_id = s.id),
	    'attendanceCount', (SELECT count(*) FROM attendance_records
		WHERE session_id = s.id AND status IN ('present', 'late')))
	INTO summary;
	body := json_build_object('session', session_json(s),
	    'summary', summary);
	ended := json_build_object('sessionId', s.id,
	    'endedAt', at_ts(s.ends_at), 'summary', summary);
END
$$;

-- PUT /api/sessions/:sessionId/rounds/:roundId/records/:studentId: the
-- professor's word, with or without a scan before it.  A scanned record
-- keeps its token: that token was consumed by this student.
CREATE OR REPLACE FUNCTION api_record_set(p_session uuid, p_round uuid,
    p_student uuid, p_professor uuid, p_status text,
    OUT error text, OUT body json, OUT recorded json, OUT active boolean)
LANGUAGE plpgsql SET search_path = public, pg_temp AS $$
DECLARE
	s sessions;
	r attendance_rounds;
	a attendance_records;
	u users;
BEGIN
	SELECT * INTO s FROM sessions
	WHERE id = p_session AND professor_id = p_professor;
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
		error := 'not_found';
		RETURN;
	END IF;
	-- An override keeps none of the replaced record's evidence or
	-- flags: the professor vouches for it.
	INSERT INTO attendance_records (round_id, session_id, group_id,
	    course_id, student_id, status, source)
	VALUES (r.id, s.id, s.group_id, s.course_id, p_student, p_status,
	    'professor')
	ON CONFLICT (round_id, student_id) DO UPDATE
	    SET status = excluded.status, recorded_at = excluded.recorded_at,
		source = 'professor', address = NULL, device_hash = NULL,
		user_agent = NULL, flags = '{}'
	RETURNING * INTO a;
	SELECT * INTO u FROM users WHERE id = p_student;
	body := json_build_object('record', record_json(a));
	recorded := recorded_json(a, u);
	active := s.status = 'active';
END
$$;
