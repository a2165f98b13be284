#include <poll.h>
#include <stdlib.h>
#include <string.h>

#include "app.h"
#include "auth_store.h"
#include "class_store.h"
#include "course_store.h"
#include "log.h"
#include "stats_store.h"

static const struct {
	const struct db_statement	*statements;
	const size_t			*count;
} app_stores[] = {
	{ auth_store_statements, &auth_store_statement_count },
	{ course_store_statements, &course_store_statement_count },
	{ class_store_statements, &class_store_statement_count },
	{ stats_store_statements, &stats_store_statement_count },
};

static void
app_db_drop(struct app *app)
{
	if (app->db != NULL)
		PQfinish(app->db);
	app->db = NULL;
}

/*
 * An idle connection has nothing to say; if its socket is readable the
 * server is closing it (restart, idle timeout): find out before a
 * request is sent into a dead connection and fails.
 */
static void
app_db_check_idle(struct app *app)
{
	struct pollfd	 pfd;

	pfd.fd = PQsocket(app->db);
	pfd.events = POLLIN;
	if (pfd.fd < 0 || PQstatus(app->db) != CONNECTION_OK) {
		app_db_drop(app);
		return;
	}
	/* A server going down says so before closing (an error message),
	 * so PQconsumeInput() still succeeds: anything at all is enough. */
	if (poll(&pfd, 1, 0) > 0) {
		log_warn("the database spoke while idle (restart or timeout); "
		    "reconnecting");
		app_db_drop(app);
	}
}

int
app_db(struct app *app, PGconn **out)
{
	char	*cause = NULL;
	size_t	 i;
	int	 rc;

	*out = NULL;
	if (app->db != NULL)
		app_db_check_idle(app);
	if (app->db == NULL) {
		rc = db_connect(app->config.database, &app->db, &cause);
		if (rc != AT_OK) {
			log_error("database unavailable: %s",
			    cause != NULL ? cause : "out of memory");
			free(cause);
			return AT_EUNAVAILABLE;
		}
		/* Timestamps read as text (util_timestamp()) come in UTC. */
		if (db_command(app->db, "SET TIME ZONE 'UTC'", &cause) !=
		    AT_OK) {
			log_error("setting the time zone: %s",
			    cause != NULL ? cause : "?");
			free(cause);
			app_db_drop(app);
			return AT_EUNAVAILABLE;
		}
		for (i = 0; i < sizeof(app_stores) / sizeof(app_stores[0]);
		    i++) {
			rc = db_prepare(app->db, app_stores[i].statements,
			    *app_stores[i].count, &cause);
			if (rc != AT_OK) {
				log_error("preparing statements: %s",
				    cause != NULL ? cause : "?");
				free(cause);
				app_db_drop(app);
				return rc == AT_EUNAVAILABLE ?
				    AT_EUNAVAILABLE : AT_EINTERNAL;
			}
		}
		log_info("connected to the database");
	}
	*out = app->db;
	return AT_OK;
}

int
app_run(struct app *app, const struct db_statement *statement,
    const char *const *params, PGresult **out)
{
	PGconn	*conn;
	char	*cause = NULL;
	int	 rc;

	*out = NULL;
	if ((rc = app_db(app, &conn)) != AT_OK)
		return rc;
	rc = db_run(conn, statement, params, out, &cause);
	if (rc == AT_EUNAVAILABLE) {
		log_error("%s: database unavailable: %s", statement->name,
		    cause != NULL ? cause : "");
		app_db_drop(app);
	} else if (rc != AT_OK && rc != AT_ECONFLICT)
		log_error("%s: %s", statement->name,
		    cause != NULL ? cause : "");
	else if (rc == AT_ECONFLICT)
		log_debug("%s: %s", statement->name,
		    cause != NULL ? cause : "");
	free(cause);
	return rc;
}

int
app_reply_json(struct app *app, struct request *req,
    const struct db_statement *statement, const char *const *params,
    int status)
{
	PGresult	*res = NULL;
	const char	*json;
	int		 rc;

	if ((rc = app_run(app, statement, params, &res)) != AT_OK)
		return rc;
	if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) {
		PQclear(res);
		return AT_ENOTFOUND;
	}
	json = PQgetvalue(res, 0, 0);
	json = arena_strndup(&req->arena, json, (size_t)PQgetlength(res, 0, 0));
	PQclear(res);
	if (json == NULL)
		return AT_ENOMEM;
	request_reply(req, status, json);
	return AT_OK;
}

void
app_publish(struct app *app, const char *session_id, const char *name,
    const char *data)
{
	if (events_publish(app->events, session_id, name, data) == 0)
		log_debug("published %s for session %s", name, session_id);
}
