-- The baseline: every table, index and constraint of the schema of
-- ../shared/spec/API.md.  The database itself refuses what the contract
-- forbids; the C code relies on these constraints rather than
-- re-checking them, and maps their violations to contract errors.
--
-- Numbered migrations hold tables, indexes and data changes only and are
-- never edited once committed; the functions are in sql/functions/,
-- re-applied whenever their file changes (lib/migrate.h).  This file
-- squashes v1's 001_schema.sql to 005_scan_speed.sql: a database that
-- applied those is taken as at this baseline.

-- Accounts.  (id, role) is a key so that other tables can require, through
-- a foreign key, that the user they name has the right role.
CREATE TABLE users (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	role		text NOT NULL
			CONSTRAINT users_role_check
			CHECK (role IN ('professor', 'student')),
	email		text NOT NULL
			CONSTRAINT users_email_check
			CHECK (email ~ '^[^@[:space:]]+@[^@[:space:]]+[.][^@[:space:]]+$'
			    AND length(email) <= 254),
	username	text NOT NULL
			CONSTRAINT users_username_check
			CHECK (username ~ '^[A-Za-z0-9._-]{1,64}$'),
	display_name	text NOT NULL
			CONSTRAINT users_display_name_check
			CHECK (length(display_name) BETWEEN 1 AND 200),
	password_hash	text NOT NULL
			CONSTRAINT users_password_hash_check
			CHECK (password_hash LIKE '$argon2id$%'),
	created_at	timestamptz NOT NULL DEFAULT now(),
	last_login_at	timestamptz,
	CONSTRAINT users_id_role_key UNIQUE (id, role)
);
-- Usernames and emails are unique without regard to case, and login
-- looks users up by either, so these indexes serve both.
CREATE UNIQUE INDEX users_username_key ON users (lower(username));
CREATE UNIQUE INDEX users_email_key ON users (lower(email));

CREATE TABLE courses (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	professor_id	uuid NOT NULL,
	professor_role	text NOT NULL DEFAULT 'professor'
			CONSTRAINT courses_professor_role_check
			CHECK (professor_role = 'professor'),
	code		text NOT NULL
			CONSTRAINT courses_code_check
			CHECK (length(code) BETWEEN 1 AND 200),
	name		text NOT NULL
			CONSTRAINT courses_name_check
			CHECK (length(name) BETWEEN 1 AND 200),
	term		text NOT NULL
			CONSTRAINT courses_term_check
			CHECK (length(term) BETWEEN 1 AND 200),
	description	text
			CONSTRAINT courses_description_check
			CHECK (length(description) <= 2000),
	created_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT courses_professor_fkey FOREIGN KEY (professor_id, professor_role)
	    REFERENCES users (id, role),
	CONSTRAINT courses_id_professor_key UNIQUE (id, professor_id)
);
-- code + term is unique per professor (without regard to case).
CREATE UNIQUE INDEX courses_code_term_key
    ON courses (professor_id, lower(code), lower(term));

CREATE TABLE groups (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	course_id	uuid NOT NULL REFERENCES courses (id) ON DELETE CASCADE,
	name		text NOT NULL
			CONSTRAINT groups_name_check
			CHECK (length(name) BETWEEN 1 AND 200),
	meeting_schedule text
			CONSTRAINT groups_meeting_schedule_check
			CHECK (length(meeting_schedule) <= 200),
	created_at	timestamptz NOT NULL DEFAULT now(),
	-- The target of the composite keys that tie a group to its course.
	CONSTRAINT groups_id_course_key UNIQUE (id, course_id)
);
CREATE UNIQUE INDEX groups_name_key ON groups (course_id, lower(name));

-- A student is in at most one group per course (the primary key), and the
-- group named must belong to the course named (the composite key).
CREATE TABLE enrollments (
	student_id	uuid NOT NULL,
	student_role	text NOT NULL DEFAULT 'student'
			CONSTRAINT enrollments_student_role_check
			CHECK (student_role = 'student'),
	course_id	uuid NOT NULL,
	group_id	uuid NOT NULL,
	created_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT enrollments_pkey PRIMARY KEY (student_id, course_id),
	CONSTRAINT enrollments_student_fkey FOREIGN KEY (student_id, student_role)
	    REFERENCES users (id, role) ON DELETE CASCADE,
	CONSTRAINT enrollments_group_fkey FOREIGN KEY (group_id, course_id)
	    REFERENCES groups (id, course_id) ON DELETE CASCADE,
	CONSTRAINT enrollments_student_course_group_key
	    UNIQUE (student_id, course_id, group_id)
);
CREATE INDEX enrollments_group_idx ON enrollments (group_id);

-- Class sessions.  status is the truth; is_active is derived from it so
-- the two can never disagree.  Sessions hold attendance data, so a group
-- (and through it a course) with sessions cannot be deleted: RESTRICT.
CREATE TABLE sessions (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	group_id	uuid NOT NULL,
	course_id	uuid NOT NULL,
	professor_id	uuid NOT NULL,
	status		text NOT NULL DEFAULT 'active'
			CONSTRAINT sessions_status_check
			CHECK (status IN ('active', 'ended')),
	is_active	boolean GENERATED ALWAYS AS (status = 'active') STORED,
	starts_at	timestamptz NOT NULL DEFAULT now(),
	ends_at		timestamptz,
	qr_ttl_seconds	integer NOT NULL DEFAULT 30
			CONSTRAINT sessions_qr_ttl_seconds_check
			CHECK (qr_ttl_seconds BETWEEN 5 AND 600),
	late_after_seconds integer NOT NULL DEFAULT 600
			CONSTRAINT sessions_late_after_seconds_check
			CHECK (late_after_seconds BETWEEN 0 AND 86400),
	CONSTRAINT sessions_ends_at_check
	    CHECK ((status = 'active') = (ends_at IS NULL)
	        AND (ends_at IS NULL OR ends_at >= starts_at)),
	CONSTRAINT sessions_group_fkey FOREIGN KEY (group_id, course_id)
	    REFERENCES groups (id, course_id) ON DELETE RESTRICT,
	-- The professor of a session is the owner of its course.
	CONSTRAINT sessions_course_professor_fkey FOREIGN KEY (course_id, professor_id)
	    REFERENCES courses (id, professor_id) ON DELETE RESTRICT,
	CONSTRAINT sessions_id_group_course_key UNIQUE (id, group_id, course_id)
);
-- At most one active session per group.
CREATE UNIQUE INDEX sessions_one_active_per_group
    ON sessions (group_id) WHERE status = 'active';
CREATE INDEX sessions_group_starts_idx ON sessions (group_id, starts_at DESC);
CREATE INDEX sessions_course_idx ON sessions (course_id);

-- Rounds: a round is active until it has an end.
CREATE TABLE attendance_rounds (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	session_id	uuid NOT NULL REFERENCES sessions (id) ON DELETE CASCADE,
	round_number	integer NOT NULL
			CONSTRAINT attendance_rounds_round_number_check
			CHECK (round_number >= 1),
	starts_at	timestamptz NOT NULL DEFAULT now(),
	ends_at		timestamptz,
	is_active	boolean GENERATED ALWAYS AS (ends_at IS NULL) STORED,
	CONSTRAINT attendance_rounds_ends_at_check
	    CHECK (ends_at IS NULL OR ends_at >= starts_at),
	CONSTRAINT attendance_rounds_number_key UNIQUE (session_id, round_number),
	CONSTRAINT attendance_rounds_id_session_key UNIQUE (id, session_id)
);
-- At most one active round per session.
CREATE UNIQUE INDEX attendance_rounds_one_active_per_session
    ON attendance_rounds (session_id) WHERE ends_at IS NULL;

-- QR tokens: only a BLAKE2b-256 hash of the raw token is stored.  A token
-- is live while it is neither consumed nor superseded (and not expired);
-- the partial unique index makes "at most one live token per round" hold
-- by construction: minting must supersede the previous token first.
CREATE TABLE qr_tokens (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	round_id	uuid NOT NULL REFERENCES attendance_rounds (id) ON DELETE CASCADE,
	token_hash	bytea NOT NULL
			CONSTRAINT qr_tokens_token_hash_check
			CHECK (length(token_hash) = 32),
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	consumed	boolean NOT NULL DEFAULT false,
	consumed_at	timestamptz,
	consumed_by	uuid REFERENCES users (id),
	superseded_at	timestamptz,
	CONSTRAINT qr_tokens_expires_at_check CHECK (expires_at > created_at),
	CONSTRAINT qr_tokens_consumed_check
	    CHECK (consumed = (consumed_at IS NOT NULL)
	        AND consumed = (consumed_by IS NOT NULL)),
	CONSTRAINT qr_tokens_id_round_key UNIQUE (id, round_id)
);
-- Token validation looks a token up by its hash.
CREATE UNIQUE INDEX qr_tokens_token_hash_key ON qr_tokens (token_hash);
CREATE UNIQUE INDEX qr_tokens_one_live_per_round
    ON qr_tokens (round_id) WHERE NOT consumed AND superseded_at IS NULL;

-- One record per (round, student).  The record repeats its session, group
-- and course so that composite keys can prove, in the database, that the
-- round belongs to the session, the session to the group and course, the
-- student is enrolled in that group (so an enrollment holding records
-- cannot be deleted: nothing is ever lost), and the token that authorized
-- it belongs to the same round.
CREATE TABLE attendance_records (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	round_id	uuid NOT NULL,
	session_id	uuid NOT NULL,
	group_id	uuid NOT NULL,
	course_id	uuid NOT NULL,
	student_id	uuid NOT NULL,
	status		text NOT NULL
			CONSTRAINT attendance_records_status_check
			CHECK (status IN ('present', 'late', 'excused', 'absent')),
	qr_token_id	uuid,
	recorded_at	timestamptz NOT NULL DEFAULT now(),
	CONSTRAINT attendance_records_round_student_key UNIQUE (round_id, student_id),
	CONSTRAINT attendance_records_qr_token_key UNIQUE (qr_token_id),
	CONSTRAINT attendance_records_round_fkey FOREIGN KEY (round_id, session_id)
	    REFERENCES attendance_rounds (id, session_id) ON DELETE CASCADE,
	CONSTRAINT attendance_records_session_fkey
	    FOREIGN KEY (session_id, group_id, course_id)
	    REFERENCES sessions (id, group_id, course_id) ON DELETE CASCADE,
	CONSTRAINT attendance_records_enrollment_fkey
	    FOREIGN KEY (student_id, course_id, group_id)
	    REFERENCES enrollments (student_id, course_id, group_id) ON DELETE RESTRICT,
	CONSTRAINT attendance_records_qr_token_fkey FOREIGN KEY (qr_token_id, round_id)
	    REFERENCES qr_tokens (id, round_id)
);
-- The stats queries aggregate by session, and by student within a course.
CREATE INDEX attendance_records_session_idx ON attendance_records (session_id, status);
CREATE INDEX attendance_records_student_course_idx
    ON attendance_records (student_id, course_id);

-- A consumed token names the record it produced, and every consumed token
-- has its record, by a check and a foreign key; a record may have several
-- tokens over time (a scan that replaces an "absent" override).  Added
-- after attendance_records, which it references.
ALTER TABLE qr_tokens ADD COLUMN record_id uuid
    REFERENCES attendance_records (id) ON DELETE CASCADE;
ALTER TABLE qr_tokens ADD CONSTRAINT qr_tokens_record_check
    CHECK (consumed = (record_id IS NOT NULL));
CREATE INDEX qr_tokens_record_idx ON qr_tokens (record_id);

-- Login sessions: the sid cookie is never stored, only its BLAKE2b hash.
CREATE TABLE auth_sessions (
	id		uuid PRIMARY KEY DEFAULT gen_random_uuid(),
	token_hash	bytea NOT NULL
			CONSTRAINT auth_sessions_token_hash_check
			CHECK (length(token_hash) = 32),
	user_id		uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	created_at	timestamptz NOT NULL DEFAULT now(),
	expires_at	timestamptz NOT NULL,
	CONSTRAINT auth_sessions_expires_at_check CHECK (expires_at > created_at)
);
CREATE UNIQUE INDEX auth_sessions_token_hash_key ON auth_sessions (token_hash);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id);
CREATE INDEX auth_sessions_expires_idx ON auth_sessions (expires_at);

-- Failed logins, behind the login throttle.
CREATE TABLE login_failures (
	id		bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	login		text NOT NULL,		-- lower(name as typed)
	address		text NOT NULL,
	failed_at	timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX login_failures_login_idx ON login_failures (login, failed_at);
CREATE INDEX login_failures_address_idx
    ON login_failures (address, failed_at);
