/*
 * What a worker keeps between requests: the configuration, its one
 * PostgreSQL connection with every statement prepared, and its Redis
 * publisher.
 */
#ifndef ATTENDANCE_APP_H
#define ATTENDANCE_APP_H

#include <libpq-fe.h>

#include "config.h"
#include "db.h"
#include "events.h"
#include "request.h"

struct app {
	struct config	 config;
	PGconn		*db;		/* NULL while the database is down */
	struct events	*events;
	unsigned long	 requests;
};

/*
 * The connection, (re)connected and prepared if needed.  Returns
 * AT_EUNAVAILABLE when the database cannot be reached.
 */
int	 app_db(struct app *, PGconn **out) AT_MUSTCHECK;

/*
 * Runs a prepared statement; on a lost connection drops it (the next
 * request reconnects) and returns AT_EUNAVAILABLE.  Other failures are
 * logged with the server's message and mapped (AT_ECONFLICT, ...).
 */
int	 app_run(struct app *, const struct db_statement *,
	    const char *const *params, PGresult **out) AT_MUSTCHECK;

/*
 * Runs a statement whose one row holds the response's JSON in column 0
 * and replies with it; no row is AT_ENOTFOUND.
 */
int	 app_reply_json(struct app *, struct request *,
	    const struct db_statement *, const char *const *params,
	    int status) AT_MUSTCHECK;

/* Publishes an event after the transaction that made it committed. */
void	 app_publish(struct app *, const char *session_id, const char *name,
	    const char *data);

#endif
