/*
 * The relay's Redis side, hiredis async on the relay's libev loop.  A
 * subscriber context holds one SUBSCRIBE per class session with sockets
 * here ("attendance:session:<id>", see lib/events.h) and the relay's own
 * heartbeat channel; a command context PUBLISHes the heartbeat there
 * every RELAY_REDIS_BEAT seconds.  hiredis 0.14 has no timeout and never
 * answers PING on a subscribed context, so the heartbeat coming back is
 * how a dead or hung Redis is noticed (TCP keepalive helps on TCP):
 * after RELAY_REDIS_DEAD seconds without it both contexts are rebuilt.
 * Reconnection backs off (with jitter), resubscribes every session that
 * still has sockets, and flags them for relay:resync.
 *
 * Subscription states live in struct relay_session (relay_sessions.h).
 * A channel is never subscribed again before its UNSUBSCRIBE is
 * confirmed, and the heartbeat channel stays subscribed, which keeps
 * clear of hiredis 0.14's pub/sub bookkeeping bugs.
 */
#ifndef ATTENDANCE_RELAY_REDIS_H
#define ATTENDANCE_RELAY_REDIS_H

#include "address.h"
#include "error.h"
#include "relay.h"

#define RELAY_REDIS_BEAT	2.0	/* seconds between heartbeats */
#define RELAY_REDIS_DEAD	7.0	/* no heartbeat back: rebuild */
#define RELAY_REDIS_BACKOFF_MIN	0.2
#define RELAY_REDIS_BACKOFF_MAX	1.0

struct relay_redis;

/* address is copied (the redis key, lib/config.h).  Starts connecting. */
int	 relay_redis_open(struct relay *, const struct address *address,
	    struct relay_redis **out) AT_MUSTCHECK;
/* Disconnects; NULL is fine.  Sessions are left to their owner. */
void	 relay_redis_close(struct relay_redis *);

/*
 * A session has a new member.  Returns 1 when the caller should wait for
 * relay_conn_session_ready() before upgrading it (the subscription is on
 * its way), 0 when it may upgrade now: subscribed already, or Redis is
 * down (then session->resync is set, for when it comes back).
 */
int	 relay_redis_want(struct relay_redis *, struct relay_session *);

/*
 * A session lost its last member: unsubscribe, and free the record once
 * Redis confirms (at once when it was not subscribed).  The caller must
 * not use session afterwards.
 */
void	 relay_redis_release(struct relay_redis *, struct relay_session *);

/* Both contexts connected and the heartbeat coming back. */
int	 relay_redis_up(const struct relay_redis *);

#endif
