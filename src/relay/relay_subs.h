/*
 * The relay's subscriptions: the Redis side's state machine, without
 * hiredis or the loop (relay_redis.c does the I/O and calls in here).
 * Which session channels to SUBSCRIBE and UNSUBSCRIBE, what Redis's
 * confirmations and messages mean, what an outage does to the sessions
 * (every session with members is flagged for relay:resync and
 * subscribed again on reconnect, the others are dropped), and the
 * back-off before reconnecting.  Also what the logins channel
 * (EVENTS_LOGINS_CHANNEL, which relay_redis.c keeps subscribed) says:
 * a login that ended, and, once it is subscribed again after an
 * outage, that logouts may have been missed.
 *
 * Ownership: the session records live in a struct relay_sessions that
 * main.c creates and frees at exit, but their lives are decided here.
 * relay_subs_join() creates a record; relay_subs.c frees one in one
 * place (relay_subs_drop()), once it has no member and no SUBSCRIBE or
 * UNSUBSCRIBE is in flight.  Nothing else calls relay_sessions_remove().
 * Members belong to their sockets.
 */
#ifndef ATTENDANCE_RELAY_SUBS_H
#define ATTENDANCE_RELAY_SUBS_H

#include <stddef.h>

#include "error.h"
#include "relay_sessions.h"

/*
 * What the Redis side tells its user (relay_deliver.c), with the arg
 * given with the table.  session is valid for the call; deliver may make
 * the session's members leave (relay_redis_leave()), after which the
 * session must not be used.
 */
struct relay_redis_events {
	/* A message on session's channel; msg lives for the call. */
	void	(*deliver)(void *arg, struct relay_session *session,
		    const char *msg, size_t len);
	/*
	 * The session's sockets waiting for its subscription may go ahead:
	 * it is active, or Redis is down.  resync: events may have been
	 * lost while it was not subscribed; only set once it is active
	 * again, and then cleared.
	 */
	void	(*ready)(void *arg, struct relay_session *session,
		    int resync);
	/* A login ended (a logout): its sid's hash, TOKEN_HASH_BYTES. */
	void	(*logout)(void *arg, const unsigned char *hash);
	/* Logouts may have been lost while the logins channel was not
	 * subscribed (Redis was lost); it is again. */
	void	(*logins_resync)(void *arg);
};

/*
 * Sends verb ("SUBSCRIBE" or "UNSUBSCRIBE") for session's channel; 0 when
 * it went out, -1 when it could not (no subscriber connection).
 */
typedef int	relay_subs_send_fn(void *io, const char *verb,
		    const struct relay_session *session);

struct relay_subs {
	struct relay_sessions		*sessions;
	relay_subs_send_fn		*send;
	void				*io;
	const struct relay_redis_events	*events;
	void				*arg;
	double				 backoff;	/* current step, s */
	int				 logins_lost;	/* since the outage */
};

void	 relay_subs_init(struct relay_subs *, struct relay_sessions *,
	    relay_subs_send_fn *send, void *io,
	    const struct relay_redis_events *events, void *arg);

/*
 * member joins the session of id (created when missing).  *wait is 1
 * when the caller should wait for events->ready before upgrading (the
 * subscription is on its way), 0 when it may go ahead: subscribed
 * already, or Redis is down (then session->resync is set).  AT_OK with
 * *out, or AT_ENOMEM.
 */
int	 relay_subs_join(struct relay_subs *, const char *id,
	    struct relay_member *member, struct relay_session **out,
	    int *wait) AT_MUSTCHECK;

/*
 * member leaves session.  After the last one, the channel is
 * unsubscribed and the record freed once Redis confirms (at once when
 * nothing was subscribed): the caller must not use session afterwards.
 */
void	 relay_subs_leave(struct relay_subs *, struct relay_session *session,
	    struct relay_member *member);

/* The subscriber connection is up: SUBSCRIBE every session that has
 * members and nothing in flight. */
void	 relay_subs_connected(struct relay_subs *);

/*
 * Redis is gone: nothing is subscribed any more.  Sessions without
 * members are dropped; the others are flagged for resync and their
 * waiting sockets go ahead (events->ready).  Returns the delay before
 * reconnecting: relay_backoff() from RELAY_REDIS_BACKOFF_MIN to _MAX.
 */
double	 relay_subs_lost(struct relay_subs *);

/* A heartbeat came back: the next outage backs off from the start. */
void	 relay_subs_alive(struct relay_subs *);

/*
 * A pub/sub reply on channel[0..clen): kind "message" (msg[0..mlen), or
 * NULL when it was not a string), "subscribe" or "unsubscribe".  Replies
 * on other channels and for sessions not here are ignored, and so is a
 * message on the logins channel that is not 64 hex digits.
 */
void	 relay_subs_reply(struct relay_subs *, const char *kind,
	    const char *channel, size_t clen, const char *msg, size_t mlen);

#endif
