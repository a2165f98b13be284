-- The contract's JSON shapes, built where the rows are, so that a
-- response is one query result passed through; the time and rate formats
-- they share.

-- RFC 3339, UTC, milliseconds: 2026-11-24T08:00:00.123Z.  STABLE, as the
-- to_char() it calls: an IMMUTABLE wrapper of a STABLE function is never
-- inlined, and each timestamp of a report would run as a query of its own.
CREATE OR REPLACE FUNCTION at_ts(t timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
	SELECT to_char(t AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')
$$;

-- Rates are unrounded in [0, 1], 0 when there is nothing to count.
CREATE OR REPLACE FUNCTION at_rate(part bigint, whole bigint) RETURNS double precision
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE WHEN whole > 0 THEN part::double precision / whole ELSE 0 END
$$;

CREATE OR REPLACE FUNCTION user_json(u users) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', u.id, 'role', u.role, 'email', u.email,
	    'username', u.username, 'displayName', u.display_name,
	    'createdAt', at_ts(u.created_at),
	    'lastLoginAt', at_ts(u.last_login_at))
$$;

CREATE OR REPLACE FUNCTION course_json(c courses) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', c.id, 'professorId', c.professor_id,
	    'code', c.code, 'name', c.name, 'term', c.term,
	    'description', c.description,
	    'allowedNetworks', to_json(c.allowed_networks::text[]),
	    'networkPolicy', c.network_policy,
	    'createdAt', at_ts(c.created_at))
$$;

CREATE OR REPLACE FUNCTION group_json(g groups) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', g.id, 'courseId', g.course_id,
	    'name', g.name, 'meetingSchedule', g.meeting_schedule,
	    'createdAt', at_ts(g.created_at))
$$;

CREATE OR REPLACE FUNCTION enrollment_json(e enrollments, u users) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('studentId', e.student_id,
	    'groupId', e.group_id, 'courseId', e.course_id,
	    'username', u.username, 'displayName', u.display_name,
	    'email', u.email, 'createdAt', at_ts(e.created_at))
$$;

CREATE OR REPLACE FUNCTION session_json(s sessions) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', s.id, 'groupId', s.group_id,
	    'courseId', s.course_id, 'professorId', s.professor_id,
	    'startsAt', at_ts(s.starts_at), 'endsAt', at_ts(s.ends_at),
	    'isActive', s.is_active, 'status', s.status,
	    'qrTtlSeconds', s.qr_ttl_seconds,
	    'lateAfterSeconds', s.late_after_seconds,
	    'scanMode', s.scan_mode)
$$;

CREATE OR REPLACE FUNCTION round_json(r attendance_rounds) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', r.id, 'sessionId', r.session_id,
	    'roundNumber', r.round_number, 'isActive', r.is_active,
	    'startsAt', at_ts(r.starts_at), 'endsAt', at_ts(r.ends_at))
$$;

CREATE OR REPLACE FUNCTION record_json(a attendance_records) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', a.id, 'sessionId', a.session_id,
	    'roundId', a.round_id, 'studentId', a.student_id,
	    'status', a.status, 'recordedAt', at_ts(a.recorded_at))
$$;

-- The attendance:recorded event's data: who, and the record's flags.
CREATE OR REPLACE FUNCTION recorded_json(a attendance_records, u users)
RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('sessionId', a.session_id,
	    'roundId', a.round_id, 'studentId', a.student_id,
	    'username', u.username, 'displayName', u.display_name,
	    'status', a.status, 'recordedAt', at_ts(a.recorded_at),
	    'flags', to_json(a.flags))
$$;

-- (v1.1) A record with what the professor's list shows of it: its
-- round's number, the student, where it came from, its flags and the
-- address of its scan (null for an override, or once purged).
CREATE OR REPLACE FUNCTION record_detail_json(a attendance_records,
    r attendance_rounds, u users) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('id', a.id, 'sessionId', a.session_id,
	    'roundId', a.round_id, 'studentId', a.student_id,
	    'status', a.status, 'recordedAt', at_ts(a.recorded_at),
	    'roundNumber', r.round_number, 'username', u.username,
	    'displayName', u.display_name, 'source', a.source,
	    'flags', to_json(a.flags), 'address', host(a.address))
$$;

-- The round:started event's data.
CREATE OR REPLACE FUNCTION round_started_json(r attendance_rounds) RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('sessionId', r.session_id, 'roundId', r.id,
	    'roundNumber', r.round_number, 'startsAt', at_ts(r.starts_at))
$$;
