/*
 * The schema refuses what the contract forbids.  The C code relies on
 * these constraints instead of checking again, so each one is shown to
 * refuse its bad row (by SQLSTATE and by name, so that a row refused by
 * some other constraint does not pass for it) and to accept the good one.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "error.h"
#include "support.h"

#define SCHEMA_UNIQUE	"23505"
#define SCHEMA_FKEY	"23503"
#define SCHEMA_CHECK	"23514"
#define SCHEMA_PARAMS_MAX 16

/* Passes users_password_hash_check; never verified by these tests. */
#define SCHEMA_HASH	"$argon2id$v=19$m=65536,t=2,p=1$x$y"

/*
 * What every test starts from (ids are malloc'd text):
 *   prof owns course A (groups A1, A2) and course B (group B1); prof2
 *   owns nothing.  alice and dave are in A1, bob in A2, carol in B1.
 *   session: active, in A1, with round 1 active.  round 1 has a live
 *   token (hash ab..ab) and a token consumed by alice (cd..cd) that
 *   authorized her record.
 */
struct schema_fixture {
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	PGconn		*conn;
	char		*prof, *prof2;
	char		*alice, *bob, *carol, *dave;
	char		*course_a, *course_b;
	char		*group_a1, *group_a2, *group_b1;
	char		*session, *round, *live_token, *used_token, *record;
};

static struct schema_fixture	 fx;

/*
 * A parameter list ends at NULL, so an SQL NULL is passed as this
 * (compared by address).
 */
static const char	 schema_null[] = "NULL";
#define SQL_NULL	schema_null

/* Runs sql with the NULL-terminated text parameters in ap. */
static PGresult *
schema_vexec(PGconn *conn, const char *sql, va_list ap)
{
	const char	*params[SCHEMA_PARAMS_MAX], *p;
	int		 n = 0;

	while ((p = va_arg(ap, const char *)) != NULL) {
		cr_assert(n < SCHEMA_PARAMS_MAX, "too many parameters");
		params[n++] = p == schema_null ? NULL : p;
	}
	return PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
}

/*
 * Fails the test unless sql is refused with SQLSTATE state by the
 * constraint (or unique index) named constraint.
 */
static void
refused(const char *state, const char *constraint, const char *sql, ...)
{
	PGresult	*res;
	const char	*s, *c;
	va_list		 ap;

	va_start(ap, sql);
	res = schema_vexec(fx.conn, sql, ap);
	va_end(ap);
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	c = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	cr_assert(s != NULL && strcmp(s, state) == 0 &&
	    c != NULL && strcmp(c, constraint) == 0,
	    "%s\nwanted %s on %s, got %s on %s: %s", sql, state, constraint,
	    s != NULL ? s : "success", c != NULL ? c : "-",
	    PQresultErrorMessage(res));
	PQclear(res);
}

/* Fails the test unless sql succeeds. */
static void
accepted(const char *sql, ...)
{
	PGresult	*res;
	va_list		 ap;

	va_start(ap, sql);
	res = schema_vexec(fx.conn, sql, ap);
	va_end(ap);
	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK ||
	    PQresultStatus(res) == PGRES_TUPLES_OK, "%s\n%s", sql,
	    PQresultErrorMessage(res));
	PQclear(res);
}

static char *
schema_user(const char *role, const char *username)
{
	char	 email[128];

	snprintf(email, sizeof(email), "%s@example.edu", username);
	return support_db_value(fx.conn, "INSERT INTO users (role, username, "
	    "email, display_name, password_hash) VALUES ($1, $2, $3, $2, $4) "
	    "RETURNING id", role, username, email, SCHEMA_HASH, NULL);
}

static char *
schema_course(const char *professor, const char *code)
{
	return support_db_value(fx.conn, "INSERT INTO courses (professor_id, "
	    "code, name, term) VALUES ($1, $2, 'Course ' || $2, '2026-fall') "
	    "RETURNING id", professor, code, NULL);
}

static char *
schema_group(const char *course, const char *name)
{
	return support_db_value(fx.conn, "INSERT INTO groups (course_id, name) "
	    "VALUES ($1, $2) RETURNING id", course, name, NULL);
}

static void
schema_enroll(const char *student, const char *course, const char *group)
{
	accepted("INSERT INTO enrollments (student_id, course_id, group_id) "
	    "VALUES ($1, $2, $3)", student, course, group, NULL);
}

/* What a scan does to its token: consumed by student, for record. */
static void
schema_consume(const char *token, const char *student, const char *record)
{
	accepted("UPDATE qr_tokens SET consumed = true, consumed_at = now(), "
	    "consumed_by = $2, record_id = $3 WHERE id = $1", token, student,
	    record, NULL);
}

/* An active session of prof in group (of course), and its round 1. */
static char *
schema_session(const char *group, const char *course, char **round)
{
	char	*session;

	session = support_db_value(fx.conn, "INSERT INTO sessions (group_id, "
	    "course_id, professor_id) VALUES ($1, $2, $3) RETURNING id",
	    group, course, fx.prof, NULL);
	*round = support_db_value(fx.conn, "INSERT INTO attendance_rounds "
	    "(session_id, round_number) VALUES ($1, 1) RETURNING id",
	    session, NULL);
	return session;
}

/* A live token of round whose hash is the byte hex repeated 32 times. */
static char *
schema_token(const char *round, const char *hex)
{
	return support_db_value(fx.conn, "INSERT INTO qr_tokens (round_id, "
	    "token_hash, expires_at) VALUES ($1, decode(repeat($2, 32), "
	    "'hex'), now() + interval '30 seconds') RETURNING id",
	    round, hex, NULL);
}

static void
schema_setup(void)
{
	support_db_create(1, fx.conninfo);
	fx.conn = support_db_connect(fx.conninfo);
	fx.prof = schema_user("professor", "prof");
	fx.prof2 = schema_user("professor", "prof2");
	fx.alice = schema_user("student", "alice");
	fx.bob = schema_user("student", "bob");
	fx.carol = schema_user("student", "carol");
	fx.dave = schema_user("student", "dave");
	fx.course_a = schema_course(fx.prof, "CS101");
	fx.course_b = schema_course(fx.prof, "CS102");
	fx.group_a1 = schema_group(fx.course_a, "A1");
	fx.group_a2 = schema_group(fx.course_a, "A2");
	fx.group_b1 = schema_group(fx.course_b, "B1");
	schema_enroll(fx.alice, fx.course_a, fx.group_a1);
	schema_enroll(fx.dave, fx.course_a, fx.group_a1);
	schema_enroll(fx.bob, fx.course_a, fx.group_a2);
	schema_enroll(fx.carol, fx.course_b, fx.group_b1);
	fx.session = schema_session(fx.group_a1, fx.course_a, &fx.round);
	/* Consume first: the round may hold only one live token.  A scan
	 * writes the record, then consumes its token with a link to it. */
	fx.used_token = schema_token(fx.round, "cd");
	fx.record = support_db_value(fx.conn, "INSERT INTO attendance_records "
	    "(round_id, session_id, group_id, course_id, student_id, status, "
	    "qr_token_id) VALUES ($1, $2, $3, $4, $5, 'present', $6) "
	    "RETURNING id", fx.round, fx.session, fx.group_a1, fx.course_a,
	    fx.alice, fx.used_token, NULL);
	schema_consume(fx.used_token, fx.alice, fx.record);
	fx.live_token = schema_token(fx.round, "ab");
}

static void
schema_teardown(void)
{
	char	**ids[] = {
		&fx.prof, &fx.prof2, &fx.alice, &fx.bob, &fx.carol, &fx.dave,
		&fx.course_a, &fx.course_b, &fx.group_a1, &fx.group_a2,
		&fx.group_b1, &fx.session, &fx.round, &fx.live_token,
		&fx.used_token, &fx.record
	};
	size_t	 i;

	for (i = 0; i < sizeof(ids) / sizeof(ids[0]); i++) {
		free(*ids[i]);
		*ids[i] = NULL;
	}
	if (fx.conn != NULL)
		PQfinish(fx.conn);
	fx.conn = NULL;
}

TestSuite(schema, .init = schema_setup, .fini = schema_teardown);

static const char schema_insert_user[] =
    "INSERT INTO users (role, username, email, display_name, password_hash) "
    "VALUES ($1, $2, $3, 'Someone', $4)";

/* --- users ------------------------------------------------------------- */

Test(schema, users_role)
{
	refused(SCHEMA_CHECK, "users_role_check", schema_insert_user,
	    "admin", "eve", "eve@example.edu", SCHEMA_HASH, NULL);
	refused(SCHEMA_CHECK, "users_role_check", schema_insert_user,
	    "Student", "eve", "eve@example.edu", SCHEMA_HASH, NULL);
	accepted(schema_insert_user, "student", "eve", "eve@example.edu",
	    SCHEMA_HASH, NULL);
}

Test(schema, users_username_pattern)
{
	char	 long_name[66];

	refused(SCHEMA_CHECK, "users_username_check", schema_insert_user,
	    "student", "eve smith", "eve@example.edu", SCHEMA_HASH, NULL);
	refused(SCHEMA_CHECK, "users_username_check", schema_insert_user,
	    "student", "", "eve@example.edu", SCHEMA_HASH, NULL);
	refused(SCHEMA_CHECK, "users_username_check", schema_insert_user,
	    "student", "eve@home", "eve@example.edu", SCHEMA_HASH, NULL);
	refused(SCHEMA_CHECK, "users_username_check", schema_insert_user,
	    "student", "\xc3\xa9ve", "eve@example.edu", SCHEMA_HASH, NULL);
	memset(long_name, 'e', 65);
	long_name[65] = '\0';
	refused(SCHEMA_CHECK, "users_username_check", schema_insert_user,
	    "student", long_name, "eve@example.edu", SCHEMA_HASH, NULL);
	/* 64 characters, every allowed kind. */
	long_name[64] = '\0';
	memcpy(long_name, "Eve.Smith_2-", 12);
	accepted(schema_insert_user, "student", long_name, "eve@example.edu",
	    SCHEMA_HASH, NULL);
}

Test(schema, users_username_unique_ignoring_case)
{
	refused(SCHEMA_UNIQUE, "users_username_key", schema_insert_user,
	    "student", "Bob", "bob2@example.edu", SCHEMA_HASH, NULL);
	refused(SCHEMA_UNIQUE, "users_username_key", schema_insert_user,
	    "professor", "BOB", "bob3@example.edu", SCHEMA_HASH, NULL);
	accepted(schema_insert_user, "student", "Bobby", "bobby@example.edu",
	    SCHEMA_HASH, NULL);
}

Test(schema, users_email_unique_ignoring_case)
{
	refused(SCHEMA_UNIQUE, "users_email_key", schema_insert_user,
	    "student", "bob2", "Bob@Example.EDU", SCHEMA_HASH, NULL);
	accepted(schema_insert_user, "student", "bob2", "bob2@example.edu",
	    SCHEMA_HASH, NULL);
	refused(SCHEMA_CHECK, "users_email_check", schema_insert_user,
	    "student", "bob3", "not-an-address", SCHEMA_HASH, NULL);
}

Test(schema, users_password_hash_argon2id)
{
	refused(SCHEMA_CHECK, "users_password_hash_check", schema_insert_user,
	    "student", "eve", "eve@example.edu",
	    "$argon2i$v=19$m=65536,t=2,p=1$x$y", NULL);
	refused(SCHEMA_CHECK, "users_password_hash_check", schema_insert_user,
	    "student", "eve", "eve@example.edu",
	    "$2b$12$abcdefghijklmnopqrstuv", NULL);
	refused(SCHEMA_CHECK, "users_password_hash_check", schema_insert_user,
	    "student", "eve", "eve@example.edu", "hunter2", NULL);
	accepted(schema_insert_user, "student", "eve", "eve@example.edu",
	    SCHEMA_HASH, NULL);
}

/* --- courses and groups ------------------------------------------------ */

static const char schema_insert_course[] =
    "INSERT INTO courses (professor_id, code, name, term) "
    "VALUES ($1, $2, 'A course', $3)";

Test(schema, courses_professor_is_professor)
{
	/* A student's id: the (id, role) key finds no professor. */
	refused(SCHEMA_FKEY, "courses_professor_fkey", schema_insert_course,
	    fx.alice, "CS200", "2026-fall", NULL);
	refused(SCHEMA_CHECK, "courses_professor_role_check",
	    "INSERT INTO courses (professor_id, professor_role, code, name, "
	    "term) VALUES ($1, 'student', 'CS200', 'A course', '2026-fall')",
	    fx.alice, NULL);
	refused(SCHEMA_FKEY, "courses_professor_fkey", schema_insert_course,
	    "00000000-0000-4000-8000-000000000000", "CS200", "2026-fall",
	    NULL);
	accepted(schema_insert_course, fx.prof2, "CS200", "2026-fall", NULL);
	/* A professor who owns courses cannot quietly become a student. */
	refused(SCHEMA_FKEY, "courses_professor_fkey",
	    "UPDATE users SET role = 'student' WHERE id = $1", fx.prof, NULL);
}

Test(schema, courses_code_term_unique_per_professor)
{
	refused(SCHEMA_UNIQUE, "courses_code_term_key", schema_insert_course,
	    fx.prof, "cs101", "2026-FALL", NULL);
	/* Another professor may use the same code and term. */
	accepted(schema_insert_course, fx.prof2, "CS101", "2026-fall", NULL);
	/* The same professor, in another term. */
	accepted(schema_insert_course, fx.prof, "CS101", "2027-spring", NULL);
}

Test(schema, groups_name_unique_per_course)
{
	static const char sql[] =
	    "INSERT INTO groups (course_id, name) VALUES ($1, $2)";

	refused(SCHEMA_UNIQUE, "groups_name_key", sql, fx.course_a, "a1",
	    NULL);
	accepted(sql, fx.course_b, "A1", NULL);
	accepted(sql, fx.course_a, "A3", NULL);
	refused(SCHEMA_CHECK, "groups_name_check", sql, fx.course_a, "", NULL);
}

/* --- enrollments ------------------------------------------------------- */

static const char schema_insert_enrollment[] =
    "INSERT INTO enrollments (student_id, course_id, group_id) "
    "VALUES ($1, $2, $3)";

Test(schema, enrollments_once_per_course)
{
	/* alice is in A1: not also in A2 of the same course. */
	refused(SCHEMA_UNIQUE, "enrollments_pkey", schema_insert_enrollment,
	    fx.alice, fx.course_a, fx.group_a2, NULL);
	refused(SCHEMA_UNIQUE, "enrollments_pkey", schema_insert_enrollment,
	    fx.alice, fx.course_a, fx.group_a1, NULL);
	/* A group of another course is fine. */
	accepted(schema_insert_enrollment, fx.alice, fx.course_b, fx.group_b1,
	    NULL);
}

Test(schema, enrollments_group_in_course)
{
	/* B1 named with course A's id. */
	refused(SCHEMA_FKEY, "enrollments_group_fkey",
	    schema_insert_enrollment, fx.carol, fx.course_a, fx.group_b1,
	    NULL);
	accepted(schema_insert_enrollment, fx.carol, fx.course_a, fx.group_a2,
	    NULL);
}

Test(schema, enrollments_students_only)
{
	refused(SCHEMA_FKEY, "enrollments_student_fkey",
	    schema_insert_enrollment, fx.prof2, fx.course_a, fx.group_a1,
	    NULL);
	refused(SCHEMA_CHECK, "enrollments_student_role_check",
	    "INSERT INTO enrollments (student_id, student_role, course_id, "
	    "group_id) VALUES ($1, 'professor', $2, $3)", fx.prof2,
	    fx.course_a, fx.group_a1, NULL);
}

/* --- sessions ---------------------------------------------------------- */

static const char schema_insert_session[] =
    "INSERT INTO sessions (group_id, course_id, professor_id) "
    "VALUES ($1, $2, $3)";

static const char schema_end_session[] =
    "UPDATE sessions SET status = 'ended', ends_at = now() WHERE id = $1";

Test(schema, sessions_one_active_per_group)
{
	refused(SCHEMA_UNIQUE, "sessions_one_active_per_group",
	    schema_insert_session, fx.group_a1, fx.course_a, fx.prof, NULL);
	/* Another group of the course may run its own. */
	accepted(schema_insert_session, fx.group_a2, fx.course_a, fx.prof,
	    NULL);
	accepted(schema_end_session, fx.session, NULL);
	accepted(schema_insert_session, fx.group_a1, fx.course_a, fx.prof,
	    NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", fx.group_a1, NULL), 2);
}

/*
 * With an end, so that sessions_ends_at_check (which PostgreSQL checks
 * first, in name order) holds and only the status is wrong.
 */
Test(schema, sessions_status)
{
	refused(SCHEMA_CHECK, "sessions_status_check",
	    "UPDATE sessions SET status = 'paused', ends_at = now() "
	    "WHERE id = $1", fx.session, NULL);
	refused(SCHEMA_CHECK, "sessions_status_check",
	    "INSERT INTO sessions (group_id, course_id, professor_id, status, "
	    "ends_at) VALUES ($1, $2, $3, 'Ended', now())", fx.group_a2,
	    fx.course_a, fx.prof, NULL);
}

/* is_active cannot disagree with status: it is computed from it. */
Test(schema, sessions_is_active_generated)
{
	char	*v;

	v = support_db_value(fx.conn, "SELECT is_active FROM sessions "
	    "WHERE id = $1", fx.session, NULL);
	cr_assert_str_eq(v, "t");
	free(v);
	accepted(schema_end_session, fx.session, NULL);
	v = support_db_value(fx.conn, "SELECT is_active FROM sessions "
	    "WHERE id = $1", fx.session, NULL);
	cr_assert_str_eq(v, "f");
	free(v);
	/* 428C9: a generated column cannot be written. */
	cr_assert_str_eq(support_db_state(fx.conn, "UPDATE sessions SET "
	    "is_active = true WHERE id = $1", fx.session, NULL), "428C9");
	cr_assert_str_eq(support_db_state(fx.conn, "INSERT INTO sessions "
	    "(group_id, course_id, professor_id, is_active) VALUES ($1, $2, "
	    "$3, false)", fx.group_a2, fx.course_a, fx.prof, NULL), "428C9");
}

Test(schema, sessions_ends_at_iff_ended)
{
	refused(SCHEMA_CHECK, "sessions_ends_at_check",
	    "UPDATE sessions SET status = 'ended' WHERE id = $1", fx.session,
	    NULL);
	refused(SCHEMA_CHECK, "sessions_ends_at_check",
	    "UPDATE sessions SET ends_at = now() WHERE id = $1", fx.session,
	    NULL);
	refused(SCHEMA_CHECK, "sessions_ends_at_check",
	    "UPDATE sessions SET status = 'ended', "
	    "ends_at = starts_at - interval '1 second' WHERE id = $1",
	    fx.session, NULL);
	accepted(schema_end_session, fx.session, NULL);
	/* And back: reopening without clearing ends_at is refused too. */
	refused(SCHEMA_CHECK, "sessions_ends_at_check",
	    "UPDATE sessions SET status = 'active' WHERE id = $1", fx.session,
	    NULL);
}

Test(schema, sessions_ttl_and_late_bounds)
{
	static const char sql[] =
	    "INSERT INTO sessions (group_id, course_id, professor_id, status, "
	    "ends_at, qr_ttl_seconds, late_after_seconds) "
	    "VALUES ($1, $2, $3, 'ended', now(), $4, $5)";
	const char	*g = fx.group_a2, *c = fx.course_a, *p = fx.prof;

	/* Ended sessions, so that the good rows do not meet each other. */
	refused(SCHEMA_CHECK, "sessions_qr_ttl_seconds_check", sql, g, c, p,
	    "4", "600", NULL);
	refused(SCHEMA_CHECK, "sessions_qr_ttl_seconds_check", sql, g, c, p,
	    "601", "600", NULL);
	refused(SCHEMA_CHECK, "sessions_late_after_seconds_check", sql, g, c,
	    p, "30", "-1", NULL);
	refused(SCHEMA_CHECK, "sessions_late_after_seconds_check", sql, g, c,
	    p, "30", "86401", NULL);
	accepted(sql, g, c, p, "5", "0", NULL);
	accepted(sql, g, c, p, "600", "86400", NULL);
	/* The defaults of the contract. */
	cr_assert_eq(support_db_long(fx.conn, "SELECT qr_ttl_seconds * 100000 "
	    "+ late_after_seconds FROM sessions WHERE id = $1", fx.session,
	    NULL), 30L * 100000 + 600);
}

/* (v1.1) "single" (the default) or "window", nothing else. */
Test(schema, sessions_scan_mode)
{
	static const char sql[] =
	    "INSERT INTO sessions (group_id, course_id, professor_id, status, "
	    "ends_at, scan_mode) VALUES ($1, $2, $3, 'ended', now(), $4)";
	const char	*g = fx.group_a2, *c = fx.course_a, *p = fx.prof;
	char		*v;

	refused(SCHEMA_CHECK, "sessions_scan_mode_check", sql, g, c, p,
	    "WINDOW", NULL);
	refused(SCHEMA_CHECK, "sessions_scan_mode_check", sql, g, c, p, "",
	    NULL);
	/* 23502: not null. */
	cr_assert_str_eq(support_db_state(fx.conn, "INSERT INTO sessions "
	    "(group_id, course_id, professor_id, status, ends_at, scan_mode) "
	    "VALUES ($1, $2, $3, 'ended', now(), NULL)", g, c, p, NULL),
	    "23502");
	accepted(sql, g, c, p, "window", NULL);
	accepted(sql, g, c, p, "single", NULL);
	v = support_db_value(fx.conn, "SELECT scan_mode FROM sessions "
	    "WHERE id = $1", fx.session, NULL);
	cr_assert_str_eq(v, "single");
	free(v);
}

Test(schema, sessions_professor_owns_course)
{
	refused(SCHEMA_FKEY, "sessions_course_professor_fkey",
	    schema_insert_session, fx.group_a2, fx.course_a, fx.prof2, NULL);
	/* The group must be of the course named. */
	refused(SCHEMA_FKEY, "sessions_group_fkey", schema_insert_session,
	    fx.group_b1, fx.course_a, fx.prof, NULL);
	accepted(schema_insert_session, fx.group_b1, fx.course_b, fx.prof,
	    NULL);
}

/* --- rounds ------------------------------------------------------------ */

static const char schema_insert_round[] =
    "INSERT INTO attendance_rounds (session_id, round_number, ends_at) "
    "VALUES ($1, $2, $3)";

Test(schema, rounds_number_unique_per_session)
{
	char	*other, *other_round;

	refused(SCHEMA_UNIQUE, "attendance_rounds_number_key",
	    schema_insert_round, fx.session, "1", "infinity", NULL);
	/* Round 1 of another session is its own. */
	other = schema_session(fx.group_a2, fx.course_a, &other_round);
	cr_assert_eq(support_db_long(fx.conn, "SELECT round_number FROM "
	    "attendance_rounds WHERE id = $1", other_round, NULL), 1);
	free(other);
	free(other_round);
}

Test(schema, rounds_one_active_per_session)
{
	refused(SCHEMA_UNIQUE, "attendance_rounds_one_active_per_session",
	    schema_insert_round, fx.session, "2", SQL_NULL, NULL);
	/* A closed round 2 is no competition. */
	accepted(schema_insert_round, fx.session, "2", "infinity", NULL);
	accepted("UPDATE attendance_rounds SET ends_at = now() WHERE id = $1",
	    fx.round, NULL);
	accepted(schema_insert_round, fx.session, "3", SQL_NULL, NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "attendance_rounds WHERE session_id = $1 AND is_active",
	    fx.session, NULL), 1);
}

Test(schema, rounds_number_positive)
{
	refused(SCHEMA_CHECK, "attendance_rounds_round_number_check",
	    schema_insert_round, fx.session, "0", "infinity", NULL);
	refused(SCHEMA_CHECK, "attendance_rounds_round_number_check",
	    schema_insert_round, fx.session, "-1", "infinity", NULL);
	refused(SCHEMA_CHECK, "attendance_rounds_ends_at_check",
	    schema_insert_round, fx.session, "2", "-infinity", NULL);
}

/* --- QR tokens --------------------------------------------------------- */

/* round, hash as hex, superseded_at (NULL: live). */
static const char schema_insert_token[] =
    "INSERT INTO qr_tokens (round_id, token_hash, expires_at, "
    "superseded_at) VALUES ($1, decode($2, 'hex'), "
    "now() + interval '30 seconds', $3)";

/* Token hashes as hex: 31, 32 and 33 bytes. */
#define SCHEMA_HEX31 \
    "01010101010101010101010101010101010101010101010101010101010101"
#define SCHEMA_HEX32	SCHEMA_HEX31 "01"
#define SCHEMA_HEX33	SCHEMA_HEX32 "01"
#define SCHEMA_HEX32_OTHER \
    "0202020202020202020202020202020202020202020202020202020202020202"

Test(schema, tokens_hash_length)
{
	refused(SCHEMA_CHECK, "qr_tokens_token_hash_check",
	    schema_insert_token, fx.round, SCHEMA_HEX31, "now", NULL);
	refused(SCHEMA_CHECK, "qr_tokens_token_hash_check",
	    schema_insert_token, fx.round, SCHEMA_HEX33, "now", NULL);
	refused(SCHEMA_CHECK, "qr_tokens_token_hash_check",
	    schema_insert_token, fx.round, "", "now", NULL);
	accepted(schema_insert_token, fx.round, SCHEMA_HEX32, "now", NULL);
}

Test(schema, tokens_hash_unique)
{
	/* The live token's hash, superseded so that only the hash clashes. */
	refused(SCHEMA_UNIQUE, "qr_tokens_token_hash_key",
	    "INSERT INTO qr_tokens (round_id, token_hash, expires_at, "
	    "superseded_at) VALUES ($1, decode(repeat('ab', 32), 'hex'), "
	    "now() + interval '30 seconds', now())", fx.round, NULL);
	accepted(schema_insert_token, fx.round, SCHEMA_HEX32, "now", NULL);
}

Test(schema, tokens_one_live_per_round)
{
	char	*t, *rec;

	refused(SCHEMA_UNIQUE, "qr_tokens_one_live_per_round",
	    schema_insert_token, fx.round, SCHEMA_HEX32, SQL_NULL, NULL);
	/* Minting supersedes the live token first. */
	accepted("UPDATE qr_tokens SET superseded_at = now() WHERE id = $1",
	    fx.live_token, NULL);
	t = schema_token(fx.round, "02");
	refused(SCHEMA_UNIQUE, "qr_tokens_one_live_per_round",
	    schema_insert_token, fx.round, SCHEMA_HEX32, SQL_NULL, NULL);
	/* A scan consumes it, and the next one is minted. */
	rec = support_db_value(fx.conn, "INSERT INTO attendance_records "
	    "(round_id, session_id, group_id, course_id, student_id, status, "
	    "qr_token_id) VALUES ($1, $2, $3, $4, $5, 'present', $6) "
	    "RETURNING id", fx.round, fx.session, fx.group_a1, fx.course_a,
	    fx.dave, t, NULL);
	schema_consume(t, fx.dave, rec);
	free(rec);
	free(t);
	t = schema_token(fx.round, "03");
	free(t);
	/* A live token of another round does not count. */
	accepted(schema_insert_round, fx.session, "2", "infinity", NULL);
	accepted("INSERT INTO qr_tokens (round_id, token_hash, expires_at) "
	    "SELECT id, decode(repeat('04', 32), 'hex'), now() + interval "
	    "'1 minute' FROM attendance_rounds WHERE session_id = $1 AND "
	    "round_number = 2", fx.session, NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "qr_tokens WHERE round_id = $1 AND NOT consumed AND "
	    "superseded_at IS NULL", fx.round, NULL), 1);
}

Test(schema, tokens_consumed_consistent)
{
	static const char sql[] =
	    "INSERT INTO qr_tokens (round_id, token_hash, expires_at, "
	    "superseded_at, consumed, consumed_at, consumed_by) VALUES "
	    "($1, sha256(gen_random_uuid()::text::bytea), now() + "
	    "interval '30 seconds', now(), $2, $3, $4)";
	const char	*r = fx.round;

	refused(SCHEMA_CHECK, "qr_tokens_consumed_check", sql, r, "true",
	    SQL_NULL, SQL_NULL, NULL);
	refused(SCHEMA_CHECK, "qr_tokens_consumed_check", sql, r, "true",
	    "now", SQL_NULL, NULL);
	refused(SCHEMA_CHECK, "qr_tokens_consumed_check", sql, r, "true",
	    SQL_NULL, fx.dave, NULL);
	refused(SCHEMA_CHECK, "qr_tokens_consumed_check", sql, r, "false",
	    "now", fx.dave, NULL);
	refused(SCHEMA_CHECK, "qr_tokens_consumed_check", sql, r, "false",
	    SQL_NULL, fx.dave, NULL);
	refused(SCHEMA_CHECK, "qr_tokens_consumed_check",
	    "UPDATE qr_tokens SET consumed = true WHERE id = $1",
	    fx.live_token, NULL);
	/* A scan that forgets who scanned is refused as well. */
	refused(SCHEMA_CHECK, "qr_tokens_consumed_check",
	    "UPDATE qr_tokens SET consumed = true, consumed_at = now() "
	    "WHERE id = $1", fx.live_token, NULL);
	/* Consistent, but a consumed token needs the record it made. */
	refused(SCHEMA_CHECK, "qr_tokens_record_check", sql, r, "true", "now",
	    fx.dave, NULL);
	refused(SCHEMA_CHECK, "qr_tokens_record_check",
	    "UPDATE qr_tokens SET record_id = NULL WHERE id = $1",
	    fx.used_token, NULL);
	accepted(sql, r, "false", SQL_NULL, SQL_NULL, NULL);
}

Test(schema, tokens_expire_after_creation)
{
	static const char sql[] =
	    "INSERT INTO qr_tokens (round_id, token_hash, superseded_at, "
	    "expires_at) VALUES ($1, decode(repeat('06', 32), 'hex'), now(), "
	    "now() + $2::interval)";

	refused(SCHEMA_CHECK, "qr_tokens_expires_at_check", sql, fx.round,
	    "0 seconds", NULL);
	refused(SCHEMA_CHECK, "qr_tokens_expires_at_check", sql, fx.round,
	    "-1 second", NULL);
	accepted(sql, fx.round, "1 millisecond", NULL);
}

/* Scans look tokens (and logins their sessions) up by hash. */
Test(schema, token_lookup_indexes)
{
	char	*plan;

	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM pg_indexes "
	    "WHERE schemaname = 'public' AND tablename = 'qr_tokens' AND "
	    "indexname = 'qr_tokens_token_hash_key' AND indexdef LIKE "
	    "'CREATE UNIQUE INDEX % USING btree (token_hash)'", NULL), 1);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM pg_indexes "
	    "WHERE schemaname = 'public' AND tablename = 'auth_sessions' AND "
	    "indexname = 'auth_sessions_token_hash_key' AND indexdef LIKE "
	    "'CREATE UNIQUE INDEX % USING btree (token_hash)'", NULL), 1);
	/* And the planner can use it for the lookup the scan does. */
	accepted("SET enable_seqscan = off", NULL);
	plan = support_db_value(fx.conn, "EXPLAIN (FORMAT JSON) SELECT id "
	    "FROM qr_tokens WHERE token_hash = decode(repeat('ab', 32), "
	    "'hex')", NULL);
	cr_assert(strstr(plan, "qr_tokens_token_hash_key") != NULL, "%s",
	    plan);
	free(plan);
}

/* --- attendance records ------------------------------------------------ */

/* round, session, group, course, student, status, token. */
static const char schema_insert_record[] =
    "INSERT INTO attendance_records (round_id, session_id, group_id, "
    "course_id, student_id, status, qr_token_id) "
    "VALUES ($1, $2, $3, $4, $5, $6, $7)";

Test(schema, records_one_per_round_and_student)
{
	refused(SCHEMA_UNIQUE, "attendance_records_round_student_key",
	    schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.alice, "late", SQL_NULL, NULL);
	accepted(schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "absent", SQL_NULL, NULL);
}

Test(schema, records_status)
{
	static const char *const good[] = {
		"present", "late", "excused", "absent"
	};
	static const char set[] =
	    "UPDATE attendance_records SET status = $2 WHERE id = $1";
	size_t	 i;

	refused(SCHEMA_CHECK, "attendance_records_status_check",
	    schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "sick", SQL_NULL, NULL);
	refused(SCHEMA_CHECK, "attendance_records_status_check", set,
	    fx.record, "Present", NULL);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		accepted(set, fx.record, good[i], NULL);
}

Test(schema, records_round_of_session)
{
	char	*other, *other_round;

	/* A round of another session (group A2), named with this one. */
	other = schema_session(fx.group_a2, fx.course_a, &other_round);
	refused(SCHEMA_FKEY, "attendance_records_round_fkey",
	    schema_insert_record, other_round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "present", SQL_NULL, NULL);
	/* That session's own student is fine there. */
	accepted(schema_insert_record, other_round, other, fx.group_a2,
	    fx.course_a, fx.bob, "present", SQL_NULL, NULL);
	/* The session's group and course are its own, not any others. */
	refused(SCHEMA_FKEY, "attendance_records_session_fkey",
	    schema_insert_record, other_round, other, fx.group_a1,
	    fx.course_a, fx.dave, "present", SQL_NULL, NULL);
	free(other);
	free(other_round);
}

Test(schema, records_student_enrolled_in_group)
{
	/* bob is in A2 of the same course, not in the session's A1. */
	refused(SCHEMA_FKEY, "attendance_records_enrollment_fkey",
	    schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.bob, "present", SQL_NULL, NULL);
	/* Naming his own group instead does not fit the session. */
	refused(SCHEMA_FKEY, "attendance_records_session_fkey",
	    schema_insert_record, fx.round, fx.session, fx.group_a2,
	    fx.course_a, fx.bob, "present", SQL_NULL, NULL);
	/* carol is not in the course at all; prof is no student. */
	refused(SCHEMA_FKEY, "attendance_records_enrollment_fkey",
	    schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.carol, "present", SQL_NULL, NULL);
	refused(SCHEMA_FKEY, "attendance_records_enrollment_fkey",
	    schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.prof, "present", SQL_NULL, NULL);
	accepted(schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "present", SQL_NULL, NULL);
	/* Moving alice to A2 would orphan her record. */
	refused(SCHEMA_FKEY, "attendance_records_enrollment_fkey",
	    "UPDATE enrollments SET group_id = $2 WHERE student_id = $1",
	    fx.alice, fx.group_a2, NULL);
}

Test(schema, records_token_of_round)
{
	char	*other, *other_round, *other_token;

	other = schema_session(fx.group_a2, fx.course_a, &other_round);
	other_token = schema_token(other_round, "07");
	refused(SCHEMA_FKEY, "attendance_records_qr_token_fkey",
	    schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "present", other_token, NULL);
	/* dave's scan of this round's own token. */
	accepted(schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "present", fx.live_token, NULL);
	free(other);
	free(other_round);
	free(other_token);
}

/*
 * (v1.1) A window token records many students, so records may share a
 * token (single mode's one record per token holds by its consumption:
 * qr_tokens_record_check); the records of a token are found by an index.
 */
Test(schema, records_may_share_a_token)
{
	char	*plan;

	accepted(schema_insert_record, fx.round, fx.session, fx.group_a1,
	    fx.course_a, fx.dave, "present", fx.live_token, NULL);
	accepted("UPDATE attendance_records SET qr_token_id = $2 "
	    "WHERE id = $1", fx.record, fx.live_token, NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "attendance_records WHERE qr_token_id = $1", fx.live_token, NULL),
	    2);
	accepted("SET enable_seqscan = off", NULL);
	plan = support_db_value(fx.conn, "EXPLAIN (FORMAT JSON) SELECT id "
	    "FROM attendance_records WHERE qr_token_id = $1", fx.live_token,
	    NULL);
	cr_assert(strstr(plan, "attendance_records_qr_token_idx") != NULL,
	    "%s", plan);
	free(plan);
	/* An override may carry no token. */
	accepted("UPDATE attendance_records SET qr_token_id = NULL "
	    "WHERE id = $1", fx.record, NULL);
}

/* --- deleting: nothing is ever lost ------------------------------------ */

Test(schema, delete_enrollment_with_records)
{
	refused(SCHEMA_FKEY, "attendance_records_enrollment_fkey",
	    "DELETE FROM enrollments WHERE student_id = $1 AND course_id = $2",
	    fx.alice, fx.course_a, NULL);
	/* Nor through the user, whose enrollments would cascade. */
	cr_assert_str_eq(support_db_state(fx.conn, "DELETE FROM users "
	    "WHERE id = $1", fx.alice, NULL), SCHEMA_FKEY);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "attendance_records WHERE student_id = $1", fx.alice, NULL), 1);
	/* dave has no records: he may leave. */
	accepted("DELETE FROM enrollments WHERE student_id = $1 AND "
	    "course_id = $2", fx.dave, fx.course_a, NULL);
}

Test(schema, delete_group_or_course_with_session)
{
	refused(SCHEMA_FKEY, "sessions_group_fkey",
	    "DELETE FROM groups WHERE id = $1", fx.group_a1, NULL);
	cr_assert_str_eq(support_db_state(fx.conn, "DELETE FROM courses "
	    "WHERE id = $1", fx.course_a, NULL), SCHEMA_FKEY);
	/* Even once the session has ended. */
	accepted(schema_end_session, fx.session, NULL);
	refused(SCHEMA_FKEY, "sessions_group_fkey",
	    "DELETE FROM groups WHERE id = $1", fx.group_a1, NULL);
	cr_assert_str_eq(support_db_state(fx.conn, "DELETE FROM courses "
	    "WHERE id = $1", fx.course_a, NULL), SCHEMA_FKEY);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM groups "
	    "WHERE course_id = $1", fx.course_a, NULL), 2);
	/* A2 never had a session: it goes, with its enrollments. */
	accepted("DELETE FROM groups WHERE id = $1", fx.group_a2, NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "enrollments WHERE group_id = $1", fx.group_a2, NULL), 0);
}

Test(schema, delete_course_without_sessions_cascades)
{
	accepted("DELETE FROM courses WHERE id = $1", fx.course_b, NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM groups "
	    "WHERE course_id = $1", fx.course_b, NULL), 0);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "enrollments WHERE course_id = $1", fx.course_b, NULL), 0);
	/* The student stays; only the course's hold on her went. */
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM users "
	    "WHERE id = $1", fx.carol, NULL), 1);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM courses",
	    NULL), 1);
}

/* --- login sessions ---------------------------------------------------- */

Test(schema, auth_sessions_token_hash)
{
	static const char sql[] =
	    "INSERT INTO auth_sessions (token_hash, user_id, expires_at) "
	    "VALUES (decode($1, 'hex'), $2, now() + $3::interval)";

	refused(SCHEMA_CHECK, "auth_sessions_token_hash_check", sql,
	    SCHEMA_HEX31, fx.alice, "14 days", NULL);
	refused(SCHEMA_CHECK, "auth_sessions_token_hash_check", sql,
	    SCHEMA_HEX33, fx.alice, "14 days", NULL);
	accepted(sql, SCHEMA_HEX32, fx.alice, "14 days", NULL);
	refused(SCHEMA_UNIQUE, "auth_sessions_token_hash_key", sql,
	    SCHEMA_HEX32, fx.bob, "14 days", NULL);
	refused(SCHEMA_CHECK, "auth_sessions_expires_at_check", sql,
	    SCHEMA_HEX32_OTHER,
	    fx.bob, "0 seconds", NULL);
	refused(SCHEMA_FKEY, "auth_sessions_user_id_fkey", sql,
	    SCHEMA_HEX32_OTHER,
	    "00000000-0000-4000-8000-000000000000", "14 days", NULL);
	/* A deleted account's login sessions go with it. */
	accepted(sql, SCHEMA_HEX32_OTHER, fx.carol, "14 days", NULL);
	accepted("DELETE FROM users WHERE id = $1", fx.carol, NULL);
	cr_assert_eq(support_db_long(fx.conn, "SELECT count(*) FROM "
	    "auth_sessions WHERE user_id = $1", fx.carol, NULL), 0);
}

/* --- the functions' error codes ---------------------------------------- */

/*
 * A function refuses with a contract code in its "error" column, which
 * the worker maps to the enum by name (error_from_code()): a code C does
 * not know would answer a silent 500.  Every assignment to error in every
 * function must be NULL or a literal code the enum has.
 */
Test(schema, function_error_codes_are_known)
{
	PGresult	*res;
	const char	*code;
	int		 row, codes = 0;

	res = PQexec(fx.conn, "SELECT p.proname, m[1] FROM pg_proc p "
	    "JOIN pg_namespace n ON n.oid = p.pronamespace, "
	    "regexp_matches(p.prosrc, '\\merror\\s*:=\\s*([^;]*);', 'g') m "
	    "WHERE n.nspname = 'public' ORDER BY 1, 2");
	cr_assert_eq(PQresultStatus(res), PGRES_TUPLES_OK, "%s",
	    PQerrorMessage(fx.conn));
	for (row = 0; row < PQntuples(res); row++) {
		code = PQgetvalue(res, row, 1);
		if (strcmp(code, "NULL") == 0)
			continue;
		cr_assert(strlen(code) > 2 && code[0] == '\'' &&
		    code[strlen(code) - 1] == '\'', "%s: error := %s is not "
		    "a literal code", PQgetvalue(res, row, 0), code);
		codes++;
		{
			char	 name[64];

			snprintf(name, sizeof(name), "%.*s",
			    (int)strlen(code) - 2, code + 1);
			cr_assert_neq(error_from_code(name), AT_EINTERNAL,
			    "%s returns '%s', which lib/error.c does not know",
			    PQgetvalue(res, row, 0), name);
		}
	}
	PQclear(res);
	/* The functions do refuse: the scan alone has ten ways. */
	cr_assert_gt(codes, 20, "only %d codes found", codes);
}
