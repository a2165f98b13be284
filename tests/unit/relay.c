/*
 * src/relay, the modules without an event loop: the upgrade request
 * parser and Sec-WebSocket-Accept (relay_http), the WebSocket codec with
 * its close codes and the outgoing-queue bound (relay_ws, driven through
 * buffers: every failure path, frames split across reads and writes),
 * the messages (relay_msg) and the session table (relay_sessions); the
 * listen address is lib/address.h's (tests/unit/address.c).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "relay_http.h"
#include "relay_msg.h"
#include "relay_sessions.h"
#include "relay_ws.h"

#define SESSION	"0b7e6c1e-2f4a-4c8e-9a55-3d1f0e8b7c42"
#define KEY	"dGhlIHNhbXBsZSBub25jZQ=="
/* RFC 6455 section 1.3 (note the "9kYG"). */
#define ACCEPT	"s3pPLMBiTxaQ9kYGzzhZRbK+xOo="

/* A request head with the usual fields; extra goes before the blank
 * line. */
static char *
head(const char *target, const char *extra)
{
	static char	 buf[RELAY_HTTP_HEAD_MAX * 2];

	snprintf(buf, sizeof(buf), "GET %s HTTP/1.1\r\n"
	    "Host: localhost\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Origin: http://localhost\r\n"
	    "%s"
	    "\r\n", target, extra);
	return buf;
}

/*
 * relay_http_parse() of len bytes; *status is the refusal's HTTP status
 * (0 unless refused), checked against its error: the error's own
 * status, or HTTP's 426, 431 or 505 for an invalid request.
 */
static int
parse_len(const char *text, size_t len, struct relay_http_request *req,
    int *status)
{
	struct relay_http_refusal bad;
	int			 rc;

	rc = relay_http_parse(text, len, req, &bad);
	*status = bad.status;
	if (rc != RELAY_HTTP_BAD) {
		cr_assert_eq(bad.status, 0);
		return rc;
	}
	cr_assert_not_null(bad.why);
	if (bad.status == 426 || bad.status == 431 || bad.status == 505)
		cr_assert_eq(bad.err, AT_EINVALID, "%d: %s", bad.status,
		    error_code(bad.err));
	else
		cr_assert_eq(error_http_status(bad.err), bad.status,
		    "%d: %s", bad.status, error_code(bad.err));
	return rc;
}

static int
parse(const char *text, struct relay_http_request *req, int *status)
{
	return parse_len(text, strlen(text), req, status);
}

static void
expect_refused(const char *text, int want)
{
	struct relay_http_request req;
	int			 status;

	cr_assert_eq(parse(text, &req, &status), RELAY_HTTP_BAD, "%s", text);
	cr_assert_eq(status, want, "%d instead of %d for %s", status, want,
	    text);
}

/* --- relay_http ------------------------------------------------------ */

Test(relay_http, accept_of_the_rfc_example)
{
	char	 out[RELAY_HTTP_ACCEPT_SIZE];

	relay_http_accept(KEY, strlen(KEY), out);
	cr_assert_str_eq(out, ACCEPT);
}

Test(relay_http, good_request)
{
	struct relay_http_request req;
	int			 status;

	cr_assert_eq(parse(head("/ws?sessionId=" SESSION,
	    "Sec-WebSocket-Key: " KEY "\r\n"
	    "Cookie: theme=dark; sid=abc_DEF-123; lang=fr\r\n"), &req,
	    &status), RELAY_HTTP_OK);
	cr_assert_eq(req.target, RELAY_HTTP_WEBSOCKET);
	cr_assert(req.has_session);
	cr_assert_str_eq(req.session_id, SESSION);
	cr_assert(req.has_origin);
	cr_assert_str_eq(req.origin, "http://localhost");
	cr_assert(req.has_sid);
	cr_assert_str_eq(req.sid, "abc_DEF-123");
	cr_assert_str_eq(req.accept, ACCEPT);
	cr_assert_eq(req.length, strlen(head("/ws?sessionId=" SESSION,
	    "Sec-WebSocket-Key: " KEY "\r\n"
	    "Cookie: theme=dark; sid=abc_DEF-123; lang=fr\r\n")));
}

Test(relay_http, fields_in_any_case_and_token_lists)
{
	struct relay_http_request req;
	int			 status;
	const char		*text =
	    "GET /ws?sessionId=" SESSION " HTTP/1.1\r\n"
	    "HOST: example.edu\r\n"
	    "upgrade: WebSocket\r\n"
	    "connection: keep-alive, Upgrade\r\n"
	    "sec-websocket-version: 13\r\n"
	    "SEC-WEBSOCKET-KEY:   " KEY "  \r\n"
	    "origin: https://attendance.example.edu\r\n"
	    "X-Forwarded-For: 10.0.0.1\r\n"
	    "\r\n";

	cr_assert_eq(parse(text, &req, &status), RELAY_HTTP_OK);
	cr_assert_str_eq(req.accept, ACCEPT);
	cr_assert_str_eq(req.origin, "https://attendance.example.edu");
	cr_assert(!req.has_sid);
}

Test(relay_http, bare_line_feeds)
{
	struct relay_http_request req;
	int			 status;

	cr_assert_eq(parse("GET /ws?sessionId=" SESSION " HTTP/1.1\n"
	    "Host: h\nUpgrade: websocket\nConnection: upgrade\n"
	    "Sec-WebSocket-Version: 13\nSec-WebSocket-Key: " KEY "\n\n",
	    &req, &status), RELAY_HTTP_OK);
	cr_assert(req.has_session);
}

Test(relay_http, key_missing_or_invalid)
{
	expect_refused(head("/ws", ""), 400);
	expect_refused(head("/ws", "Sec-WebSocket-Key: \r\n"), 400);
	expect_refused(head("/ws",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ\r\n"), 400);
	expect_refused(head("/ws",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ=\r\n"), 400);
	expect_refused(head("/ws",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub2*jZQ==\r\n"), 400);
	expect_refused(head("/ws",
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==x\r\n"), 400);
	expect_refused(head("/ws", "Sec-WebSocket-Key: " KEY "\r\n"
	    "Sec-WebSocket-Key: " KEY "\r\n"), 400);
	cr_assert(relay_http_key_valid(KEY, strlen(KEY)));
	cr_assert(!relay_http_key_valid("AAAAAAAAAAAAAAAAAAAAAAAA", 24));
}

Test(relay_http, wrong_or_missing_version)
{
	const char	*base = "GET /ws HTTP/1.1\r\nHost: h\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Key: " KEY "\r\n";
	char		 text[1024];

	snprintf(text, sizeof(text), "%sSec-WebSocket-Version: 8\r\n\r\n",
	    base);
	expect_refused(text, 426);
	snprintf(text, sizeof(text), "%sSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Version: 8\r\n\r\n", base);
	expect_refused(text, 426);
	snprintf(text, sizeof(text), "%s\r\n", base);
	expect_refused(text, 400);
}

Test(relay_http, not_an_upgrade)
{
	expect_refused("GET /ws?sessionId=" SESSION " HTTP/1.1\r\n"
	    "Host: h\r\n\r\n", 426);
	expect_refused("GET /ws HTTP/1.1\r\nHost: h\r\nUpgrade: websocket\r\n"
	    "Connection: keep-alive\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: " KEY "\r\n\r\n", 426);
	expect_refused("GET /ws HTTP/1.0\r\nHost: h\r\n\r\n", 426);
	expect_refused("GET /ws HTTP/1.1\r\nUpgrade: websocket\r\n"
	    "Connection: Upgrade\r\nSec-WebSocket-Version: 13\r\n"
	    "Sec-WebSocket-Key: " KEY "\r\n\r\n", 400);
}

Test(relay_http, routes_and_methods)
{
	struct relay_http_request req;
	int			 status;

	expect_refused("GET / HTTP/1.1\r\nHost: h\r\n\r\n", 404);
	expect_refused("GET /wss HTTP/1.1\r\nHost: h\r\n\r\n", 404);
	expect_refused("GET /api/health HTTP/1.1\r\nHost: h\r\n\r\n", 404);
	expect_refused("POST /ws HTTP/1.1\r\nHost: h\r\n\r\n", 405);
	expect_refused("HEAD /healthz HTTP/1.1\r\nHost: h\r\n\r\n", 405);
	expect_refused("GET /ws HTTP/2.0\r\nHost: h\r\n\r\n", 505);
	expect_refused("GET ws HTTP/1.1\r\nHost: h\r\n\r\n", 400);
	expect_refused("GARBAGE\r\n\r\n", 400);
	expect_refused("\r\n\r\n", 400);
	cr_assert_eq(parse("GET /healthz HTTP/1.1\r\nHost: h\r\n\r\n", &req,
	    &status), RELAY_HTTP_OK);
	cr_assert_eq(req.target, RELAY_HTTP_HEALTH);
	cr_assert_eq(parse("GET /healthz HTTP/1.0\r\n\r\n", &req, &status),
	    RELAY_HTTP_OK);
}

Test(relay_http, malformed_fields)
{
	expect_refused(head("/ws", " folded: line\r\n"), 400);
	expect_refused(head("/ws", "Bad Name: x\r\n"), 400);
	expect_refused(head("/ws", "NoColon\r\n"), 400);
	expect_refused(head("/ws", ": empty name\r\n"), 400);
	expect_refused(head("/ws", "X: bell\a\r\n"), 400);
}

Test(relay_http, nul_and_trailing_data)
{
	struct relay_http_request req;
	static char	 text[RELAY_HTTP_HEAD_MAX * 2 + 8];
	size_t		 len;
	int		 status;

	snprintf(text, sizeof(text), "%s", head("/ws?sessionId=" SESSION,
	    "Sec-WebSocket-Key: " KEY "\r\n"));
	len = strlen(text);
	text[5] = '\0';
	cr_assert_eq(parse_len(text, len, &req, &status), RELAY_HTTP_BAD);
	cr_assert_eq(status, 400);
	snprintf(text, sizeof(text), "%sxyz", head("/ws?sessionId=" SESSION,
	    "Sec-WebSocket-Key: " KEY "\r\n"));
	cr_assert_eq(parse(text, &req, &status), RELAY_HTTP_BAD);
	cr_assert_eq(status, 400);
}

Test(relay_http, incomplete_then_oversize)
{
	struct relay_http_request req;
	char		*big;
	int		 status;

	cr_assert_eq(parse("GET /ws HTTP/1.1\r\nHost: h\r\n", &req, &status),
	    RELAY_HTTP_MORE);
	cr_assert_eq(parse("", &req, &status), RELAY_HTTP_MORE);
	big = malloc(RELAY_HTTP_HEAD_MAX + 100);
	cr_assert_not_null(big);
	memset(big, 'a', RELAY_HTTP_HEAD_MAX + 100);
	memcpy(big, "GET /ws HTTP/1.1\r\nX: ", 21);
	cr_assert_eq(parse_len(big, RELAY_HTTP_HEAD_MAX - 1, &req, &status),
	    RELAY_HTTP_MORE);
	cr_assert_eq(parse_len(big, RELAY_HTTP_HEAD_MAX, &req, &status),
	    RELAY_HTTP_BAD);
	cr_assert_eq(status, 431);
	/* A blank line past the bound does not count. */
	memcpy(big + RELAY_HTTP_HEAD_MAX + 10, "\r\n\r\n", 4);
	cr_assert_eq(parse_len(big, RELAY_HTTP_HEAD_MAX + 100, &req, &status),
	    RELAY_HTTP_BAD);
	cr_assert_eq(status, 431);
	free(big);
}

static void
expect_session(const char *target, int has, const char *id)
{
	struct relay_http_request req;
	int			 status;

	cr_assert_eq(parse(head(target, "Sec-WebSocket-Key: " KEY "\r\n"),
	    &req, &status), RELAY_HTTP_OK, "%s", target);
	cr_assert_eq(req.has_session, has, "%s", target);
	if (has)
		cr_assert_str_eq(req.session_id, id);
}

Test(relay_http, session_id_from_the_query)
{
	expect_session("/ws?sessionId=" SESSION, 1, SESSION);
	expect_session("/ws?a=1&sessionId=" SESSION "&b=2", 1, SESSION);
	expect_session("/ws?sessionId=0B7E6C1E-2F4A-4C8E-9A55-3D1F0E8B7C42", 1,
	    SESSION);
	expect_session("/ws", 0, NULL);
	expect_session("/ws?", 0, NULL);
	expect_session("/ws?sessionId=", 0, NULL);
	expect_session("/ws?sessionId=not-a-uuid", 0, NULL);
	expect_session("/ws?sessionId=" SESSION "0", 0, NULL);
	expect_session("/ws?sessionid=" SESSION, 0, NULL);
	expect_session("/ws?sessionId=" SESSION "&sessionId=" SESSION, 0,
	    NULL);
	expect_session("/ws?sessionId=0b7e6c1e+2f4a-4c8e-9a55-3d1f0e8b7c42", 0,
	    NULL);
}

Test(relay_http, origin_extraction)
{
	struct relay_http_request req;
	char			 extra[600], origin[300];
	int			 status;

	cr_assert_eq(parse("GET /ws HTTP/1.1\r\nHost: h\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n\r\n",
	    &req, &status), RELAY_HTTP_OK);
	cr_assert(!req.has_origin);
	cr_assert_eq(parse(head("/ws", "Sec-WebSocket-Key: " KEY "\r\n"
	    "Origin: http://evil.example\r\n"), &req, &status), RELAY_HTTP_OK);
	cr_assert(!req.has_origin, "two Origin fields are not one origin");
	/* Longer than RELAY_HTTP_ORIGIN_MAX: no origin that can match. */
	memset(origin, 'a', sizeof(origin) - 1);
	origin[sizeof(origin) - 1] = '\0';
	snprintf(extra, sizeof(extra), "Sec-WebSocket-Key: " KEY "\r\n"
	    "Origin-Too: x\r\n");
	cr_assert_eq(parse("GET /ws HTTP/1.1\r\nHost: h\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"
	    "Origin: http://localhost\r\n\r\n", &req, &status),
	    RELAY_HTTP_OK);
	cr_assert(req.has_origin);
	{
		char	 text[1024];

		snprintf(text, sizeof(text), "GET /ws HTTP/1.1\r\nHost: h\r\n"
		    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
		    "Sec-WebSocket-Version: 13\r\n%sOrigin: %s\r\n\r\n",
		    extra, origin);
		cr_assert_eq(parse(text, &req, &status), RELAY_HTTP_OK);
		cr_assert(!req.has_origin, "an overlong Origin");
	}
	cr_assert_eq(parse("GET /ws HTTP/1.1\r\nHost: h\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Version: 13\r\nSec-WebSocket-Key: " KEY "\r\n"
	    "Origin: \r\n\r\n", &req, &status), RELAY_HTTP_OK);
	cr_assert(!req.has_origin, "an empty Origin");
}

Test(relay_http, cookie_extraction)
{
	struct relay_http_request req;
	int			 status;

	cr_assert_eq(parse(head("/ws", "Sec-WebSocket-Key: " KEY "\r\n"
	    "Cookie: a=1\r\nCookie: sid=second; b=2\r\n"), &req, &status),
	    RELAY_HTTP_OK);
	cr_assert(req.has_sid);
	cr_assert_str_eq(req.sid, "second");
	cr_assert_eq(parse(head("/ws", "Sec-WebSocket-Key: " KEY "\r\n"
	    "Cookie: sid=first\r\nCookie: sid=second\r\n"), &req, &status),
	    RELAY_HTTP_OK);
	cr_assert_str_eq(req.sid, "first");
	cr_assert_eq(parse(head("/ws", "Sec-WebSocket-Key: " KEY "\r\n"
	    "Cookie: xsid=1; sidx=2\r\n"), &req, &status), RELAY_HTTP_OK);
	cr_assert(!req.has_sid);
	cr_assert_eq(parse(head("/ws", "Sec-WebSocket-Key: " KEY "\r\n"
	    "Cookie: sid=\r\n"), &req, &status), RELAY_HTTP_OK);
	cr_assert(!req.has_sid);
}

Test(relay_http, answers)
{
	char	 out[RELAY_HTTP_ANSWER_MAX], body[128], length[64];
	size_t	 n;

	n = relay_http_switching(out, sizeof(out), ACCEPT);
	cr_assert_eq(n, strlen(out));
	cr_assert_str_eq(out, "HTTP/1.1 101 Switching Protocols\r\n"
	    "Upgrade: websocket\r\nConnection: Upgrade\r\n"
	    "Sec-WebSocket-Accept: " ACCEPT "\r\n\r\n");
	cr_assert_eq(relay_http_switching(out, 20, ACCEPT), 0);

	n = relay_http_error_body(body, sizeof(body), "not_found",
	    "session not found");
	cr_assert_str_eq(body, "{\"error\":{\"code\":\"not_found\","
	    "\"message\":\"session not found\"}}");
	n = relay_http_answer(out, sizeof(out), 404, body);
	cr_assert_gt(n, 0);
	cr_assert(strncmp(out, "HTTP/1.1 404 Not Found\r\n", 24) == 0);
	snprintf(length, sizeof(length), "Content-Length: %zu\r\n",
	    strlen(body));
	cr_assert_not_null(strstr(out, length));
	cr_assert_not_null(strstr(out, "Connection: close\r\n"));
	cr_assert_str_eq(out + n - strlen(body), body);
	relay_http_answer(out, sizeof(out), 405, "");
	cr_assert_not_null(strstr(out, "\r\nAllow: GET\r\n"));
	relay_http_answer(out, sizeof(out), 426, "");
	cr_assert(strncmp(out, "HTTP/1.1 426 Upgrade Required\r\n", 31) == 0);
	cr_assert_not_null(strstr(out, "\r\nSec-WebSocket-Version: 13\r\n"));
	relay_http_answer(out, sizeof(out), 503, "");
	cr_assert_not_null(strstr(out, "\r\nRetry-After: 5\r\n"));
	cr_assert_eq(relay_http_answer(out, 10, 200, "{}"), 0);
}

/* --- relay_msg ------------------------------------------------------- */

Test(relay_msg, event_name)
{
	char		 name[RELAY_MSG_EVENT_MAX];
	const char	*m;

	m = "{\"event\":\"session:ended\",\"data\":{\"sessionId\":\"x\"}}";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), 0);
	cr_assert_str_eq(name, "session:ended");
	m = "{ \"data\" : {}, \"event\" : \"round:started\" }";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), 0);
	cr_assert_str_eq(name, "round:started");
	m = "{\"event\":7}";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), -1);
	m = "{\"data\":{}}";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), -1);
	m = "[\"event\"]";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), -1);
	m = "not json";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), -1);
	m = "{\"event\":\"session:ended\"";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, sizeof(name)), -1);
	m = "{\"event\":\"session:ended\"}";
	cr_assert_eq(relay_msg_event(m, strlen(m), name, 5), -1);
}

Test(relay_msg, built_events)
{
	char	 out[RELAY_MSG_RESYNC_SIZE], *m;
	size_t	 len;

	len = relay_msg_resync(out, SESSION);
	cr_assert_eq(len, strlen(out));
	cr_assert_str_eq(out, "{\"event\":\"relay:resync\",\"data\":"
	    "{\"sessionId\":\"" SESSION "\"}}");
	m = relay_msg_round_started("{\"roundNumber\":2}", &len);
	cr_assert_not_null(m);
	cr_assert_str_eq(m, "{\"event\":\"round:started\",\"data\":"
	    "{\"roundNumber\":2}}");
	cr_assert_eq(len, strlen(m));
	free(m);
}

Test(relay_msg, sendable)
{
	cr_assert(relay_msg_sendable("{\"x\":\"\xc3\xa9\"}", 10));
	cr_assert(!relay_msg_sendable("{\"x\":\"\xff\"}", 9));
	cr_assert(!relay_msg_sendable("\xc3", 1));
	cr_assert(!relay_msg_sendable("a\0b", 3));
}

/* --- relay_ws, through buffers ----------------------------------------- */

struct fake {
	uint8_t	 in[131072];
	size_t	 inlen, inoff;
	uint8_t	 out[131072];
	size_t	 outlen;
	size_t	 chunk;		/* recv hands over at most this; 0: any */
	size_t	 take;		/* send takes at most this; 0: all */
	int	 rstall;	/* recv says EAGAIN every other call */
	int	 sstall;	/* send says EAGAIN every other call */
	unsigned rcalls, scalls;
	int	 blocked;	/* send says EAGAIN */
	int	 broken;	/* send fails with EPIPE */
	int	 eof;		/* recv says end of file once in is read */
};

static ssize_t
fake_recv(void *arg, uint8_t *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n = f->inlen - f->inoff;

	if (f->rstall && (f->rcalls++ & 1)) {
		errno = EAGAIN;
		return -1;
	}
	if (n == 0) {
		if (f->eof)
			return 0;
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	if (f->chunk != 0 && n > f->chunk)
		n = f->chunk;
	memcpy(buf, f->in + f->inoff, n);
	f->inoff += n;
	return (ssize_t)n;
}

static ssize_t
fake_send(void *arg, const uint8_t *data, size_t len, int more)
{
	struct fake	*f = arg;

	if (f->broken) {
		errno = EPIPE;
		return -1;
	}
	if (f->blocked || (f->sstall && (f->scalls++ & 1))) {
		errno = EAGAIN;
		return -1;
	}
	if (f->take != 0 && len > f->take)
		len = f->take;
	if (f->outlen + len > sizeof(f->out)) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(f->out + f->outlen, data, len);
	f->outlen += len;
	return (ssize_t)len;
}

static const struct relay_ws_io fake_io = { fake_recv, fake_send };

/*
 * Appends a client frame: b0 is its first byte (FIN, RSV, opcode); the
 * length in its shortest form, or in the 16- or 64-bit form when form
 * is 126 or 127; masked unless unmasked.
 */
static void
client_raw(struct fake *f, uint8_t b0, int unmasked, int form,
    const void *payload, size_t len)
{
	static const uint8_t	 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	const uint8_t		*p = payload;
	uint8_t			*o = f->in + f->inlen;
	uint8_t			 m = unmasked ? 0 : 0x80;
	size_t			 i, n = 0;

	o[n++] = b0;
	if (form == 0)
		form = len < 126 ? 0 : len <= 0xffff ? 126 : 127;
	if (form == 0)
		o[n++] = (uint8_t)(m | len);
	else if (form == 126) {
		o[n++] = m | 126;
		o[n++] = (uint8_t)(len >> 8);
		o[n++] = (uint8_t)(len & 0xff);
	} else {
		o[n++] = m | 127;
		for (i = 0; i < 8; i++)
			o[n++] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
	}
	if (!unmasked) {
		memcpy(o + n, mask, 4);
		n += 4;
	}
	cr_assert_leq(f->inlen + n + len, sizeof(f->in));
	for (i = 0; i < len; i++)
		o[n + i] = unmasked ? p[i] : p[i] ^ mask[i % 4];
	f->inlen += n + len;
}

/* Appends a masked client frame. */
static void
client_frame(struct fake *f, int fin, int opcode, const void *payload,
    size_t len)
{
	client_raw(f, (uint8_t)((fin ? 0x80 : 0) | opcode), 0, 0, payload,
	    len);
}

/* A frame the server sent. */
struct sent {
	int		 b0;		/* FIN, RSV, opcode */
	int		 masked;
	size_t		 len;
	const uint8_t	*payload;
};

/* The frame at *off in what the server sent, then *off past it; 0 at
 * the end. */
static int
sent_frame(const struct fake *f, size_t *off, struct sent *s)
{
	size_t	 i = *off, n, k;

	if (i + 2 > f->outlen)
		return 0;
	s->b0 = f->out[i];
	s->masked = (f->out[i + 1] & 0x80) != 0;
	n = f->out[i + 1] & 0x7f;
	i += 2;
	if (n == 126) {
		cr_assert_leq(i + 2, f->outlen);
		n = (size_t)f->out[i] << 8 | f->out[i + 1];
		i += 2;
	} else if (n == 127) {
		cr_assert_leq(i + 8, f->outlen);
		for (n = 0, k = 0; k < 8; k++)
			n = n << 8 | f->out[i + k];
		i += 8;
	}
	cr_assert_leq(i + n, f->outlen, "a truncated frame");
	s->len = n;
	s->payload = f->out + i;
	*off = i + n;
	return 1;
}

/* The opcodes the server sent, as hex digits ("1a8": text, pong,
 * close); every frame final and unmasked. */
static const char *
sent_opcodes(const struct fake *f)
{
	static char	 ops[64];
	struct sent	 s;
	size_t		 off = 0, n = 0;

	while (sent_frame(f, &off, &s) && n < sizeof(ops) - 1) {
		cr_assert_eq(s.b0 & 0xf0, 0x80, "FIN set, RSV clear");
		cr_assert(!s.masked, "a server does not mask");
		ops[n++] = "0123456789abcdef"[s.b0 & 0x0f];
	}
	ops[n] = '\0';
	return ops;
}

/* The close code of the close frame the server sent, 0 for one without
 * a code, or -1. */
static int
sent_close_code(const struct fake *f)
{
	struct sent	 s;
	size_t		 off = 0;

	while (sent_frame(f, &off, &s))
		if ((s.b0 & 0x0f) == 0x8)
			return s.len >= 2 ?
			    s.payload[0] << 8 | s.payload[1] : 0;
	return -1;
}

static struct fake *
ws_setup_max(struct relay_ws *ws, size_t max_message)
{
	static struct fake	 f;

	memset(&f, 0, sizeof(f));
	cr_assert_eq(relay_ws_init(ws, &fake_io, &f, max_message),
	    RELAY_WS_OK);
	return &f;
}

static struct fake *
ws_setup(struct relay_ws *ws)
{
	return ws_setup_max(ws, 4096);
}

/* Reads and writes what f holds; the connection is not over. */
static void
ws_run(struct relay_ws *ws)
{
	cr_assert_eq(relay_ws_read(ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(ws), RELAY_WS_OK);
}

/* What f holds closes the socket with code (-1: no close, it stays). */
static void
expect_input_closes(struct relay_ws *ws, struct fake *f, int code)
{
	ws_run(ws);
	cr_assert_eq(sent_close_code(f), code, "close %d instead of %d",
	    sent_close_code(f), code);
	if (code == -1) {
		cr_assert(relay_ws_want_read(ws));
		cr_assert(!relay_ws_finished(ws));
		relay_ws_free(ws);
		return;
	}
	cr_assert(relay_ws_finished(ws), "the socket should close now");
	cr_assert_eq(relay_ws_close_sent(ws), code == 0 ? 1005u :
	    (unsigned)code);
	cr_assert_eq(relay_ws_text(ws, "x", 1, 1000), RELAY_WS_CLOSING);
	cr_assert_eq(relay_ws_ping(ws), RELAY_WS_CLOSING);
	cr_assert_null(ws->tail, "nothing kept once reading stopped");
	relay_ws_free(ws);
}

static void
expect_close(int opcode, const void *payload, size_t len, int code)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_frame(f, 1, opcode, payload, len);
	expect_input_closes(&ws, f, code);
}

/* A message of parts (fin on the last), each its own frame. */
static void
expect_text_parts(const char *const *parts, int code)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	int		 i;

	for (i = 0; parts[i] != NULL; i++)
		client_frame(f, parts[i + 1] == NULL, i == 0 ? 0x1 : 0x0,
		    parts[i], strlen(parts[i]));
	expect_input_closes(&ws, f, code);
}

Test(relay_ws, queue_bound)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	char		 msg[100];
	int		 i;

	memset(msg, 'm', sizeof(msg));
	f->blocked = 1;		/* a client that never reads */
	for (i = 0; i < 10; i++) {
		cr_assert_eq(relay_ws_text(&ws, msg, sizeof(msg), 1000),
		    RELAY_WS_OK, "message %d", i);
		cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	}
	cr_assert_eq(relay_ws_queued(&ws), 1000);
	cr_assert_eq(relay_ws_text(&ws, msg, 1, 1000), RELAY_WS_FULL);
	cr_assert_eq(relay_ws_queued(&ws), 1000, "nothing was queued");
	cr_assert(relay_ws_want_write(&ws));
	/* Pings and pongs do not count against the bound. */
	cr_assert_eq(relay_ws_ping(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_queued(&ws), 1000);
	/* The client reads again: the queue drains and takes more. */
	f->blocked = 0;
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_queued(&ws), 0);
	cr_assert(!relay_ws_want_write(&ws));
	/* The ping waited for the frame begun (if only by a refusal). */
	cr_assert_str_eq(sent_opcodes(f), "19111111111");
	cr_assert_eq(f->outlen, 2 + 10 * (2 + sizeof(msg)));
	cr_assert_eq(f->out[0], 0x81, "a final text frame");
	cr_assert_eq(f->out[1], 100, "unmasked, 100 bytes");
	cr_assert_eq(relay_ws_text(&ws, msg, sizeof(msg), 1000), RELAY_WS_OK);
	/* A message larger than the bound never fits. */
	cr_assert_eq(relay_ws_text(&ws, msg, sizeof(msg), 99), RELAY_WS_FULL);
	relay_ws_free(&ws);
}

Test(relay_ws, text_is_ignored_ping_answered)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_frame(f, 1, 0x1, "hello", 5);
	client_frame(f, 1, 0x9, "pp", 2);
	ws_run(&ws);
	cr_assert_eq(f->outlen, 4, "only the pong");
	cr_assert_eq(f->out[0], 0x8a);
	cr_assert_eq(f->out[1], 2);
	cr_assert(memcmp(f->out + 2, "pp", 2) == 0);
	cr_assert(relay_ws_want_read(&ws));
	cr_assert(!relay_ws_finished(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, pongs_accepted_silently)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	cr_assert_eq(relay_ws_ping(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_ping(&ws), RELAY_WS_OK, "not doubled");
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_str_eq(sent_opcodes(f), "9");
	cr_assert_eq(f->out[1], 0, "an empty ping");
	client_frame(f, 1, 0xa, "", 0);
	client_frame(f, 1, 0xa, "unsolicited", 11);
	ws_run(&ws);
	cr_assert_str_eq(sent_opcodes(f), "9", "nothing answers a pong");
	cr_assert(relay_ws_want_read(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, only_the_latest_ping_answered)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	struct sent	 s;
	char		 big[125];
	size_t		 off = 0;

	/* A client that pings without reading queues one pong, not one
	 * per ping. */
	memset(big, 'p', sizeof(big));
	client_frame(f, 1, 0x9, "one", 3);
	client_frame(f, 1, 0x9, "two", 3);
	client_frame(f, 1, 0x9, big, sizeof(big));
	client_frame(f, 1, 0x9, "last", 4);
	ws_run(&ws);
	cr_assert_str_eq(sent_opcodes(f), "a");
	cr_assert(sent_frame(f, &off, &s));
	cr_assert_eq(s.len, 4);
	cr_assert(memcmp(s.payload, "last", 4) == 0);
	/* The largest control payload is answered whole. */
	client_frame(f, 1, 0x9, big, sizeof(big));
	ws_run(&ws);
	cr_assert(sent_frame(f, &off, &s));
	cr_assert_eq(s.b0, 0x8a);
	cr_assert_eq(s.len, 125);
	cr_assert(memcmp(s.payload, big, 125) == 0);
	relay_ws_free(&ws);
}

Test(relay_ws, fragments_reassembled)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_frame(f, 0, 0x1, "hel", 3);
	client_frame(f, 1, 0x9, "", 0);	/* a ping between fragments */
	client_frame(f, 0, 0x0, "", 0);	/* an empty fragment */
	client_frame(f, 1, 0x0, "lo", 2);
	client_frame(f, 1, 0x1, "again", 5);
	ws_run(&ws);
	cr_assert_str_eq(sent_opcodes(f), "a");
	cr_assert(relay_ws_want_read(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, binary_closes_1003)
{
	expect_close(0x2, "\x00\x01", 2, 1003);
}

Test(relay_ws, binary_fragment_closes_1003)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_frame(f, 0, 0x2, "\x00", 1);
	expect_input_closes(&ws, f, 1003);
}

Test(relay_ws, invalid_utf8_closes_1007)
{
	expect_close(0x1, "{\"x\":\"\xff\"}", 9, 1007);
}

Test(relay_ws, utf8_checked_byte_by_byte)
{
	static const char *const good[] = {
		"", "\x7f", "\xc2\x80", "\xdf\xbf", "\xe0\xa0\x80",
		"\xed\x9f\xbf", "\xee\x80\x80", "\xef\xbf\xbf",
		"\xf0\x90\x80\x80", "\xf4\x8f\xbf\xbf",
		"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80", NULL
	};
	static const char *const bad[] = {
		"\x80", "\xbf", "\xc0\xaf", "\xc1\xbf", "\xe0\x80\x80",
		"\xe0\x9f\xbf", "\xed\xa0\x80", "\xed\xbf\xbf",
		"\xf0\x80\x80\x80", "\xf0\x8f\xbf\xbf", "\xf4\x90\x80\x80",
		"\xf5\x80\x80\x80", "\xfe", "\xff", "\xc3(", "\xe2\x82(",
		"ok\xc3", "\xe2\x82", "\xf0\x9f\x98", NULL
	};
	int	 i;

	for (i = 0; good[i] != NULL; i++)
		expect_close(0x1, good[i], strlen(good[i]), -1);
	for (i = 0; bad[i] != NULL; i++)
		expect_close(0x1, bad[i], strlen(bad[i]), 1007);
	/* NUL is a character like any other. */
	expect_close(0x1, "a\0b", 3, -1);
}

Test(relay_ws, utf8_across_fragments)
{
	static const char *const euro[] = { "\xe2", "\x82", "\xac", NULL };
	static const char *const emoji[] = { "x\xf0\x9f", "\x98\x80", NULL };
	static const char *const broken[] = { "ok \xe2\x82", "(", NULL };
	static const char *const unfinished[] = { "ok", "\xe2\x82", NULL };

	expect_text_parts(euro, -1);
	expect_text_parts(emoji, -1);
	expect_text_parts(broken, 1007);
	expect_text_parts(unfinished, 1007);
}

Test(relay_ws, oversize_closes_1009)
{
	static char	 big[5000];

	memset(big, 'b', sizeof(big));
	expect_close(0x1, big, sizeof(big), 1009);
	/* Exactly max_message is fine. */
	expect_close(0x1, big, 4096, -1);
}

Test(relay_ws, oversize_across_fragments_closes_1009)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	static char	 part[3000];

	memset(part, 'b', sizeof(part));
	client_frame(f, 0, 0x1, part, sizeof(part));
	client_frame(f, 1, 0x0, part, sizeof(part));
	expect_input_closes(&ws, f, 1009);
	/* A 64-bit length is refused from its header, before any
	 * payload. */
	f = ws_setup(&ws);
	client_raw(f, 0x81, 0, 127, "", 0);
	f->in[2 + 3] = 0x10;	/* 0x0000001000000000: 64 GiB */
	expect_input_closes(&ws, f, 1009);
}

Test(relay_ws, reserved_opcode_closes_1002)
{
	expect_close(0x3, "x", 1, 1002);
	expect_close(0x7, "x", 1, 1002);
	expect_close(0xb, "x", 1, 1002);
	expect_close(0xf, "", 0, 1002);
}

Test(relay_ws, reserved_bits_close_1002)
{
	static const uint8_t	 rsv[] = { 0x40, 0x20, 0x10 };
	struct relay_ws		 ws;
	struct fake		*f;
	size_t			 i;

	for (i = 0; i < sizeof(rsv); i++) {
		f = ws_setup(&ws);
		client_raw(f, 0x81 | rsv[i], 0, 0, "x", 1);
		expect_input_closes(&ws, f, 1002);
		f = ws_setup(&ws);
		client_raw(f, 0x89 | rsv[i], 0, 0, "", 0);
		expect_input_closes(&ws, f, 1002);
	}
}

Test(relay_ws, unmasked_closes_1002)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_raw(f, 0x81, 1, 0, "unmasked", 8);
	expect_input_closes(&ws, f, 1002);
	f = ws_setup(&ws);
	client_raw(f, 0x89, 1, 0, "", 0);
	expect_input_closes(&ws, f, 1002);
}

Test(relay_ws, fragmented_control_closes_1002)
{
	expect_close(0x9, "p", 1, -1);
	{
		struct relay_ws	 ws;
		struct fake	*f = ws_setup(&ws);

		client_frame(f, 0, 0x9, "p", 1);
		expect_input_closes(&ws, f, 1002);
		f = ws_setup(&ws);
		client_frame(f, 0, 0x8, "\x03\xe8", 2);
		expect_input_closes(&ws, f, 1002);
		f = ws_setup(&ws);
		client_frame(f, 0, 0xa, "", 0);
		expect_input_closes(&ws, f, 1002);
	}
}

Test(relay_ws, oversize_control_closes_1002)
{
	static char	 big[126];

	memset(big, 'p', sizeof(big));
	expect_close(0x9, big, sizeof(big), 1002);
	expect_close(0xa, big, sizeof(big), 1002);
	expect_close(0x8, big, sizeof(big), 1002);
}

Test(relay_ws, continuation_out_of_place_closes_1002)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_frame(f, 1, 0x0, "x", 1);	/* no message to continue */
	expect_input_closes(&ws, f, 1002);
	f = ws_setup(&ws);
	client_frame(f, 0, 0x1, "a", 1);
	client_frame(f, 1, 0x1, "b", 1);	/* a new message inside one */
	expect_input_closes(&ws, f, 1002);
	f = ws_setup(&ws);
	client_frame(f, 1, 0x1, "a", 1);
	client_frame(f, 1, 0x0, "b", 1);	/* the message was over */
	expect_input_closes(&ws, f, 1002);
}

Test(relay_ws, lengths_not_shortest_close_1002)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_raw(f, 0x81, 0, 126, "short", 5);
	expect_input_closes(&ws, f, 1002);
	f = ws_setup(&ws);
	client_raw(f, 0x81, 0, 127, "short", 5);
	expect_input_closes(&ws, f, 1002);
	f = ws_setup_max(&ws, 1 << 20);
	client_raw(f, 0x81, 0, 127, "", 0);
	f->in[2] = 0x80;	/* the 64th bit of the length */
	expect_input_closes(&ws, f, 1002);
	/* A control frame in the 16-bit form, even a short one. */
	f = ws_setup(&ws);
	client_raw(f, 0x89, 0, 126, "p", 1);
	expect_input_closes(&ws, f, 1002);
}

Test(relay_ws, lengths_16_and_64_bit_in)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup_max(&ws, 1 << 20);
	static char	 big[70000];

	memset(big, 'a', sizeof(big));
	client_raw(f, 0x81, 0, 0, big, 125);
	client_raw(f, 0x81, 0, 0, big, 126);
	client_raw(f, 0x81, 0, 0, big, 65535);
	client_raw(f, 0x81, 0, 0, big, 65536 - 300);
	cr_assert_eq(f->in[1], 0x80 | 125);
	cr_assert_eq(f->in[125 + 6 + 1], 0x80 | 126);
	client_frame(f, 1, 0x9, "p", 1);
	ws_run(&ws);
	cr_assert_str_eq(sent_opcodes(f), "a");
	f->inlen = f->inoff = 0;
	client_raw(f, 0x81, 0, 0, big, sizeof(big));
	cr_assert_eq(f->in[1], 0x80 | 127);
	client_frame(f, 1, 0x9, "q", 1);
	ws_run(&ws);
	cr_assert_str_eq(sent_opcodes(f), "aa");
	cr_assert_null(ws.tail);
	relay_ws_free(&ws);
}

static void
expect_text_header(size_t len, const uint8_t *head, size_t hlen)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	static char	 msg[70000];
	size_t		 i;

	for (i = 0; i < len; i++)
		msg[i] = (char)('a' + i % 26);
	cr_assert_eq(relay_ws_text(&ws, msg, len, sizeof(msg)), RELAY_WS_OK);
	cr_assert_eq(relay_ws_queued(&ws), len);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(f->outlen, hlen + len, "%zu bytes", len);
	cr_assert(memcmp(f->out, head, hlen) == 0, "the header of %zu", len);
	cr_assert(memcmp(f->out + hlen, msg, len) == 0);
	cr_assert_eq(relay_ws_queued(&ws), 0);
	relay_ws_free(&ws);
}

Test(relay_ws, lengths_16_and_64_bit_out)
{
	expect_text_header(0, (const uint8_t *)"\x81\x00", 2);
	expect_text_header(125, (const uint8_t *)"\x81\x7d", 2);
	expect_text_header(126, (const uint8_t *)"\x81\x7e\x00\x7e", 4);
	expect_text_header(65535, (const uint8_t *)"\x81\x7e\xff\xff", 4);
	expect_text_header(65536, (const uint8_t *)
	    "\x81\x7f\x00\x00\x00\x00\x00\x01\x00\x00", 10);
	expect_text_header(70000, (const uint8_t *)
	    "\x81\x7f\x00\x00\x00\x00\x00\x01\x11\x70", 10);
}

Test(relay_ws, client_close_answered)
{
	expect_close(0x8, "\x03\xe8", 2, 1000);
	expect_close(0x8, "\x03\xe9" "bye", 5, 1001);
	expect_close(0x8, "\x0f\xa1", 2, 4001);
	expect_close(0x8, "\x0b\xb8", 2, 3000);
	/* No code: a close without one, reported as 1005. */
	expect_close(0x8, "", 0, 0);
}

Test(relay_ws, bad_client_close)
{
	expect_close(0x8, "\x03", 1, 1002);
	expect_close(0x8, "\x03\xe7", 2, 1002);		/* 999 */
	expect_close(0x8, "\x03\xec", 2, 1002);		/* 1004 */
	expect_close(0x8, "\x03\xed", 2, 1002);		/* 1005 */
	expect_close(0x8, "\x03\xee", 2, 1002);		/* 1006 */
	expect_close(0x8, "\x03\xf4", 2, 1002);		/* 1012 */
	expect_close(0x8, "\x0b\xb7", 2, 1002);		/* 2999 */
	expect_close(0x8, "\x13\x88", 2, 1002);		/* 5000 */
	expect_close(0x8, "\x03\xe8\xff", 3, 1007);
	expect_close(0x8, "\x03\xe8ok\xc3", 5, 1007);
}

Test(relay_ws, reading_stops_at_the_close)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	client_frame(f, 1, 0x8, "\x03\xe8", 2);
	client_frame(f, 1, 0x9, "late", 4);
	client_frame(f, 1, 0x2, "x", 1);
	expect_input_closes(&ws, f, 1000);
	cr_assert_str_eq(sent_opcodes(f), "8", "no pong, no 1003");
}

Test(relay_ws, our_close_then_theirs)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	cr_assert_eq(relay_ws_close(&ws, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_close(&ws, 1001), RELAY_WS_CLOSING);
	cr_assert_eq(relay_ws_text(&ws, "x", 1, 1000), RELAY_WS_CLOSING);
	cr_assert_eq(relay_ws_ping(&ws), RELAY_WS_CLOSING);
	cr_assert_eq(relay_ws_close_sent(&ws), 0, "not sent yet");
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(sent_close_code(f), 1000);
	cr_assert_eq(relay_ws_close_sent(&ws), 1000);
	cr_assert(!relay_ws_want_write(&ws));
	cr_assert(!relay_ws_finished(&ws), "waits for the client's close");
	/* Until then text is still read and pings are not answered. */
	client_frame(f, 1, 0x1, "still talking", 13);
	client_frame(f, 1, 0x9, "p", 1);
	ws_run(&ws);
	cr_assert(!relay_ws_finished(&ws));
	client_frame(f, 1, 0x8, "\x03\xe8", 2);
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
	cr_assert(relay_ws_finished(&ws));
	cr_assert_str_eq(sent_opcodes(f), "8", "one close, no pong");
	relay_ws_free(&ws);
}

Test(relay_ws, our_close_after_the_queued_text)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	/* session:ended, then 1000: the event must not be lost. */
	f->blocked = 1;
	cr_assert_eq(relay_ws_text(&ws, "ended", 5, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_close(&ws, 1000), RELAY_WS_OK);
	f->blocked = 0;
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_str_eq(sent_opcodes(f), "18");
	cr_assert_eq(sent_close_code(f), 1000);
	relay_ws_free(&ws);
}

/* The relay's own code says why: the reason travels with it. */
Test(relay_ws, logged_out_close_has_its_reason)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	struct sent	 s;
	size_t		 off = 0;

	cr_assert_eq(RELAY_WS_LOGGED_OUT, 4401);
	cr_assert_eq(relay_ws_text(&ws, "last", 4, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_close(&ws, RELAY_WS_LOGGED_OUT), RELAY_WS_OK);
	cr_assert_eq(relay_ws_text(&ws, "token", 5, 1000), RELAY_WS_CLOSING,
	    "text queued after the close");
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_str_eq(sent_opcodes(f), "18");
	cr_assert_eq(sent_close_code(f), 4401);
	cr_assert_eq(relay_ws_close_sent(&ws), 4401);
	cr_assert(sent_frame(f, &off, &s) && sent_frame(f, &off, &s));
	cr_assert_eq(s.len, 12);
	cr_assert_eq(memcmp(s.payload + 2, "logged out", 10), 0);
	relay_ws_free(&ws);
}

Test(relay_ws, failing_drops_the_text_not_begun)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	f->take = 3;
	f->sstall = 1;
	cr_assert_eq(relay_ws_text(&ws, "first", 5, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_text(&ws, "second", 6, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(f->outlen, 3, "the first frame begun");
	client_frame(f, 1, 0x2, "b", 1);
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_queued(&ws), 5, "the second is dropped");
	while (relay_ws_want_write(&ws))
		cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_str_eq(sent_opcodes(f), "18");
	cr_assert_eq(sent_close_code(f), 1003);
	cr_assert(relay_ws_finished(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, partial_writes_resumed)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);
	static char	 mid[300];
	struct sent	 s;
	size_t		 off = 0;
	int		 calls = 0;

	/* Three bytes at a time, every other send would block. */
	memset(mid, 'm', sizeof(mid));
	f->take = 3;
	f->sstall = 1;
	cr_assert_eq(relay_ws_text(&ws, "hello", 5, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_text(&ws, mid, sizeof(mid), 1000),
	    RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(f->outlen, 3);
	cr_assert_eq(relay_ws_queued(&ws), 305, "counted until sent");
	/* A ping waits for the frame under way, then goes first. */
	cr_assert_eq(relay_ws_ping(&ws), RELAY_WS_OK);
	while (relay_ws_want_write(&ws)) {
		cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
		cr_assert_lt(++calls, 1000);
		if (f->outlen == 7)
			cr_assert_eq(relay_ws_queued(&ws), 300);
	}
	cr_assert_eq(relay_ws_queued(&ws), 0);
	cr_assert_str_eq(sent_opcodes(f), "191");
	cr_assert(sent_frame(f, &off, &s));
	cr_assert(s.len == 5 && memcmp(s.payload, "hello", 5) == 0);
	cr_assert(sent_frame(f, &off, &s));
	cr_assert(sent_frame(f, &off, &s));
	cr_assert(s.len == sizeof(mid) && memcmp(s.payload, mid, 300) == 0);
	cr_assert_null(ws.cur);
	relay_ws_free(&ws);
}

Test(relay_ws, send_error_ends)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	cr_assert_eq(relay_ws_text(&ws, "x", 1, 1000), RELAY_WS_OK);
	f->broken = 1;
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_DONE);
	cr_assert(!relay_ws_want_write(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, partial_frames_across_reads)
{
	struct relay_ws	 ws;
	struct fake	*f;
	static char	 mid[300];
	struct sent	 s;
	size_t		 chunk, off;
	int		 tails;

	memset(mid, 'm', sizeof(mid));
	/* Every chunk size, down to a byte per read. */
	for (chunk = 1; chunk <= 40; chunk++) {
		f = ws_setup(&ws);
		f->chunk = chunk;
		f->rstall = 1;
		client_frame(f, 1, 0x1, mid, sizeof(mid));
		client_frame(f, 0, 0x1, "caf\xc3", 4);
		client_frame(f, 1, 0x9, "ping payload", 12);
		client_frame(f, 1, 0x0, "\xa9", 1);
		client_frame(f, 1, 0x8, "\x0f\xa0", 2);
		tails = 0;
		while (relay_ws_want_read(&ws)) {
			cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
			cr_assert_leq(ws.taillen, 139);
			cr_assert_eq(ws.tail == NULL, ws.taillen == 0);
			tails += ws.tail != NULL;
			cr_assert_leq(f->inoff, f->inlen);
		}
		cr_assert_eq(f->inoff, f->inlen);
		cr_assert(chunk > 16 || tails > 0, "never kept a tail");
		cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
		cr_assert_str_eq(sent_opcodes(f), "a8", "chunk %zu", chunk);
		off = 0;
		cr_assert(sent_frame(f, &off, &s));
		cr_assert(s.len == 12 &&
		    memcmp(s.payload, "ping payload", 12) == 0);
		cr_assert_eq(sent_close_code(f), 4000);
		cr_assert(relay_ws_finished(&ws));
		cr_assert_null(ws.tail);
		relay_ws_free(&ws);
	}
}

Test(relay_ws, idle_socket_holds_nothing)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	/* The whole cost of an idle socket (wslay's was 8.8 KiB). */
	cr_assert_leq(sizeof(ws), 128);
	client_frame(f, 1, 0x1, "hello", 5);
	client_frame(f, 1, 0x9, "p", 1);
	cr_assert_eq(relay_ws_text(&ws, "event", 5, 1000), RELAY_WS_OK);
	ws_run(&ws);
	cr_assert_null(ws.tail);
	cr_assert_null(ws.cur);
	cr_assert_null(ws.ctl);
	cr_assert_null(ws.out);
	relay_ws_free(&ws);
	relay_ws_free(&ws);
	memset(&ws, 0, sizeof(ws));
	relay_ws_free(&ws);
	relay_ws_free(NULL);
	cr_assert(relay_ws_finished(&ws), "a zeroed ws wants nothing");
}

Test(relay_ws, end_of_file)
{
	struct relay_ws	 ws;
	struct fake	*f = ws_setup(&ws);

	f->eof = 1;
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_DONE);
	relay_ws_free(&ws);
	/* Inside a frame: what was kept is freed with ws. */
	f = ws_setup(&ws);
	client_frame(f, 1, 0x9, "abc", 3);
	f->inlen -= 2;
	f->eof = 1;
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_DONE);
	relay_ws_free(&ws);
}

/* --- relay_sessions ---------------------------------------------------- */

Test(relay_sessions, table)
{
	struct relay_sessions	 s;
	struct relay_session	*a, *b;
	struct relay_member	 m1, m2;
	char			 id[HTTP_UUID_SIZE];
	int			 i;

	cr_assert_eq(relay_sessions_init(&s), 0);
	cr_assert_null(relay_sessions_find(&s, SESSION));
	cr_assert_eq(relay_sessions_get(&s, SESSION, &a), 0);
	cr_assert_eq(relay_sessions_get(&s, SESSION, &b), 0);
	cr_assert_eq(a, b);
	cr_assert_eq(s.count, 1);
	relay_session_join(a, &m1);
	relay_session_join(a, &m2);
	cr_assert_eq(a->nmembers, 2);
	relay_session_leave(a, &m1);
	cr_assert_eq(a->members, &m2);
	relay_session_leave(a, &m2);
	cr_assert_eq(a->nmembers, 0);
	cr_assert_null(a->members);
	/* Many sessions: the table grows and finds them all. */
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "00000000-0000-0000-0000-%012d", i);
		cr_assert_eq(relay_sessions_get(&s, id, &b), 0);
	}
	cr_assert_eq(s.count, 1001);
	cr_assert_geq(s.nbuckets, 1001);
	for (i = 0; i < 1000; i++) {
		snprintf(id, sizeof(id), "00000000-0000-0000-0000-%012d", i);
		b = relay_sessions_find(&s, id);
		cr_assert_not_null(b);
		cr_assert_str_eq(b->id, id);
		if (i % 2 == 0)
			relay_sessions_remove(&s, b);
	}
	cr_assert_eq(s.count, 501);
	cr_assert_null(relay_sessions_find(&s,
	    "00000000-0000-0000-0000-000000000000"));
	cr_assert_eq(relay_sessions_find(&s, SESSION), a);
	relay_sessions_free(&s);
	relay_sessions_free(NULL);
}
