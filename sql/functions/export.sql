-- (v1.1) The course's CSV export, for the gradebook: one row per line of
-- the file, in the file's order, so that the worker passes each on as it
-- arrives (libpq's single-row mode) and never holds the course.  The
-- worker ends each line with CRLF, the last one only once the query has
-- completed: a file cut short by a failure never looks complete.

-- One cell of RFC 4180: NULL is the empty cell; a value beginning with
-- = + - @, a tab or a carriage return gets a leading ' (so that no
-- spreadsheet runs it as a formula), and then a value holding a comma,
-- a quote, CR or LF is quoted, its quotes doubled.  One expression, so
-- that it is inlined into the export's query rather than called 200,000
-- times.
CREATE OR REPLACE FUNCTION csv_cell(v text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT CASE
	    WHEN v IS NULL THEN ''
	    WHEN v ~ E'[",\r\n]' THEN '"'
		|| CASE WHEN v ~ E'^[-=+@\t\r]' THEN '''' ELSE '' END
		|| replace(v, '"', '""') || '"'
	    WHEN v ~ E'^[-=+@\t\r]' THEN '''' || v
	    ELSE v END
$$;

-- GET /api/professor/courses/:courseId/export.csv.  The first row names
-- the file (<code>-<term>-attendance.csv, each character outside
-- A-Z a-z 0-9 . _ - made one _) and carries the byte-order mark and the
-- header line; each later row is one line (name NULL): each round of
-- each session of the course and each student currently enrolled in the
-- session's group (a student who joined later is absent from the rounds
-- before), by session start, round number, username.  No row at all:
-- not the professor's course.  Times are at_ts(), as in the API; the
-- cells that can hold any text go through csv_cell(), the others (ids,
-- times, numbers, statuses, sources, flags) cannot need it.
--
-- The inner query sorts the values, and the outer one makes each line
-- of them as its row goes out: the sort, which must see every row
-- before the first can leave, handles half the bytes the lines would
-- be, and the making of the lines overlaps with their sending.  The
-- outer ORDER BY is the inner one's (the planner sorts once), so the
-- order never rests on the executor's habits.  SQL, not PL/pgSQL, so
-- that it is inlined and its rows stream rather than being gathered
-- first.
CREATE OR REPLACE FUNCTION api_course_export(p_course uuid, p_professor uuid)
RETURNS TABLE (name text, line text)
LANGUAGE sql STABLE AS $$
	SELECT x.name, CASE WHEN x.part = 0
	    THEN E'\uFEFF' || 'course_code,term,group,session_id,'
		'session_started_at,round_number,round_started_at,username,'
		'display_name,email,status,recorded_at,source,flags'
	    ELSE csv_cell(x.code) || ',' || csv_cell(x.term) || ','
		|| csv_cell(x.group_name) || ',' || x.session_id || ','
		|| at_ts(x.starts_at) || ',' || x.round_number || ','
		|| at_ts(x.round_starts_at) || ',' || csv_cell(x.username)
		|| ',' || csv_cell(x.display_name) || ','
		|| csv_cell(x.email) || ','
		|| coalesce(x.status, 'absent') || ','
		|| coalesce(at_ts(x.recorded_at), '') || ','
		|| coalesce(x.source, '') || ','
		|| coalesce(array_to_string(x.flags, ';'), '') END
	FROM (
		SELECT 0 AS part, NULL::timestamptz AS starts_at,
		    NULL::uuid AS session_id, 0 AS round_number,
		    NULL::text AS username,
		    regexp_replace(c.code || '-' || c.term || '-attendance.csv',
			'[^A-Za-z0-9._-]', '_', 'g') AS name,
		    NULL::text AS code, NULL::text AS term,
		    NULL::text AS group_name, NULL::timestamptz AS round_starts_at,
		    NULL::text AS display_name, NULL::text AS email,
		    NULL::text AS status, NULL::timestamptz AS recorded_at,
		    NULL::text AS source, NULL::text[] AS flags
		FROM courses c
		WHERE c.id = p_course AND c.professor_id = p_professor
		UNION ALL
		SELECT 1, s.starts_at, s.id, r.round_number, u.username, NULL,
		    c.code, c.term, g.name, r.starts_at, u.display_name, u.email,
		    a.status, a.recorded_at, a.source, a.flags
		FROM courses c
		JOIN sessions s ON s.course_id = c.id
		JOIN groups g ON g.id = s.group_id
		JOIN attendance_rounds r ON r.session_id = s.id
		JOIN enrollments e ON e.group_id = s.group_id
		    AND e.course_id = s.course_id
		JOIN users u ON u.id = e.student_id
		LEFT JOIN attendance_records a ON a.round_id = r.id
		    AND a.student_id = e.student_id
		WHERE c.id = p_course AND c.professor_id = p_professor
		ORDER BY 1, 2, 3, 4, 5
	) x
	ORDER BY x.part, x.starts_at, x.session_id, x.round_number, x.username
$$;
