/*
 * The relay's sockets, on the libev loop: accepting (up to
 * relay_max_sockets), reading the request head (RELAY_HTTP_HEAD_MAX bytes
 * within RELAY_HANDSHAKE_TIMEOUT), the checks (Origin here, the rest in
 * PostgreSQL through relay_auth.c), the upgrade, forwarding a session's
 * events, pings, the outgoing bound, closing.  A connection ends alone
 * on any error of its own; it is freed before the loop next polls, so a
 * callback may end connections while it walks a session's list.
 */
#ifndef ATTENDANCE_RELAY_CONN_H
#define ATTENDANCE_RELAY_CONN_H

#include <stddef.h>

#include "error.h"
#include "relay.h"

/* Sets up the lists, timers and the accept watcher on relay->listen_fd. */
int	 relay_conn_start(struct relay *) AT_MUSTCHECK;

/*
 * SIGTERM: stops accepting, closes every WebSocket with 1001 and drops
 * the connections not yet upgraded; the loop ends once every connection
 * is gone or after RELAY_SHUTDOWN_GRACE seconds.
 */
void	 relay_conn_shutdown(struct relay *);

/* Frees every connection left (after the loop ended). */
void	 relay_conn_free_all(struct relay *);

/*
 * A message from Redis for session: queued as one text frame on each of
 * its open sockets, in order; a socket whose queue would pass
 * relay_max_queue is dropped.  After session:ended its sockets are
 * closed with 1000 and leave the session.
 */
void	 relay_conn_deliver(struct relay *, struct relay_session *,
	    const char *msg, size_t len);

/*
 * The session's subscription is active (or Redis is down): its sockets
 * waiting for it are upgraded, and relay:resync goes to every open one
 * when session->resync was set and the subscription is active.
 */
void	 relay_conn_session_ready(struct relay *, struct relay_session *);

#endif
