/*
 * PostgreSQL helpers shared by every program: connecting, mapping libpq
 * failures to the project's error enum, transactions, array literals.
 * A PGresult returned through an out-parameter belongs to the caller
 * (PQclear); on failure nothing is returned.
 */
#ifndef ATTENDANCE_DB_H
#define ATTENDANCE_DB_H

#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"

/*
 * How long a program waits on PostgreSQL, in seconds (0: as long as it
 * takes).  connect bounds connecting (libpq's connect_timeout, and
 * tcp_user_timeout: sent data unacknowledged that long means the host
 * is gone); the others are the session's statement_timeout, lock_timeout
 * and idle_in_transaction_session_timeout.  A conninfo's own settings of
 * these win.
 */
struct db_timeouts {
	int		 connect;
	int		 statement;
	int		 lock;
	int		 idle_transaction;
};

/*
 * Connects with conninfo and timeouts (NULL: libpq's defaults).  On
 * failure returns AT_EUNAVAILABLE and sets *cause to a malloc'd one-line
 * reason (no password in it).
 */
enum at_error	 db_connect(const char *conninfo, const struct db_timeouts *,
		    PGconn **out, char **cause) AT_MUSTCHECK;

/*
 * The same, started without blocking (PQconnectStartParams): the caller
 * polls, and enforces the connect timeout itself, which libpq does not
 * in this mode.  NULL when out of memory.
 */
PGconn	*db_connect_start(const char *conninfo,
	    const struct db_timeouts *);

/*
 * The project error for a failed result: AT_EUNAVAILABLE when the server
 * is unreachable or too slow (a statement or lock timeout), AT_ECONFLICT
 * for unique and foreign-key violations, AT_EINVALID for check
 * violations, AT_EINTERNAL otherwise.
 */
enum at_error	 db_error(PGconn *, const PGresult *);

/* The SQLSTATE of a failed result, or "" when there is none. */
const char	*db_sqlstate(const PGresult *);

/* The constraint a failed result names, or "". */
const char	*db_constraint(const PGresult *);

/*
 * Runs a command that returns no rows (BEGIN, COMMIT, ...).  On failure
 * returns the mapped error; *cause (may be NULL) gets the server message.
 */
enum at_error	 db_command(PGconn *, const char *sql, char **cause)
		    AT_MUSTCHECK;

/* Rolls back the transaction open on conn, if any (on a failure path). */
void	 db_rollback(PGconn *);

/*
 * Runs a parameterized statement whose result must have status
 * PGRES_TUPLES_OK or PGRES_COMMAND_OK; *out is the caller's.
 */
enum at_error	 db_query(PGconn *, const char *sql, int nparams,
		    const char *const *params, PGresult **out, char **cause)
		    AT_MUSTCHECK;

/* A statement prepared once per connection, run by name. */
struct db_statement {
	const char	*name;
	const char	*sql;
	int		 nparams;
};

/* A store's statements, prepared together. */
struct db_statement_set {
	const struct db_statement	*statements;
	size_t				 count;
};

/* Prepares count statements on conn (once, after connecting). */
enum at_error	 db_prepare(PGconn *, const struct db_statement *, size_t count,
		    char **cause) AT_MUSTCHECK;

/*
 * Runs a prepared statement with text parameters; like db_query().
 */
enum at_error	 db_run(PGconn *, const struct db_statement *,
		    const char *const *params, PGresult **out, char **cause)
		    AT_MUSTCHECK;

/*
 * Runs a prepared statement in libpq's single-row mode, so that a large
 * result is never held whole: row() gets each row as it arrives, its
 * columns' text (NULL for SQL NULL; the first DB_STREAM_COLUMNS), valid
 * during the call.  A row() that returns anything but AT_OK stops the
 * statement (it is cancelled, the rest of its rows discarded) and its
 * error is returned.  A failure of the statement, before or after some
 * rows, is mapped as db_query()'s; *cause (may be NULL) gets the server
 * message.  Either way conn is ready for the next statement, unless the
 * connection was lost.
 */
#define DB_STREAM_COLUMNS	8

typedef enum at_error	(*db_row_fn)(void *arg, const char *const *values,
			    int count);

enum at_error	 db_stream(PGconn *, const struct db_statement *,
		    const char *const *params, db_row_fn row, void *arg,
		    char **cause) AT_MUSTCHECK;

/*
 * A PostgreSQL text[] literal of items ("{\"a\",NULL}"; a NULL item is
 * NULL), malloc'd, or NULL when out of memory.
 */
char	*db_array_literal(const char *const *items, size_t count);

/* conninfo with any password replaced by "***"; malloc'd or NULL. */
char	*db_conninfo_redacted(const char *conninfo);

#endif
