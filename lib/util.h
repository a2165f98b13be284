/* Small string helpers shared by every module. */
#ifndef ATTENDANCE_UTIL_H
#define ATTENDANCE_UTIL_H

#include <stddef.h>

#include "error.h"

#if defined(__GNUC__)
#define AT_PRINTF(f, a) __attribute__((format(printf, f, a)))
#else
#define AT_PRINTF(f, a)
#endif

/* malloc'd formatted string, or NULL when out of memory. */
char	*util_printf(const char *fmt, ...) AT_PRINTF(1, 2);

/* Trims ASCII white space at both ends, in place; returns s. */
char	*util_trim(char *s);

/*
 * Parses a decimal integer in [min, max] with nothing after it.
 * Returns 0, or -1 with *why set to a static reason.
 */
int	 util_parse_long(const char *s, long min, long max, long *out,
	    const char **why);

/* libsodium's init, before any hash, token or random number: once, at
 * the start of every program. */
enum at_error	 util_crypto_init(void) AT_MUSTCHECK;

/* Case-insensitive ASCII comparison; 0 when equal. */
int	 util_strcasecmp(const char *a, const char *b);
/* The same, over at most n bytes. */
int	 util_strncasecmp(const char *a, const char *b, size_t n);

#endif
