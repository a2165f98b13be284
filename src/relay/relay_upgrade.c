#include <sys/socket.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "http.h"
#include "log.h"
#include "relay_auth.h"
#include "relay_conn.h"
#include "relay_deadline.h"
#include "relay_http.h"
#include "relay_msg.h"
#include "relay_redis.h"
#include "relay_revoke.h"
#include "relay_upgrade.h"
#include "relay_ws.h"
#include "token.h"

/* A plain HTTP answer, then the connection closes. */
static void
relay_upgrade_answer(struct relay_conn *c, int status, const char *body)
{
	struct relay_pending	*p;
	size_t			 size = RELAY_HTTP_ANSWER_MAX + strlen(body);

	if ((p = relay_conn_pending(c)) == NULL) {
		relay_conn_kill(c);
		return;
	}
	free(p->out);
	if ((p->out = malloc(size)) == NULL) {
		relay_conn_kill(c);
		return;
	}
	relay_auth_cancel(p->req);
	p->req = NULL;
	p->outlen = relay_http_answer(p->out, size, status, body);
	p->outoff = 0;
	c->state = RELAY_CONN_ANSWER;
	if (c->list != RELAY_DEADLINE_WAITING)
		relay_deadline_append(c, RELAY_DEADLINE_WAITING);
	switch (relay_conn_flush_raw(c)) {
	case 0:
		relay_conn_linger(c);
		break;
	case 1:
		relay_conn_watch(c, EV_WRITE);
		break;
	default:
		relay_conn_kill(c);
		break;
	}
}

/*
 * Refuses the upgrade with the contract's error err: its code and
 * message in the body, status 0 for its own HTTP status
 * (error_http_status()), or the parser's more precise one.
 */
static void
relay_upgrade_refuse(struct relay_conn *c, enum at_error err, int status,
    const char *message)
{
	char	 body[256];

	if (status == 0)
		status = error_http_status(err);
	c->relay->stats.refused++;
	log_info("conn %u: %d %s: %s", c->id, status, error_code(err),
	    message);
	if (relay_http_error_body(body, sizeof(body), error_code(err),
	    message) == 0)
		body[0] = '\0';
	relay_upgrade_answer(c, status, body);
}

static void
relay_upgrade_health_answer(struct relay_conn *c, int database)
{
	char	 body[128];
	int	 redis = relay_redis_up(c->relay->redis);

	snprintf(body, sizeof(body), "{\"status\":\"%s\",\"database\":\"%s\","
	    "\"redis\":\"%s\"}", database && redis ? "ok" : "degraded",
	    database ? "ok" : "down", redis ? "ok" : "down");
	relay_upgrade_answer(c, error_http_status(database && redis ? AT_OK :
	    AT_EUNAVAILABLE), body);
}

static void
relay_upgrade_health_done(void *arg, struct relay_auth_result *result)
{
	struct relay_conn	*c = arg;

	c->pending->req = NULL;
	relay_upgrade_health_answer(c, result->err == AT_OK);
}

static void
relay_upgrade_health(struct relay_conn *c)
{
	struct relay_pending	*p = c->pending;

	if (relay_auth_ping(c->relay->auth, relay_upgrade_health_done, c,
	    &p->req) != AT_OK) {
		relay_upgrade_health_answer(c, 0);
		return;
	}
	c->state = RELAY_CONN_HEALTH;
	relay_conn_watch(c, 0);
}

void
relay_upgrade_open(struct relay_conn *c)
{
	struct relay		*relay = c->relay;
	struct relay_pending	*p = c->pending;
	const size_t		 size = 256;

	if ((p->out = malloc(size)) == NULL ||
	    relay_ws_init(&c->ws, &relay_conn_ws_io, c, RELAY_MESSAGE_MAX) !=
	    RELAY_WS_OK) {
		log_error("conn %u: out of memory", c->id);
		relay_conn_kill(c);
		return;
	}
	p->outlen = relay_http_switching(p->out, size, p->accept);
	p->outoff = 0;
	if (p->first != NULL) {
		(void)relay_ws_text(&c->ws, p->first, p->firstlen,
		    (size_t)relay->config.relay_max_queue);
		free(p->first);
		p->first = NULL;
	}
	c->state = RELAY_CONN_OPEN;
	c->pinged = 0;
	relay_deadline_append(c, RELAY_DEADLINE_OPEN);
	relay->stats.upgraded++;
	log_info("conn %u: open on session %s (%u sockets on it, %lu open)",
	    c->id, c->session->id, c->session->nmembers, relay->open.count);
	relay_conn_kick(c);
}

void
relay_upgrade_revoke(struct relay_conn *c)
{
	relay_upgrade_refuse(c, AT_EUNAUTHENTICATED, 0, "logged out");
}

/* The check said no: the contract's error, and what the screen reads. */
static void
relay_upgrade_denied(struct relay_conn *c, enum at_error err)
{
	static const struct {
		enum at_error	 err;
		const char	*message;
	} denials[] = {
		{ AT_EUNAUTHENTICATED,	"not logged in" },
		{ AT_EFORBIDDEN,	"professors only" },
		{ AT_ENOTFOUND,		"session not found" },
		{ AT_EUNAVAILABLE,	"database unavailable" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(denials) / sizeof(denials[0]); i++)
		if (denials[i].err == err) {
			relay_upgrade_refuse(c, err, 0, denials[i].message);
			return;
		}
	relay_upgrade_refuse(c, AT_EINTERNAL, 0, "internal error");
}

static void
relay_upgrade_checked(void *arg, struct relay_auth_result *result)
{
	struct relay_conn	*c = arg;
	struct relay		*relay = c->relay;
	struct relay_pending	*p = c->pending;
	struct relay_session	*session;
	int			 wait;

	p->req = NULL;
	if (result->err != AT_OK) {
		relay_upgrade_denied(c, result->err);
		return;
	}
	if (result->check.round_started != NULL &&
	    (p->first = relay_msg_round_started(result->check.round_started,
	    &p->firstlen)) == NULL) {
		relay_upgrade_refuse(c, AT_ENOMEM, 0, "out of memory");
		return;
	}
	if (relay_redis_join(relay->redis, p->session_id, &c->member,
	    &session, &wait) != AT_OK) {
		relay_upgrade_refuse(c, AT_ENOMEM, 0, "out of memory");
		return;
	}
	log_debug("conn %u: professor %s, session %s", c->id,
	    result->check.user_id, session->id);
	c->session = session;
	if (wait) {
		c->state = RELAY_CONN_SUBWAIT;
		return;
	}
	relay_upgrade_open(c);
}

/* The WebSocket checks of the contract, in its order. */
static void
relay_upgrade_check(struct relay_conn *c, const struct relay_http_request *req)
{
	struct relay		*relay = c->relay;
	struct relay_pending	*p = c->pending;
	char			 hash[TOKEN_HASH_HEX_SIZE];
	enum at_error		 rc;

	if (!req->has_origin || !http_origin_allowed(
	    relay->config.allowed_origins, req->origin)) {
		relay_upgrade_refuse(c, AT_ECSRF, 0,
		    "origin missing or not allowed");
		return;
	}
	if (!req->has_sid || !token_is_well_formed(req->sid)) {
		relay_upgrade_refuse(c, AT_EUNAUTHENTICATED, 0,
		    "not logged in");
		return;
	}
	token_hash(req->sid, hash);
	memcpy(p->accept, req->accept, sizeof(p->accept));
	memcpy(p->session_id, req->session_id, sizeof(p->session_id));
	rc = relay_auth_check(relay->auth, hash, req->has_session ?
	    req->session_id : NULL, relay_upgrade_checked, c, &p->req);
	if (rc != AT_OK) {
		if (rc == AT_ENOMEM)
			relay_upgrade_refuse(c, AT_ENOMEM, 0, "out of memory");
		else
			relay_upgrade_refuse(c, AT_EUNAVAILABLE, 0,
			    "database unavailable");
		return;
	}
	relay_revoke_track(c, hash);
	c->state = RELAY_CONN_AUTH;
	/* Nothing more may come before the 101: stop reading. */
	relay_conn_watch(c, 0);
}

void
relay_upgrade_read_head(struct relay_conn *c)
{
	struct relay_http_request req;
	struct relay_http_refusal bad;
	struct relay_pending	*p;
	ssize_t			 n;
	int			 rc;

	if ((p = relay_conn_pending(c)) == NULL ||
	    (p->in == NULL && (p->in = malloc(RELAY_HTTP_HEAD_MAX)) == NULL)) {
		relay_conn_kill(c);
		return;
	}
	n = recv(c->io.fd, p->in + p->inlen, RELAY_HTTP_HEAD_MAX - p->inlen,
	    0);
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
	    errno == EINTR))
		return;
	if (n <= 0) {
		relay_conn_kill(c);
		return;
	}
	p->inlen += (size_t)n;
	rc = relay_http_parse(p->in, p->inlen, &req, &bad);
	if (rc == RELAY_HTTP_MORE)
		return;
	free(p->in);
	p->in = NULL;
	if (rc == RELAY_HTTP_BAD)
		relay_upgrade_refuse(c, bad.err, bad.status, bad.why);
	else if (req.target == RELAY_HTTP_HEALTH)
		relay_upgrade_health(c);
	else
		relay_upgrade_check(c, &req);
	sodium_memzero(&req, sizeof(req));
}
