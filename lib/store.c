#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "auth_store.h"
#include "class_store.h"
#include "course_store.h"
#include "log.h"
#include "stats_store.h"
#include "store.h"

/* What every connection prepares, once. */
static const struct db_statement_set *const store_sets[] = {
	&auth_store_statements,
	&course_store_statements,
	&class_store_statements,
	&stats_store_statements,
};

void
store_close(struct store *store)
{
	if (store->conn != NULL)
		PQfinish(store->conn);
	store->conn = NULL;
}

/*
 * An idle connection has nothing to say; if its socket is readable the
 * server is closing it (restart, idle timeout): find out before a
 * request is sent into a dead connection and fails.
 */
static void
store_check_idle(struct store *store)
{
	struct pollfd	 pfd;

	pfd.fd = PQsocket(store->conn);
	pfd.events = POLLIN;
	if (pfd.fd < 0 || PQstatus(store->conn) != CONNECTION_OK) {
		store_close(store);
		return;
	}
	/* A server going down says so before closing (an error message),
	 * so PQconsumeInput() still succeeds: anything at all is enough. */
	if (poll(&pfd, 1, 0) > 0) {
		log_warn("the database spoke while idle (restart or timeout); "
		    "reconnecting");
		store_close(store);
	}
}

enum at_error
store_connect(struct store *store)
{
	char	*cause = NULL;
	size_t	 i;
	enum at_error	 rc;

	if (store->conn != NULL)
		store_check_idle(store);
	if (store->conn != NULL)
		return AT_OK;
	rc = db_connect(store->conninfo, &store->timeouts, &store->conn,
	    &cause);
	if (rc != AT_OK) {
		log_error("database unavailable: %s",
		    cause != NULL ? cause : "out of memory");
		free(cause);
		return AT_EUNAVAILABLE;
	}
	/* at_ts() formats every timestamp the API sends in UTC; the
	 * session is in UTC too, so nothing depends on the server's zone. */
	if (db_command(store->conn, "SET TIME ZONE 'UTC'", &cause) != AT_OK) {
		log_error("setting the time zone: %s",
		    cause != NULL ? cause : "?");
		rc = AT_EUNAVAILABLE;
		goto fail;
	}
	for (i = 0; i < sizeof(store_sets) / sizeof(store_sets[0]); i++) {
		rc = db_prepare(store->conn, store_sets[i]->statements,
		    store_sets[i]->count, &cause);
		if (rc != AT_OK) {
			log_error("preparing statements: %s",
			    cause != NULL ? cause : "?");
			goto fail;
		}
	}
	log_info("connected to the database");
	return AT_OK;
fail:
	free(cause);
	store_close(store);
	return rc == AT_EUNAVAILABLE ? AT_EUNAVAILABLE : AT_EINTERNAL;
}

/* What a statement's failure costs the store: a lost database is dropped
 * (the next call reconnects); the server's message goes to the log. */
static void
store_failed(struct store *store, const struct db_statement *statement,
    enum at_error rc, const char *cause)
{
	if (rc == AT_EUNAVAILABLE) {
		log_error("%s: database unavailable: %s", statement->name,
		    cause != NULL ? cause : "");
		store_close(store);
	} else if (rc == AT_ECONFLICT)
		log_debug("%s: %s", statement->name,
		    cause != NULL ? cause : "");
	else if (rc != AT_OK)
		log_error("%s: %s", statement->name,
		    cause != NULL ? cause : "");
}

enum at_error
store_run(struct store *store, const struct db_statement *statement,
    const char *const *params, PGresult **out)
{
	char	*cause = NULL;
	enum at_error	 rc;

	*out = NULL;
	if ((rc = store_connect(store)) != AT_OK)
		return rc;
	rc = db_run(store->conn, statement, params, out, &cause);
	store_failed(store, statement, rc, cause);
	free(cause);
	return rc;
}

enum at_error
store_stream(struct store *store, const struct db_statement *statement,
    const char *const *params, db_row_fn row, void *arg)
{
	char	*cause = NULL;
	enum at_error	 rc;

	if ((rc = store_connect(store)) != AT_OK)
		return rc;
	rc = db_stream(store->conn, statement, params, row, arg, &cause);
	/* row()'s own refusal (no cause, the connection fine) is its
	 * caller's to tell. */
	if (cause != NULL || PQstatus(store->conn) != CONNECTION_OK)
		store_failed(store, statement, rc, cause);
	free(cause);
	return rc;
}

enum at_error
store_exec(struct store *store, const struct db_statement *statement,
    const char *const *params, int *rows)
{
	PGresult	*res = NULL;
	enum at_error	 rc;

	rc = store_run(store, statement, params, &res);
	if (rc == AT_OK && rows != NULL)
		*rows = PQntuples(res);
	PQclear(res);
	return rc;
}

enum at_error
store_json(struct store *store, struct arena *arena,
    const struct db_statement *statement, const char *const *params,
    const char **json)
{
	PGresult	*res = NULL;
	enum at_error	 rc;

	*json = NULL;
	if ((rc = store_run(store, statement, params, &res)) != AT_OK)
		return rc;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0))
		rc = AT_ENOTFOUND;
	else if ((*json = arena_strndup(arena, PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0))) == NULL)
		rc = AT_ENOMEM;
	PQclear(res);
	return rc;
}

enum at_error
store_read(struct store *store, struct arena *arena,
    const struct store_reader *reader, const char *id, const char *caller,
    const char **json)
{
	const char	*params[2] = { id, caller };

	return store_json(store, arena, reader->statement, params, json);
}

const char *
store_column(struct arena *arena, const PGresult *res, const char *name,
    int *oom)
{
	const char	*copy;
	int		 col = PQfnumber(res, name);

	if (col < 0 || PQntuples(res) < 1 || PQgetisnull(res, 0, col))
		return NULL;
	copy = arena_strndup(arena, PQgetvalue(res, 0, col),
	    (size_t)PQgetlength(res, 0, col));
	if (copy == NULL)
		*oom = 1;
	return copy;
}
