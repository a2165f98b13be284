/*
 * src/relay/relay_logins.c, the relay's sockets by login: each socket of
 * a login found and no other, with logins that share a bucket; removal
 * (also of a node never added, and while walking); the distinct logins
 * for the check; growth past the first buckets keeps every socket; a
 * login's sockets stay together in their chain (checked after every
 * change), so one login with thousands of sockets stays cheap.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "relay_logins.h"

#define N	1000

static struct relay_logins	 t;

static void
setup(void)
{
	cr_assert_eq(relay_logins_init(&t), AT_OK);
}

static void
teardown(void)
{
	relay_logins_free(&t);
}

TestSuite(relay_logins, .init = setup, .fini = teardown);

/* Login number i's hash; with low = 1, the bucket bits are the same for
 * every i (they share a chain), else they differ. */
static void
hash_of(unsigned i, int low, unsigned char out[TOKEN_HASH_BYTES])
{
	memset(out, 0xa5, TOKEN_HASH_BYTES);
	if (low) {
		out[TOKEN_HASH_BYTES - 1] = (unsigned char)i;
		out[TOKEN_HASH_BYTES - 2] = (unsigned char)(i >> 8);
	} else {
		out[0] = (unsigned char)i;
		out[1] = (unsigned char)(i >> 8);
	}
}

/*
 * The table's invariants: the links both ways, the count, every node in
 * the bucket of its hash, and each login's nodes in one run.
 */
static void
check_table(void)
{
	struct relay_login	*node, *other;
	struct relay_login	**back;
	size_t			 i, n = 0;
	uint64_t		 h;
	int			 ended;

	for (i = 0; i < t.nbuckets; i++) {
		back = &t.buckets[i];
		for (node = t.buckets[i]; node != NULL; node = node->hnext) {
			cr_assert_eq(node->hprev, back, "a broken back link");
			back = &node->hnext;
			memcpy(&h, node->hash, sizeof(h));
			cr_assert_eq(h & (t.nbuckets - 1), i, "wrong bucket");
			n++;
			/* Once its run ended, the login never comes back. */
			ended = 0;
			for (other = node->hnext; other != NULL;
			    other = other->hnext) {
				if (memcmp(other->hash, node->hash,
				    TOKEN_HASH_BYTES) != 0)
					ended = 1;
				else
					cr_assert(!ended, "in two runs");
			}
		}
	}
	cr_assert_eq(n, t.count);
}

struct seen {
	struct relay_login	*nodes[8];
	unsigned		 n;
	struct relay_logins	*remove;	/* removes each node seen */
};

static void
visit(struct relay_login *node, void *arg)
{
	struct seen	*s = arg;

	cr_assert_lt(s->n, 8);
	s->nodes[s->n++] = node;
	if (s->remove != NULL)
		relay_logins_remove(s->remove, node);
}

static void
count_only(struct relay_login *node, void *arg)
{
	(*(unsigned *)arg)++;
}

static unsigned
count_of(const unsigned char hash[TOKEN_HASH_BYTES], struct seen *s)
{
	memset(s, 0, sizeof(*s));
	relay_logins_each_of(&t, hash, visit, s);
	return s->n;
}

static int
holds(const struct seen *s, const struct relay_login *node)
{
	unsigned	 i;

	for (i = 0; i < s->n; i++)
		if (s->nodes[i] == node)
			return 1;
	return 0;
}

static void
sockets_of_a_login(int low)
{
	struct relay_login	 a1, a2, b1, never;
	unsigned char		 a[TOKEN_HASH_BYTES], b[TOKEN_HASH_BYTES];
	unsigned char		 c[TOKEN_HASH_BYTES];
	struct seen		 s;

	hash_of(1, low, a);
	hash_of(2, low, b);
	hash_of(3, low, c);
	relay_logins_add(&t, &a1, a);
	relay_logins_add(&t, &b1, b);
	relay_logins_add(&t, &a2, a);
	cr_assert_eq(t.count, 3);
	check_table();

	cr_assert_eq(count_of(a, &s), 2);
	cr_assert(holds(&s, &a1) && holds(&s, &a2));
	cr_assert_eq(count_of(b, &s), 1);
	cr_assert(holds(&s, &b1));
	cr_assert_eq(count_of(c, &s), 0);

	relay_logins_remove(&t, &a1);
	cr_assert_eq(t.count, 2);
	cr_assert_eq(count_of(a, &s), 1);
	cr_assert(holds(&s, &a2));
	/* Removed twice, or never added (zeroed, or with a hash): nothing
	 * changes. */
	relay_logins_remove(&t, &a1);
	memset(&never, 0, sizeof(never));
	relay_logins_remove(&t, &never);
	memcpy(never.hash, b, sizeof(never.hash));
	relay_logins_remove(&t, &never);
	cr_assert_eq(t.count, 2);
	cr_assert_eq(count_of(b, &s), 1);
	check_table();
}

Test(relay_logins, sockets_of_a_login)
{
	sockets_of_a_login(0);
}

Test(relay_logins, logins_sharing_a_bucket)
{
	sockets_of_a_login(1);
}

Test(relay_logins, remove_while_walking)
{
	struct relay_login	 n1, n2, n3, other;
	unsigned char		 a[TOKEN_HASH_BYTES], b[TOKEN_HASH_BYTES];
	struct seen		 s;

	hash_of(7, 1, a);
	hash_of(8, 1, b);
	relay_logins_add(&t, &n1, a);
	relay_logins_add(&t, &other, b);
	relay_logins_add(&t, &n2, a);
	relay_logins_add(&t, &n3, a);
	memset(&s, 0, sizeof(s));
	s.remove = &t;
	relay_logins_each_of(&t, a, visit, &s);
	cr_assert_eq(s.n, 3);
	cr_assert_eq(t.count, 1);
	check_table();
	cr_assert_eq(count_of(a, &s), 0);
	cr_assert_eq(count_of(b, &s), 1);
}

static int
listed(unsigned char (*list)[TOKEN_HASH_BYTES], size_t n,
    const unsigned char hash[TOKEN_HASH_BYTES])
{
	size_t	 i, found = 0;

	for (i = 0; i < n; i++)
		found += memcmp(list[i], hash, TOKEN_HASH_BYTES) == 0;
	return (int)found;
}

Test(relay_logins, distinct)
{
	static struct relay_login	 nodes[6];
	unsigned char			 list[6][TOKEN_HASH_BYTES];
	unsigned char			 h[3][TOKEN_HASH_BYTES];
	unsigned			 i;

	cr_assert_eq(relay_logins_distinct(&t, list, 6), 0);
	hash_of(1, 1, h[0]);
	hash_of(2, 1, h[1]);		/* the same bucket as h[0] */
	hash_of(3, 0, h[2]);
	/* Logins 0 and 1 with two sockets each, interleaved; 2 with one
	 * after a removal. */
	relay_logins_add(&t, &nodes[0], h[0]);
	relay_logins_add(&t, &nodes[1], h[1]);
	relay_logins_add(&t, &nodes[2], h[0]);
	relay_logins_add(&t, &nodes[3], h[1]);
	relay_logins_add(&t, &nodes[4], h[2]);
	relay_logins_add(&t, &nodes[5], h[2]);
	relay_logins_remove(&t, &nodes[4]);
	check_table();
	cr_assert_eq(relay_logins_distinct(&t, list, t.count), 3);
	for (i = 0; i < 3; i++)
		cr_assert_eq(listed(list, 3, h[i]), 1, "login %u", i);
	/* Never past max. */
	memset(list, 0, sizeof(list));
	cr_assert_eq(relay_logins_distinct(&t, list, 2), 2);
	cr_assert_eq(listed(list, 2, h[0]) + listed(list, 2, h[1]) +
	    listed(list, 2, h[2]), 2);
}

Test(relay_logins, grows_and_keeps_every_socket)
{
	static struct relay_login	 nodes[N];
	static unsigned char		 list[N][TOKEN_HASH_BYTES];
	unsigned char			 h[TOKEN_HASH_BYTES];
	struct seen			 s;
	unsigned			 i;

	for (i = 0; i < N; i++) {
		hash_of(i / 2, 0, h);		/* two sockets per login */
		relay_logins_add(&t, &nodes[i], h);
	}
	cr_assert_eq(t.count, N);
	cr_assert_geq(t.nbuckets, N, "the table did not grow");
	check_table();
	for (i = 0; i < N / 2; i++) {
		hash_of(i, 0, h);
		cr_assert_eq(count_of(h, &s), 2, "login %u", i);
		cr_assert(holds(&s, &nodes[2 * i]) &&
		    holds(&s, &nodes[2 * i + 1]));
	}
	cr_assert_eq(relay_logins_distinct(&t, list, N), N / 2);
	for (i = 0; i < N; i++)
		relay_logins_remove(&t, &nodes[i]);
	cr_assert_eq(t.count, 0);
	cr_assert_eq(relay_logins_distinct(&t, list, N), 0);
}

/*
 * One login with many sockets, and other logins in its bucket before and
 * after it: through growth its sockets stay one run; its logout finds
 * them all, the others keep theirs; removal from the middle keeps the
 * run.
 */
Test(relay_logins, one_login_many_sockets)
{
	static struct relay_login	 many[N], before[3], after[3];
	static unsigned char		 list[N][TOKEN_HASH_BYTES];
	unsigned char			 h[TOKEN_HASH_BYTES];
	unsigned char			 hb[TOKEN_HASH_BYTES];
	unsigned char			 ha[TOKEN_HASH_BYTES];
	struct seen			 s;
	unsigned			 i, n;

	hash_of(0, 1, h);
	hash_of(1, 1, hb);		/* the same bucket, always */
	hash_of(2, 1, ha);
	relay_logins_add(&t, &before[0], hb);
	for (i = 0; i < N; i++) {
		relay_logins_add(&t, &many[i], h);
		if (i == N / 2)
			relay_logins_add(&t, &after[0], ha);
		if (i == N / 3)
			relay_logins_add(&t, &before[1], hb);
	}
	relay_logins_add(&t, &after[1], ha);
	relay_logins_add(&t, &before[2], hb);
	check_table();
	cr_assert_geq(t.nbuckets, N);
	cr_assert_eq(relay_logins_distinct(&t, list, t.count), 3);
	for (i = N / 4; i < N / 2; i++)
		relay_logins_remove(&t, &many[i]);
	check_table();
	memset(&s, 0, sizeof(s));
	n = 0;
	relay_logins_each_of(&t, h, count_only, &n);
	cr_assert_eq(n, N - N / 4);
	cr_assert_eq(count_of(hb, &s), 3);
	cr_assert_eq(count_of(ha, &s), 2);
}

Test(relay_logins, free_null)
{
	relay_logins_free(NULL);
}
