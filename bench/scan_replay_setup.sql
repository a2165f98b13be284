-- bench/scan_replay_setup.sql: the data bench/scan_replay.sql replays the
-- classroom loop's scans on, in a database of its own (bench/run creates
-- attendance_replay in the stack's cluster and migrates it with
-- attendance-admin migrate, so the schema and functions are the product's):
--
--     psql -v classrooms=100 -v students=50 -f bench/scan_replay_setup.sql
--
-- The same data as bench/scan_loop.c creates for each classroom: a
-- professor and STUDENTS students, each with a login session (a 32-byte
-- hash in auth_sessions), a course and a group the students are enrolled
-- in, and a class session started by api_session_start (round 1 and its
-- live token), with the loop's settings (QR lifetime 600 s, late after
-- the default 600 s).
--
-- One difference, because pgbench has no byte strings, only integers:
-- every stored hash is sha256 of a decimal key rather than BLAKE2b of a
-- random token, and the replay sends the key, not the hash.  Keys:
--   professor of classroom k    k * 1000 + 999
--   student i of classroom k    k * 1000 + i            (i < 999)
--   token t of run r, room k    (r * 1000 + k) * 10^9 + t
-- (the token hash index is unique over all runs: keys never repeat).
--
-- replay_classroom tells pgbench client k (= classroom k) its session,
-- its live round and that round's live token; replay_new_run() starts a
-- fresh round in every classroom through api_round_start (what the
-- professor's "new round" does), so each pgbench run starts like a loop
-- run: a round with no scans and a live token of known key.

\set ON_ERROR_STOP on

CREATE TABLE replay_classroom (
	classroom	integer PRIMARY KEY,	-- pgbench :client_id
	professor_id	uuid NOT NULL,
	group_id	uuid NOT NULL,
	session_id	uuid,
	round_id	uuid,
	token_key	bigint			-- the live token of round_id
);
CREATE SEQUENCE replay_run;

CREATE FUNCTION replay_hash(key bigint) RETURNS bytea
LANGUAGE sql IMMUTABLE AS $$
	SELECT sha256(key::text::bytea)
$$;

-- Users: one professor per classroom, then its students.
INSERT INTO users (role, username, email, display_name, password_hash)
SELECT 'professor', 'replay-prof-' || k, 'replay-prof-' || k ||
    '@bench.example.edu', 'replay-prof-' || k, '$argon2id$bench'
FROM generate_series(0, :classrooms - 1) k;
INSERT INTO users (role, username, email, display_name, password_hash)
SELECT 'student', 'replay-s-' || k || '-' || i, 'replay-s-' || k || '-' ||
    i || '@bench.example.edu', 'replay-s-' || k || '-' || i,
    '$argon2id$bench'
FROM generate_series(0, :classrooms - 1) k,
    generate_series(0, :students - 1) i;

-- Their login sessions, as POST /api/auth/login would leave them.
INSERT INTO auth_sessions (token_hash, user_id, expires_at)
SELECT replay_hash(k * 1000 + 999), u.id, now() + interval '1 day'
FROM generate_series(0, :classrooms - 1) k
JOIN users u ON u.username = 'replay-prof-' || k;
INSERT INTO auth_sessions (token_hash, user_id, expires_at)
SELECT replay_hash(k * 1000 + i), u.id, now() + interval '1 day'
FROM generate_series(0, :classrooms - 1) k
CROSS JOIN generate_series(0, :students - 1) i
JOIN users u ON u.username = 'replay-s-' || k || '-' || i;

-- A course and a group per professor, the students enrolled in it.
WITH c AS (
	INSERT INTO courses (professor_id, code, name, term)
	SELECT id, username, 'Bench', 'bench' FROM users
	WHERE username LIKE 'replay-prof-%'
	RETURNING id, professor_id, code
), g AS (
	INSERT INTO groups (course_id, name)
	SELECT id, 'G' FROM c
	RETURNING id, course_id
)
INSERT INTO replay_classroom (classroom, professor_id, group_id)
SELECT substr(c.code, length('replay-prof-') + 1)::integer,
    c.professor_id, g.id
FROM c JOIN g ON g.course_id = c.id;
INSERT INTO enrollments (student_id, course_id, group_id)
SELECT u.id, g.course_id, g.id
FROM replay_classroom rc
JOIN groups g ON g.id = rc.group_id
CROSS JOIN generate_series(0, :students - 1) i
JOIN users u ON u.username = 'replay-s-' || rc.classroom || '-' || i;

-- The class sessions, started as POST /api/groups/:id/sessions does.
WITH started AS MATERIALIZED (
	SELECT c.classroom, s.*
	FROM replay_classroom c,
	    LATERAL api_session_start(c.group_id, c.professor_id, 600, 600,
		'single', replay_hash(-1 - c.classroom),
		sha256(('c' || (-1 - c.classroom))::bytea)) s
)
UPDATE replay_classroom rc SET session_id = started.session_id
FROM started
WHERE rc.classroom = started.classroom AND started.error IS NULL;

-- A fresh round, with a live token of known key, in every classroom;
-- returns the run number.
CREATE FUNCTION replay_new_run() RETURNS bigint
LANGUAGE plpgsql AS $$
DECLARE
	run bigint := nextval('replay_run');
	c replay_classroom;
	started record;
	key bigint;
BEGIN
	FOR c IN SELECT * FROM replay_classroom ORDER BY classroom LOOP
		key := (run * 1000 + c.classroom) * 1000000000;
		SELECT * INTO started
		FROM api_round_start(c.session_id, c.professor_id,
		    replay_hash(key), sha256(('c' || key)::bytea));
		IF started.error IS NOT NULL THEN
			RAISE EXCEPTION 'classroom %: api_round_start: %',
			    c.classroom, started.error;
		END IF;
		UPDATE replay_classroom SET round_id = started.round_id,
		    token_key = key
		WHERE classroom = c.classroom;
	END LOOP;
	RETURN run;
END
$$;

DO $$
BEGIN
	IF EXISTS (SELECT 1 FROM replay_classroom WHERE session_id IS NULL)
	THEN
		RAISE EXCEPTION 'a classroom has no session';
	END IF;
END
$$;
ANALYZE;
