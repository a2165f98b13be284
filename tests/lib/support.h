/*
 * Helpers for the suites that run against a real PostgreSQL started by
 * tests/db/db.sh.  Each helper fails the current test (Criterion assert) when
 * its own setup fails, so a test body only states what it checks.
 *
 * Environment (set by tests/db/db.sh):
 *   ATTENDANCE_TEST_PGHOST      socket directory of the server
 *   ATTENDANCE_TEST_PGUSER      superuser name
 *   ATTENDANCE_TEST_TEMPLATE    a migrated, empty database to clone
 *   ATTENDANCE_ADMIN            path of the attendance-admin binary
 */
#ifndef ATTENDANCE_TESTS_SUPPORT_H
#define ATTENDANCE_TESTS_SUPPORT_H

#include <stddef.h>

#include <libpq-fe.h>

#define SUPPORT_CONNINFO_SIZE	512

/*
 * Creates a database of its own for the calling test, a clone of the
 * migrated template (migrated = 1) or empty (0), and writes its conninfo.
 */
void	 support_db_create(int migrated, char conninfo[SUPPORT_CONNINFO_SIZE]);

/* Connects or fails the test.  The caller PQfinish()es. */
PGconn	*support_db_connect(const char *conninfo);

/*
 * Runs sql with text parameters (NULL-terminated list after sql) and
 * returns the SQLSTATE of its failure, or "" when it succeeded.  The
 * string is static until the next call.
 */
const char	*support_db_state(PGconn *, const char *sql, ...);

/* Runs sql (text parameters, NULL-terminated) and fails the test unless
 * it succeeds; returns the first column of the first row as a malloc'd
 * string ("" when no row), freed by the caller. */
char	*support_db_value(PGconn *, const char *sql, ...);

/* Like support_db_value() for a count: the first column as a long. */
long	 support_db_long(PGconn *, const char *sql, ...);

/*
 * Runs attendance-admin -c /dev/null with args (NULL-terminated),
 * ATTENDANCE_DATABASE set to conninfo (NULL leaves the environment alone),
 * and stdin_text on standard input (NULL for none).  Returns the exit
 * status (-1 when it died of a signal); *out and *err receive the
 * malloc'd output.
 */
int	 support_admin(const char *conninfo, const char *stdin_text,
	    char **out, char **err, ...);

/* Writes text to a new temporary file and returns its malloc'd path. */
char	*support_write_file(const char *text);

#endif
