#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "util.h"

char *
util_printf(const char *fmt, ...)
{
	va_list	 ap;
	char	*s = NULL;

	va_start(ap, fmt);
	if (vasprintf(&s, fmt, ap) == -1)
		s = NULL;
	va_end(ap);
	return s;
}

static int
util_is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' ||
	    c == '\v' || c == '\f';
}

char *
util_trim(char *s)
{
	size_t	 start = 0, end = strlen(s);

	while (start < end && util_is_space(s[start]))
		start++;
	while (end > start && util_is_space(s[end - 1]))
		end--;
	memmove(s, s + start, end - start);
	s[end - start] = '\0';
	return s;
}

int
util_parse_long(const char *s, long min, long max, long *out,
    const char **why)
{
	char	*end;
	long	 v;

	if (*s == '\0' || util_is_space(*s)) {
		*why = "not a number";
		return -1;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*end != '\0') {
		*why = "not a number";
		return -1;
	}
	if (errno == ERANGE) {
		*why = v < 0 ? "too small" : "too large";
		return -1;
	}
	if (v < min) {
		*why = "too small";
		return -1;
	}
	if (v > max) {
		*why = "too large";
		return -1;
	}
	*out = v;
	return 0;
}

int
util_strcasecmp(const char *a, const char *b)
{
	return util_strncasecmp(a, b, (size_t)-1);
}

int
util_strncasecmp(const char *a, const char *b, size_t n)
{
	unsigned char	 ca = 0, cb = 0;

	for (; n > 0; n--) {
		ca = (unsigned char)*a++;
		cb = (unsigned char)*b++;
		if (ca >= 'A' && ca <= 'Z')
			ca = (unsigned char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (unsigned char)(cb - 'A' + 'a');
		if (ca != cb || ca == '\0')
			break;
	}
	return ca - cb;
}

enum at_error
util_crypto_init(void)
{
	return sodium_init() < 0 ? AT_EINTERNAL : AT_OK;
}
