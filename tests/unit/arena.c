/*
 * lib/arena.h: the per-request bump allocator.  Each allocation is
 * filled with its own byte and checked afterwards, so an overlap shows;
 * the sanitizer build catches reads or writes out of bounds and leaks.
 */
#include <stdint.h>
#include <string.h>

#include <criterion/criterion.h>

#include "arena.h"

#define BIG	(100 * 1024)	/* larger than a chunk */

static struct arena	 arena;

static void
arena_setup(void)
{
	memset(&arena, 0, sizeof(arena));
}

static void
arena_teardown(void)
{
	arena_free(&arena);
	cr_assert_null(arena.chunks, "arena_free leaves chunks");
	cr_assert_eq(arena.used, 0);
}

TestSuite(arena, .init = arena_setup, .fini = arena_teardown);

static int
aligned(const void *p)
{
	return (uintptr_t)p % 16 == 0;
}

/* Whether the n bytes at p are all c. */
static int
filled(const unsigned char *p, size_t n, unsigned char c)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		if (p[i] != c)
			return 0;
	return 1;
}

Test(arena, many_small_allocations)
{
	enum { N = 5000 };
	static unsigned char	*p[N];
	size_t			 i;

	for (i = 0; i < N; i++) {
		size_t	 size = 1 + i % 40;

		p[i] = arena_alloc(&arena, size);
		cr_assert_not_null(p[i], "allocation %zu", i);
		memset(p[i], (int)(i & 0xff), size);
	}
	for (i = 0; i < N; i++)
		cr_assert(filled(p[i], 1 + i % 40, (unsigned char)(i & 0xff)),
		    "allocation %zu was overwritten", i);
}

Test(arena, alignment)
{
	static const size_t	 sizes[] = { 1, 3, 7, 8, 15, 16, 17, 31, 33,
	    100, 1000, 4095, BIG, 5, 16383, 16384, 16385, 2 };
	size_t			 i;
	void			*p;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		cr_assert_not_null(p = arena_alloc(&arena, sizes[i]));
		cr_assert(aligned(p), "size %zu at %p", sizes[i], p);
		memset(p, 0xa5, sizes[i]);
	}
	cr_assert(aligned(arena_strndup(&arena, "x", 1)));
	cr_assert(aligned(arena_printf(&arena, "%d", 7)));
}

Test(arena, allocation_larger_than_a_chunk)
{
	unsigned char	*small1, *big, *small2, *big2;

	cr_assert_not_null(small1 = arena_alloc(&arena, 32));
	memset(small1, 1, 32);
	cr_assert_not_null(big = arena_alloc(&arena, BIG));
	memset(big, 2, BIG);
	cr_assert_not_null(small2 = arena_alloc(&arena, 32));
	memset(small2, 3, 32);
	cr_assert_not_null(big2 = arena_alloc(&arena, 3 * BIG));
	memset(big2, 4, 3 * BIG);
	cr_assert(filled(small1, 32, 1));
	cr_assert(filled(big, BIG, 2));
	cr_assert(filled(small2, 32, 3));
	cr_assert(filled(big2, 3 * BIG, 4));
}

/* A big allocation first, into an empty arena, then small ones. */
Test(arena, big_first)
{
	unsigned char	*big, *small;

	cr_assert_not_null(big = arena_alloc(&arena, BIG));
	memset(big, 7, BIG);
	cr_assert_not_null(small = arena_alloc(&arena, 100));
	memset(small, 8, 100);
	cr_assert(filled(big, BIG, 7));
	cr_assert(filled(small, 100, 8));
	arena_reset(&arena);
	cr_assert_not_null(small = arena_alloc(&arena, 100));
	memset(small, 9, 100);
	cr_assert(filled(small, 100, 9));
}

/* A size whose rounding up wraps around is out of memory, not 0 bytes. */
Test(arena, size_overflow)
{
	cr_assert_null(arena_alloc(&arena, SIZE_MAX), "SIZE_MAX");
	cr_assert_null(arena_alloc(&arena, SIZE_MAX - 1), "SIZE_MAX - 1");
	cr_assert_null(arena_alloc(&arena, SIZE_MAX - 14), "SIZE_MAX - 14");
}

Test(arena, strndup)
{
	char	*s;

	cr_assert_not_null(s = arena_strndup(&arena, "hello, world", 5));
	cr_assert_str_eq(s, "hello");
	cr_assert_not_null(s = arena_strndup(&arena, "", 0));
	cr_assert_str_eq(s, "");
	/* len is what is copied, even past an embedded NUL's position. */
	cr_assert_not_null(s = arena_strndup(&arena, "ab\0cd", 5));
	cr_assert_eq(memcmp(s, "ab\0cd", 6), 0);
}

Test(arena, strndup_copies)
{
	char	 src[] = "mutable";
	char	*s;

	cr_assert_not_null(s = arena_strndup(&arena, src, strlen(src)));
	src[0] = 'X';
	cr_assert_str_eq(s, "mutable");
	cr_assert_neq(s, src);
}

Test(arena, printf)
{
	char	*s, big[BIG];

	cr_assert_not_null(s = arena_printf(&arena, "%s is %d", "answer",
	    42));
	cr_assert_str_eq(s, "answer is 42");
	cr_assert_not_null(s = arena_printf(&arena, "%s", ""));
	cr_assert_str_eq(s, "");
	/* Longer than a chunk. */
	memset(big, 'z', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	cr_assert_not_null(s = arena_printf(&arena, "<%s>", big));
	cr_assert_eq(strlen(s), sizeof(big) + 1);
	cr_assert_eq(s[0], '<');
	cr_assert_eq(s[sizeof(big)], '>');
	cr_assert_eq(s[sizeof(big) / 2], 'z');
}

Test(arena, reset_then_reuse)
{
	unsigned char	*p;
	int		 round;
	size_t		 i;

	for (round = 0; round < 5; round++) {
		for (i = 0; i < 3000; i++) {
			cr_assert_not_null(p = arena_alloc(&arena, 24));
			memset(p, round, 24);
		}
		cr_assert_not_null(p = arena_alloc(&arena, BIG));
		memset(p, round, BIG);
		arena_reset(&arena);
		cr_assert_eq(arena.used, 0, "round %d", round);
	}
	cr_assert_not_null(p = arena_alloc(&arena, 64));
	cr_assert(aligned(p));
	memset(p, 0, 64);
	cr_assert(filled(p, 64, 0));
}

/* After a reset the first chunk serves again: the memory is reused. */
Test(arena, reset_keeps_the_first_chunk)
{
	void	*first, *again;

	cr_assert_not_null(first = arena_alloc(&arena, 16));
	arena_reset(&arena);
	cr_assert_not_null(arena.chunks);
	cr_assert_not_null(again = arena_alloc(&arena, 16));
	cr_assert_eq(first, again);
}

Test(arena, reset_and_free_of_an_empty_arena)
{
	arena_reset(&arena);
	cr_assert_null(arena.chunks);
	arena_free(&arena);
	cr_assert_null(arena.chunks);
	arena_free(&arena);
	cr_assert_null(arena.chunks);
	cr_assert_not_null(arena_alloc(&arena, 1), "usable after free");
}
