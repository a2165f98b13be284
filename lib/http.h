/*
 * HTTP details shared by the worker and the relay: cookies, Origin,
 * content types, ids in paths, status lines.  Pure functions on strings;
 * nothing here allocates.
 */
#ifndef ATTENDANCE_HTTP_H
#define ATTENDANCE_HTTP_H

#include <stddef.h>

#define HTTP_UUID_SIZE	37	/* 36 characters and a NUL */

/*
 * Copies the value of cookie name from a Cookie header into out.
 * Returns 0, or -1 when absent, empty, or longer than outsize - 1.
 */
int	 http_cookie_value(const char *header, const char *name, char *out,
	    size_t outsize);

/*
 * Whether origin is one of the space-separated allowed origins (exact,
 * ASCII case-insensitive, a trailing slash ignored on either side).
 */
int	 http_origin_allowed(const char *allowed, const char *origin);

/* Whether a Content-Type header names application/json (any params). */
int	 http_is_json(const char *content_type);

/*
 * Whether s is a UUID in its 8-4-4-4-12 hex form; the lowercase copy
 * goes to out (may be NULL).
 */
int	 http_uuid(const char *s, char out[HTTP_UUID_SIZE]);

/*
 * The value of parameter name in a query string ("a=1&next=%2Fx"),
 * percent-decoded ('+' is a space), into out.  Returns 0, or -1 when
 * absent, longer than outsize - 1, or badly escaped.  A decoded NUL is
 * refused: nothing after it could be seen.
 */
int	 http_query_value(const char *query, const char *name, char *out,
	    size_t outsize);

/*
 * Whether a FastCGI parameter name is a request header's (HTTP_<NAME>,
 * without regard to case): what any client can set.
 */
int	 http_param_is_header(const char *name);

/* The reason phrase of a status code ("Not Found"). */
const char	*http_reason(int status);

#endif
