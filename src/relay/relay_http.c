#include <stdio.h>
#include <string.h>

#include <nettle/base64.h>
#include <nettle/sha1.h>

#include "http.h"
#include "relay_http.h"

/* RFC 6455 section 1.3. */
#define RELAY_HTTP_GUID		"258EAFA5-E914-47DA-95CA-C5AB0DC85B11"

/* What the header fields of one request said. */
struct relay_http_fields {
	int		 hosts;
	int		 upgrade;	/* Upgrade lists "websocket" */
	int		 connection;	/* Connection lists "upgrade" */
	int		 versions;
	int		 version_13;
	int		 keys;
	const char	*key;
	size_t		 key_len;
	int		 origins;
};

static int
relay_http_lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c;
}

/* Case-insensitive comparison of s[0..len) with the NUL-terminated t. */
static int
relay_http_equal(const char *s, size_t len, const char *t)
{
	size_t	 i;

	for (i = 0; i < len; i++)
		if (t[i] == '\0' || relay_http_lower((unsigned char)s[i]) !=
		    relay_http_lower((unsigned char)t[i]))
			return 0;
	return t[len] == '\0';
}

/* RFC 7230 tchar. */
static int
relay_http_tchar(int c)
{
	if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
	    (c >= '0' && c <= '9'))
		return 1;
	return c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL;
}

/* Whether the comma-separated list v[0..len) holds token (any case). */
static int
relay_http_has_token(const char *v, size_t len, const char *token)
{
	size_t	 i = 0, start, end;

	while (i < len) {
		while (i < len && (v[i] == ' ' || v[i] == '\t' || v[i] == ','))
			i++;
		start = i;
		while (i < len && v[i] != ',')
			i++;
		end = i;
		while (end > start && (v[end - 1] == ' ' || v[end - 1] == '\t'))
			end--;
		if (end > start && relay_http_equal(v + start, end - start,
		    token))
			return 1;
	}
	return 0;
}

/*
 * The end of the head in buf[0..len): the offset just after the blank
 * line (CRLF CRLF, or bare LFs, which RFC 7230 lets a server accept), or
 * 0 when there is none yet.
 */
static size_t
relay_http_head_end(const char *buf, size_t len)
{
	size_t	 i;

	for (i = 0; i < len; i++) {
		if (buf[i] != '\n')
			continue;
		if (i + 1 < len && buf[i + 1] == '\n')
			return i + 2;
		if (i + 2 < len && buf[i + 1] == '\r' && buf[i + 2] == '\n')
			return i + 3;
	}
	return 0;
}

int
relay_http_key_valid(const char *key, size_t len)
{
	size_t	 i;

	if (len != RELAY_HTTP_KEY_LENGTH || key[22] != '=' || key[23] != '=')
		return 0;
	for (i = 0; i < 22; i++) {
		char	 c = key[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '+' || c == '/'))
			return 0;
	}
	return 1;
}

void
relay_http_accept(const char *key, size_t len,
    char out[RELAY_HTTP_ACCEPT_SIZE])
{
	struct sha1_ctx	 ctx;
	uint8_t		 digest[SHA1_DIGEST_SIZE];

	sha1_init(&ctx);
	sha1_update(&ctx, len, (const uint8_t *)key);
	sha1_update(&ctx, sizeof(RELAY_HTTP_GUID) - 1,
	    (const uint8_t *)RELAY_HTTP_GUID);
	sha1_digest(&ctx, sizeof(digest), digest);
	base64_encode_raw(out, sizeof(digest), digest);
	out[BASE64_ENCODE_RAW_LENGTH(SHA1_DIGEST_SIZE)] = '\0';
}

/*
 * Reads sessionId from the query q[0..len).  Absent, repeated, or not a
 * UUID: has_session stays 0 (the caller answers 404 after the checks
 * that come before it).
 */
static void
relay_http_query(const char *q, size_t len, struct relay_http_request *req)
{
	static const char	 name[] = "sessionId=";
	const size_t		 namelen = sizeof(name) - 1;
	char			 value[HTTP_UUID_SIZE];
	size_t			 i = 0, start, vlen;
	int			 seen = 0;

	while (i < len) {
		start = i;
		while (i < len && q[i] != '&')
			i++;
		if (i - start >= namelen && memcmp(q + start, name,
		    namelen) == 0) {
			seen++;
			vlen = i - start - namelen;
			if (vlen == HTTP_UUID_SIZE - 1) {
				memcpy(value, q + start + namelen, vlen);
				value[vlen] = '\0';
				req->has_session = http_uuid(value,
				    req->session_id);
			}
		}
		if (i < len)
			i++;
	}
	if (seen != 1) {
		req->has_session = 0;
		req->session_id[0] = '\0';
	}
}

/* Fills *bad; status 0 means the error's own (error_http_status()). */
static int
relay_http_refuse(struct relay_http_refusal *bad, enum at_error err,
    int status, const char *why)
{
	bad->err = err;
	bad->status = status != 0 ? status : error_http_status(err);
	bad->why = why;
	return RELAY_HTTP_BAD;
}

/* The request line: method, origin-form target, version. */
static int
relay_http_request_line(const char *line, size_t len,
    struct relay_http_request *req, struct relay_http_refusal *bad)
{
	const char	*sp1, *sp2, *target, *query;
	size_t		 tlen, plen;
	int		 get;

	if ((sp1 = memchr(line, ' ', len)) == NULL ||
	    (sp2 = memchr(sp1 + 1, ' ', len - (size_t)(sp1 + 1 - line))) ==
	    NULL) {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "malformed request line");
	}
	target = sp1 + 1;
	tlen = (size_t)(sp2 - target);
	if (!relay_http_equal(sp2 + 1, len - (size_t)(sp2 + 1 - line),
	    "HTTP/1.1") && !relay_http_equal(sp2 + 1,
	    len - (size_t)(sp2 + 1 - line), "HTTP/1.0")) {
		return relay_http_refuse(bad, AT_EINVALID, 505,
		    "HTTP version not supported");
	}
	if (tlen == 0 || target[0] != '/') {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "request target is not a path");
	}
	query = memchr(target, '?', tlen);
	plen = query != NULL ? (size_t)(query - target) : tlen;
	get = (size_t)(sp1 - line) == 3 && memcmp(line, "GET", 3) == 0;
	if (plen == 3 && memcmp(target, "/ws", 3) == 0)
		req->target = RELAY_HTTP_WEBSOCKET;
	else if (plen == 8 && memcmp(target, "/healthz", 8) == 0)
		req->target = RELAY_HTTP_HEALTH;
	else {
		return relay_http_refuse(bad, AT_ENOTFOUND, 0,
		    "no such path");
	}
	if (!get) {
		return relay_http_refuse(bad, AT_EMETHOD, 0,
		    "only GET is allowed");
	}
	if (req->target == RELAY_HTTP_WEBSOCKET && !relay_http_equal(sp2 + 1,
	    len - (size_t)(sp2 + 1 - line), "HTTP/1.1")) {
		return relay_http_refuse(bad, AT_EINVALID, 426,
		    "a WebSocket upgrade needs HTTP/1.1");
	}
	if (query != NULL)
		relay_http_query(query + 1, tlen - plen - 1, req);
	return RELAY_HTTP_OK;
}

/* One header field; name[0..nlen), value[0..vlen) trimmed. */
static void
relay_http_field(const char *name, size_t nlen, const char *value,
    size_t vlen, struct relay_http_request *req,
    struct relay_http_fields *f)
{
	char	 cookie[RELAY_HTTP_HEAD_MAX];

	if (relay_http_equal(name, nlen, "host"))
		f->hosts++;
	else if (relay_http_equal(name, nlen, "upgrade"))
		f->upgrade |= relay_http_has_token(value, vlen, "websocket");
	else if (relay_http_equal(name, nlen, "connection"))
		f->connection |= relay_http_has_token(value, vlen, "upgrade");
	else if (relay_http_equal(name, nlen, "sec-websocket-version")) {
		f->versions++;
		f->version_13 = vlen == 2 && memcmp(value, "13", 2) == 0;
	} else if (relay_http_equal(name, nlen, "sec-websocket-key")) {
		f->keys++;
		f->key = value;
		f->key_len = vlen;
	} else if (relay_http_equal(name, nlen, "origin")) {
		f->origins++;
		if (vlen <= RELAY_HTTP_ORIGIN_MAX) {
			memcpy(req->origin, value, vlen);
			req->origin[vlen] = '\0';
		}
		req->has_origin = f->origins == 1 &&
		    vlen <= RELAY_HTTP_ORIGIN_MAX && vlen > 0;
	} else if (relay_http_equal(name, nlen, "cookie") && !req->has_sid &&
	    vlen < sizeof(cookie)) {
		memcpy(cookie, value, vlen);
		cookie[vlen] = '\0';
		req->has_sid = http_cookie_value(cookie, "sid", req->sid,
		    sizeof(req->sid)) == 0;
	}
}

/*
 * Splits the header section head[0..len) (after the request line, up to
 * and including the blank line) into fields.
 */
static int
relay_http_fields(const char *head, size_t len,
    struct relay_http_request *req, struct relay_http_fields *f,
    struct relay_http_refusal *bad)
{
	const char	*line = head, *end = head + len, *eol, *colon, *v;
	const char	*why;
	size_t		 llen, nlen, vlen, i;

	while (line < end) {
		eol = memchr(line, '\n', (size_t)(end - line));
		llen = (size_t)(eol - line);
		if (llen > 0 && line[llen - 1] == '\r')
			llen--;
		if (llen == 0)
			return RELAY_HTTP_OK;	/* the blank line */
		if (line[0] == ' ' || line[0] == '\t') {
			why = "obsolete line folding";
			goto refuse;
		}
		if ((colon = memchr(line, ':', llen)) == NULL ||
		    colon == line) {
			why = "malformed header field";
			goto refuse;
		}
		nlen = (size_t)(colon - line);
		for (i = 0; i < nlen; i++)
			if (!relay_http_tchar((unsigned char)line[i])) {
				why = "malformed header field name";
				goto refuse;
			}
		v = colon + 1;
		vlen = llen - nlen - 1;
		for (i = 0; i < vlen; i++) {
			unsigned char	 c = (unsigned char)v[i];

			if ((c < 0x20 && c != '\t') || c == 0x7f) {
				why = "control character in a header field";
				goto refuse;
			}
		}
		while (vlen > 0 && (*v == ' ' || *v == '\t')) {
			v++;
			vlen--;
		}
		while (vlen > 0 && (v[vlen - 1] == ' ' || v[vlen - 1] == '\t'))
			vlen--;
		relay_http_field(line, nlen, v, vlen, req, f);
		line = eol + 1;
	}
	return RELAY_HTTP_OK;
refuse:
	return relay_http_refuse(bad, AT_EINVALID, 0, why);
}

int
relay_http_parse(const char *buf, size_t len, struct relay_http_request *req,
    struct relay_http_refusal *bad)
{
	struct relay_http_fields f;
	const char	*eol;
	size_t		 end, llen;
	int		 rc;

	memset(req, 0, sizeof(*req));
	memset(&f, 0, sizeof(f));
	memset(bad, 0, sizeof(*bad));
	end = relay_http_head_end(buf, len < RELAY_HTTP_HEAD_MAX ? len :
	    RELAY_HTTP_HEAD_MAX);
	if (end == 0) {
		if (len < RELAY_HTTP_HEAD_MAX)
			return RELAY_HTTP_MORE;
		return relay_http_refuse(bad, AT_EINVALID, 431,
		    "request head too large");
	}
	req->length = end;
	/* A NUL anywhere in the head is refused once, here. */
	if (memchr(buf, '\0', end) != NULL) {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "NUL in the request head");
	}
	eol = memchr(buf, '\n', end);
	llen = (size_t)(eol - buf);
	if (llen > 0 && buf[llen - 1] == '\r')
		llen--;
	rc = relay_http_request_line(buf, llen, req, bad);
	if (rc != RELAY_HTTP_OK)
		return rc;
	rc = relay_http_fields(eol + 1, end - (size_t)(eol + 1 - buf), req,
	    &f, bad);
	if (rc != RELAY_HTTP_OK)
		return rc;
	if (end != len) {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "data after the request head");
	}
	if (req->target == RELAY_HTTP_HEALTH)
		return RELAY_HTTP_OK;

	/* RFC 6455 section 4.2.1, in the order a client can fix them. */
	if (f.hosts != 1) {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "Host missing or repeated");
	}
	if (!f.upgrade || !f.connection) {
		return relay_http_refuse(bad, AT_EINVALID, 426,
		    "not a WebSocket upgrade");
	}
	if (f.versions == 0) {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "Sec-WebSocket-Version missing");
	}
	if (f.versions != 1 || !f.version_13) {
		return relay_http_refuse(bad, AT_EINVALID, 426,
		    "unsupported Sec-WebSocket-Version");
	}
	if (f.keys != 1 || !relay_http_key_valid(f.key, f.key_len)) {
		return relay_http_refuse(bad, AT_EINVALID, 0,
		    "Sec-WebSocket-Key missing or invalid");
	}
	relay_http_accept(f.key, f.key_len, req->accept);
	return RELAY_HTTP_OK;
}

size_t
relay_http_switching(char *out, size_t size, const char *accept)
{
	int	 n;

	n = snprintf(out, size, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: %s\r\n"
	    "\r\n", accept);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

static const char *
relay_http_reason(int status)
{
	switch (status) {
	case 426: return "Upgrade Required";
	case 431: return "Request Header Fields Too Large";
	case 505: return "HTTP Version Not Supported";
	default: return http_reason(status);
	}
}

size_t
relay_http_answer(char *out, size_t size, int status, const char *body)
{
	const char	*extra;
	int		 n;

	switch (status) {
	case 405:
		extra = "Allow: GET\r\n";
		break;
	case 426:
		extra = "Upgrade: websocket\r\nSec-WebSocket-Version: 13\r\n";
		break;
	case 503:
		extra = "Retry-After: 5\r\n";
		break;
	default:
		extra = "";
	}
	n = snprintf(out, size, "HTTP/1.1 %d %s\r\n"
	    "Content-Type: application/json; charset=utf-8\r\n"
	    "Content-Length: %zu\r\n"
	    "Cache-Control: no-store\r\n"
	    "%s"
	    "Connection: close\r\n"
	    "\r\n"
	    "%s", status, relay_http_reason(status), strlen(body), extra, body);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}

size_t
relay_http_error_body(char *out, size_t size, const char *code,
    const char *message)
{
	int	 n;

	n = snprintf(out, size, "{\"error\":{\"code\":\"%s\","
	    "\"message\":\"%s\"}}", code, message);
	return n > 0 && (size_t)n < size ? (size_t)n : 0;
}
