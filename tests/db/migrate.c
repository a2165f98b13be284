/*
 * attendance-admin migrate, run as ops run it: against an empty database,
 * a second time, against an edited history, with a changed function file,
 * over a database of v1's migrations, without a database, and twice at
 * once.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "migrate.h"
#include "support.h"
#include "util.h"

/* Every table of sql/, and the history table migrate keeps. */
static const char *const migrate_tables[] = {
	"users", "courses", "groups", "enrollments", "sessions",
	"attendance_rounds", "qr_tokens", "attendance_records",
	"auth_sessions", "login_failures", "schema_migrations",
	"schema_functions"
};

/*
 * The history as text (names, checksums and times), so that two
 * snapshots compare equal only when nothing was re-applied or rewritten.
 */
static const char migrate_history_sql[] =
    "SELECT coalesce(string_agg(name || ' ' || checksum || ' ' || "
    "applied_at::text, ',' ORDER BY name), '') FROM schema_migrations";
static const char migrate_functions_sql[] =
    "SELECT coalesce(string_agg(name || ' ' || checksum || ' ' || "
    "applied_at::text, ',' ORDER BY name), '') FROM schema_functions";

/*
 * The schema as text, oids aside: every column of every table and every
 * function with its arguments, result, volatility and body.  Equal for
 * two databases with the same schema.
 */
static const char migrate_schema_sql[] =
    "SELECT (SELECT string_agg(table_name || '.' || column_name || ' ' || "
    "data_type || ' ' || coalesce(column_default, '') || ' ' || "
    "is_nullable, ',' ORDER BY table_name, ordinal_position) "
    "FROM information_schema.columns WHERE table_schema = 'public') "
    "|| '|' || (SELECT string_agg(p.proname || '(' || "
    "pg_get_function_arguments(p.oid) || ') ' || "
    "pg_get_function_result(p.oid) || ' ' || p.provolatile::text || ' ' "
    "|| p.prosrc, ',' ORDER BY p.proname) FROM pg_proc p "
    "JOIN pg_namespace n ON n.oid = p.pronamespace "
    "WHERE n.nspname = 'public') || '|' || (SELECT string_agg("
    "indexdef, ',' ORDER BY indexname) FROM pg_indexes "
    "WHERE schemaname = 'public') || '|' || (SELECT string_agg("
    "conname || ' ' || pg_get_constraintdef(c.oid), ',' ORDER BY conname) "
    "FROM pg_constraint c JOIN pg_namespace n ON n.oid = c.connamespace "
    "WHERE n.nspname = 'public')";

/*
 * The relations of the schema with their oids: a table dropped and
 * created again, or a new one, changes this text.
 */
static const char migrate_catalog_sql[] =
    "SELECT coalesce(string_agg(c.relname || ':' || c.oid::text, ',' "
    "ORDER BY c.relname), '') FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public'";

/* What attendance-admin migrate prints: N numbered files and F function
 * files applied. */
static void
migrate_expect_counts(const char *out, long n, long f)
{
	char	 want[96];

	snprintf(want, sizeof(want), "%ld migration%s applied, %ld function "
	    "file%s applied, schema up to date\n", n, n == 1 ? "" : "s", f,
	    f == 1 ? "" : "s");
	cr_assert_str_eq(out, want);
}

/* Reads a whole (small) file into a malloc'd string. */
static char *
migrate_slurp(const char *path)
{
	FILE	*fp;
	char	*text;
	long	 len;

	fp = fopen(path, "r");
	cr_assert(fp != NULL, "%s: %s", path, strerror(errno));
	cr_assert(fseek(fp, 0, SEEK_END) == 0);
	len = ftell(fp);
	cr_assert(len >= 0);
	rewind(fp);
	text = calloc((size_t)len + 1, 1);
	cr_assert(text != NULL);
	cr_assert(fread(text, 1, (size_t)len, fp) == (size_t)len);
	fclose(fp);
	return text;
}

/*
 * The N of the "N migration(s) applied" line in text (which may also
 * hold log lines), or -1 when there is none.
 */
static long
migrate_applied_count(const char *text)
{
	const char	*line;
	char		 word[16];
	long		 n;

	for (line = text; *line != '\0'; line++) {
		if (sscanf(line, "%ld %15s", &n, word) == 2 &&
		    strncmp(word, "migration", 9) == 0)
			return n;
		if ((line = strchr(line, '\n')) == NULL)
			break;
	}
	return -1;
}

/*
 * Starts `attendance-admin migrate` in the background with its standard
 * output and error in the file log.  The child only execs, so no
 * Criterion code runs in it.
 */
static pid_t
migrate_spawn(const char *conninfo, const char *log)
{
	const char	*admin = getenv("ATTENDANCE_ADMIN");
	pid_t		 pid;
	int		 fd;

	cr_assert(admin != NULL && *admin != '\0',
	    "ATTENDANCE_ADMIN is not set: run the suite through "
	    "tests/db/db.sh");
	fflush(NULL);
	pid = fork();
	cr_assert(pid != -1, "fork: %s", strerror(errno));
	if (pid == 0) {
		if ((fd = open(log, O_WRONLY | O_TRUNC)) == -1 ||
		    dup2(fd, 1) == -1 || dup2(fd, 2) == -1 ||
		    setenv("ATTENDANCE_DATABASE", conninfo, 1) == -1)
			_exit(127);
		execl(admin, admin, "-c", "/dev/null", "migrate", (char *)NULL);
		_exit(127);
	}
	return pid;
}

Test(migrate, empty_database)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		*out = NULL, *err = NULL, *history, *catalog, *again;
	char		*functions;
	PGconn		*conn;
	long		 n;
	size_t		 i;
	int		 status;

	support_db_create(0, conninfo);
	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "migrate: exit %d: %s", status, err);

	conn = support_db_connect(conninfo);
	n = support_db_long(conn, "SELECT count(*) FROM schema_migrations");
	/* The count the tool prints is the one it recorded... */
	migrate_expect_counts(out, n, (long)migrate_function_count);
	/* ...and it is every file of sql/, each under its own name. */
	cr_assert_eq(n, (long)migrate_file_count,
	    "%ld rows in schema_migrations, %zu files in sql/", n,
	    migrate_file_count);
	for (i = 0; i < migrate_file_count; i++)
		cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
		    "schema_migrations WHERE name = $1 AND length(checksum) "
		    "= 64", migrate_files[i].name, NULL), 1,
		    "%s is not recorded", migrate_files[i].name);
	for (i = 0; i < migrate_function_count; i++)
		cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
		    "schema_functions WHERE name = $1 AND length(checksum) "
		    "= 64", migrate_functions[i].name, NULL), 1,
		    "%s is not recorded", migrate_functions[i].name);
	for (i = 0; i < sizeof(migrate_tables) / sizeof(migrate_tables[0]);
	    i++)
		cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
		    "pg_tables WHERE schemaname = 'public' AND tablename = $1",
		    migrate_tables[i], NULL), 1, "no table %s",
		    migrate_tables[i]);
	free(out);
	free(err);

	/* Running it again is a no-op: nothing re-applied or rewritten,
	 * no unchanged function file either. */
	history = support_db_value(conn, migrate_history_sql, NULL);
	functions = support_db_value(conn, migrate_functions_sql, NULL);
	catalog = support_db_value(conn, migrate_catalog_sql, NULL);
	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "second migrate: exit %d: %s", status, err);
	migrate_expect_counts(out, 0, 0);
	again = support_db_value(conn, migrate_history_sql, NULL);
	cr_assert_str_eq(again, history);
	free(again);
	again = support_db_value(conn, migrate_functions_sql, NULL);
	cr_assert_str_eq(again, functions);
	free(again);
	again = support_db_value(conn, migrate_catalog_sql, NULL);
	cr_assert_str_eq(again, catalog);
	free(again);

	free(history);
	free(functions);
	free(catalog);
	free(out);
	free(err);
	PQfinish(conn);
}

/*
 * An applied file edited afterwards would leave databases that claim the
 * same version with different schemas: migrate refuses, names the file,
 * and touches nothing.
 */
Test(migrate, changed_file_refused)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		*out = NULL, *err = NULL, *history, *catalog, *again;
	PGconn		*conn;
	int		 status;

	cr_assert(migrate_file_count > 0);
	support_db_create(1, conninfo);
	conn = support_db_connect(conninfo);
	cr_assert_str_empty(support_db_state(conn,
	    "UPDATE schema_migrations SET checksum = 'x' WHERE name = $1",
	    migrate_files[0].name, NULL));
	history = support_db_value(conn, migrate_history_sql, NULL);
	catalog = support_db_value(conn, migrate_catalog_sql, NULL);

	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 1, "migrate: exit %d, stdout \"%s\"", status,
	    out);
	cr_assert(strstr(err, migrate_files[0].name) != NULL,
	    "stderr does not name %s: %s", migrate_files[0].name, err);
	cr_assert(strstr(err, "changed") != NULL,
	    "stderr does not say the file changed: %s", err);
	cr_assert_str_empty(out, "a failed migrate printed \"%s\"", out);

	again = support_db_value(conn, migrate_history_sql, NULL);
	cr_assert_str_eq(again, history);
	free(again);
	again = support_db_value(conn, migrate_catalog_sql, NULL);
	cr_assert_str_eq(again, catalog);
	free(again);

	free(history);
	free(catalog);
	free(out);
	free(err);
	PQfinish(conn);
}

/*
 * A function file whose text changed since it was applied (here: its
 * recorded checksum differs, and the function it defines was altered) is
 * applied again, once, and alone; the next run applies nothing.
 */
Test(migrate, changed_function_file_reapplied_once)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		*out = NULL, *err = NULL, *history, *functions, *again;
	const char	*file;
	PGconn		*conn;
	int		 status;

	cr_assert(migrate_function_count > 0);
	file = migrate_functions[0].name;
	cr_assert_str_eq(file, "format.sql", "at_rate() is in format.sql");
	support_db_create(1, conninfo);
	conn = support_db_connect(conninfo);
	cr_assert_str_empty(support_db_state(conn,
	    "CREATE OR REPLACE FUNCTION at_rate(part bigint, whole bigint) "
	    "RETURNS double precision LANGUAGE sql IMMUTABLE AS "
	    "'SELECT 42::double precision'", NULL));
	cr_assert_str_empty(support_db_state(conn,
	    "UPDATE schema_functions SET checksum = 'x' WHERE name = $1",
	    file, NULL));
	history = support_db_value(conn, migrate_history_sql, NULL);
	functions = support_db_value(conn, "SELECT string_agg(name || ' ' || "
	    "checksum || ' ' || applied_at::text, ',' ORDER BY name) "
	    "FROM schema_functions WHERE name <> $1", file, NULL);

	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "migrate: exit %d: %s", status, err);
	migrate_expect_counts(out, 0, 1);
	cr_assert(strstr(err, file) != NULL, "the log does not name %s: %s",
	    file, err);
	cr_assert_eq(support_db_long(conn, "SELECT at_rate(1, 4) * 100",
	    NULL), 25, "at_rate() was not defined again");
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
	    "schema_functions WHERE name = $1 AND checksum <> 'x'", file,
	    NULL), 1, "the new checksum of %s is not recorded", file);
	/* Nothing else was touched. */
	again = support_db_value(conn, migrate_history_sql, NULL);
	cr_assert_str_eq(again, history);
	free(again);
	again = support_db_value(conn, "SELECT string_agg(name || ' ' || "
	    "checksum || ' ' || applied_at::text, ',' ORDER BY name) "
	    "FROM schema_functions WHERE name <> $1", file, NULL);
	cr_assert_str_eq(again, functions);
	free(again);
	free(out);
	free(err);
	free(functions);

	/* Once: the next run finds it current. */
	functions = support_db_value(conn, migrate_functions_sql, NULL);
	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "second migrate: exit %d: %s", status, err);
	migrate_expect_counts(out, 0, 0);
	again = support_db_value(conn, migrate_functions_sql, NULL);
	cr_assert_str_eq(again, functions);
	free(again);

	free(history);
	free(functions);
	free(out);
	free(err);
	PQfinish(conn);
}

/* What upgrade_from_v1_keeps_data writes, as text. */
static const char migrate_data_sql[] =
    "SELECT (SELECT string_agg(username || display_name || "
    "created_at::text, ',' ORDER BY username) FROM users) || "
    "(SELECT string_agg(code || name, ',') FROM courses) || "
    "(SELECT string_agg(name, ',') FROM groups) || "
    "(SELECT count(*) FROM enrollments)";

/* Loads the schema of a v1 database (tests/db/fixtures/v1-schema.sql). */
static void
migrate_load_v1(PGconn *conn)
{
	const char	*dir = getenv("ATTENDANCE_TEST_FIXTURES");
	char		 path[1024];
	char		*text;
	PGresult	*res;

	cr_assert(dir != NULL && *dir != '\0', "ATTENDANCE_TEST_FIXTURES is "
	    "not set: run the suite through tests/db/db.sh");
	snprintf(path, sizeof(path), "%s/v1-schema.sql", dir);
	text = migrate_slurp(path);
	res = PQexec(conn, text);
	cr_assert_eq(PQresultStatus(res), PGRES_COMMAND_OK, "%s: %s", path,
	    PQerrorMessage(conn));
	PQclear(res);
	free(text);
	/* pg_dump's file empties the search path of the session. */
	cr_assert_str_empty(support_db_state(conn,
	    "SET search_path = public", NULL));
}

/*
 * A database that applied v1's five migrations is at the baseline they
 * were squashed into: its data stays, its history becomes the
 * baseline's (with the time v1 was applied) and the later migrations
 * apply, its functions are the current ones, and its schema is the one
 * a new database gets.  v1's failed logins are the one thing dropped
 * (002_sign_on.sql counts by account, not by the name as typed).
 */
Test(migrate, upgrade_from_v1_keeps_data)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		 fresh_info[SUPPORT_CONNINFO_SIZE];
	char		*out = NULL, *err = NULL, *when, *schema, *fresh;
	char		*data, *again;
	PGconn		*conn, *other;
	int		 status;

	support_db_create(0, conninfo);
	conn = support_db_connect(conninfo);
	migrate_load_v1(conn);
	cr_assert_str_empty(support_db_state(conn,
	    "WITH p AS (INSERT INTO users (role, email, username, "
	    "display_name, password_hash) VALUES ('professor', "
	    "'ada@example.edu', 'ada', 'Ada Lovelace', '$argon2id$x') "
	    "RETURNING id), s AS (INSERT INTO users (role, email, username, "
	    "display_name, password_hash) VALUES ('student', "
	    "'zoe@example.edu', 'zoe', 'Zoë Ångström', '$argon2id$y') "
	    "RETURNING id), c AS (INSERT INTO courses (professor_id, code, "
	    "name, term) SELECT id, 'CS101', 'Programming', '2026F' FROM p "
	    "RETURNING id), g AS (INSERT INTO groups (course_id, name) "
	    "SELECT id, 'Lab A' FROM c RETURNING id, course_id) "
	    "INSERT INTO enrollments (student_id, course_id, group_id) "
	    "SELECT s.id, g.course_id, g.id FROM s, g", NULL));
	cr_assert_str_empty(support_db_state(conn, "INSERT INTO "
	    "login_failures (login, address) VALUES ('zoe', '192.0.2.7')",
	    NULL));
	data = support_db_value(conn, migrate_data_sql, NULL);
	when = support_db_value(conn, "SELECT min(applied_at)::text FROM "
	    "schema_migrations", NULL);

	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "migrate: exit %d: %s", status, err);
	migrate_expect_counts(out, (long)migrate_file_count - 1,
	    (long)migrate_function_count);

	again = support_db_value(conn, migrate_data_sql, NULL);
	cr_assert_str_eq(again, data);
	free(again);
	again = support_db_value(conn, "SELECT count(*) FROM login_failures",
	    NULL);
	cr_assert_str_eq(again, "0");
	free(again);
	again = support_db_value(conn, "SELECT string_agg(name || ' ' || "
	    "applied_at::text, ',' ORDER BY name) FROM schema_migrations "
	    "WHERE applied_at = (SELECT min(applied_at) FROM "
	    "schema_migrations)", NULL);
	cr_assert(strncmp(again, migrate_files[0].name,
	    strlen(migrate_files[0].name)) == 0 && strstr(again, when) != NULL
	    && strchr(again, ',') == NULL, "history: %s (v1 applied at %s)",
	    again, when);
	free(again);
	/* The stubs are gone: the current functions answer. */
	again = support_db_value(conn, "SELECT user_json(u)->>'displayName' "
	    "FROM users u WHERE username = 'zoe'", NULL);
	cr_assert_str_eq(again, "Zoë Ångström");
	free(again);

	/* The same schema as a database migrated from nothing. */
	schema = support_db_value(conn, migrate_schema_sql, NULL);
	cr_assert(strstr(schema, "api_scan_as(") != NULL &&
	    strstr(schema, "qr_tokens_record_check") != NULL,
	    "the schema text misses its parts: %s", schema);
	support_db_create(0, fresh_info);
	free(out);
	free(err);
	status = support_admin(fresh_info, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "migrate: exit %d: %s", status, err);
	other = support_db_connect(fresh_info);
	fresh = support_db_value(other, migrate_schema_sql, NULL);
	cr_assert_str_eq(schema, fresh, "the upgraded schema differs");

	/* And a second run has nothing left to do. */
	free(out);
	free(err);
	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "second migrate: exit %d: %s", status, err);
	migrate_expect_counts(out, 0, 0);

	free(data);
	free(when);
	free(schema);
	free(fresh);
	free(out);
	free(err);
	PQfinish(other);
	PQfinish(conn);
}

/* Part of v1's history is no state this version knows: refused, and
 * nothing is created. */
Test(migrate, partial_v1_history_refused)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		*out = NULL, *err = NULL;
	PGconn		*conn;
	int		 status;

	support_db_create(0, conninfo);
	conn = support_db_connect(conninfo);
	cr_assert_str_empty(support_db_state(conn, "CREATE TABLE "
	    "schema_migrations (name text PRIMARY KEY, checksum text NOT NULL, "
	    "applied_at timestamptz NOT NULL DEFAULT now())", NULL));
	cr_assert_str_empty(support_db_state(conn, "INSERT INTO "
	    "schema_migrations (name, checksum) VALUES "
	    "('001_schema.sql', 'a'), ('002_api.sql', 'b')", NULL));

	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 1, "migrate: exit %d, stdout \"%s\"", status,
	    out);
	cr_assert(strstr(err, "applied 2 of v1's 5") != NULL, "stderr: %s",
	    err);
	cr_assert_str_empty(out);
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM pg_tables "
	    "WHERE schemaname = 'public'", NULL), 1,
	    "a refused migrate created tables");
	cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
	    "schema_migrations", NULL), 2);
	free(out);
	free(err);
	PQfinish(conn);
}

/* No server: one line saying so, and a failing exit status. */
Test(migrate, database_down)
{
	char	*out = NULL, *err = NULL, *nl;
	int	 status;

	status = support_admin("host=/nonexistent dbname=x", NULL, &out, &err,
	    "migrate", NULL);
	cr_assert_eq(status, 1, "migrate: exit %d", status);
	cr_assert(strstr(err, "database unavailable") != NULL,
	    "stderr: %s", err);
	nl = strchr(err, '\n');
	cr_assert(nl != NULL && nl[1] == '\0',
	    "stderr is not a single line: \"%s\"", err);
	cr_assert_str_empty(out);
	free(out);
	free(err);
}

/*
 * Two deploys running migrate at once: without the advisory lock both
 * would see an empty history and the slower one would fail on tables the
 * other created.  With it, the second waits and finds nothing to do.  A
 * few rounds, so that the two runs overlap at least once in practice.
 */
Test(migrate, concurrent_runs)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		*out = NULL, *err = NULL, *log, *logged;
	PGconn		*conn;
	long		 n, mine, theirs;
	pid_t		 pid;
	int		 round, status, wstatus;

	log = support_write_file("");
	for (round = 0; round < 3; round++) {
		support_db_create(0, conninfo);
		pid = migrate_spawn(conninfo, log);
		status = support_admin(conninfo, NULL, &out, &err, "migrate",
		    NULL);
		cr_assert(waitpid(pid, &wstatus, 0) == pid);
		logged = migrate_slurp(log);
		cr_assert_eq(status, 0, "migrate: exit %d: %s", status, err);
		cr_assert(WIFEXITED(wstatus) && WEXITSTATUS(wstatus) == 0,
		    "concurrent migrate failed: %s", logged);

		conn = support_db_connect(conninfo);
		n = support_db_long(conn,
		    "SELECT count(*) FROM schema_migrations");
		cr_assert_eq(n, (long)migrate_file_count);
		PQfinish(conn);

		/* Between them, the two runs applied each file once. */
		mine = migrate_applied_count(out);
		theirs = migrate_applied_count(logged);
		cr_assert(mine >= 0 && theirs >= 0, "no count in \"%s\" or "
		    "\"%s\"", out, logged);
		cr_assert_eq(mine + theirs, n, "runs applied %ld and %ld of "
		    "%ld files", mine, theirs, n);

		free(logged);
		free(out);
		free(err);
	}
	unlink(log);
	free(log);
}

/* The role the workers run as: rows and functions, nothing more. */
static void
migrate_expect_refused(PGconn *conn, const char *sql)
{
	PGresult	*res = PQexec(conn, sql);

	cr_assert_eq(PQresultStatus(res), PGRES_FATAL_ERROR,
	    "the runtime role may: %s", sql);
	cr_assert_str_eq(PQresultErrorField(res, PG_DIAG_SQLSTATE), "42501",
	    "%s: %s", sql, PQresultErrorMessage(res));
	PQclear(res);
}

Test(migrate, the_runtime_role_has_rows_and_functions_only)
{
	char		 conninfo[SUPPORT_CONNINFO_SIZE];
	char		 runtime[SUPPORT_CONNINFO_SIZE + 80], role[64];
	char		*out = NULL, *err = NULL, *sql;
	PGconn		*owner, *conn;
	int		 status;

	support_db_create(0, conninfo);
	owner = support_db_connect(conninfo);
	snprintf(role, sizeof(role), "runtime_%ld", (long)getpid());
	sql = util_printf("CREATE ROLE %s LOGIN", role);
	cr_assert_str_empty(support_db_state(owner, sql, NULL));
	free(sql);
	cr_assert(setenv("ATTENDANCE_DATABASE_RUNTIME_ROLE", role, 1) == 0);
	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert(unsetenv("ATTENDANCE_DATABASE_RUNTIME_ROLE") == 0);
	cr_assert_eq(status, 0, "migrate: exit %d: %s", status, err);

	snprintf(runtime, sizeof(runtime), "%s user=%s", conninfo, role);
	conn = support_db_connect(runtime);
	/* What the workers do. */
	cr_assert_str_empty(support_db_state(conn, "INSERT INTO users (role, "
	    "email, username, display_name, external_id) VALUES ('student', "
	    "'r@x.edu', 'r', 'R', 'r-1')", NULL));
	cr_assert_str_empty(support_db_state(conn, "UPDATE users SET "
	    "last_login_at = now()", NULL));
	cr_assert_str_empty(support_db_state(conn, "SELECT * FROM "
	    "auth_login_begin('r', '192.0.2.1', NULL, 60, 60, 5, 100, '{}')",
	    NULL));
	cr_assert_str_empty(support_db_state(conn, "DELETE FROM "
	    "login_failures", NULL));
	/* What they never may. */
	migrate_expect_refused(conn, "DROP TABLE attendance_records");
	migrate_expect_refused(conn, "ALTER TABLE users ADD COLUMN x int");
	migrate_expect_refused(conn, "TRUNCATE login_failures");
	migrate_expect_refused(conn, "CREATE TABLE mine (x int)");
	migrate_expect_refused(conn, "SELECT * FROM pg_authid");
	migrate_expect_refused(conn, "DELETE FROM schema_migrations");
	migrate_expect_refused(conn, "CREATE OR REPLACE FUNCTION "
	    "auth_login_live(expires_at timestamptz) RETURNS boolean "
	    "LANGUAGE sql AS 'SELECT true'");
	PQfinish(conn);
	free(out);
	free(err);
	PQfinish(owner);
}
