/*
 * Publishing WebSocket events to Redis, for the relay to forward.  One
 * channel per class session, "attendance:session:<sessionId>"; each
 * message is {"event": NAME, "data": DATA}.  One channel for the relays
 * themselves, "attendance:logins": each message is a login that ended
 * (a logout), as the 64 hex digits of its sid's hash, never the sid, so
 * that the relays close that login's sockets.  PostgreSQL is the record:
 * a publish that fails is logged and counted, never an error of the
 * request, and Redis is reconnected on a later publish.
 */
#ifndef ATTENDANCE_EVENTS_H
#define ATTENDANCE_EVENTS_H

#include "address.h"

#define EVENTS_CHANNEL_PREFIX	"attendance:session:"
#define EVENTS_LOGINS_CHANNEL	"attendance:logins"

struct events;
struct redisContext;

/*
 * Redis's AUTH: an ACL user ("" or NULL for the default user) and its
 * password (NULL: no AUTH).  Raw tokens travel in PUBLISH, so whoever
 * can subscribe can read every live token: Redis wants a password, on a
 * unix socket of tight permissions.
 */
struct events_auth {
	const char	*user;
	const char	*password;
};

/* Sends AUTH on a connected synchronous context; 0, or -1 with *why. */
int		 events_authenticate(struct redisContext *,
		    const struct events_auth *, const char **why);

/* address and auth are copied (the redis keys, lib/config.h).  Connects
 * lazily; NULL when out of memory. */
struct events	*events_open(const struct address *address,
		    const struct events_auth *auth);
void		 events_close(struct events *);

/* data is a JSON text.  Returns 0, or -1 when the message was lost. */
int		 events_publish(struct events *, const char *session_id,
		    const char *name, const char *data);

/*
 * Tells the relays that the login of sid_hash (the hex bytea literal of
 * token_hash(), "\x" and 64 hex digits) ended.  As above.
 */
int		 events_publish_logout(struct events *, const char *sid_hash);

/* 0 when Redis answers PING now, -1 otherwise. */
int		 events_ping(struct events *);

/* Messages lost since start (Redis down or slow). */
unsigned long	 events_lost(const struct events *);

#endif
