#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay_logins.h"

#define RELAY_LOGINS_INITIAL	64

/* The hash is BLAKE2b's output, uniform already: its first bytes are
 * the bucket. */
static size_t
relay_logins_bucket(const struct relay_logins *t,
    const unsigned char hash[TOKEN_HASH_BYTES])
{
	uint64_t	 h;

	memcpy(&h, hash, sizeof(h));
	return (size_t)h & (t->nbuckets - 1);
}

int
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

/* Doubles the table; on failure the old one goes on serving. */
static void
relay_logins_grow(struct relay_logins *t)
{
	struct relay_logins	 bigger;
	struct relay_login	*node, *next;
	size_t			 i, h;

	bigger.nbuckets = t->nbuckets * 2;
	bigger.count = t->count;
	if ((bigger.buckets = calloc(bigger.nbuckets,
	    sizeof(*bigger.buckets))) == NULL)
		return;
	for (i = 0; i < t->nbuckets; i++)
		for (node = t->buckets[i]; node != NULL; node = next) {
			next = node->hnext;
			h = relay_logins_bucket(&bigger, node->hash);
			node->hnext = bigger.buckets[h];
			bigger.buckets[h] = node;
		}
	free(t->buckets);
	*t = bigger;
}

void
relay_logins_add(struct relay_logins *t, struct relay_login *node,
    const unsigned char hash[TOKEN_HASH_BYTES])
{
	size_t	 h;

	if (t->count >= t->nbuckets)
		relay_logins_grow(t);
	memcpy(node->hash, hash, sizeof(node->hash));
	h = relay_logins_bucket(t, hash);
	node->hnext = t->buckets[h];
	t->buckets[h] = node;
	t->count++;
}

void
relay_logins_remove(struct relay_logins *t, struct relay_login *node)
{
	struct relay_login	**p;

	if (t->buckets == NULL)
		return;
	p = &t->buckets[relay_logins_bucket(t, node->hash)];
	for (; *p != NULL; p = &(*p)->hnext)
		if (*p == node) {
			*p = node->hnext;
			node->hnext = NULL;
			t->count--;
			return;
		}
}

void
relay_logins_each_of(struct relay_logins *t,
    const unsigned char hash[TOKEN_HASH_BYTES],
    void (*fn)(struct relay_login *, void *), void *arg)
{
	struct relay_login	*node, *next;

	for (node = t->buckets[relay_logins_bucket(t, hash)]; node != NULL;
	    node = next) {
		next = node->hnext;
		if (memcmp(node->hash, hash, sizeof(node->hash)) == 0)
			fn(node, arg);
	}
}

/* Whether a node before node in its chain has its hash. */
static int
relay_logins_seen(const struct relay_login *first,
    const struct relay_login *node)
{
	for (; first != node; first = first->hnext)
		if (memcmp(first->hash, node->hash, sizeof(node->hash)) == 0)
			return 1;
	return 0;
}

size_t
relay_logins_distinct(const struct relay_logins *t,
    unsigned char (*out)[TOKEN_HASH_BYTES], size_t max)
{
	const struct relay_login *node;
	size_t			 i, n = 0;

	/* The sockets of one login share a chain: looking back along it
	 * finds a login copied already. */
	for (i = 0; i < t->nbuckets && n < max; i++)
		for (node = t->buckets[i]; node != NULL && n < max;
		    node = node->hnext)
			if (!relay_logins_seen(t->buckets[i], node))
				memcpy(out[n++], node->hash, sizeof(*out));
	return n;
}
