/*
 * attendance-admin migrate, run as ops run it: against an empty database,
 * a second time, against an edited history, without a database, and twice
 * at once.
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

/* Every table of sql/, and the history table migrate keeps. */
static const char *const migrate_tables[] = {
	"users", "courses", "groups", "enrollments", "sessions",
	"attendance_rounds", "qr_tokens", "attendance_records",
	"auth_sessions", "schema_migrations"
};

/*
 * The history as text (names, checksums and times), so that two
 * snapshots compare equal only when nothing was re-applied or rewritten.
 */
static const char migrate_history_sql[] =
    "SELECT coalesce(string_agg(name || ' ' || checksum || ' ' || "
    "applied_at::text, ',' ORDER BY name), '') FROM schema_migrations";

/*
 * The relations of the schema with their oids: a table dropped and
 * created again, or a new one, changes this text.
 */
static const char migrate_catalog_sql[] =
    "SELECT coalesce(string_agg(c.relname || ':' || c.oid::text, ',' "
    "ORDER BY c.relname), '') FROM pg_class c "
    "JOIN pg_namespace n ON n.oid = c.relnamespace "
    "WHERE n.nspname = 'public'";

/* "N migration(s) applied", as attendance-admin words it. */
static void
migrate_expect_applied(const char *out, long n)
{
	char	 want[64];

	snprintf(want, sizeof(want), "%ld migration%s applied", n,
	    n == 1 ? "" : "s");
	cr_assert(strncmp(out, want, strlen(want)) == 0,
	    "expected \"%s\", got \"%s\"", want, out);
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
	    "ATTENDANCE_ADMIN is not set: run the suite through tests/db.sh");
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
	migrate_expect_applied(out, n);
	/* ...and it is every file of sql/, each under its own name. */
	cr_assert_eq(n, (long)migrate_file_count,
	    "%ld rows in schema_migrations, %zu files in sql/", n,
	    migrate_file_count);
	for (i = 0; i < migrate_file_count; i++)
		cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
		    "schema_migrations WHERE name = $1 AND length(checksum) "
		    "= 64", migrate_files[i].name, NULL), 1,
		    "%s is not recorded", migrate_files[i].name);
	for (i = 0; i < sizeof(migrate_tables) / sizeof(migrate_tables[0]);
	    i++)
		cr_assert_eq(support_db_long(conn, "SELECT count(*) FROM "
		    "pg_tables WHERE schemaname = 'public' AND tablename = $1",
		    migrate_tables[i], NULL), 1, "no table %s",
		    migrate_tables[i]);
	free(out);
	free(err);

	/* Running it again is a no-op: nothing re-applied or rewritten. */
	history = support_db_value(conn, migrate_history_sql, NULL);
	catalog = support_db_value(conn, migrate_catalog_sql, NULL);
	status = support_admin(conninfo, NULL, &out, &err, "migrate", NULL);
	cr_assert_eq(status, 0, "second migrate: exit %d: %s", status, err);
	migrate_expect_applied(out, 0);
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
