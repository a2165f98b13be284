#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "arena.h"

#define ARENA_CHUNK	16384
#define ARENA_ALIGN	16

struct arena_chunk {
	struct arena_chunk	*next;
	size_t			 size;
	_Alignas(ARENA_ALIGN) unsigned char data[];
};

void *
arena_alloc(struct arena *a, size_t size)
{
	struct arena_chunk	*c;
	size_t			 need;

	if (size > SIZE_MAX - sizeof(*c) - ARENA_ALIGN)
		return NULL;
	size = (size + ARENA_ALIGN - 1) & ~(size_t)(ARENA_ALIGN - 1);
	if (a->chunks != NULL && a->chunks->size - a->used >= size) {
		void	*p = a->chunks->data + a->used;

		a->used += size;
		return p;
	}
	need = size > ARENA_CHUNK ? size : ARENA_CHUNK;
	if ((c = malloc(sizeof(*c) + need)) == NULL)
		return NULL;
	c->size = need;
	/* A big allocation goes behind the current chunk, keeping its room. */
	if (size > ARENA_CHUNK && a->chunks != NULL) {
		c->next = a->chunks->next;
		a->chunks->next = c;
		return c->data;
	}
	c->next = a->chunks;
	a->chunks = c;
	a->used = size;
	return c->data;
}

char *
arena_strndup(struct arena *a, const char *s, size_t len)
{
	char	*p;

	if ((p = arena_alloc(a, len + 1)) == NULL)
		return NULL;
	memcpy(p, s, len);
	p[len] = '\0';
	return p;
}

char *
arena_printf(struct arena *a, const char *fmt, ...)
{
	va_list	 ap;
	char	*p;
	int	 n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (p = arena_alloc(a, (size_t)n + 1)) == NULL)
		return NULL;
	va_start(ap, fmt);
	vsnprintf(p, (size_t)n + 1, fmt, ap);
	va_end(ap);
	return p;
}

void
arena_reset(struct arena *a)
{
	struct arena_chunk	*c, *next;

	if (a->chunks == NULL)
		return;
	for (c = a->chunks->next; c != NULL; c = next) {
		next = c->next;
		free(c);
	}
	/* Keep the first chunk only if it is a normal one. */
	if (a->chunks->size > ARENA_CHUNK) {
		free(a->chunks);
		a->chunks = NULL;
	} else
		a->chunks->next = NULL;
	a->used = 0;
}

void
arena_free(struct arena *a)
{
	arena_reset(a);
	free(a->chunks);
	a->chunks = NULL;
	a->used = 0;
}
