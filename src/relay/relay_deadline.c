#include "log.h"
#include "relay_conn.h"
#include "relay_deadline.h"
#include "relay_upgrade.h"
#include "relay_ws.h"

static struct relay_list *
relay_deadline_list_of(struct relay_conn *c)
{
	switch (c->list) {
	case RELAY_DEADLINE_WAITING:
		return &c->relay->waiting;
	case RELAY_DEADLINE_OPEN:
		return &c->relay->open;
	default:
		return NULL;
	}
}

void
relay_deadline_unlink(struct relay_conn *c)
{
	struct relay_list	*list;

	if ((list = relay_deadline_list_of(c)) == NULL)
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
	c->list = RELAY_DEADLINE_NONE;
	list->count--;
}

/* Appends c with a deadline of now + the list's timeout. */
void
relay_deadline_append(struct relay_conn *c, int which)
{
	struct relay	*relay = c->relay;
	struct relay_list *list;

	relay_deadline_unlink(c);
	c->list = (unsigned char)which;
	list = relay_deadline_list_of(c);
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
relay_deadline_rearm(struct relay *relay, struct relay_list *list)
{
	ev_timer_stop(relay->loop, &list->timer);
	if (list->head == NULL)
		return;
	ev_timer_set(&list->timer, list->head->deadline -
	    ev_now(relay->loop), 0);
	ev_timer_start(relay->loop, &list->timer);
}

/* Deadlines before the upgrade, and of closing handshakes. */
static void
relay_deadline_waiting(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct relay		*relay = w->data;
	struct relay_conn	*c;
	ev_tstamp		 now = ev_now(loop);

	while ((c = relay->waiting.head) != NULL && c->deadline <= now) {
		if (c->state == RELAY_CONN_SUBWAIT) {
			/* Redis is slow: go ahead, resync later. */
			c->session->resync = 1;
			relay_upgrade_open(c);
			continue;
		}
		log_debug("conn %u: timed out", c->id);
		relay_conn_kill(c);
	}
	relay_deadline_rearm(relay, &relay->waiting);
}

/* Pings sockets silent for relay_ping_interval; drops those that stay
 * silent as long again. */
static void
relay_deadline_ping(struct ev_loop *loop, ev_timer *w, int revents)
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
		relay_deadline_append(c, RELAY_DEADLINE_OPEN);
		relay_conn_kick(c);
	}
	relay_deadline_rearm(relay, &relay->open);
}

void
relay_deadline_start(struct relay *relay)
{
	relay->waiting.timeout = RELAY_HANDSHAKE_TIMEOUT;
	ev_init(&relay->waiting.timer, relay_deadline_waiting);
	relay->waiting.timer.data = relay;
	relay->open.timeout = relay->config.relay_ping_interval;
	ev_init(&relay->open.timer, relay_deadline_ping);
	relay->open.timer.data = relay;
}

void
relay_deadline_stop(struct relay *relay)
{
	ev_timer_stop(relay->loop, &relay->waiting.timer);
	ev_timer_stop(relay->loop, &relay->open.timer);
}
