#include <string.h>

#include "log.h"
#include "relay_conn.h"
#include "relay_deliver.h"
#include "relay_msg.h"
#include "relay_redis.h"
#include "relay_revoke.h"
#include "relay_upgrade.h"
#include "relay_ws.h"

/* relay_redis_events.deliver */
static void
relay_deliver_message(void *arg, struct relay_session *session,
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
relay_deliver_ready(void *arg, struct relay_session *session,
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
			relay_upgrade_open(c);
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

/* relay_redis_events.logout */
static void
relay_deliver_logout(void *arg, const unsigned char *hash)
{
	relay_revoke_login(arg, hash, "logged out (logout message)");
}

/* relay_redis_events.logins_resync */
static void
relay_deliver_logins_resync(void *arg)
{
	log_debug("logins channel subscribed again: checking the logins");
	relay_revoke_check(arg);
}

const struct relay_redis_events relay_deliver_events = {
	relay_deliver_message,
	relay_deliver_ready,
	relay_deliver_logout,
	relay_deliver_logins_resync
};
