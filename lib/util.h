/* Small string helpers shared by every module. */
#ifndef ATTENDANCE_UTIL_H
#define ATTENDANCE_UTIL_H

#include <stddef.h>

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

#define UTIL_TIMESTAMP_SIZE	25	/* 2026-11-24T08:00:00.123Z */

/*
 * The contract's form of a timestamp (RFC 3339, UTC, milliseconds) from
 * PostgreSQL's ISO output in UTC ("2026-11-24 08:00:00.123456+00"), which
 * is several times cheaper to produce than to_char().  Returns 0, or -1
 * when pg is not in that form.
 */
int	 util_timestamp(const char *pg, char out[UTIL_TIMESTAMP_SIZE]);

/* Case-insensitive ASCII comparison; 0 when equal. */
int	 util_strcasecmp(const char *a, const char *b);

#endif
