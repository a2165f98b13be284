#include <string.h>

#include "http.h"
#include "util.h"

int
http_cookie_value(const char *header, const char *name, char *out,
    size_t outsize)
{
	const char	*p = header, *value, *end;
	size_t		 namelen = strlen(name), len;

	if (header == NULL)
		return -1;
	/* RFC 6265: cookie-pair *( ";" SP cookie-pair ); be liberal with
	 * white space. */
	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ';')
			p++;
		end = p + strcspn(p, ";");
		if ((size_t)(end - p) > namelen &&
		    strncmp(p, name, namelen) == 0 && p[namelen] == '=') {
			value = p + namelen + 1;
			len = (size_t)(end - value);
			while (len > 0 && (value[len - 1] == ' ' ||
			    value[len - 1] == '\t'))
				len--;
			if (len >= 2 && value[0] == '"' &&
			    value[len - 1] == '"') {
				value++;
				len -= 2;
			}
			if (len == 0 || len >= outsize)
				return -1;
			memcpy(out, value, len);
			out[len] = '\0';
			return 0;
		}
		p = end;
	}
	return -1;
}

/* Compares two origins ignoring case and one trailing slash. */
static int
http_origin_equal(const char *a, size_t alen, const char *b, size_t blen)
{
	size_t	 i;

	if (alen > 0 && a[alen - 1] == '/')
		alen--;
	if (blen > 0 && b[blen - 1] == '/')
		blen--;
	if (alen != blen || alen == 0)
		return 0;
	for (i = 0; i < alen; i++) {
		char	 ca = a[i], cb = b[i];

		if (ca >= 'A' && ca <= 'Z')
			ca = (char)(ca - 'A' + 'a');
		if (cb >= 'A' && cb <= 'Z')
			cb = (char)(cb - 'A' + 'a');
		if (ca != cb)
			return 0;
	}
	return 1;
}

int
http_origin_allowed(const char *allowed, const char *origin)
{
	const char	*p = allowed;
	size_t		 len, olen = strlen(origin);

	while (*p != '\0') {
		while (*p == ' ' || *p == '\t' || *p == ',')
			p++;
		len = strcspn(p, " \t,");
		if (len > 0 && http_origin_equal(p, len, origin, olen))
			return 1;
		p += len;
	}
	return 0;
}

int
http_is_json(const char *content_type)
{
	static const char	 json[] = "application/json";
	size_t			 n = sizeof(json) - 1;
	char			 head[sizeof(json)];

	if (content_type == NULL)
		return 0;
	while (*content_type == ' ')
		content_type++;
	if (strlen(content_type) < n)
		return 0;
	memcpy(head, content_type, n);
	head[n] = '\0';
	if (util_strcasecmp(head, json) != 0)
		return 0;
	content_type += n;
	while (*content_type == ' ')
		content_type++;
	return *content_type == '\0' || *content_type == ';';
}

int
http_uuid(const char *s, char out[HTTP_UUID_SIZE])
{
	size_t	 i;
	char	 c;

	for (i = 0; i < HTTP_UUID_SIZE - 1; i++) {
		c = s[i];
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (c != '-')
				return 0;
		} else if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		else if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')))
			return 0;
		if (out != NULL)
			out[i] = c;
	}
	if (s[HTTP_UUID_SIZE - 1] != '\0')
		return 0;
	if (out != NULL)
		out[HTTP_UUID_SIZE - 1] = '\0';
	return 1;
}

static int
http_hex(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int
http_query_value(const char *query, const char *name, char *out,
    size_t outsize)
{
	const char	*p = query;
	size_t		 namelen = strlen(name), used;
	int		 hi, lo;

	if (query == NULL || outsize == 0)
		return -1;
	while (*p != '\0') {
		if (strncmp(p, name, namelen) != 0 || p[namelen] != '=') {
			p += strcspn(p, "&");
			if (*p == '&')
				p++;
			continue;
		}
		for (p += namelen + 1, used = 0; *p != '\0' && *p != '&';
		    p++) {
			if (used + 1 >= outsize)
				return -1;
			if (*p == '+')
				out[used++] = ' ';
			else if (*p != '%')
				out[used++] = *p;
			else if ((hi = http_hex(p[1])) == -1 ||
			    (lo = http_hex(p[2])) == -1 || hi + lo == 0)
				return -1;
			else {
				out[used++] = (char)(hi * 16 + lo);
				p += 2;
			}
		}
		out[used] = '\0';
		return 0;
	}
	return -1;
}

int
http_param_is_header(const char *name)
{
	return util_strncasecmp(name, "HTTP_", 5) == 0;
}

const char *
http_reason(int status)
{
	switch (status) {
	case 200: return "OK";
	case 201: return "Created";
	case 202: return "Accepted";
	case 204: return "No Content";
	case 302: return "Found";
	case 400: return "Bad Request";
	case 401: return "Unauthorized";
	case 403: return "Forbidden";
	case 404: return "Not Found";
	case 405: return "Method Not Allowed";
	case 409: return "Conflict";
	case 410: return "Gone";
	case 413: return "Payload Too Large";
	case 415: return "Unsupported Media Type";
	case 429: return "Too Many Requests";
	case 500: return "Internal Server Error";
	case 503: return "Service Unavailable";
	default: return "Unknown";
	}
}
