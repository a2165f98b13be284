#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay_logins.h"

#define RELAY_LOGINS_INITIAL	64

/* The hash is BLAKE2b's output, uniform already: its first bytes are
 * the bucket. */
static size_t
relay_logins_bucket(size_t nbuckets, const unsigned char *hash)
{
	uint64_t	 h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)h & (nbuckets - 1);
}

static int
relay_logins_same(const struct relay_login *a, const unsigned char *hash)
{
	return memcmp(a->hash, hash, TOKEN_HASH_BYTES) == 0;
}

/* Links node in after *at (a bucket or a node's hnext). */
static void
relay_logins_link(struct relay_login **at, struct relay_login *node)
{
	node->hnext = *at;
	if (node->hnext != NULL)
		node->hnext->hprev = &node->hnext;
	*at = node;
	node->hprev = at;
}

enum at_error
relay_logins_init(struct relay_logins *t)
{
	memset(t, 0, sizeof(*t));
	if ((t->buckets = calloc(RELAY_LOGINS_INITIAL,
	    sizeof(*t->buckets))) == NULL)
		return AT_ENOMEM;
	t->nbuckets = RELAY_LOGINS_INITIAL;
	return AT_OK;
}

void
relay_logins_free(struct relay_logins *t)
{
	if (t == NULL)
		return;
	free(t->buckets);
	memset(t, 0, sizeof(*t));
}

/*
 * Doubles the table; on failure the old one goes on serving.  A login's
 * sockets move as one run, spliced whole, so they stay together.
 */
static void
relay_logins_grow(struct relay_logins *t)
{
	struct relay_login	**buckets, *first, *last, *next;
	size_t			  n = t->nbuckets * 2, i, h;

	if ((buckets = calloc(n, sizeof(*buckets))) == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++)
		for (first = t->buckets[i]; first != NULL; first = next) {
			for (last = first; last->hnext != NULL &&
			    relay_logins_same(last->hnext, first->hash);
			    last = last->hnext)
				;
			next = last->hnext;
			h = relay_logins_bucket(n, first->hash);
			last->hnext = buckets[h];
			if (last->hnext != NULL)
				last->hnext->hprev = &last->hnext;
			buckets[h] = first;
			first->hprev = &buckets[h];
		}
	free(t->buckets);
	t->buckets = buckets;
	t->nbuckets = n;
}

void
relay_logins_add(struct relay_logins *t, struct relay_login *node,
    const unsigned char hash[TOKEN_HASH_BYTES])
{
	struct relay_login	**at, *p;

	if (t->count >= t->nbuckets)
		relay_logins_grow(t);
	memcpy(node->hash, hash, sizeof(node->hash));
	/* Next to the login's other sockets, else first in the chain. */
	at = &t->buckets[relay_logins_bucket(t->nbuckets, hash)];
	for (p = *at; p != NULL; p = p->hnext)
		if (relay_logins_same(p, hash)) {
			at = &p->hnext;
			break;
		}
	relay_logins_link(at, node);
	t->count++;
}

void
relay_logins_remove(struct relay_logins *t, struct relay_login *node)
{
	if (node->hprev == NULL)
		return;
	*node->hprev = node->hnext;
	if (node->hnext != NULL)
		node->hnext->hprev = node->hprev;
	node->hnext = NULL;
	node->hprev = NULL;
	t->count--;
}

void
relay_logins_each_of(struct relay_logins *t,
    const unsigned char hash[TOKEN_HASH_BYTES],
    void (*fn)(struct relay_login *, void *), void *arg)
{
	struct relay_login	*node, *next;

	node = t->buckets[relay_logins_bucket(t->nbuckets, hash)];
	while (node != NULL && !relay_logins_same(node, hash))
		node = node->hnext;
	/* The login's run of sockets, to its end. */
	for (; node != NULL && relay_logins_same(node, hash); node = next) {
		next = node->hnext;
		fn(node, arg);
	}
}

size_t
relay_logins_distinct(const struct relay_logins *t,
    unsigned char (*out)[TOKEN_HASH_BYTES], size_t max)
{
	const struct relay_login *node, *prev;
	size_t			 i, n = 0;

	for (i = 0; i < t->nbuckets && n < max; i++) {
		prev = NULL;
		for (node = t->buckets[i]; node != NULL && n < max;
		    node = node->hnext) {
			/* The first of its run. */
			if (prev == NULL || !relay_logins_same(prev,
			    node->hash))
				memcpy(out[n++], node->hash, sizeof(*out));
			prev = node;
		}
	}
	return n;
}
