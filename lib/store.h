/*
 * The connection under the stores: one PostgreSQL connection per process
 * that connects on first use, prepares every store's statements once,
 * notices a server that went away while idle, and drops itself when the
 * database is lost (the next call reconnects).  The stores (auth_store,
 * course_store, class_store, stats_store) run their statements through
 * it; nothing above them sees libpq.
 */
#ifndef ATTENDANCE_STORE_H
#define ATTENDANCE_STORE_H

#include <libpq-fe.h>

#include "arena.h"
#include "db.h"
#include "error.h"

struct store {
	const char	*conninfo;	/* the caller's; outlives the store */
	struct db_timeouts timeouts;
	PGconn		*conn;		/* NULL while the database is down */
};

/*
 * A read of one resource of the caller's: a statement of ($1 id, $2 the
 * caller) whose one row is the resource's JSON as the caller may see it.
 * The stores name theirs, and a route names one (router.c).
 */
struct store_reader {
	const struct db_statement	*statement;
};

/* Connects and prepares now, if not yet connected.  AT_EUNAVAILABLE when
 * the database cannot be reached. */
enum at_error	 store_connect(struct store *) AT_MUSTCHECK;

/* Disconnects; the store may be used again (it reconnects). */
void	 store_close(struct store *);

/*
 * For the stores.  Runs a prepared statement; a lost connection is
 * dropped and AT_EUNAVAILABLE returned, other failures are logged with
 * the server's message and mapped (AT_ECONFLICT, AT_EINVALID, ...).
 * *out is the caller's (PQclear).
 */
enum at_error	 store_run(struct store *, const struct db_statement *,
		    const char *const *params, PGresult **out) AT_MUSTCHECK;

/*
 * For the stores.  Runs a prepared statement and hands its rows to row()
 * one at a time as they arrive (db_stream()), for a result too large to
 * hold.  A lost connection is dropped and AT_EUNAVAILABLE returned, also
 * after some rows; other failures are logged and mapped as store_run()'s;
 * row()'s own error stops the statement and is returned.
 */
enum at_error	 store_stream(struct store *, const struct db_statement *,
		    const char *const *params, db_row_fn row, void *arg)
		    AT_MUSTCHECK;

/*
 * For the stores.  Runs a statement whose rows are not needed; *rows
 * (may be NULL) is how many it returned.
 */
enum at_error	 store_exec(struct store *, const struct db_statement *,
		    const char *const *params, int *rows) AT_MUSTCHECK;

/*
 * For the stores.  Runs a statement whose one row holds JSON in column
 * 0 and copies it into the arena: *json.  No row, or NULL, is
 * AT_ENOTFOUND.
 */
enum at_error	 store_json(struct store *, struct arena *,
		    const struct db_statement *, const char *const *params,
		    const char **json) AT_MUSTCHECK;

/* Runs reader for id as caller: *json in the arena, or AT_ENOTFOUND
 * when there is none or it is someone else's. */
enum at_error	 store_read(struct store *, struct arena *,
		    const struct store_reader *, const char *id,
		    const char *caller, const char **json) AT_MUSTCHECK;

/*
 * For the stores.  Column name of row 0 copied into the arena; NULL when
 * the column is absent or NULL (or out of memory: *oom is set).
 */
const char	*store_column(struct arena *, const PGresult *,
		    const char *name, int *oom);

#endif
