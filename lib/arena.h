/*
 * A bump allocator for what one request needs: everything is freed at
 * once by arena_reset() at the end of the request, so a handler never
 * frees and cannot leak.
 */
#ifndef ATTENDANCE_ARENA_H
#define ATTENDANCE_ARENA_H

#include <stddef.h>

struct arena_chunk;

struct arena {
	struct arena_chunk	*chunks;
	size_t			 used;	/* in the first chunk */
};

/* NULL when out of memory.  Memory is aligned for any type. */
void	*arena_alloc(struct arena *, size_t size);
char	*arena_strndup(struct arena *, const char *s, size_t len);
char	*arena_printf(struct arena *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Frees everything but the first chunk, which is kept for reuse. */
void	 arena_reset(struct arena *);
/* Frees everything. */
void	 arena_free(struct arena *);

#endif
