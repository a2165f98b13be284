/*
 * attendance-admin against a real PostgreSQL: every command's happy path
 * and every refused input, with nothing written when it fails.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "password.h"
#include "util.h"
#include "support.h"

#define HEADER "role,username,email,display_name,password\n"

static char	 conninfo[SUPPORT_CONNINFO_SIZE];
static PGconn	*conn;
static char	*out, *err;

static void
admin_setup(void)
{
	cr_assert(util_crypto_init() == AT_OK);
	support_db_create(1, conninfo);
	conn = support_db_connect(conninfo);
	out = err = NULL;
}

static void
admin_teardown(void)
{
	PQfinish(conn);
	free(out);
	free(err);
}

TestSuite(admin, .init = admin_setup, .fini = admin_teardown,
    .timeout = 60);

static long
count_users(void)
{
	return support_db_long(conn, "SELECT count(*) FROM users", NULL);
}

/* user add --role R --username U --email E --display-name N */
static int
user_add(const char *role, const char *username, const char *email,
    const char *name, const char *password)
{
	free(out);
	free(err);
	return support_admin(conninfo, password, &out, &err, "user", "add",
	    "--role", role, "--username", username, "--email", email,
	    "--display-name", name, "--password-stdin", NULL);
}

static int
user_import(const char *csv, char **path)
{
	*path = support_write_file(csv);
	free(out);
	free(err);
	return support_admin(conninfo, NULL, &out, &err, "user", "import",
	    *path, NULL);
}

/* Exactly one line on stderr that contains what. */
static void
assert_one_line_error(const char *what)
{
	cr_assert(strstr(err, what) != NULL, "stderr lacks '%s': %s", what,
	    err);
	cr_assert(strchr(err, '\n') == err + strlen(err) - 1,
	    "stderr is not one line: %s", err);
}

Test(admin, user_add_creates_a_user_with_an_argon2id_hash)
{
	char	*id, *hash, *name;

	cr_assert_eq(user_add("professor", "Ada.L", "Ada@Example.edu",
	    "  Ada Lovelace  ", "correct horse\n"), 0, "stderr: %s", err);
	cr_assert_eq(strlen(out), 37, "stdout is not one id: %s", out);
	out[36] = '\0';
	id = support_db_value(conn, "SELECT id FROM users WHERE username = "
	    "'Ada.L' AND role = 'professor' AND email = 'Ada@Example.edu'",
	    NULL);
	cr_assert_str_eq(id, out);
	name = support_db_value(conn, "SELECT display_name FROM users", NULL);
	cr_assert_str_eq(name, "Ada Lovelace", "display name not trimmed");
	hash = support_db_value(conn, "SELECT password_hash FROM users", NULL);
	cr_assert(strncmp(hash, "$argon2id$", 10) == 0);
	cr_assert(password_verify(hash, "correct horse"));
	cr_assert(!password_verify(hash, "correct horse\n"));
	free(id);
	free(name);
	free(hash);
}

Test(admin, user_add_refuses_a_username_taken_in_another_case)
{
	cr_assert_eq(user_add("student", "bob", "bob@x.edu", "Bob", "pw"), 0);
	cr_assert_eq(user_add("student", "BOB", "other@x.edu", "Bob", "pw"),
	    1);
	assert_one_line_error("username 'BOB' is already taken");
	cr_assert_eq(count_users(), 1);
}

Test(admin, user_add_refuses_an_email_taken_in_another_case)
{
	cr_assert_eq(user_add("student", "bob", "bob@x.edu", "Bob", "pw"), 0);
	cr_assert_eq(user_add("student", "bobby", "BOB@X.EDU", "Bob", "pw"),
	    1);
	assert_one_line_error("email 'BOB@X.EDU' is already taken");
	cr_assert_eq(count_users(), 1);
}

Test(admin, user_add_refuses_bad_input_and_writes_nothing)
{
	static const struct {
		const char	*role, *username, *email, *name, *password;
		const char	*why;
	} bad[] = {
		{ "teacher", "u1", "u1@x.edu", "U", "pw",
		    "role must be professor or student" },
		{ "student", "u 1", "u1@x.edu", "U", "pw",
		    "username may only hold" },
		{ "student", "", "u1@x.edu", "U", "pw", "username is empty" },
		{ "student", "u1", "not-an-email", "U", "pw",
		    "invalid email address" },
		{ "student", "u1", "u1@x.edu", "   ", "pw",
		    "display name is empty" },
		{ "student", "u1", "u1@x.edu", "U", "", "password is empty" },
		{ "student", "u1", "u1@x.edu", "U", "\n",
		    "password is empty" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		cr_assert_eq(user_add(bad[i].role, bad[i].username,
		    bad[i].email, bad[i].name, bad[i].password), 1,
		    "case %zu accepted", i);
		assert_one_line_error(bad[i].why);
	}
	cr_assert_eq(count_users(), 0);
}

Test(admin, user_add_without_password_stdin_is_a_usage_error)
{
	int	 status;

	status = support_admin(conninfo, "pw\n", &out, &err, "user", "add",
	    "--role", "student", "--username", "u", "--email", "u@x.edu",
	    "--display-name", "U", NULL);
	cr_assert_eq(status, 2);
	assert_one_line_error("--password-stdin is required");
	cr_assert_eq(count_users(), 0);
}

Test(admin, user_add_with_the_database_down_fails_in_one_line)
{
	int	 status;

	status = support_admin("host=/nonexistent dbname=x password=hunter2",
	    "pw\n", &out, &err, "user", "add", "--role", "student",
	    "--username", "u", "--email", "u@x.edu", "--display-name", "U",
	    "--password-stdin", NULL);
	cr_assert_eq(status, 1);
	assert_one_line_error("database unavailable");
	cr_assert(strstr(err, "hunter2") == NULL, "password leaked: %s", err);
}

Test(admin, import_creates_every_row_with_quoted_fields)
{
	char	*path, *name, *hash;
	int	 status;

	status = user_import("\xef\xbb\xbf" HEADER
	    "professor,grace,grace@x.edu,\"Hopper, Grace\",\"pa,ss\"\r\n"
	    "student,alan,alan@x.edu,\"Alan \"\"The Machine\"\" Turing\","
	    "s3cret\r\n"
	    "\n"
	    "student,kat,kat@x.edu,\"Katherine Johnson\",p w\n", &path);
	cr_assert_eq(status, 0, "stderr: %s", err);
	cr_assert_str_eq(out, "3 users imported\n");
	cr_assert_eq(count_users(), 3);
	name = support_db_value(conn, "SELECT display_name FROM users WHERE "
	    "username = 'alan'", NULL);
	cr_assert_str_eq(name, "Alan \"The Machine\" Turing");
	free(name);
	name = support_db_value(conn, "SELECT display_name FROM users WHERE "
	    "username = 'grace' AND role = 'professor'", NULL);
	cr_assert_str_eq(name, "Hopper, Grace");
	hash = support_db_value(conn, "SELECT password_hash FROM users WHERE "
	    "username = 'grace'", NULL);
	cr_assert(password_verify(hash, "pa,ss"));
	free(hash);
	hash = support_db_value(conn, "SELECT password_hash FROM users WHERE "
	    "username = 'kat'", NULL);
	cr_assert(password_verify(hash, "p w"), "password spaces not kept");
	free(hash);
	free(name);
	free(path);
}

Test(admin, import_refuses_a_wrong_header)
{
	char	*path, expect[600];

	cr_assert_eq(user_import("role,username,email,name,password\n"
	    "student,a,a@x.edu,A,pw\n", &path), 1);
	snprintf(expect, sizeof(expect), "%s:1: header must be "
	    "role,username,email,display_name,password", path);
	cr_assert(strstr(err, expect) != NULL, "stderr: %s", err);
	cr_assert_eq(count_users(), 0);
	free(path);
}

Test(admin, import_reports_every_bad_row_and_writes_nothing)
{
	char	*path, line[600];
	int	 status;

	status = user_import(HEADER
	    "student,good1,good1@x.edu,Good,pw\n"		/* 2 */
	    "student,short,short@x.edu,Short\n"			/* 3 */
	    "student,mail,not-an-email,Mail,pw\n"		/* 4 */
	    "janitor,role,role@x.edu,Role,pw\n"			/* 5 */
	    "student,GOOD1,other@x.edu,Again,pw\n"		/* 6 */
	    "student,nopw,nopw@x.edu,No Password,\n"		/* 7 */
	    "student,quote,quote@x.edu,\"Open,pw\n",		/* 8 */
	    &path);
	cr_assert_eq(status, 1);
#define EXPECT(n, what) do {						\
	snprintf(line, sizeof(line), "%s:%d: %s", path, n, what);	\
	cr_assert(strstr(err, line) != NULL, "missing '%s' in: %s",	\
	    line, err);							\
} while (0)
	EXPECT(3, "expected 5 fields");
	EXPECT(4, "invalid email address");
	EXPECT(5, "role must be professor or student");
	EXPECT(6, "username 'GOOD1' repeats line 2");
	EXPECT(7, "password is empty");
	EXPECT(8, "unterminated quoted field");
#undef EXPECT
	cr_assert(strstr(err, "6 bad rows, nothing imported") != NULL,
	    "stderr: %s", err);
	cr_assert_eq(count_users(), 0);
	free(path);
}

Test(admin, import_is_all_or_nothing_against_existing_users)
{
	char	*path, line[600];

	cr_assert_eq(user_add("student", "taken", "taken@x.edu", "T", "pw"),
	    0);
	cr_assert_eq(user_import(HEADER
	    "student,fresh,fresh@x.edu,Fresh,pw\n"
	    "student,Taken,new@x.edu,Taken Again,pw\n"
	    "student,other,TAKEN@x.edu,Mail Again,pw\n", &path), 1);
	snprintf(line, sizeof(line), "%s:3: username 'Taken' is already "
	    "taken", path);
	cr_assert(strstr(err, line) != NULL, "stderr: %s", err);
	snprintf(line, sizeof(line), "%s:4: email 'TAKEN@x.edu' is already "
	    "taken", path);
	cr_assert(strstr(err, line) != NULL, "stderr: %s", err);
	cr_assert_eq(count_users(), 1, "a row of a failed import was kept");
	free(path);
}

Test(admin, import_refuses_empty_and_missing_files)
{
	char	*path;

	cr_assert_eq(user_import("", &path), 1);
	cr_assert(strstr(err, "empty file") != NULL, "stderr: %s", err);
	free(path);
	cr_assert_eq(user_import(HEADER, &path), 1);
	cr_assert(strstr(err, "no rows") != NULL, "stderr: %s", err);
	free(path);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "user",
	    "import", "/nonexistent/users.csv", NULL), 1);
	assert_one_line_error("/nonexistent/users.csv: No such file");
	cr_assert_eq(count_users(), 0);
}

Test(admin, demo_creates_the_demo_data_once)
{
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "demo", NULL),
	    0, "stderr: %s", err);
	cr_assert(strstr(out, "prof / prof-demo") != NULL, "out: %s", out);
	cr_assert(strstr(out, "student-demo") != NULL, "out: %s", out);
	cr_assert_eq(count_users(), 31);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM courses "
	    "WHERE code = 'CS101'", NULL), 1);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM groups",
	    NULL), 2);
	cr_assert_eq(support_db_long(conn, "SELECT count(DISTINCT group_id) "
	    "FROM enrollments", NULL), 2);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM enrollments",
	    NULL), 30);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "demo", NULL),
	    0, "stderr: %s", err);
	cr_assert(strstr(out, "already present") != NULL, "out: %s", out);
	cr_assert_eq(count_users(), 31);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM enrollments",
	    NULL), 30);
}

Test(admin, demo_with_a_clashing_account_writes_nothing)
{
	cr_assert_eq(user_add("student", "student07",
	    "other07@demo.example.edu", "S", "pw"), 0);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "demo", NULL),
	    1);
	assert_one_line_error("already taken");
	cr_assert_eq(count_users(), 1);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM courses",
	    NULL), 0);
}

Test(admin, config_hides_the_database_password)
{
	cr_assert_eq(support_admin("host=/x dbname=y password=hunter2", NULL,
	    &out, &err, "config", NULL), 0, "stderr: %s", err);
	cr_assert(strstr(out, "password=***") != NULL, "out: %s", out);
	cr_assert(strstr(out, "hunter2") == NULL, "password shown: %s", out);
}

Test(admin, a_bad_configuration_file_is_a_usage_error)
{
	char	*path, expect[600];

	path = support_write_file("# comment\nlog_level = debug\n"
	    "no_such_key = 1\n");
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "-c", path,
	    "config", NULL), 2);
	snprintf(expect, sizeof(expect), "%s:3: unknown key 'no_such_key'",
	    path);
	assert_one_line_error(expect);
	free(path);
}

Test(admin, unknown_commands_are_usage_errors)
{
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "frobnicate",
	    NULL), 2);
	cr_assert(strstr(err, "unknown command 'frobnicate'") != NULL);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "user",
	    "delete", NULL), 2);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "migrate",
	    "now", NULL), 2);
}

/* (v1.1) user add --external-id: an account of single sign-on. */
Test(admin, user_add_with_an_external_id_has_no_password)
{
	char	*row;
	int	 status;

	status = support_admin(conninfo, NULL, &out, &err, "user", "add",
	    "--role", "professor", "--username", "ada", "--email",
	    "ada@x.edu", "--display-name", "Ada", "--external-id",
	    "ada@idp.x.edu", NULL);
	cr_assert_eq(status, 0, "stderr: %s", err);
	row = support_db_value(conn, "SELECT external_id || ' ' || "
	    "(password_hash IS NULL) FROM users WHERE username = 'ada'",
	    NULL);
	cr_assert_str_eq(row, "ada@idp.x.edu true");
	free(row);
	free(out);
	free(err);
	status = support_admin(conninfo, NULL, &out, &err, "user", "add",
	    "--role", "student", "--username", "bea", "--email", "bea@x.edu",
	    "--display-name", "Bea", "--external-id", "ada@idp.x.edu", NULL);
	cr_assert_eq(status, 1);
	assert_one_line_error("external id 'ada@idp.x.edu' is already taken");
	cr_assert_eq(count_users(), 1);
}

Test(admin, user_add_refuses_bad_external_ids)
{
	char	 long_id[300];
	int	 status;

	status = support_admin(conninfo, "pw\n", &out, &err, "user", "add",
	    "--role", "student", "--username", "u", "--email", "u@x.edu",
	    "--display-name", "U", "--external-id", "u-1",
	    "--password-stdin", NULL);
	cr_assert_eq(status, 2);
	assert_one_line_error("not both");
	memset(long_id, 'x', sizeof(long_id) - 1);
	long_id[sizeof(long_id) - 1] = '\0';
	free(out);
	free(err);
	status = support_admin(conninfo, NULL, &out, &err, "user", "add",
	    "--role", "student", "--username", "u", "--email", "u@x.edu",
	    "--display-name", "U", "--external-id", long_id, NULL);
	cr_assert_eq(status, 1);
	assert_one_line_error("external id must be at most 256 bytes");
	free(out);
	free(err);
	status = support_admin(conninfo, NULL, &out, &err, "user", "add",
	    "--role", "student", "--username", "u", "--email", "u@x.edu",
	    "--display-name", "U", "--external-id", "  ", NULL);
	cr_assert_eq(status, 1);
	assert_one_line_error("external id is empty");
	cr_assert_eq(count_users(), 0);
}

#define HEADER_SSO "role,username,email,display_name,password,external_id\n"

Test(admin, import_takes_external_ids)
{
	char	*path, *rows;
	int	 status;

	status = user_import(HEADER_SSO
	    "professor,ada,ada@x.edu,Ada,,ada@idp\n"
	    "student,bea,bea@x.edu,Bea,pw-bea,\n"
	    "student,cy,cy@x.edu,Cy,pw-cy,Cy@idp\n"
	    "student,dee,dee@x.edu,Dee,,cy@idp\n", &path);
	cr_assert_eq(status, 0, "stderr: %s", err);
	cr_assert_str_eq(out, "4 users imported\n");
	rows = support_db_value(conn, "SELECT string_agg(username || ':' || "
	    "coalesce(external_id, '-') || ':' || (password_hash IS NOT NULL), "
	    "' ' ORDER BY username) FROM users", NULL);
	cr_assert_str_eq(rows,
	    "ada:ada@idp:false bea:-:true cy:Cy@idp:true dee:cy@idp:false");
	free(rows);
	free(path);
}

Test(admin, import_refuses_bad_external_id_rows)
{
	char	*path, line[600];

	cr_assert_eq(user_import(HEADER_SSO
	    "student,a1,a1@x.edu,A,,\n"				/* 2 */
	    "student,a2,a2@x.edu,A,,same\n"			/* 3 */
	    "student,a3,a3@x.edu,A,,same\n"			/* 4 */
	    "student,a4,a4@x.edu,A,pw\n"			/* 5 */
	    "student,a5,a5@x.edu,A,,\"bad\x01id\"\n", &path), 1);	/* 6 */
#define EXPECT(n, what) do {						\
	snprintf(line, sizeof(line), "%s:%d: %s", path, n, what);	\
	cr_assert(strstr(err, line) != NULL, "missing '%s' in: %s",	\
	    line, err);							\
} while (0)
	EXPECT(2, "password is empty");
	EXPECT(4, "external_id 'same' repeats line 3");
	EXPECT(5, "expected 6 fields");
	EXPECT(6, "external id must be");
#undef EXPECT
	cr_assert_eq(count_users(), 0);
	free(path);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "user", "add",
	    "--role", "student", "--username", "held", "--email", "held@x.edu",
	    "--display-name", "H", "--external-id", "held@idp", NULL), 0);
	cr_assert_eq(user_import(HEADER_SSO
	    "student,b1,b1@x.edu,B,,held@idp\n", &path), 1);
	snprintf(line, sizeof(line), "%s:2: external id 'held@idp' is "
	    "already taken", path);
	cr_assert(strstr(err, line) != NULL, "stderr: %s", err);
	cr_assert_eq(count_users(), 1);
	free(path);
}

/* The demo's passwords are in the manual: never beside real accounts. */
Test(admin, demo_refuses_a_database_with_real_accounts)
{
	cr_assert_eq(user_add("professor", "ada", "ada@uni.example", "Ada",
	    "pw-ada"), 0);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "demo", NULL),
	    1);
	assert_one_line_error("holds 1 account that is not the demo's");
	cr_assert_eq(count_users(), 1);
}

Test(admin, purge_removes_what_counts_for_nothing)
{
	cr_assert_eq(user_add("student", "zed", "zed@x.edu", "Z", "pw-zed"),
	    0);
	cr_assert_str_empty(support_db_state(conn, "INSERT INTO auth_sessions "
	    "(token_hash, user_id, created_at, expires_at) SELECT "
	    "decode(repeat(i::text, 64 / length(i::text)), 'hex'), u.id, "
	    "now() - interval '20 days', CASE WHEN i < 3 THEN now() - "
	    "interval '1 day' ELSE now() + interval '1 day' END FROM users u, "
	    "generate_series(1, 4) i", NULL));
	cr_assert_str_empty(support_db_state(conn, "INSERT INTO "
	    "login_failures (name, network, failed_at) VALUES "
	    "('a', '192.0.2.1/32', now() - interval '2 hours'), "
	    "('b', '192.0.2.1/32', now() - interval '1 minute')", NULL));
	cr_assert_str_empty(support_db_state(conn, "INSERT INTO devices "
	    "(token_hash, created_at) VALUES ('\\x01', now() - "
	    "interval '401 days'), ('\\x02', now() - interval '1 day')",
	    NULL));
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "purge", NULL),
	    0, "stderr: %s", err);
	cr_assert_str_eq(out, "purged 2 expired logins, 1 failed attempt "
	    "older than the window, 1 expired device cookie, the evidence of 0 "
	    "scans\n");
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
	    "auth_sessions", NULL), 2);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
	    "login_failures WHERE name = 'b'", NULL), 1);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM devices",
	    NULL), 1);
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "purge", NULL),
	    0, "stderr: %s", err);
	cr_assert_str_eq(out, "purged 0 expired logins, 0 failed attempts "
	    "older than the window, 0 expired device cookies, the evidence of "
	    "0 scans\n");
	free(out);
	free(err);
	cr_assert_eq(support_admin(conninfo, NULL, &out, &err, "purge", "now",
	    NULL), 2);
}
