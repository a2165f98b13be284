-- bench/export_setup.sql: the course of the export benchmark (issue 15),
-- made in one transaction of plain SQL (through the API it would take
-- minutes):
--
--     psql -qtAX -v professor=prof -v students=600 -v sessions=30 -v rounds=2 \
--         -f bench/export_setup.sql
--
-- A course of the professor's (code EXPORT, term bench), one group, and
-- STUDENTS students enrolled in it, whose display names hold what the
-- CSV must quote or guard (commas, quotes, a line break, a leading = or
-- -, accents); SESSIONS ended sessions a week apart, each of ROUNDS
-- rounds; and records as a class leaves them: about four in five
-- student-rounds recorded (present, late, now and then an override to
-- excused or absent, some with flags), the others absent.  Its lines:
-- STUDENTS x SESSIONS x ROUNDS.  Prints the course's id (with -qtA, that
-- alone).

\set ON_ERROR_STOP on

BEGIN;

CREATE TEMP TABLE bench_export ON COMMIT DROP AS
WITH c AS (
	INSERT INTO courses (professor_id, code, name, term)
	SELECT id, 'EXPORT', 'The export benchmark', 'bench'
	FROM users WHERE username = :'professor' AND role = 'professor'
	RETURNING id
), g AS (
	INSERT INTO groups (course_id, name)
	SELECT id, 'Lecture, all' FROM c
	RETURNING id, course_id
)
SELECT course_id, id AS group_id FROM g;

INSERT INTO users (role, username, email, display_name, password_hash)
SELECT 'student', 'export-' || lpad(i::text, 4, '0'),
    'export-' || lpad(i::text, 4, '0') || '@bench.example.edu',
    CASE i % 6
	WHEN 0 THEN 'Zoë Ångström-Núñez ' || i
	WHEN 1 THEN 'Smith, Jo ' || i
	WHEN 2 THEN 'Jo "JJ" Doe ' || i
	WHEN 3 THEN '=HYPERLINK(' || i || ')'
	WHEN 4 THEN E'Two\nLines ' || i
	ELSE 'Plain Name ' || i END,
    '$argon2id$bench'
FROM generate_series(1, :students) i;

INSERT INTO enrollments (student_id, course_id, group_id)
SELECT u.id, b.course_id, b.group_id
FROM bench_export b, users u
WHERE u.username LIKE 'export-%' AND u.role = 'student';

-- Ended sessions, the newest a day ago, a week apart; rounds 20 minutes
-- apart within a session.
INSERT INTO sessions (group_id, course_id, professor_id, status, starts_at,
    ends_at)
SELECT b.group_id, b.course_id, c.professor_id, 'ended',
    now() - interval '1 day' - (k * interval '7 days'),
    now() - interval '1 day' - (k * interval '7 days') + interval '90 minutes'
FROM bench_export b JOIN courses c ON c.id = b.course_id,
    generate_series(0, :sessions - 1) k;

INSERT INTO attendance_rounds (session_id, round_number, starts_at, ends_at)
SELECT s.id, n, s.starts_at + (n - 1) * interval '20 minutes',
    s.starts_at + n * interval '20 minutes'
FROM bench_export b JOIN sessions s ON s.course_id = b.course_id,
    generate_series(1, :rounds) n;

-- Records set by the professor (no token: scans would need one each);
-- the source and flags say what scans would have left.
INSERT INTO attendance_records (round_id, session_id, group_id, course_id,
    student_id, status, recorded_at, source, flags)
SELECT r.id, s.id, s.group_id, s.course_id, e.student_id,
    CASE WHEN h % 17 = 0 THEN 'excused' WHEN h % 11 = 0 THEN 'absent'
	WHEN h % 5 = 0 THEN 'late' ELSE 'present' END,
    r.starts_at + (h % 900) * interval '1 second',
    CASE WHEN h % 17 = 0 OR h % 11 = 0 THEN 'professor'
	WHEN h % 7 = 0 THEN 'code' ELSE 'scan' END,
    CASE WHEN h % 17 = 0 OR h % 11 = 0 THEN '{}'
	WHEN h % 13 = 0 THEN '{shared_device,no_device}'
	WHEN h % 9 = 0 THEN '{outside_network}' ELSE '{}' END::text[]
FROM bench_export b
JOIN sessions s ON s.course_id = b.course_id
JOIN attendance_rounds r ON r.session_id = s.id
JOIN enrollments e ON e.group_id = s.group_id AND e.course_id = s.course_id
CROSS JOIN LATERAL (SELECT abs(hashtext(r.id::text || e.student_id::text))
    AS h) x
WHERE h % 5 <> 1;

SELECT course_id FROM bench_export;
COMMIT;
ANALYZE;
