/*
 * The relay's sockets by the login that opened them: a hash table from
 * a login's sid hash (token_hash()'s 32 bytes, the key the workers'
 * logout messages and the login check use) to the sockets of it, so
 * that a login's end finds its sockets without walking all of them.
 * Pure bookkeeping, no event loop, no allocation per socket: each
 * socket embeds its struct relay_login, which holds the hash, and
 * belongs to the socket; the table owns only its buckets.
 *
 * The sockets of one login stay next to each other in their chain, so
 * that one login with thousands of sockets (a screen reconnecting in a
 * loop, a benchmark) costs no more than its sockets: removal is O(1),
 * listing the logins and a login's sockets are linear.
 */
#ifndef ATTENDANCE_RELAY_LOGINS_H
#define ATTENDANCE_RELAY_LOGINS_H

#include <stddef.h>

#include "error.h"
#include "token.h"

/* A socket's place in the table; embed it, zeroed. */
struct relay_login {
	struct relay_login	*hnext;		/* hash chain */
	struct relay_login	**hprev;	/* to here; NULL: not in */
	unsigned char		 hash[TOKEN_HASH_BYTES];
};

struct relay_logins {
	struct relay_login	**buckets;
	size_t			  nbuckets;	/* a power of two */
	size_t			  count;	/* sockets, not logins */
};

enum at_error	 relay_logins_init(struct relay_logins *) AT_MUSTCHECK;
/* Frees the buckets (not the sockets' nodes).  NULL is fine. */
void	 relay_logins_free(struct relay_logins *);

/*
 * node, the socket's, joins the sockets of the login of hash.  Never
 * fails: when the table cannot grow, the old one goes on serving.
 */
void	 relay_logins_add(struct relay_logins *, struct relay_login *node,
	    const unsigned char hash[TOKEN_HASH_BYTES]);
/* Takes node out; a node not in the table (zeroed and never added, or
 * removed already) is left alone. */
void	 relay_logins_remove(struct relay_logins *, struct relay_login *node);

/* Calls fn for each socket of the login of hash; fn may remove the node
 * it is given (and no other). */
void	 relay_logins_each_of(struct relay_logins *,
	    const unsigned char hash[TOKEN_HASH_BYTES],
	    void (*fn)(struct relay_login *, void *), void *arg);

/*
 * Copies the hash of each login that has sockets, once each, into out,
 * at most max of them; returns how many.  max = count is always enough.
 */
size_t	 relay_logins_distinct(const struct relay_logins *,
	    unsigned char (*out)[TOKEN_HASH_BYTES], size_t max);

#endif
