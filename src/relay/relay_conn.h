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
#include "relay_subs.h"

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
 * What the Redis side calls (relay_redis_open()'s events, arg the
 * struct relay): a message for a session is queued as one text frame on
 * each of its open sockets, in order, and a socket whose queue would
 * pass relay_max_queue is dropped; after session:ended its sockets are
 * closed with 1000 and leave the session.  A ready session's sockets
 * waiting for the subscription are upgraded, and with resync every open
 * one gets relay:resync.
 */
extern const struct relay_redis_events	relay_conn_redis_events;

#endif
