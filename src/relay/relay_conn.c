#include <sys/socket.h>

#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stddef.h>
#include <stdlib.h>
#include <unistd.h>

#include "log.h"
#include "relay_accept.h"
#include "relay_auth.h"
#include "relay_conn.h"
#include "relay_deadline.h"
#include "relay_redis.h"
#include "relay_revoke.h"
#include "relay_upgrade.h"
#include "relay_ws.h"

static void	relay_conn_drain(struct relay_conn *);

/*
 * What one socket may still read in this readable event, so a client
 * that writes as fast as we read does not hold the loop; the descriptor
 * stays readable and the loop comes back to it.  One loop, one thread.
 */
static size_t	relay_conn_budget;

struct relay_conn *
relay_conn_of(struct relay_member *m)
{
	return (struct relay_conn *)(void *)((char *)m -
	    offsetof(struct relay_conn, member));
}

struct relay_conn *
relay_conn_of_login(struct relay_login *node)
{
	return (struct relay_conn *)(void *)((char *)node -
	    offsetof(struct relay_conn, login));
}

void
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
	if (c->list == RELAY_DEADLINE_OPEN)
		relay_deadline_append(c, RELAY_DEADLINE_OPEN);
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

const struct relay_ws_io relay_conn_ws_io = {
	relay_conn_recv,
	relay_conn_send
};

static void
relay_conn_pending_free(struct relay_pending *p)
{
	if (p == NULL)
		return;
	relay_auth_cancel(p->req);
	free(p->in);
	free(p->out);
	free(p->first);
	free(p);
}

struct relay_pending *
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
int
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
void
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
		relay_conn_pending_free(c->pending);
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

static void
relay_conn_io(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay_conn	*c = w->data;

	switch (c->state) {
	case RELAY_CONN_HEAD:
		relay_upgrade_read_head(c);
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

/*
 * Everything is sent: shut our side and read until the peer closes (or
 * the waiting list's deadline).  Closing at once with unread bytes from
 * the client would reset the connection and could destroy the answer or
 * close frame still on its way (a lingering close, as HTTP servers do).
 */
void
relay_conn_linger(struct relay_conn *c)
{
	if (shutdown(c->io.fd, SHUT_WR) == -1) {
		relay_conn_kill(c);
		return;
	}
	c->state = RELAY_CONN_LINGER;
	relay_deadline_append(c, RELAY_DEADLINE_WAITING);
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
void
relay_conn_close(struct relay_conn *c, uint16_t code)
{
	if (c->state != RELAY_CONN_OPEN)
		return;
	(void)relay_ws_close(&c->ws, code);
	c->state = RELAY_CONN_CLOSING;
	relay_deadline_append(c, RELAY_DEADLINE_WAITING);
	relay_conn_kick(c);
}

/* Ends c now; it is freed by the reaper before the loop polls again. */
void
relay_conn_kill(struct relay_conn *c)
{
	struct relay	*relay = c->relay;

	if (c->state == RELAY_CONN_DEAD)
		return;
	ev_io_stop(relay->loop, &c->io);
	close(c->io.fd);
	relay_deadline_unlink(c);
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
	relay_revoke_untrack(c);
	relay_ws_free(&c->ws);
	relay_conn_pending_free(c->pending);
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

void
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
	relay_deadline_append(c, RELAY_DEADLINE_WAITING);
	relay->nconns++;
	relay->stats.accepted++;
}

int
relay_conn_start(struct relay *relay)
{
	relay_deadline_start(relay);
	relay_revoke_start(relay);
	ev_prepare_init(&relay->reaper, relay_conn_reap);
	relay->reaper.data = relay;
	ev_prepare_start(relay->loop, &relay->reaper);
	relay_accept_start(relay);
	return AT_OK;
}

void
relay_conn_shutdown(struct relay *relay)
{
	struct relay_conn	*c, *next;

	relay->stopping = 1;
	relay_accept_stop(relay);
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
	relay_deadline_stop(relay);
	relay_revoke_stop(relay);
	ev_prepare_stop(relay->loop, &relay->reaper);
	relay_accept_free(relay);
}
