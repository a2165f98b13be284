/*
 * Class sessions that have sockets at this relay: a hash table from
 * sessionId to the session's members (the sockets, as intrusive list
 * nodes the caller embeds) and the state of its Redis subscription.
 * Pure bookkeeping, no event loop.  The table holds the session
 * records, but relay_subs.c alone decides their lives: it creates them
 * (relay_subs_join()), moves the subscription state and frees a record
 * (relay_sessions_remove()) in one place; relay_sessions_free() frees
 * what is left at exit.  Members belong to their sockets.
 */
#ifndef ATTENDANCE_RELAY_SESSIONS_H
#define ATTENDANCE_RELAY_SESSIONS_H

#include <stddef.h>

#include "error.h"
#include "http.h"

/* A socket's place in its session's list; embed it. */
struct relay_member {
	struct relay_member	*prev, *next;
};

enum relay_sub {
	RELAY_SUB_NONE = 0,	/* not subscribed (Redis down, or new) */
	RELAY_SUB_PENDING,	/* SUBSCRIBE sent, not yet confirmed */
	RELAY_SUB_ACTIVE,	/* confirmed: messages flow */
	RELAY_SUB_LEAVING	/* UNSUBSCRIBE sent, not yet confirmed */
};

struct relay_session {
	struct relay_session	*hnext;		/* hash chain */
	struct relay_member	*members;	/* first member or NULL */
	unsigned		 nmembers;
	unsigned char		 sub;		/* enum relay_sub */
	/* Events may have been lost: send relay:resync once subscribed. */
	unsigned char		 resync;
	char			 id[HTTP_UUID_SIZE];
};

struct relay_sessions {
	struct relay_session	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  count;
};

int	 relay_sessions_init(struct relay_sessions *) AT_MUSTCHECK;
/* Frees every session record (not the members).  NULL is fine. */
void	 relay_sessions_free(struct relay_sessions *);

/* The session of id (a lowercase UUID), or NULL. */
struct relay_session *relay_sessions_find(const struct relay_sessions *,
	    const char *id);
/* The session of id, created empty when missing.  AT_OK or AT_ENOMEM. */
int	 relay_sessions_get(struct relay_sessions *, const char *id,
	    struct relay_session **out) AT_MUSTCHECK;
/* Unlinks and frees session, which must have no members. */
void	 relay_sessions_remove(struct relay_sessions *,
	    struct relay_session *session);

/*
 * Calls fn for every session; fn may remove the session it is given
 * (and no other).
 */
void	 relay_sessions_each(struct relay_sessions *,
	    void (*fn)(struct relay_session *, void *), void *arg);

void	 relay_session_join(struct relay_session *, struct relay_member *);
void	 relay_session_leave(struct relay_session *, struct relay_member *);

#endif
