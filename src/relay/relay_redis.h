/*
 * The relay's Redis side, hiredis async on the relay's libev loop.  A
 * subscriber context holds one SUBSCRIBE per class session with sockets
 * here ("attendance:session:<id>", see lib/events.h), the logins channel
 * ("attendance:logins": logouts) and the relay's own heartbeat channel;
 * a command context PUBLISHes the heartbeat there every RELAY_REDIS_BEAT
 * seconds.  hiredis 0.14 has no timeout and never
 * answers PING on a subscribed context, so the heartbeat coming back is
 * how a dead or hung Redis is noticed (TCP keepalive helps on TCP):
 * after RELAY_REDIS_DEAD seconds without it both contexts are rebuilt.
 * Reconnection backs off (with jitter), resubscribes every session that
 * still has sockets, and flags them for relay:resync (and the logins for
 * a check, since logouts may have been missed).
 *
 * This file is the I/O; what to subscribe, what the replies mean and
 * what an outage does are relay_subs.c's, which owns the session
 * records (relay_subs.h).  Subscription states live in struct
 * relay_session (relay_sessions.h).  A channel is never subscribed again
 * before its UNSUBSCRIBE is confirmed, and the logins and heartbeat
 * channels stay subscribed, which keeps clear of hiredis 0.14's pub/sub
 * bookkeeping bugs.  What happens to sessions is told through a struct
 * relay_redis_events, as hiredis's redisAsyncContext hooks do, so this
 * side knows nothing of the sockets.
 */
#ifndef ATTENDANCE_RELAY_REDIS_H
#define ATTENDANCE_RELAY_REDIS_H

#include "address.h"
#include "error.h"
#include "events.h"
#include "relay_sessions.h"
#include "relay_subs.h"

#define RELAY_REDIS_BEAT	2.0	/* seconds between heartbeats */
#define RELAY_REDIS_DEAD	7.0	/* no heartbeat back: rebuild */
#define RELAY_REDIS_BACKOFF_MIN	0.2
#define RELAY_REDIS_BACKOFF_MAX	1.0

struct ev_loop;
struct relay_redis;

/*
 * Starts connecting to address (copied; the redis key, lib/config.h) on
 * loop.  sessions is the table the records live in.  events (with arg)
 * are called from the loop's callbacks, never from inside
 * relay_redis_join() or relay_redis_leave().
 */
enum at_error	 relay_redis_open(struct ev_loop *loop,
		    const struct address *address,
		    const struct events_auth *auth,
		    struct relay_sessions *sessions,
		    const struct relay_redis_events *events, void *arg,
		    struct relay_redis **out) AT_MUSTCHECK;
/* Disconnects; NULL is fine.  The records left go with the table. */
void	 relay_redis_close(struct relay_redis *);

/* relay_subs_join() and relay_subs_leave(): a socket joins or leaves
 * the session of id, which is subscribed while it has members. */
int	 relay_redis_join(struct relay_redis *, const char *id,
	    struct relay_member *member, struct relay_session **out,
	    int *wait) AT_MUSTCHECK;
void	 relay_redis_leave(struct relay_redis *, struct relay_session *,
	    struct relay_member *member);

/* Both contexts connected and the heartbeat coming back. */
int	 relay_redis_up(const struct relay_redis *);

#endif
