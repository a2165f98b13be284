#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <libpq-fe.h>

#include "db.h"
#include "log.h"
#include "relay_auth.h"
#include "relay_store.h"
#include "token.h"

#define RELAY_AUTH_BACKOFF_MIN	0.25
#define RELAY_AUTH_BACKOFF_MAX	5.0

enum relay_auth_kind {
	RELAY_AUTH_CHECK,
	RELAY_AUTH_LOGINS,
	RELAY_AUTH_PING
};

struct relay_auth_request {
	struct relay_auth_request *next;
	relay_auth_fn		*fn;		/* NULL once cancelled */
	void			*arg;
	unsigned char		 kind;
	unsigned char		 retried;
	unsigned char		 has_session;
	char			 hash[TOKEN_HASH_HEX_SIZE];
	char			 session[HTTP_UUID_SIZE];
	char			*logins;	/* RELAY_AUTH_LOGINS's $1 */
};

enum relay_pg_state {
	RELAY_PG_DOWN,		/* waiting for the retry timer */
	RELAY_PG_CONNECTING,
	RELAY_PG_IDLE,
	RELAY_PG_BUSY
};

struct relay_pg {
	struct relay_auth	*auth;
	PGconn			*conn;
	ev_io			 io;
	ev_timer		 timer;	/* retry when down, timeout otherwise */
	int			 state;
	int			 fd;
	int			 events;
	struct relay_auth_request *current;
	PGresult		*result;
	ev_tstamp		 backoff;
	unsigned		 index;
};

struct relay_auth {
	struct relay		*relay;
	char			*conninfo;
	struct db_timeouts	 timeouts;	/* the server's side */
	struct relay_pg		 pg[RELAY_AUTH_CONNECTIONS];
	struct relay_auth_request *head, *tail;
	size_t			 queued;
	int			 down_logged;
};

static void	relay_pg_connect(struct relay_pg *);
static void	relay_auth_dispatch(struct relay_auth *);

static void
relay_auth_push(struct relay_auth *auth, struct relay_auth_request *req,
    int front)
{
	if (front) {
		req->next = auth->head;
		auth->head = req;
		if (auth->tail == NULL)
			auth->tail = req;
	} else {
		req->next = NULL;
		if (auth->tail != NULL)
			auth->tail->next = req;
		else
			auth->head = req;
		auth->tail = req;
	}
	auth->queued++;
}

static struct relay_auth_request *
relay_auth_pop(struct relay_auth *auth)
{
	struct relay_auth_request *req;

	if ((req = auth->head) == NULL)
		return NULL;
	auth->head = req->next;
	if (auth->head == NULL)
		auth->tail = NULL;
	auth->queued--;
	req->next = NULL;
	return req;
}

static void
relay_auth_request_free(struct relay_auth_request *req)
{
	if (req == NULL)
		return;
	free(req->logins);
	free(req);
}

/* Calls req's callback (unless cancelled) and frees req. */
static void
relay_auth_finish(struct relay_auth_request *req,
    struct relay_auth_result *result)
{
	if (req->fn != NULL)
		req->fn(req->arg, result);
	free(result->check.round_started);
	result->check.round_started = NULL;
	free(result->logins.ended);
	result->logins.ended = NULL;
	relay_auth_request_free(req);
}

static void
relay_auth_fail(struct relay_auth_request *req, enum at_error err)
{
	struct relay_auth_result	 result;

	memset(&result, 0, sizeof(result));
	result.err = err;
	relay_auth_finish(req, &result);
}

/* Whether some connection is up or on its way up. */
static int
relay_auth_reachable(const struct relay_auth *auth)
{
	size_t	 i;

	for (i = 0; i < RELAY_AUTH_CONNECTIONS; i++)
		if (auth->pg[i].state != RELAY_PG_DOWN)
			return 1;
	return 0;
}

/* No connection left: every waiting request gets 503 now. */
static void
relay_auth_fail_queue(struct relay_auth *auth)
{
	struct relay_auth_request *req;

	while ((req = relay_auth_pop(auth)) != NULL)
		relay_auth_fail(req, AT_EUNAVAILABLE);
}

static void
relay_pg_watch(struct relay_pg *pg, int fd, int events)
{
	struct ev_loop	*loop = pg->auth->relay->loop;

	if (ev_is_active(&pg->io) && pg->fd == fd && pg->events == events)
		return;
	ev_io_stop(loop, &pg->io);
	pg->fd = fd;
	pg->events = events;
	if (fd < 0 || events == 0)
		return;
	ev_io_set(&pg->io, fd, events);
	ev_io_start(loop, &pg->io);
}

/* The first line of libpq's message, for one log line. */
static void
relay_pg_log(struct relay_pg *pg, int level, const char *what)
{
	const char	*msg = pg->conn != NULL ? PQerrorMessage(pg->conn) : "";
	size_t		 len = strcspn(msg, "\n");

	log_message(level, "database connection %u: %s%s%.*s", pg->index,
	    what, len > 0 ? ": " : "", (int)len, msg);
}

/*
 * The connection is gone (or hopeless): close it, give its request a
 * second chance on another connection once, and reconnect after a
 * back-off (at once when it had been up).
 */
static void
relay_pg_lost(struct relay_pg *pg, const char *why)
{
	struct relay_auth	*auth = pg->auth;
	struct ev_loop		*loop = auth->relay->loop;
	struct relay_auth_request *req = pg->current;
	ev_tstamp		 delay;
	int			 was_up = pg->state == RELAY_PG_IDLE ||
				    pg->state == RELAY_PG_BUSY;

	if (was_up || !auth->down_logged)
		relay_pg_log(pg, LOG_LEVEL_WARN, why);
	if (!was_up)
		auth->down_logged = 1;
	relay_pg_watch(pg, -1, 0);
	ev_timer_stop(loop, &pg->timer);
	if (pg->result != NULL)
		PQclear(pg->result);
	pg->result = NULL;
	if (pg->conn != NULL)
		PQfinish(pg->conn);
	pg->conn = NULL;
	pg->current = NULL;
	pg->state = RELAY_PG_DOWN;
	if (was_up) {
		pg->backoff = 0;
		delay = 0;
	} else
		delay = relay_backoff(&pg->backoff, RELAY_AUTH_BACKOFF_MIN,
		    RELAY_AUTH_BACKOFF_MAX);
	ev_timer_set(&pg->timer, delay, 0);
	ev_timer_start(loop, &pg->timer);
	if (req != NULL) {
		if (!req->retried && req->fn != NULL && was_up) {
			req->retried = 1;
			relay_auth_push(auth, req, 1);
		} else
			relay_auth_fail(req, AT_EUNAVAILABLE);
	}
	if (!relay_auth_reachable(auth))
		relay_auth_fail_queue(auth);
	else
		relay_auth_dispatch(auth);
}

static void
relay_pg_connected(struct relay_pg *pg)
{
	struct relay_auth	*auth = pg->auth;

	ev_timer_stop(auth->relay->loop, &pg->timer);
	if (PQsetnonblocking(pg->conn, 1) != 0) {
		relay_pg_lost(pg, "cannot make the connection non-blocking");
		return;
	}
	pg->state = RELAY_PG_IDLE;
	pg->backoff = 0;
	if (auth->down_logged) {
		log_info("database connection %u: up again", pg->index);
		auth->down_logged = 0;
	} else
		log_debug("database connection %u: up", pg->index);
	relay_pg_watch(pg, PQsocket(pg->conn), EV_READ);
	relay_auth_dispatch(auth);
}

static void
relay_pg_poll(struct relay_pg *pg)
{
	switch (PQconnectPoll(pg->conn)) {
	case PGRES_POLLING_READING:
		relay_pg_watch(pg, PQsocket(pg->conn), EV_READ);
		break;
	case PGRES_POLLING_WRITING:
		relay_pg_watch(pg, PQsocket(pg->conn), EV_WRITE);
		break;
	case PGRES_POLLING_OK:
		relay_pg_connected(pg);
		break;
	default:
		relay_pg_lost(pg, "cannot connect");
		break;
	}
}

/* Server notices (and errors that arrive while idle) go to our log, not
 * to libpq's default of standard error. */
static void
relay_pg_notice(void *arg, const char *message)
{
	struct relay_pg	*pg = arg;
	size_t		 len = strcspn(message, "\n");

	log_debug("database connection %u: %.*s", pg->index, (int)len,
	    message);
}

static void
relay_pg_connect(struct relay_pg *pg)
{
	struct relay_auth	*auth = pg->auth;

	pg->conn = db_connect_start(auth->conninfo, &auth->timeouts);
	if (pg->conn == NULL || PQstatus(pg->conn) == CONNECTION_BAD) {
		relay_pg_lost(pg, "cannot connect");
		return;
	}
	PQsetNoticeProcessor(pg->conn, relay_pg_notice, pg);
	pg->state = RELAY_PG_CONNECTING;
	ev_timer_set(&pg->timer, RELAY_AUTH_TIMEOUT, 0);
	ev_timer_start(auth->relay->loop, &pg->timer);
	/* As the libpq manual says: poll as if it had said "writing". */
	relay_pg_watch(pg, PQsocket(pg->conn), EV_WRITE);
}

/* Reads the result of a finished query (lib/relay_store.h), calls back. */
static void
relay_pg_deliver(struct relay_pg *pg, struct relay_auth_request *req,
    PGresult *res)
{
	struct relay_auth_result	 result;
	const char			*failure;

	memset(&result, 0, sizeof(result));
	switch (req->kind) {
	case RELAY_AUTH_PING:
		result.err = relay_store_ping_read(res, &failure);
		break;
	case RELAY_AUTH_LOGINS:
		result.err = relay_store_logins_read(res, &result.logins,
		    &failure);
		break;
	default:
		result.err = relay_store_check_read(res, &result.check,
		    &failure);
		break;
	}
	if (failure != NULL && req->fn != NULL)
		log_error("database connection %u: %s", pg->index, failure);
	relay_auth_finish(req, &result);
}

static void
relay_pg_send(struct relay_pg *pg, struct relay_auth_request *req)
{
	const char	*params[RELAY_STORE_CHECK_NPARAMS];
	int		 ok, flush;

	switch (req->kind) {
	case RELAY_AUTH_PING:
		ok = PQsendQueryParams(pg->conn, relay_store_ping_sql, 0, NULL,
		    NULL, NULL, NULL, 0);
		break;
	case RELAY_AUTH_LOGINS:
		params[0] = req->logins;
		ok = PQsendQueryParams(pg->conn, relay_store_logins_sql,
		    RELAY_STORE_LOGINS_NPARAMS, NULL, params, NULL, NULL, 0);
		break;
	default:
		params[0] = req->hash;
		params[1] = req->has_session ? req->session : NULL;
		ok = PQsendQueryParams(pg->conn, relay_store_check_sql,
		    RELAY_STORE_CHECK_NPARAMS, NULL, params, NULL, NULL, 0);
		break;
	}
	pg->current = req;
	pg->state = RELAY_PG_BUSY;
	if (!ok || (flush = PQflush(pg->conn)) == -1) {
		relay_pg_lost(pg, "cannot send a query");
		return;
	}
	ev_timer_set(&pg->timer, RELAY_AUTH_TIMEOUT, 0);
	ev_timer_start(pg->auth->relay->loop, &pg->timer);
	relay_pg_watch(pg, PQsocket(pg->conn),
	    flush == 1 ? EV_READ | EV_WRITE : EV_READ);
}

/* Hands queued requests to idle connections. */
static void
relay_auth_dispatch(struct relay_auth *auth)
{
	struct relay_auth_request *req;
	size_t			 i;

	for (i = 0; i < RELAY_AUTH_CONNECTIONS && auth->head != NULL; i++) {
		if (auth->pg[i].state != RELAY_PG_IDLE)
			continue;
		while ((req = relay_auth_pop(auth)) != NULL &&
		    req->fn == NULL)
			relay_auth_request_free(req);
		if (req == NULL)
			return;
		relay_pg_send(&auth->pg[i], req);
	}
}

/* Reads what the server sent; a finished query calls back. */
static void
relay_pg_read(struct relay_pg *pg)
{
	struct relay_auth_request *req;
	PGresult		*res;
	PGnotify		*note;

	if (!PQconsumeInput(pg->conn)) {
		relay_pg_lost(pg, "connection lost");
		return;
	}
	while ((note = PQnotifies(pg->conn)) != NULL)
		PQfreemem(note);
	if (pg->state == RELAY_PG_IDLE) {
		if (PQstatus(pg->conn) == CONNECTION_BAD)
			relay_pg_lost(pg, "connection lost");
		return;
	}
	while (!PQisBusy(pg->conn)) {
		if ((res = PQgetResult(pg->conn)) == NULL) {
			ev_timer_stop(pg->auth->relay->loop, &pg->timer);
			req = pg->current;
			res = pg->result;
			pg->current = NULL;
			pg->result = NULL;
			pg->state = RELAY_PG_IDLE;
			relay_pg_watch(pg, PQsocket(pg->conn), EV_READ);
			if (PQstatus(pg->conn) == CONNECTION_BAD) {
				/* Died under the query: retry elsewhere. */
				PQclear(res);
				pg->current = req;
				pg->state = RELAY_PG_BUSY;
				relay_pg_lost(pg, "connection lost");
				return;
			}
			relay_pg_deliver(pg, req, res);
			PQclear(res);
			relay_auth_dispatch(pg->auth);
			return;
		}
		if (pg->result == NULL)
			pg->result = res;
		else
			PQclear(res);
	}
}

static void
relay_pg_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay_pg	*pg = w->data;
	int		 flush;

	switch (pg->state) {
	case RELAY_PG_CONNECTING:
		relay_pg_poll(pg);
		break;
	case RELAY_PG_BUSY:
		if (revents & EV_WRITE) {
			if ((flush = PQflush(pg->conn)) == -1) {
				relay_pg_lost(pg, "cannot send a query");
				return;
			}
			if (flush == 0)
				relay_pg_watch(pg, PQsocket(pg->conn),
				    EV_READ);
		}
		if (revents & EV_READ)
			relay_pg_read(pg);
		break;
	case RELAY_PG_IDLE:
		relay_pg_read(pg);
		break;
	default:
		break;
	}
}

static void
relay_pg_timer(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct relay_pg	*pg = w->data;

	switch (pg->state) {
	case RELAY_PG_DOWN:
		relay_pg_connect(pg);
		break;
	case RELAY_PG_CONNECTING:
		relay_pg_lost(pg, "connect timed out");
		break;
	case RELAY_PG_BUSY:
		/* A stuck query must not hold the connection forever. */
		if (pg->current != NULL)
			pg->current->retried = 1;
		relay_pg_lost(pg, "query timed out");
		break;
	default:
		break;
	}
}

enum at_error
relay_auth_open(struct relay *relay, const char *conninfo,
    struct relay_auth **out)
{
	struct relay_auth	*auth;
	struct relay_pg		*pg;
	unsigned		 i;

	*out = NULL;
	if ((auth = calloc(1, sizeof(*auth))) == NULL)
		return AT_ENOMEM;
	if ((auth->conninfo = strdup(conninfo)) == NULL) {
		free(auth);
		return AT_ENOMEM;
	}
	auth->relay = relay;
	/* Connecting and each query have their own deadline here
	 * (RELAY_AUTH_TIMEOUT); these bound what the server spends. */
	auth->timeouts.statement = relay->config.database_statement_timeout;
	auth->timeouts.lock = relay->config.database_lock_timeout;
	auth->timeouts.idle_transaction =
	    relay->config.database_idle_transaction_timeout;
	for (i = 0; i < RELAY_AUTH_CONNECTIONS; i++) {
		pg = &auth->pg[i];
		pg->auth = auth;
		pg->index = i;
		pg->fd = -1;
		ev_init(&pg->io, relay_pg_io);
		pg->io.data = pg;
		ev_init(&pg->timer, relay_pg_timer);
		pg->timer.data = pg;
	}
	for (i = 0; i < RELAY_AUTH_CONNECTIONS; i++)
		relay_pg_connect(&auth->pg[i]);
	*out = auth;
	return AT_OK;
}

void
relay_auth_close(struct relay_auth *auth)
{
	struct relay_auth_request *req;
	struct relay_pg		*pg;
	size_t			 i;

	if (auth == NULL)
		return;
	for (i = 0; i < RELAY_AUTH_CONNECTIONS; i++) {
		pg = &auth->pg[i];
		ev_io_stop(auth->relay->loop, &pg->io);
		ev_timer_stop(auth->relay->loop, &pg->timer);
		if (pg->result != NULL)
			PQclear(pg->result);
		if (pg->conn != NULL)
			PQfinish(pg->conn);
		relay_auth_request_free(pg->current);
	}
	while ((req = relay_auth_pop(auth)) != NULL)
		relay_auth_request_free(req);
	free(auth->conninfo);
	free(auth);
}

static enum at_error
relay_auth_queue(struct relay_auth *auth, struct relay_auth_request *req,
    struct relay_auth_request **out)
{
	*out = NULL;
	if (!relay_auth_reachable(auth) ||
	    auth->queued >= RELAY_AUTH_QUEUE_MAX) {
		relay_auth_request_free(req);
		return AT_EUNAVAILABLE;
	}
	relay_auth_push(auth, req, 0);
	*out = req;
	relay_auth_dispatch(auth);
	return AT_OK;
}

enum at_error
relay_auth_check(struct relay_auth *auth, const char *hash_hex,
    const char *session_id, relay_auth_fn *fn, void *arg,
    struct relay_auth_request **out)
{
	struct relay_auth_request *req;

	*out = NULL;
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return AT_ENOMEM;
	req->kind = RELAY_AUTH_CHECK;
	req->fn = fn;
	req->arg = arg;
	snprintf(req->hash, sizeof(req->hash), "%s", hash_hex);
	if (session_id != NULL) {
		req->has_session = 1;
		snprintf(req->session, sizeof(req->session), "%s", session_id);
	}
	return relay_auth_queue(auth, req, out);
}

enum at_error
relay_auth_logins(struct relay_auth *auth,
    const unsigned char (*hashes)[TOKEN_HASH_BYTES], size_t n,
    relay_auth_fn *fn, void *arg, struct relay_auth_request **out)
{
	struct relay_auth_request *req;

	*out = NULL;
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return AT_ENOMEM;
	if ((req->logins = relay_store_logins_param(hashes, n)) == NULL) {
		free(req);
		return AT_ENOMEM;
	}
	req->kind = RELAY_AUTH_LOGINS;
	req->fn = fn;
	req->arg = arg;
	return relay_auth_queue(auth, req, out);
}

enum at_error
relay_auth_ping(struct relay_auth *auth, relay_auth_fn *fn, void *arg,
    struct relay_auth_request **out)
{
	struct relay_auth_request *req;

	*out = NULL;
	if ((req = calloc(1, sizeof(*req))) == NULL)
		return AT_ENOMEM;
	req->kind = RELAY_AUTH_PING;
	req->fn = fn;
	req->arg = arg;
	return relay_auth_queue(auth, req, out);
}

void
relay_auth_cancel(struct relay_auth_request *req)
{
	if (req != NULL)
		req->fn = NULL;
}

int
relay_auth_up(const struct relay_auth *auth)
{
	size_t	 i;

	for (i = 0; i < RELAY_AUTH_CONNECTIONS; i++)
		if (auth->pg[i].state == RELAY_PG_IDLE ||
		    auth->pg[i].state == RELAY_PG_BUSY)
			return 1;
	return 0;
}
