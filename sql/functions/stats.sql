-- The three stats reports, in a time that does not depend on the
-- planner's row estimates.  Every count is one aggregate, with no join
-- between two large inputs: a student's counts come from one GROUP BY
-- over the student's enrollment row and records together (UNION ALL),
-- kept only when the enrollment row is there (the students currently
-- enrolled); a round's from a GROUP BY over its records.  Records are
-- reached through the session index.  Every record is a current
-- enrollment's, by attendance_records_enrollment_fkey (an enrollment
-- with records cannot be removed or moved), so the rounds' counts need
-- no enrollment join.
--
-- Joining materialized CTEs to each other instead (students x records)
-- lets the planner pick a nested loop wherever it expects few rows: 200
-- students x 2,000 records was 400,000 rows joined for 2,000 counted,
-- 25 ms of a request's 27.

-- GET /api/professor/sessions/:sessionId/stats.  The totals are lateral
-- aggregates (plain columns), so at_rate() is inlined.
CREATE OR REPLACE FUNCTION api_session_stats(p_session uuid,
    p_professor uuid)
RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('sessionId', s.id, 'groupId', s.group_id,
	    'courseId', s.course_id, 'status', s.status,
	    'startsAt', at_ts(s.starts_at), 'endsAt', at_ts(s.ends_at),
	    'enrolledCount', n.enrolled, 'totalRounds', k.rounds,
	    'rounds', coalesce((SELECT json_agg(json_build_object(
		'roundId', r.id, 'roundNumber', r.round_number,
		'startsAt', at_ts(r.starts_at), 'endsAt', at_ts(r.ends_at),
		'isActive', r.is_active, 'present', coalesce(p.present, 0),
		'late', coalesce(p.late, 0), 'excused', coalesce(p.excused, 0),
		'absent', n.enrolled - coalesce(p.present, 0)
		    - coalesce(p.late, 0) - coalesce(p.excused, 0))
		ORDER BY r.round_number)
		FROM attendance_rounds r
		LEFT JOIN (SELECT a.round_id,
			count(*) FILTER (WHERE a.status = 'present')
			    AS present,
			count(*) FILTER (WHERE a.status = 'late') AS late,
			count(*) FILTER (WHERE a.status = 'excused')
			    AS excused
		    FROM attendance_records a
		    WHERE a.session_id = s.id
		    GROUP BY a.round_id) p ON p.round_id = r.id
		WHERE r.session_id = s.id), '[]'),
	    'students', coalesce((SELECT json_agg(json_build_object(
		'studentId', u.id, 'username', u.username,
		'displayName', u.display_name, 'present', p.present,
		'late', p.late, 'excused', p.excused,
		'absent', k.rounds - p.present - p.late - p.excused,
		'attendanceRate', at_rate(p.present + p.late, k.rounds))
		ORDER BY u.username)
		FROM (SELECT x.student_id,
			count(*) FILTER (WHERE x.status = 'present')
			    AS present,
			count(*) FILTER (WHERE x.status = 'late') AS late,
			count(*) FILTER (WHERE x.status = 'excused')
			    AS excused
		    FROM (SELECT e.student_id, NULL::text AS status
			FROM enrollments e
			WHERE e.group_id = s.group_id
			    AND e.course_id = s.course_id
			UNION ALL
			SELECT a.student_id, a.status
			FROM attendance_records a
			WHERE a.session_id = s.id) x
		    GROUP BY x.student_id
		    HAVING bool_or(x.status IS NULL)) p
		JOIN users u ON u.id = p.student_id), '[]'))
	FROM sessions s
	CROSS JOIN LATERAL (SELECT count(*) AS enrolled FROM enrollments e
	    WHERE e.group_id = s.group_id AND e.course_id = s.course_id) n
	CROSS JOIN LATERAL (SELECT count(*) AS rounds FROM attendance_rounds r
	    WHERE r.session_id = s.id) k
	WHERE s.id = p_session AND s.professor_id = p_professor
$$;

-- GET /api/professor/courses/:courseId/stats.  Enrollments are reached
-- through the course's groups and records through its sessions, by index.
CREATE OR REPLACE FUNCTION api_course_stats(p_course uuid,
    p_professor uuid)
RETURNS json
LANGUAGE sql STABLE AS $$
	WITH c AS (
		SELECT id FROM courses
		WHERE id = p_course AND professor_id = p_professor
	), grp AS (
		SELECT g.id, g.name FROM c JOIN groups g ON g.course_id = c.id
	), group_rounds AS (
		SELECT s.group_id, count(DISTINCT s.id) AS sessions,
		    count(r.id) AS rounds
		FROM c JOIN sessions s ON s.course_id = c.id
		LEFT JOIN attendance_rounds r ON r.session_id = s.id
		GROUP BY s.group_id
	), per_student AS (
		SELECT x.student_id, x.group_id,
		    count(*) FILTER (WHERE x.status = 'present') AS present,
		    count(*) FILTER (WHERE x.status = 'late') AS late,
		    count(*) FILTER (WHERE x.status = 'excused') AS excused
		FROM (SELECT e.student_id, e.group_id, NULL::text AS status
		    FROM c JOIN groups g ON g.course_id = c.id
		    JOIN enrollments e ON e.group_id = g.id
			AND e.course_id = c.id
		    UNION ALL
		    SELECT a.student_id, a.group_id, a.status
		    FROM c JOIN sessions s ON s.course_id = c.id
		    JOIN attendance_records a ON a.session_id = s.id) x
		GROUP BY x.student_id, x.group_id
		HAVING bool_or(x.status IS NULL)
	), per_group AS (
		SELECT g.id, g.name, coalesce(n.enrolled, 0) AS enrolled,
		    coalesce(gr.sessions, 0) AS sessions,
		    coalesce(gr.rounds, 0) AS rounds,
		    coalesce(n.attended, 0) AS attended
		FROM grp g LEFT JOIN group_rounds gr ON gr.group_id = g.id
		LEFT JOIN (SELECT p.group_id, count(*) AS enrolled,
			sum(p.present + p.late) AS attended
		    FROM per_student p GROUP BY p.group_id) n
		    ON n.group_id = g.id
	)
	SELECT json_build_object('courseId', c.id,
	    'enrolledCount', (SELECT count(*) FROM per_student),
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
		'studentId', u.id, 'username', u.username,
		'displayName', u.display_name, 'groupId', p.group_id,
		'present', p.present, 'late', p.late, 'excused', p.excused,
		'absent', p.rounds - p.present - p.late - p.excused,
		'attendanceRate', at_rate(p.present + p.late, p.rounds))
		ORDER BY u.username)
		FROM (SELECT p.*, coalesce(gr.rounds, 0) AS rounds
		    FROM per_student p
		    LEFT JOIN group_rounds gr ON gr.group_id = p.group_id) p
		JOIN users u ON u.id = p.student_id), '[]'))
	FROM c
$$;

-- GET /api/students/me/stats.  The rounds of the student's groups are
-- counted by one aggregate, and the student's records by another, rather
-- than by a subquery per course.
CREATE OR REPLACE FUNCTION api_student_stats(p_student uuid) RETURNS json
LANGUAGE sql STABLE AS $$
	WITH mine AS (
		SELECT e.course_id, e.group_id FROM enrollments e
		WHERE e.student_id = p_student
	), group_rounds AS (
		SELECT s.group_id, count(*) AS rounds
		FROM mine m JOIN sessions s ON s.group_id = m.group_id
		JOIN attendance_rounds r ON r.session_id = s.id
		GROUP BY s.group_id
	), counts AS (
		SELECT a.course_id, a.group_id,
		    count(*) FILTER (WHERE a.status = 'present') AS present,
		    count(*) FILTER (WHERE a.status = 'late') AS late,
		    count(*) FILTER (WHERE a.status = 'excused') AS excused
		FROM attendance_records a
		WHERE a.student_id = p_student
		GROUP BY a.course_id, a.group_id
	), stats AS (
		SELECT c.id AS course_id, c.code, c.name, c.term,
		    g.id AS group_id, g.name AS group_name,
		    coalesce(gr.rounds, 0) AS rounds,
		    coalesce(k.present, 0) AS present,
		    coalesce(k.late, 0) AS late,
		    coalesce(k.excused, 0) AS excused
		FROM mine m
		JOIN courses c ON c.id = m.course_id
		JOIN groups g ON g.id = m.group_id
		LEFT JOIN group_rounds gr ON gr.group_id = m.group_id
		LEFT JOIN counts k ON k.course_id = m.course_id
		    AND k.group_id = m.group_id
	)
	SELECT json_build_object('courses', coalesce(json_agg(json_build_object(
	    'courseId', m.course_id, 'code', m.code, 'name', m.name,
	    'term', m.term, 'groupId', m.group_id, 'groupName', m.group_name,
	    'totalRounds', m.rounds, 'present', m.present, 'late', m.late,
	    'excused', m.excused,
	    'absent', m.rounds - m.present - m.late - m.excused,
	    'attendanceRate', at_rate(m.present + m.late, m.rounds))
	    ORDER BY m.code, m.term), '[]'))
	FROM stats m
$$;

-- (v1.1) GET /api/students/me/courses/:courseId/records: every round of
-- every session of the student's group in the course, oldest first (by
-- the round's start), with the student's record of it, or absent with no
-- time when there is none.  NULL when the student is not enrolled in the
-- course: 404.
CREATE OR REPLACE FUNCTION api_student_records(p_course uuid,
    p_student uuid)
RETURNS json
LANGUAGE sql STABLE AS $$
	SELECT json_build_object('records', coalesce((SELECT json_agg(
	    json_build_object('sessionId', s.id, 'roundId', r.id,
		'roundNumber', r.round_number, 'startsAt', at_ts(r.starts_at),
		'status', coalesce(a.status, 'absent'),
		'recordedAt', at_ts(a.recorded_at))
	    ORDER BY r.starts_at, s.starts_at, s.id, r.round_number)
	    FROM sessions s
	    JOIN attendance_rounds r ON r.session_id = s.id
	    LEFT JOIN attendance_records a ON a.round_id = r.id
		AND a.student_id = e.student_id
	    WHERE s.group_id = e.group_id AND s.course_id = e.course_id),
	    '[]'))
	FROM enrollments e
	WHERE e.student_id = p_student AND e.course_id = p_course
$$;
