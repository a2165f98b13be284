#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "http.h"
#include "log.h"
#include "relay_auth.h"
#include "relay_conn.h"
#include "relay_http.h"
#include "relay_msg.h"
#include "relay_redis.h"
#include "relay_ws.h"
#include "token.h"

#define RELAY_ACCEPT_BATCH	64	/* accepts per readable event */
#define RELAY_READ_BUDGET	65536	/* bytes read per readable event */

enum relay_conn_state {
	RELAY_CONN_HEAD,	/* reading the request head */
	RELAY_CONN_AUTH,	/* waiting for the database's verdict */
	RELAY_CONN_HEALTH,	/* waiting for the database ping */
	RELAY_CONN_SUBWAIT,	/* accepted; waiting for the subscription */
	RELAY_CONN_ANSWER,	/* writing a plain answer, then closing */
	RELAY_CONN_OPEN,	/* a WebSocket */
	RELAY_CONN_CLOSING,	/* our close frame is queued or sent */
	RELAY_CONN_LINGER,	/* all sent, write side shut: draining */
	RELAY_CONN_DEAD		/* waiting for the reaper */
};

enum relay_conn_list {
	RELAY_LIST_NONE,
	RELAY_LIST_WAITING,
	RELAY_LIST_OPEN
};

/* What a connection needs only until it is upgraded (or answered). */
struct relay_pending {
	struct relay_auth_request *req;
	char			*in;		/* the request head so far */
	size_t			 inlen;
	char			*out;		/* raw bytes: answer or 101 */
	size_t			 outlen, outoff;
	char			*first;		/* round:started, after 101 */
	size_t			 firstlen;
	char			 accept[RELAY_HTTP_ACCEPT_SIZE];
	char			 session_id[HTTP_UUID_SIZE];
};

/*
 * Kept small (about 230 bytes): an idle open socket is this, relay_ws
 * included, which holds no buffer while idle, and the kernel's buffers;
 * the request buffer and the rest of relay_pending exist only during
 * the handshake.
 */
struct relay_conn {
	ev_io			 io;
	struct relay		*relay;
	struct relay_conn	*prev, *next;	/* its list, or the dead list */
	struct relay_member	 member;	/* in its session */
	struct relay_session	*session;
	struct relay_pending	*pending;
	struct relay_ws		 ws;
	ev_tstamp		 deadline;
	uint32_t		 id;
	unsigned char		 state;
	unsigned char		 list;
	unsigned char		 pinged;	/* a ping awaits its pong */
};

static void	relay_conn_kill(struct relay_conn *);
static void	relay_conn_kick(struct relay_conn *);
static void	relay_conn_linger(struct relay_conn *);
static void	relay_conn_drain(struct relay_conn *);

/*
 * What one socket may still read in this readable event, so a client
 * that writes as fast as we read does not hold the loop; the descriptor
 * stays readable and the loop comes back to it.  One loop, one thread.
 */
static size_t	relay_conn_budget;

static struct relay_conn *
relay_conn_of(struct relay_member *m)
{
	return (struct relay_conn *)(void *)((char *)m -
	    offsetof(struct relay_conn, member));
}

/* --- lists of deadlines ---------------------------------------------- */

static struct relay_list *
relay_conn_list_of(struct relay_conn *c)
{
	switch (c->list) {
	case RELAY_LIST_WAITING:
		return &c->relay->waiting;
	case RELAY_LIST_OPEN:
		return &c->relay->open;
	default:
		return NULL;
	}
}

static void
relay_list_unlink(struct relay_conn *c)
{
	struct relay_list	*list;

	if ((list = relay_conn_list_of(c)) == NULL)
		return;
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		list->head = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	else
		list->tail = c->prev;
	c->prev = c->next = NULL;
	c->list = RELAY_LIST_NONE;
	list->count--;
}

/* Appends c with a deadline of now + the list's timeout. */
static void
relay_list_append(struct relay_conn *c, int which)
{
	struct relay	*relay = c->relay;
	struct relay_list *list;

	relay_list_unlink(c);
	c->list = (unsigned char)which;
	list = relay_conn_list_of(c);
	c->deadline = ev_now(relay->loop) + list->timeout;
	c->next = NULL;
	c->prev = list->tail;
	if (list->tail != NULL)
		list->tail->next = c;
	else
		list->head = c;
	list->tail = c;
	list->count++;
	if (!ev_is_active(&list->timer)) {
		ev_timer_set(&list->timer, list->timeout, 0);
		ev_timer_start(relay->loop, &list->timer);
	}
}

static void
relay_list_rearm(struct relay *relay, struct relay_list *list)
{
	ev_timer_stop(relay->loop, &list->timer);
	if (list->head == NULL)
		return;
	ev_timer_set(&list->timer, list->head->deadline -
	    ev_now(relay->loop), 0);
	ev_timer_start(relay->loop, &list->timer);
}

/* --- I/O ------------------------------------------------------------- */

static void
relay_conn_watch(struct relay_conn *c, int events)
{
	struct ev_loop	*loop = c->relay->loop;

	if (ev_is_active(&c->io) && c->io.events == events)
		return;
	ev_io_stop(loop, &c->io);
	if (events == 0)
		return;
	ev_io_set(&c->io, c->io.fd, events);
	ev_io_start(loop, &c->io);
}

/* A sign of life: the ping deadline starts again. */
static void
relay_conn_alive(struct relay_conn *c)
{
	c->pinged = 0;
	if (c->list == RELAY_LIST_OPEN)
		relay_list_append(c, RELAY_LIST_OPEN);
}

static ssize_t
relay_conn_recv(void *arg, uint8_t *buf, size_t len)
{
	struct relay_conn	*c = arg;
	ssize_t			 n;

	if (relay_conn_budget == 0) {
		errno = EAGAIN;
		return -1;
	}
	if (len > relay_conn_budget)
		len = relay_conn_budget;
	n = recv(c->io.fd, buf, len, 0);
	if (n > 0) {
		relay_conn_budget -= (size_t)n;
		relay_conn_alive(c);
	}
	return n;
}

static ssize_t
relay_conn_send(void *arg, const uint8_t *data, size_t len, int more)
{
	struct relay_conn	*c = arg;

	return send(c->io.fd, data, len, MSG_NOSIGNAL |
	    (more ? MSG_MORE : 0));
}

static const struct relay_ws_io relay_conn_ws_io = {
	relay_conn_recv,
	relay_conn_send
};

static void
relay_pending_free(struct relay_pending *p)
{
	if (p == NULL)
		return;
	relay_auth_cancel(p->req);
	free(p->in);
	free(p->out);
	free(p->first);
	free(p);
}

static struct relay_pending *
relay_conn_pending(struct relay_conn *c)
{
	if (c->pending == NULL)
		c->pending = calloc(1, sizeof(*c->pending));
	return c->pending;
}

/*
 * Sends the raw bytes still pending (an answer or the 101).  0 when all
 * are out, 1 when the socket would block, -1 when it failed.
 */
static int
relay_conn_flush_raw(struct relay_conn *c)
{
	struct relay_pending	*p = c->pending;
	ssize_t			 n;

	while (p != NULL && p->out != NULL && p->outoff < p->outlen) {
		n = send(c->io.fd, p->out + p->outoff, p->outlen - p->outoff,
		    MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 1;
			if (errno == EINTR)
				continue;
			return -1;
		}
		p->outoff += (size_t)n;
	}
	return 0;
}

/* Sends what it can, then watches for what the socket still needs. */
static void
relay_conn_kick(struct relay_conn *c)
{
	int	 raw, events = 0;

	if (c->state != RELAY_CONN_OPEN && c->state != RELAY_CONN_CLOSING)
		return;
	if ((raw = relay_conn_flush_raw(c)) == -1) {
		relay_conn_kill(c);
		return;
	}
	if (raw == 0 && c->pending != NULL) {
		/* The 101 is out: the handshake state is over. */
		relay_pending_free(c->pending);
		c->pending = NULL;
	}
	if (raw == 0 && relay_ws_write(&c->ws) == RELAY_WS_DONE) {
		relay_conn_kill(c);
		return;
	}
	if (relay_ws_finished(&c->ws)) {
		log_debug("conn %u: closed (code %u)", c->id,
		    relay_ws_close_sent(&c->ws));
		relay_conn_linger(c);
		return;
	}
	if (relay_ws_want_read(&c->ws))
		events |= EV_READ;
	if (raw == 1 || relay_ws_want_write(&c->ws))
		events |= EV_WRITE;
	relay_conn_watch(c, events);
}

/* A plain HTTP answer, then the connection closes. */
static void
relay_conn_answer(struct relay_conn *c, int status, const char *body)
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
	if (c->list != RELAY_LIST_WAITING)
		relay_list_append(c, RELAY_LIST_WAITING);
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
relay_conn_refuse(struct relay_conn *c, int err, int status,
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
	relay_conn_answer(c, status, body);
}

/* --- health ------------------------------------------------------------ */

static void
relay_conn_health_answer(struct relay_conn *c, int database)
{
	char	 body[128];
	int	 redis = relay_redis_up(c->relay->redis);

	snprintf(body, sizeof(body), "{\"status\":\"%s\",\"database\":\"%s\","
	    "\"redis\":\"%s\"}", database && redis ? "ok" : "degraded",
	    database ? "ok" : "down", redis ? "ok" : "down");
	relay_conn_answer(c, error_http_status(database && redis ? AT_OK :
	    AT_EUNAVAILABLE), body);
}

static void
relay_conn_health_done(void *arg, struct relay_auth_result *result)
{
	struct relay_conn	*c = arg;

	c->pending->req = NULL;
	relay_conn_health_answer(c, result->err == AT_OK);
}

static void
relay_conn_health(struct relay_conn *c)
{
	struct relay_pending	*p = c->pending;

	if (relay_auth_ping(c->relay->auth, relay_conn_health_done, c,
	    &p->req) != AT_OK) {
		relay_conn_health_answer(c, 0);
		return;
	}
	c->state = RELAY_CONN_HEALTH;
	relay_conn_watch(c, 0);
}

/* --- the upgrade ------------------------------------------------------- */

static void
relay_conn_upgrade(struct relay_conn *c)
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
	relay_list_append(c, RELAY_LIST_OPEN);
	relay->stats.upgraded++;
	log_info("conn %u: open on session %s (%u sockets on it, %lu open)",
	    c->id, c->session->id, c->session->nmembers, relay->open.count);
	relay_conn_kick(c);
}

static void
relay_conn_checked(void *arg, struct relay_auth_result *result)
{
	struct relay_conn	*c = arg;
	struct relay		*relay = c->relay;
	struct relay_pending	*p = c->pending;
	struct relay_session	*session;
	int			 wait;

	p->req = NULL;
	switch (result->err) {
	case AT_OK:
		break;
	case AT_EUNAUTHENTICATED:
		relay_conn_refuse(c, result->err, 0, "not logged in");
		return;
	case AT_EFORBIDDEN:
		relay_conn_refuse(c, result->err, 0, "professors only");
		return;
	case AT_ENOTFOUND:
		relay_conn_refuse(c, result->err, 0, "session not found");
		return;
	case AT_EUNAVAILABLE:
		relay_conn_refuse(c, result->err, 0, "database unavailable");
		return;
	default:
		relay_conn_refuse(c, AT_EINTERNAL, 0, "internal error");
		return;
	}
	if (result->check.round_started != NULL &&
	    (p->first = relay_msg_round_started(result->check.round_started,
	    &p->firstlen)) == NULL) {
		relay_conn_refuse(c, AT_ENOMEM, 0, "out of memory");
		return;
	}
	if (relay_redis_join(relay->redis, p->session_id, &c->member,
	    &session, &wait) != AT_OK) {
		relay_conn_refuse(c, AT_ENOMEM, 0, "out of memory");
		return;
	}
	log_debug("conn %u: professor %s, session %s", c->id,
	    result->check.user_id, session->id);
	c->session = session;
	if (wait) {
		c->state = RELAY_CONN_SUBWAIT;
		return;
	}
	relay_conn_upgrade(c);
}

/* The WebSocket checks of the contract, in its order. */
static void
relay_conn_check(struct relay_conn *c, const struct relay_http_request *req)
{
	struct relay		*relay = c->relay;
	struct relay_pending	*p = c->pending;
	char			 hash[TOKEN_HASH_HEX_SIZE];
	int			 rc;

	if (!req->has_origin || !http_origin_allowed(
	    relay->config.allowed_origins, req->origin)) {
		relay_conn_refuse(c, AT_ECSRF, 0,
		    "origin missing or not allowed");
		return;
	}
	if (!req->has_sid || !token_is_well_formed(req->sid)) {
		relay_conn_refuse(c, AT_EUNAUTHENTICATED, 0, "not logged in");
		return;
	}
	token_hash(req->sid, hash);
	memcpy(p->accept, req->accept, sizeof(p->accept));
	memcpy(p->session_id, req->session_id, sizeof(p->session_id));
	rc = relay_auth_check(relay->auth, hash, req->has_session ?
	    req->session_id : NULL, relay_conn_checked, c, &p->req);
	if (rc != AT_OK) {
		if (rc == AT_ENOMEM)
			relay_conn_refuse(c, AT_ENOMEM, 0, "out of memory");
		else
			relay_conn_refuse(c, AT_EUNAVAILABLE, 0,
			    "database unavailable");
		return;
	}
	c->state = RELAY_CONN_AUTH;
	/* Nothing more may come before the 101: stop reading. */
	relay_conn_watch(c, 0);
}

static void
relay_conn_read_head(struct relay_conn *c)
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
		relay_conn_refuse(c, bad.err, bad.status, bad.why);
	else if (req.target == RELAY_HTTP_HEALTH)
		relay_conn_health(c);
	else
		relay_conn_check(c, &req);
	sodium_memzero(&req, sizeof(req));
}

static void
relay_conn_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay_conn	*c = w->data;

	switch (c->state) {
	case RELAY_CONN_HEAD:
		relay_conn_read_head(c);
		break;
	case RELAY_CONN_ANSWER:
		switch (relay_conn_flush_raw(c)) {
		case 0:
			relay_conn_linger(c);
			break;
		case 1:
			break;
		default:
			relay_conn_kill(c);
			break;
		}
		break;
	case RELAY_CONN_LINGER:
		relay_conn_drain(c);
		break;
	case RELAY_CONN_OPEN:
	case RELAY_CONN_CLOSING:
		relay_conn_budget = RELAY_READ_BUDGET;
		if ((revents & EV_READ) &&
		    relay_ws_read(&c->ws) == RELAY_WS_DONE) {
			relay_conn_kill(c);
			break;
		}
		relay_conn_kick(c);
		break;
	default:
		relay_conn_watch(c, 0);
		break;
	}
}

/* --- life and death ---------------------------------------------------- */

/*
 * Everything is sent: shut our side and read until the peer closes (or
 * the waiting list's deadline).  Closing at once with unread bytes from
 * the client would reset the connection and could destroy the answer or
 * close frame still on its way (a lingering close, as HTTP servers do).
 */
static void
relay_conn_linger(struct relay_conn *c)
{
	if (shutdown(c->io.fd, SHUT_WR) == -1) {
		relay_conn_kill(c);
		return;
	}
	c->state = RELAY_CONN_LINGER;
	relay_list_append(c, RELAY_LIST_WAITING);
	relay_conn_watch(c, EV_READ);
}

static void
relay_conn_drain(struct relay_conn *c)
{
	static char	 sink[4096];
	size_t		 total = 0;
	ssize_t		 n;

	while (total < RELAY_READ_BUDGET) {
		n = recv(c->io.fd, sink, sizeof(sink), 0);
		if (n > 0) {
			total += (size_t)n;
			continue;
		}
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK ||
		    errno == EINTR))
			return;
		relay_conn_kill(c);	/* end of file, or an error */
		return;
	}
}

/* Queues a close frame; the socket goes once the handshake completes. */
static void
relay_conn_close(struct relay_conn *c, uint16_t code)
{
	if (c->state != RELAY_CONN_OPEN)
		return;
	(void)relay_ws_close(&c->ws, code);
	c->state = RELAY_CONN_CLOSING;
	relay_list_append(c, RELAY_LIST_WAITING);
	relay_conn_kick(c);
}

/* Ends c now; it is freed by the reaper before the loop polls again. */
static void
relay_conn_kill(struct relay_conn *c)
{
	struct relay	*relay = c->relay;

	if (c->state == RELAY_CONN_DEAD)
		return;
	ev_io_stop(relay->loop, &c->io);
	close(c->io.fd);
	relay_list_unlink(c);
	if (c->pending != NULL) {
		relay_auth_cancel(c->pending->req);
		c->pending->req = NULL;
	}
	c->state = RELAY_CONN_DEAD;
	c->next = relay->dead;
	relay->dead = c;
}

static void
relay_conn_free(struct relay_conn *c)
{
	struct relay		*relay = c->relay;
	struct relay_session	*session;

	if ((session = c->session) != NULL) {
		c->session = NULL;
		relay_redis_leave(relay->redis, session, &c->member);
	}
	relay_ws_free(&c->ws);
	relay_pending_free(c->pending);
	relay->nconns--;
	free(c);
}

static void
relay_conn_reap_all(struct relay *relay)
{
	struct relay_conn	*c;

	while ((c = relay->dead) != NULL) {
		relay->dead = c->next;
		relay_conn_free(c);
	}
}

static void
relay_conn_reap(struct ev_loop *loop, ev_prepare *w, int revents)
{
	struct relay	*relay = w->data;

	relay_conn_reap_all(relay);
	if (relay->stopping && relay->nconns == 0)
		ev_break(loop, EVBREAK_ALL);
}

/* Deadlines before the upgrade, and of closing handshakes. */
static void
relay_conn_waiting_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct relay		*relay = w->data;
	struct relay_conn	*c;
	ev_tstamp		 now = ev_now(loop);

	while ((c = relay->waiting.head) != NULL && c->deadline <= now) {
		if (c->state == RELAY_CONN_SUBWAIT) {
			/* Redis is slow: go ahead, resync later. */
			c->session->resync = 1;
			relay_conn_upgrade(c);
			continue;
		}
		log_debug("conn %u: timed out", c->id);
		relay_conn_kill(c);
	}
	relay_list_rearm(relay, &relay->waiting);
}

/* Pings sockets silent for relay_ping_interval; drops those that stay
 * silent as long again. */
static void
relay_conn_ping_timeout(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct relay		*relay = w->data;
	struct relay_conn	*c;
	ev_tstamp		 now = ev_now(loop);

	while ((c = relay->open.head) != NULL && c->deadline <= now) {
		if (c->pinged || relay_ws_ping(&c->ws) != RELAY_WS_OK) {
			relay->stats.dropped_pong++;
			log_info("conn %u: no pong: dropped", c->id);
			relay_conn_kill(c);
			continue;
		}
		c->pinged = 1;
		relay_list_append(c, RELAY_LIST_OPEN);
		relay_conn_kick(c);
	}
	relay_list_rearm(relay, &relay->open);
}

/* Out of descriptors: accept and close one so it does not spin. */
static void
relay_conn_shed(struct relay *relay)
{
	static ev_tstamp	 warned;
	int			 fd;

	if (ev_now(relay->loop) - warned > 10) {
		log_warn("out of file descriptors (%lu connections)",
		    relay->nconns);
		warned = ev_now(relay->loop);
	}
	if (relay->reserve_fd == -1)
		return;
	close(relay->reserve_fd);
	if ((fd = accept(relay->listen_fd, NULL, NULL)) != -1)
		close(fd);
	relay->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* At relay_max_sockets (or stopping): a short 503 and close. */
static void
relay_conn_turn_away(struct relay *relay, int fd)
{
	static ev_tstamp	 warned;
	char			 body[128], out[RELAY_HTTP_ANSWER_MAX + 128];
	size_t			 len;

	relay->stats.refused++;
	if (!relay->stopping && ev_now(relay->loop) - warned > 10) {
		log_warn("relay_max_sockets (%lu) reached: turning "
		    "connections away", relay->max_sockets);
		warned = ev_now(relay->loop);
	}
	if (relay_http_error_body(body, sizeof(body),
	    error_code(AT_EUNAVAILABLE), "too many connections") == 0)
		body[0] = '\0';
	len = relay_http_answer(out, sizeof(out),
	    error_http_status(AT_EUNAVAILABLE), body);
	if (send(fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* Best effort: the client sees the close either way. */
	}
	close(fd);
}

static void
relay_conn_new(struct relay *relay, int fd)
{
	struct relay_conn	*c;
	int			 one = 1;

	if ((c = calloc(1, sizeof(*c))) == NULL) {
		log_error("out of memory for a connection");
		close(fd);
		return;
	}
	if (relay->unix_path == NULL)
		(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	c->relay = relay;
	c->id = ++relay->next_id;
	c->state = RELAY_CONN_HEAD;
	ev_io_init(&c->io, relay_conn_io, fd, EV_READ);
	c->io.data = c;
	ev_io_start(relay->loop, &c->io);
	relay_list_append(c, RELAY_LIST_WAITING);
	relay->nconns++;
	relay->stats.accepted++;
}

static void
relay_conn_accept(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay	*relay = w->data;
	int		 fd, i;

	for (i = 0; i < RELAY_ACCEPT_BATCH; i++) {
		fd = accept4(relay->listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				relay_conn_shed(relay);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (relay->stopping || relay->nconns >= relay->max_sockets)
			relay_conn_turn_away(relay, fd);
		else
			relay_conn_new(relay, fd);
	}
}

/* --- the interface ----------------------------------------------------- */

int
relay_conn_start(struct relay *relay)
{
	relay->waiting.timeout = RELAY_HANDSHAKE_TIMEOUT;
	ev_init(&relay->waiting.timer, relay_conn_waiting_timeout);
	relay->waiting.timer.data = relay;
	relay->open.timeout = relay->config.relay_ping_interval;
	ev_init(&relay->open.timer, relay_conn_ping_timeout);
	relay->open.timer.data = relay;
	ev_prepare_init(&relay->reaper, relay_conn_reap);
	relay->reaper.data = relay;
	ev_prepare_start(relay->loop, &relay->reaper);
	relay->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ev_io_init(&relay->listener, relay_conn_accept, relay->listen_fd,
	    EV_READ);
	relay->listener.data = relay;
	ev_io_start(relay->loop, &relay->listener);
	return AT_OK;
}

void
relay_conn_shutdown(struct relay *relay)
{
	struct relay_conn	*c, *next;

	relay->stopping = 1;
	ev_io_stop(relay->loop, &relay->listener);
	for (c = relay->open.head; c != NULL; c = next) {
		next = c->next;
		relay_conn_close(c, 1001);
	}
	for (c = relay->waiting.head; c != NULL; c = next) {
		next = c->next;
		if (c->state != RELAY_CONN_CLOSING)
			relay_conn_kill(c);
	}
}

void
relay_conn_free_all(struct relay *relay)
{
	while (relay->open.head != NULL)
		relay_conn_kill(relay->open.head);
	while (relay->waiting.head != NULL)
		relay_conn_kill(relay->waiting.head);
	relay_conn_reap_all(relay);
	ev_timer_stop(relay->loop, &relay->waiting.timer);
	ev_timer_stop(relay->loop, &relay->open.timer);
	ev_prepare_stop(relay->loop, &relay->reaper);
	ev_io_stop(relay->loop, &relay->listener);
	if (relay->reserve_fd != -1)
		close(relay->reserve_fd);
	relay->reserve_fd = -1;
}

/* relay_redis_events.deliver */
static void
relay_conn_deliver(void *arg, struct relay_session *session,
    const char *msg, size_t len)
{
	struct relay		*relay = arg;
	struct relay_member	*m, *next;
	struct relay_conn	*c;
	char			 name[RELAY_MSG_EVENT_MAX];
	int			 ended, rc;

	relay->stats.forwarded++;
	if (!relay_msg_sendable(msg, len)) {
		log_warn("session %s: dropped a message that is not UTF-8",
		    session->id);
		return;
	}
	ended = relay_msg_event(msg, len, name, sizeof(name)) == 0 &&
	    strcmp(name, "session:ended") == 0;
	for (m = session->members; m != NULL; m = next) {
		next = m->next;
		c = relay_conn_of(m);
		if (c->state != RELAY_CONN_OPEN)
			continue;
		rc = relay_ws_text(&c->ws, msg, len,
		    (size_t)relay->config.relay_max_queue);
		if (rc == RELAY_WS_FULL) {
			relay->stats.dropped_queue++;
			log_warn("conn %u: outgoing queue past %d bytes "
			    "(%zu queued): dropped", c->id,
			    relay->config.relay_max_queue,
			    relay_ws_queued(&c->ws));
			relay_conn_kill(c);
			continue;
		}
		if (rc != RELAY_WS_OK) {
			relay_conn_kill(c);
			continue;
		}
		relay_conn_kick(c);
	}
	if (!ended)
		return;
	/*
	 * The session is over: its sockets leave it and close with 1000.
	 * The last to leave may free the session.
	 */
	log_info("session %s ended: its sockets are closing", session->id);
	for (m = session->members; m != NULL; m = next) {
		next = m->next;
		c = relay_conn_of(m);
		c->session = NULL;
		relay_redis_leave(relay->redis, session, m);
		if (c->state == RELAY_CONN_OPEN)
			relay_conn_close(c, 1000);
		else
			relay_conn_kill(c);
	}
}

/* relay_redis_events.ready */
static void
relay_conn_session_ready(void *arg, struct relay_session *session,
    int resync)
{
	struct relay		*relay = arg;
	struct relay_member	*m, *next;
	struct relay_conn	*c;
	char			 msg[RELAY_MSG_RESYNC_SIZE];
	size_t			 len;

	for (m = session->members; m != NULL; m = next) {
		next = m->next;
		c = relay_conn_of(m);
		if (c->state == RELAY_CONN_SUBWAIT)
			relay_conn_upgrade(c);
	}
	if (!resync)
		return;
	len = relay_msg_resync(msg, session->id);
	log_info("session %s: resubscribed; relay:resync to %u sockets",
	    session->id, session->nmembers);
	for (m = session->members; m != NULL; m = next) {
		next = m->next;
		c = relay_conn_of(m);
		if (c->state != RELAY_CONN_OPEN)
			continue;
		if (relay_ws_text(&c->ws, msg, len,
		    (size_t)relay->config.relay_max_queue) != RELAY_WS_OK) {
			relay_conn_kill(c);
			continue;
		}
		relay_conn_kick(c);
	}
}

const struct relay_redis_events relay_conn_redis_events = {
	relay_conn_deliver,
	relay_conn_session_ready
};
