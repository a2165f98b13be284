-- bench/scan_replay.sql: one scan of the classroom loop (bench/scan_loop.c)
-- as the database sees it, for pgbench: what attendance-fcgi runs for
-- POST /api/sessions/:id/rounds/:rid/scan, the same prepared statement
-- in one transaction as in the worker (lib/class_store.c scan, which
-- looks the login up itself, sql/functions/scan.sql; the new
-- round below is still two statements, as the worker runs it,
-- lib/auth_store.c auth_caller then api_round_start), on the data
-- of bench/scan_replay_setup.sql:
--
--     pgbench -n -M prepared -c N -j 2 -T SECONDS -D ready=0 \
--         -D students=50 -f bench/scan_replay.sql attendance_replay
--
-- Client k plays classroom k (at most as many clients as classrooms;
-- run SELECT replay_new_run() before each run).  Like the loop, each
-- classroom's students scan in turn, each with the live token, and after
-- every STUDENTS scans the professor starts a new round: that
-- transaction also runs the two statements of POST .../rounds
-- (auth_caller for the professor, then api_round_start).  So one
-- pgbench transaction is one scan, and tps is scans per second.
--
-- The only change to the worker's statements: a hash the worker computes
-- (BLAKE2b of the sid cookie, of the token, of the next token) is here
-- computed by PostgreSQL, sha256 of a decimal key, since pgbench cannot
-- make byte strings; a 32-byte bytea either way (keys: see the setup).
-- api_scan's answer is not checked here (pgbench cannot compare text):
-- bench/run checks afterwards that the records grew by the number of
-- transactions, which a single refused scan would break (the token
-- chain carried forward would stop matching).

-- The first transaction of a client: its classroom's session, live
-- round and live token.
\if :ready = 0
SELECT session_id, round_id, token_key AS tok
FROM replay_classroom WHERE classroom = :client_id
\gset
\set n 0
\set ready 1
\endif

-- Everyone has scanned: the professor starts a new round.
\if :n = :students
\set professor :client_id * 1000 + 999
SELECT u.id, u.role = 'professor' AS professor
FROM auth_login_user(sha256(:professor::text::bytea)) u
\gset professor_
\set tok :tok + 1
SELECT * FROM api_round_start(:session_id, :professor_id,
    sha256(:tok::text::bytea), sha256(('c' || :tok)::bytea))
\gset
\set n 0
\endif

-- The scan of student n with the live token, minting the next one: one
-- statement, the login lookup included (sql/functions/scan.sql), with
-- the evidence of v1.1: the student's phone is the same device from its
-- second scan on, as a real browser's cookie is.
\set student :client_id * 1000 + :n
\set next :tok + 1
SELECT * FROM api_scan_as(sha256(:student::text::bytea), :session_id,
    :round_id, sha256(:tok::text::bytea), sha256(:next::text::bytea),
    sha256(('c' || :next)::bytea), '192.0.2.7', sha256(('d' || :student)::bytea),
    sha256(('d' || :student)::bytea), 34560000, 'Mozilla/5.0 (pgbench)',
    'scan');
\set tok :next
\set n :n + 1
