-- The API's data layer: JSON shapes of the contract built where the rows
-- are (so a response is one query result passed through), the business
-- transactions as functions (one round trip each, one transaction each),
-- and the failed-login log behind throttling.
--
-- Functions that can refuse return an error code of the contract
-- ("session_ended", ...) in their "error" column and NULL elsewhere.

CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	login		text NOT NULL,		-- lower(name as typed)
	address		text NOT NULL,
	failed_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_login_idx ON login_failures (login, failed_at);
CREATE INDEX login_failures_address_idx
    ON login_failures (address, failed_at);

-- RFC 3339, UTC, milliseconds: 2026-11-24T08:00:00.123Z
CREATE FUNCTION at_ts(t timestamptz) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Rates are unrounded in [0, 1], 0 when there is nothing to count.
CREATE FUNCTION at_rate(part bigint, whole bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN whole > 0 THEN part::double precision / whole ELSE 0 END
$$;

CREATE FUNCTION user_json(u users) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', u.id, 'role', u.role, 'email', u.email,
	    'username', u.username, 'displayName', u.display_name,
	    'createdAt', at_ts(u.created_at),
	    'lastLoginAt', at_ts(u.last_login_at))
$$;

CREATE FUNCTION course_json(c courses) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', c.id, 'professorId', c.professor_id,
	    'code', c.code, 'name', c.name, 'term', c.term,
	    'description', c.description, 'createdAt', at_ts(c.created_at))
$$;

CREATE FUNCTION group_json(g groups) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', g.id, 'courseId', g.course_id,
	    'name', g.name, 'meetingSchedule', g.meeting_schedule,
	    'createdAt', at_ts(g.created_at))
$$;

CREATE FUNCTION enrollment_json(e enrollments, u users) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('studentId', e.student_id,
	    'groupId', e.group_id, 'courseId', e.course_id,
	    'username', u.username, 'displayName', u.display_name,
	    'email', u.email, 'createdAt', at_ts(e.created_at))
$$;

CREATE FUNCTION session_json(s sessions) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', s.id, 'groupId', s.group_id,
	    'courseId', s.course_id, 'professorId', s.professor_id,
	    'startsAt', at_ts(s.starts_at), 'endsAt', at_ts(s.ends_at),
	    'isActive', s.is_active, 'status', s.status,
	    'qrTtlSeconds', s.qr_ttl_seconds,
	    'lateAfterSeconds', s.late_after_seconds)
$$;

CREATE FUNCTION round_json(r attendance_rounds) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', r.id, 'sessionId', r.session_id,
	    'roundNumber', r.round_number, 'isActive', r.is_active,
	    'startsAt', at_ts(r.starts_at), 'endsAt', at_ts(r.ends_at))
$$;

CREATE FUNCTION record_json(a attendance_records) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', a.id, 'sessionId', a.session_id,
	    'roundId', a.round_id, 'studentId', a.student_id,
	    'status', a.status, 'recordedAt', at_ts(a.recorded_at))
$$;

-- The round:started event's data.
CREATE FUNCTION round_started_json(r attendance_rounds) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('sessionId', r.session_id, 'roundId', r.id,
	    'roundNumber', r.round_number, 'startsAt', at_ts(r.starts_at))
$$;

-- Mints a round's next token: the previous live one (if any) dies first,
-- so the partial unique index never sees two.  Returns the expiry.
CREATE FUNCTION qr_token_mint(p_round uuid, p_hash bytea, p_ttl integer)
RETURNS timestamptz
LANGUAGE plpgsql AS $$
DECLARE
	expires timestamptz := now() + make_interval(secs => p_ttl);
BEGIN
	UPDATE qr_tokens SET superseded_at = now()
	WHERE round_id = p_round AND NOT consumed AND superseded_at IS NULL;
	INSERT INTO qr_tokens (round_id, token_hash, expires_at)
	VALUES (p_round, p_hash, expires);
	RETURN expires;
END
$$;

-- POST /api/groups/:groupId/sessions: the session, its round 1 and round
-- 1's first token, in one transaction.
CREATE FUNCTION api_session_start(p_group uuid, p_professor uuid,
    p_ttl integer, p_late integer, p_hash bytea,
    OUT error text, OUT body json, OUT started json, OUT session_id uuid,
    OUT round_id uuid, OUT expires_at text)
LANGUAGE plpgsql AS $$
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
		    qr_ttl_seconds, late_after_seconds)
		VALUES (g.id, g.course_id, p_professor, p_ttl, p_late)
		RETURNING * INTO s;
	EXCEPTION WHEN unique_violation THEN
		error := 'session_active';
		RETURN;
	END;
	INSERT INTO attendance_rounds (session_id, round_number)
	VALUES (s.id, 1) RETURNING * INTO r;
	expires_at := at_ts(qr_token_mint(r.id, p_hash, s.qr_ttl_seconds));
	body := json_build_object('session', session_json(s),
	    'round', round_json(r));
	started := round_started_json(r);
	session_id := s.id;
	round_id := r.id;
END
$$;

-- POST /api/sessions/:sessionId/rounds
CREATE FUNCTION api_round_start(p_session uuid, p_professor uuid,
    p_hash bytea, OUT error text, OUT body json, OUT started json,
    OUT round_id uuid, OUT expires_at text)
LANGUAGE plpgsql AS $$
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
	expires_at := at_ts(qr_token_mint(r.id, p_hash, s.qr_ttl_seconds));
	body := json_build_object('round', round_json(r));
	started := round_started_json(r);
	round_id := r.id;
END
$$;

-- POST /api/sessions/:sessionId/rounds/:roundId/qr
CREATE FUNCTION api_qr_refresh(p_session uuid, p_round uuid,
    p_professor uuid, p_hash bytea, OUT error text, OUT expires_at text)
LANGUAGE plpgsql AS $$
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
	expires_at := at_ts(qr_token_mint(r.id, p_hash, s.qr_ttl_seconds));
END
$$;

-- PATCH /api/sessions/:sessionId/end
CREATE FUNCTION api_session_end(p_session uuid, p_professor uuid,
    OUT error text, OUT body json, OUT ended json)
LANGUAGE plpgsql AS $$
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

-- POST /api/sessions/:sessionId/rounds/:roundId/scan, in the contract's
-- order of checks.  Locks, always in this order: the student's enrollment
-- (one student racing itself: the second sees the first's record), the
-- round, shared (a new round or the end waits for scans in flight), the
-- token (students racing one token: one wins, the rest see it consumed).
CREATE FUNCTION api_scan(p_session uuid, p_round uuid, p_student uuid,
    p_hash bytea, p_next_hash bytea,
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

	UPDATE qr_tokens SET consumed = true, consumed_at = now(),
	    consumed_by = p_student
	WHERE id = t.id;
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
	expires_at := at_ts(qr_token_mint(r.id, p_next_hash, s.qr_ttl_seconds));
	SELECT * INTO u FROM users WHERE id = p_student;
	body := json_build_object('record', record_json(a));
	recorded := json_build_object('sessionId', s.id, 'roundId', r.id,
	    'studentId', u.id, 'username', u.username,
	    'displayName', u.display_name, 'status', a.status,
	    'recordedAt', at_ts(a.recorded_at));
END
$$;

-- PUT /api/sessions/:sessionId/rounds/:roundId/records/:studentId: the
-- professor's word, with or without a scan before it.  A scanned record
-- keeps its token: that token was consumed by this student.
CREATE FUNCTION api_record_set(p_session uuid, p_round uuid,
    p_student uuid, p_professor uuid, p_status text,
    OUT error text, OUT body json, OUT recorded json, OUT active boolean)
LANGUAGE plpgsql AS $$
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
	INSERT INTO attendance_records (round_id, session_id, group_id,
	    course_id, student_id, status)
	VALUES (r.id, s.id, s.group_id, s.course_id, p_student, p_status)
	ON CONFLICT (round_id, student_id) DO UPDATE
	    SET status = excluded.status, recorded_at = excluded.recorded_at
	RETURNING * INTO a;
	SELECT * INTO u FROM users WHERE id = p_student;
	body := json_build_object('record', record_json(a));
	recorded := json_build_object('sessionId', s.id, 'roundId', r.id,
	    'studentId', u.id, 'username', u.username,
	    'displayName', u.display_name, 'status', a.status,
	    'recordedAt', at_ts(a.recorded_at));
	active := s.status = 'active';
END
$$;

-- GET /api/professor/sessions/:sessionId/stats
CREATE FUNCTION api_session_stats(p_session uuid, p_professor uuid)
RETURNS json
LANGUAGE sql STABLE AS $$
	WITH s AS (
		SELECT * FROM sessions
		WHERE id = p_session AND professor_id = p_professor
	), students AS (
		SELECT u.id, u.username, u.display_name
		FROM s JOIN enrollments e
		    ON e.group_id = s.group_id AND e.course_id = s.course_id
		JOIN users u ON u.id = e.student_id
	), rounds AS (
		SELECT r.* FROM s JOIN attendance_rounds r ON r.session_id = s.id
	), records AS (
		SELECT a.round_id, a.student_id, a.status
		FROM s JOIN attendance_records a ON a.session_id = s.id
		JOIN students st ON st.id = a.student_id
	), per_round AS (
		SELECT r.id, r.round_number, r.starts_at, r.ends_at, r.is_active,
		    count(*) FILTER (WHERE a.status = 'present') AS present,
		    count(*) FILTER (WHERE a.status = 'late') AS late,
		    count(*) FILTER (WHERE a.status = 'excused') AS excused
		FROM rounds r LEFT JOIN records a ON a.round_id = r.id
		GROUP BY r.id, r.round_number, r.starts_at, r.ends_at,
		    r.is_active
	), per_student AS (
		SELECT st.id, st.username, st.display_name,
		    count(*) FILTER (WHERE a.status = 'present') AS present,
		    count(*) FILTER (WHERE a.status = 'late') AS late,
		    count(*) FILTER (WHERE a.status = 'excused') AS excused
		FROM students st LEFT JOIN records a ON a.student_id = st.id
		GROUP BY st.id, st.username, st.display_name
	), totals AS (
		SELECT (SELECT count(*) FROM students) AS enrolled,
		    (SELECT count(*) FROM rounds) AS rounds
	)
	SELECT json_build_object('sessionId', s.id, 'groupId', s.group_id,
	    'courseId', s.course_id, 'status', s.status,
	    'startsAt', at_ts(s.starts_at), 'endsAt', at_ts(s.ends_at),
	    'enrolledCount', totals.enrolled, 'totalRounds', totals.rounds,
	    'rounds', coalesce((SELECT json_agg(json_build_object(
		'roundId', p.id, 'roundNumber', p.round_number,
		'startsAt', at_ts(p.starts_at), 'endsAt', at_ts(p.ends_at),
		'isActive', p.is_active, 'present', p.present,
		'late', p.late, 'excused', p.excused,
		'absent', totals.enrolled - p.present - p.late - p.excused)
		ORDER BY p.round_number) FROM per_round p), '[]'),
	    'students', coalesce((SELECT json_agg(json_build_object(
		'studentId', p.id, 'username', p.username,
		'displayName', p.display_name, 'present', p.present,
		'late', p.late, 'excused', p.excused,
		'absent', totals.rounds - p.present - p.late - p.excused,
		'attendanceRate', at_rate(p.present + p.late, totals.rounds))
		ORDER BY p.username) FROM per_student p), '[]'))
	FROM s, totals
$$;

-- GET /api/professor/courses/:courseId/stats
CREATE FUNCTION api_course_stats(p_course uuid, p_professor uuid)
RETURNS json
LANGUAGE sql STABLE AS $$
	WITH c AS (
		SELECT * FROM courses
		WHERE id = p_course AND professor_id = p_professor
	), grp AS (
		SELECT g.* FROM c JOIN groups g ON g.course_id = c.id
	), students AS (
		SELECT u.id, u.username, u.display_name, e.group_id
		FROM c JOIN enrollments e ON e.course_id = c.id
		JOIN users u ON u.id = e.student_id
	), group_rounds AS (
		SELECT s.group_id, count(DISTINCT s.id) AS sessions,
		    count(r.id) AS rounds
		FROM c JOIN sessions s ON s.course_id = c.id
		LEFT JOIN attendance_rounds r ON r.session_id = s.id
		GROUP BY s.group_id
	), records AS (
		SELECT a.student_id, a.group_id, a.status
		FROM c JOIN attendance_records a ON a.course_id = c.id
		JOIN students st ON st.id = a.student_id
		    AND st.group_id = a.group_id
	), per_student AS (
		SELECT st.id, st.username, st.display_name, st.group_id,
		    coalesce(gr.rounds, 0) AS rounds,
		    count(a.status) FILTER (WHERE a.status = 'present') AS present,
		    count(a.status) FILTER (WHERE a.status = 'late') AS late,
		    count(a.status) FILTER (WHERE a.status = 'excused') AS excused
		FROM students st
		LEFT JOIN group_rounds gr ON gr.group_id = st.group_id
		LEFT JOIN records a ON a.student_id = st.id
		GROUP BY st.id, st.username, st.display_name, st.group_id,
		    gr.rounds
	), per_group AS (
		SELECT g.id, g.name,
		    (SELECT count(*) FROM students st WHERE st.group_id = g.id)
			AS enrolled,
		    coalesce(gr.sessions, 0) AS sessions,
		    coalesce(gr.rounds, 0) AS rounds,
		    coalesce((SELECT sum(p.present + p.late) FROM per_student p
			WHERE p.group_id = g.id), 0) AS attended
		FROM grp g LEFT JOIN group_rounds gr ON gr.group_id = g.id
	)
	SELECT json_build_object('courseId', c.id,
	    'enrolledCount', (SELECT count(*) FROM students),
	    'totalSessions', (SELECT coalesce(sum(sessions), 0)
		FROM group_rounds),
	    'totalRounds', (SELECT coalesce(sum(rounds), 0) FROM group_rounds),
	    'groups', coalesce((SELECT json_agg(json_build_object(
		'groupId', g.id, 'name', g.name, 'enrolledCount', g.enrolled,
		'sessions', g.sessions, 'rounds', g.rounds,
		'attendanceRate', at_rate(g.attended::bigint,
		    g.enrolled * g.rounds))
		ORDER BY g.name) FROM per_group g), '[]'),
	    'students', coalesce((SELECT json_agg(json_build_object(
		'studentId', p.id, 'username', p.username,
		'displayName', p.display_name, 'groupId', p.group_id,
		'present', p.present, 'late', p.late, 'excused', p.excused,
		'absent', p.rounds - p.present - p.late - p.excused,
		'attendanceRate', at_rate(p.present + p.late, p.rounds))
		ORDER BY p.username) FROM per_student p), '[]'))
	FROM c
$$;

-- GET /api/students/me/stats
CREATE FUNCTION api_student_stats(p_student uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	WITH mine AS (
		SELECT c.id AS course_id, c.code, c.name, c.term,
		    g.id AS group_id, g.name AS group_name,
		    (SELECT count(*) FROM sessions s
			JOIN attendance_rounds r ON r.session_id = s.id
			WHERE s.group_id = g.id) AS rounds,
		    count(a.status) FILTER (WHERE a.status = 'present') AS present,
		    count(a.status) FILTER (WHERE a.status = 'late') AS late,
		    count(a.status) FILTER (WHERE a.status = 'excused') AS excused
		FROM enrollments e
		JOIN courses c ON c.id = e.course_id
		JOIN groups g ON g.id = e.group_id
		LEFT JOIN attendance_records a ON a.student_id = e.student_id
		    AND a.course_id = e.course_id AND a.group_id = e.group_id
		WHERE e.student_id = p_student
		GROUP BY c.id, c.code, c.name, c.term, g.id, g.name
	)
	SELECT json_build_object('courses', coalesce(json_agg(json_build_object(
	    'courseId', m.course_id, 'code', m.code, 'name', m.name,
	    'term', m.term, 'groupId', m.group_id, 'groupName', m.group_name,
	    'totalRounds', m.rounds, 'present', m.present, 'late', m.late,
	    'excused', m.excused,
	    'absent', m.rounds - m.present - m.late - m.excused,
	    'attendanceRate', at_rate(m.present + m.late, m.rounds))
	    ORDER BY m.code, m.term), '[]'))
	FROM mine m
$$;

-- POST /api/groups/:groupId/enrollments, both forms: each entry is a
-- username, an email or an id; one result per entry, in order.  A group
-- the professor does not own gives one row: (0, 'not_found', NULL).
CREATE FUNCTION api_enroll(p_group uuid, p_professor uuid,
    p_students text[])
RETURNS TABLE (n integer, error text, enrollment json)
LANGUAGE plpgsql AS $$
DECLARE
	g groups;
	entry text;
	i integer := 0;
	u users;
	e enrollments;
BEGIN
	SELECT groups.* INTO g FROM groups
	JOIN courses c ON c.id = groups.course_id
	WHERE groups.id = p_group AND c.professor_id = p_professor;
	IF NOT FOUND THEN
		n := 0;
		error := 'not_found';
		RETURN NEXT;
		RETURN;
	END IF;
	FOREACH entry IN ARRAY p_students LOOP
		i := i + 1;
		n := i;
		error := NULL;
		enrollment := NULL;
		SELECT * INTO u FROM users
		-- CASE, not AND: only CASE promises the cast is not tried
		-- on a username.
		WHERE id = CASE WHEN entry ~* ('^[0-9a-f]{8}-[0-9a-f]{4}-'
			'[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$')
			THEN entry::uuid END
		    OR lower(username) = lower(entry)
		    OR lower(email) = lower(entry)
		LIMIT 1;
		IF NOT FOUND OR u.role <> 'student' THEN
			error := 'not_found';
			RETURN NEXT;
			CONTINUE;
		END IF;
		INSERT INTO enrollments (student_id, course_id, group_id)
		VALUES (u.id, g.course_id, g.id)
		ON CONFLICT (student_id, course_id) DO NOTHING
		RETURNING * INTO e;
		IF NOT FOUND THEN
			error := 'already_enrolled';
		ELSE
			enrollment := enrollment_json(e, u);
		END IF;
		RETURN NEXT;
	END LOOP;
END
$$;
