/*
 * From request head to WebSocket: reading the head (RELAY_HTTP_HEAD_MAX
 * bytes, relay_http.c), /healthz, the contract's checks in its order
 * (Origin here; the login, the role, the owner and the active round in
 * PostgreSQL through relay_auth.c), joining the session (relay_redis.c),
 * and the 101 with the round:started that goes first.  A refusal is a
 * plain answer with the contract's error (enum at_error, mapped by
 * lib/error.c), then a lingering close.
 */
#ifndef ATTENDANCE_RELAY_UPGRADE_H
#define ATTENDANCE_RELAY_UPGRADE_H

struct relay_conn;

/* c's socket is readable while its head is incomplete. */
void	 relay_upgrade_read_head(struct relay_conn *c);

/*
 * Completes the upgrade of c, accepted and in its session: queues the
 * 101 and round:started, and c becomes an open WebSocket.
 */
void	 relay_upgrade_open(struct relay_conn *c);

/* c's login ended before its upgrade completed (its check under way,
 * or waiting for the subscription): 401 instead. */
void	 relay_upgrade_revoke(struct relay_conn *c);

#endif
