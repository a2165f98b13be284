/*
 * src/relay, the modules without an event loop: the upgrade request
 * parser and Sec-WebSocket-Accept (relay_http), the WebSocket policy over
 * wslay with the outgoing-queue bound (relay_ws, driven through buffers),
 * the messages (relay_msg), the session table (relay_sessions) and the
 * listen address (relay_listen).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "relay_http.h"
#include "relay_listen.h"
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

static int
parse(const char *text, struct relay_http_request *req, int *status)
{
	const char	*why;

	return relay_http_parse(text, strlen(text), req, status, &why);
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
	const char	*why;
	static char	 text[RELAY_HTTP_HEAD_MAX * 2 + 8];
	size_t		 len;
	int		 status;

	snprintf(text, sizeof(text), "%s", head("/ws?sessionId=" SESSION,
	    "Sec-WebSocket-Key: " KEY "\r\n"));
	len = strlen(text);
	text[5] = '\0';
	cr_assert_eq(relay_http_parse(text, len, &req, &status, &why),
	    RELAY_HTTP_BAD);
	cr_assert_eq(status, 400);
	snprintf(text, sizeof(text), "%sxyz", head("/ws?sessionId=" SESSION,
	    "Sec-WebSocket-Key: " KEY "\r\n"));
	cr_assert_eq(relay_http_parse(text, strlen(text), &req, &status, &why),
	    RELAY_HTTP_BAD);
	cr_assert_eq(status, 400);
}

Test(relay_http, incomplete_then_oversize)
{
	struct relay_http_request req;
	const char	*why;
	char		*big;
	int		 status;

	cr_assert_eq(parse("GET /ws HTTP/1.1\r\nHost: h\r\n", &req, &status),
	    RELAY_HTTP_MORE);
	cr_assert_eq(parse("", &req, &status), RELAY_HTTP_MORE);
	big = malloc(RELAY_HTTP_HEAD_MAX + 100);
	cr_assert_not_null(big);
	memset(big, 'a', RELAY_HTTP_HEAD_MAX + 100);
	memcpy(big, "GET /ws HTTP/1.1\r\nX: ", 21);
	cr_assert_eq(relay_http_parse(big, RELAY_HTTP_HEAD_MAX - 1, &req,
	    &status, &why), RELAY_HTTP_MORE);
	cr_assert_eq(relay_http_parse(big, RELAY_HTTP_HEAD_MAX, &req, &status,
	    &why), RELAY_HTTP_BAD);
	cr_assert_eq(status, 431);
	/* A blank line past the bound does not count. */
	memcpy(big + RELAY_HTTP_HEAD_MAX + 10, "\r\n\r\n", 4);
	cr_assert_eq(relay_http_parse(big, RELAY_HTTP_HEAD_MAX + 100, &req,
	    &status, &why), RELAY_HTTP_BAD);
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
	uint8_t	 in[16384];
	size_t	 inlen, inoff;
	uint8_t	 out[65536];
	size_t	 outlen;
	int	 blocked;	/* send says EAGAIN */
	int	 eof;		/* recv says end of file once in is read */
};

static ssize_t
fake_recv(void *arg, uint8_t *buf, size_t len)
{
	struct fake	*f = arg;
	size_t		 n = f->inlen - f->inoff;

	if (n == 0) {
		if (f->eof)
			return 0;
		errno = EAGAIN;
		return -1;
	}
	if (n > len)
		n = len;
	memcpy(buf, f->in + f->inoff, n);
	f->inoff += n;
	return (ssize_t)n;
}

static ssize_t
fake_send(void *arg, const uint8_t *data, size_t len, int more)
{
	struct fake	*f = arg;

	if (f->blocked || f->outlen + len > sizeof(f->out)) {
		errno = EAGAIN;
		return -1;
	}
	memcpy(f->out + f->outlen, data, len);
	f->outlen += len;
	return (ssize_t)len;
}

static const struct relay_ws_io fake_io = { fake_recv, fake_send };

/* Appends a masked client frame to the fake's input. */
static void
client_frame(struct fake *f, int fin, int opcode, const void *payload,
    size_t len)
{
	static const uint8_t	 mask[4] = { 0x12, 0x34, 0x56, 0x78 };
	const uint8_t		*p = payload;
	uint8_t			*o = f->in + f->inlen;
	size_t			 i, n = 0;

	o[n++] = (uint8_t)((fin ? 0x80 : 0) | opcode);
	if (len < 126)
		o[n++] = (uint8_t)(0x80 | len);
	else {
		o[n++] = 0x80 | 126;
		o[n++] = (uint8_t)(len >> 8);
		o[n++] = (uint8_t)(len & 0xff);
	}
	memcpy(o + n, mask, 4);
	n += 4;
	for (i = 0; i < len; i++)
		o[n + i] = p[i] ^ mask[i % 4];
	f->inlen += n + len;
}

/* The close code of the close frame the server sent, or -1. */
static int
sent_close_code(const struct fake *f)
{
	size_t	 i = 0;
	size_t	 len;

	while (i + 2 <= f->outlen) {
		len = f->out[i + 1] & 0x7f;
		if (len == 126) {
			len = (size_t)(f->out[i + 2] << 8 | f->out[i + 3]);
			i += 2;
		}
		if ((f->out[i] & 0x0f) == 0x8)
			return len >= 2 ?
			    f->out[i + 2] << 8 | f->out[i + 3] : 0;
		i += 2 + len;
	}
	return -1;
}

static void
ws_setup(struct relay_ws *ws, struct fake *f)
{
	memset(f, 0, sizeof(*f));
	cr_assert_eq(relay_ws_init(ws, &fake_io, f, 4096), RELAY_WS_OK);
}

Test(relay_ws, queue_bound)
{
	struct relay_ws	 ws;
	struct fake	 f;
	char		 msg[100];
	int		 i;

	ws_setup(&ws, &f);
	memset(msg, 'm', sizeof(msg));
	f.blocked = 1;		/* a client that never reads */
	for (i = 0; i < 10; i++) {
		cr_assert_eq(relay_ws_text(&ws, msg, sizeof(msg), 1000),
		    RELAY_WS_OK, "message %d", i);
		cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	}
	cr_assert_eq(relay_ws_queued(&ws), 1000);
	cr_assert_eq(relay_ws_text(&ws, msg, 1, 1000), RELAY_WS_FULL);
	cr_assert_eq(relay_ws_queued(&ws), 1000, "nothing was queued");
	cr_assert(relay_ws_want_write(&ws));
	/* The client reads again: the queue drains and takes more. */
	f.blocked = 0;
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_queued(&ws), 0);
	cr_assert_eq(f.outlen, 10 * (2 + sizeof(msg)));
	cr_assert_eq(f.out[0], 0x81, "a final text frame");
	cr_assert_eq(f.out[1], 100, "unmasked, 100 bytes");
	cr_assert_eq(relay_ws_text(&ws, msg, sizeof(msg), 1000), RELAY_WS_OK);
	/* A message larger than the bound never fits. */
	cr_assert_eq(relay_ws_text(&ws, msg, sizeof(msg), 99), RELAY_WS_FULL);
	relay_ws_free(&ws);
}

Test(relay_ws, text_is_ignored_ping_answered)
{
	struct relay_ws	 ws;
	struct fake	 f;

	ws_setup(&ws, &f);
	client_frame(&f, 1, 0x1, "hello", 5);
	client_frame(&f, 1, 0x9, "pp", 2);
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(f.outlen, 4, "only the pong");
	cr_assert_eq(f.out[0], 0x8a);
	cr_assert_eq(f.out[1], 2);
	cr_assert(memcmp(f.out + 2, "pp", 2) == 0);
	cr_assert(relay_ws_want_read(&ws));
	cr_assert(!relay_ws_finished(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, fragments_reassembled)
{
	struct relay_ws	 ws;
	struct fake	 f;

	ws_setup(&ws, &f);
	client_frame(&f, 0, 0x1, "hel", 3);
	client_frame(&f, 1, 0x9, "", 0);	/* a ping between fragments */
	client_frame(&f, 1, 0x0, "lo", 2);
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(sent_close_code(&f), -1);
	cr_assert(relay_ws_want_read(&ws));
	relay_ws_free(&ws);
}

static void
expect_close(int opcode, const void *payload, size_t len, int code)
{
	struct relay_ws	 ws;
	struct fake	 f;

	ws_setup(&ws, &f);
	client_frame(&f, 1, opcode, payload, len);
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(sent_close_code(&f), code, "close %d instead of %d",
	    sent_close_code(&f), code);
	cr_assert(relay_ws_finished(&ws), "the socket should close now");
	cr_assert_eq(relay_ws_close_sent(&ws), (unsigned)code);
	cr_assert_eq(relay_ws_text(&ws, "x", 1, 1000), RELAY_WS_CLOSING);
	relay_ws_free(&ws);
}

Test(relay_ws, binary_closes_1003)
{
	expect_close(0x2, "\x00\x01", 2, 1003);
}

Test(relay_ws, invalid_utf8_closes_1007)
{
	expect_close(0x1, "{\"x\":\"\xff\"}", 9, 1007);
}

Test(relay_ws, oversize_closes_1009)
{
	static char	 big[5000];

	memset(big, 'b', sizeof(big));
	expect_close(0x1, big, sizeof(big), 1009);
}

Test(relay_ws, reserved_opcode_closes_1002)
{
	expect_close(0x3, "x", 1, 1002);
}

Test(relay_ws, client_close_answered)
{
	expect_close(0x8, "\x03\xe8", 2, 1000);
}

Test(relay_ws, our_close_then_theirs)
{
	struct relay_ws	 ws;
	struct fake	 f;

	ws_setup(&ws, &f);
	cr_assert_eq(relay_ws_close(&ws, 1000), RELAY_WS_OK);
	cr_assert_eq(relay_ws_close(&ws, 1001), RELAY_WS_CLOSING);
	cr_assert_eq(relay_ws_write(&ws), RELAY_WS_OK);
	cr_assert_eq(sent_close_code(&f), 1000);
	cr_assert(!relay_ws_finished(&ws), "waits for the client's close");
	client_frame(&f, 1, 0x8, "\x03\xe8", 2);
	cr_assert_eq(relay_ws_read(&ws), RELAY_WS_OK);
	cr_assert(relay_ws_finished(&ws));
	relay_ws_free(&ws);
}

Test(relay_ws, end_of_file)
{
	struct relay_ws	 ws;
	struct fake	 f;

	ws_setup(&ws, &f);
	f.eof = 1;
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

/* --- relay_listen ------------------------------------------------------ */

Test(relay_listen, addresses)
{
	struct relay_address	 a;
	const char		*why;

	cr_assert_eq(relay_listen_parse("unix:/run/attendance/relay.sock", &a,
	    &why), 0);
	cr_assert(a.is_unix);
	cr_assert_str_eq(a.path, "/run/attendance/relay.sock");
	cr_assert_eq(relay_listen_parse("127.0.0.1:8081", &a, &why), 0);
	cr_assert(!a.is_unix);
	cr_assert_str_eq(a.host, "127.0.0.1");
	cr_assert_str_eq(a.port, "8081");
	cr_assert_eq(relay_listen_parse("[::1]:8081", &a, &why), 0);
	cr_assert_str_eq(a.host, "::1");
	cr_assert_eq(relay_listen_parse("localhost:0", &a, &why), -1);
	cr_assert_eq(relay_listen_parse("localhost:65536", &a, &why), -1);
	cr_assert_eq(relay_listen_parse("localhost", &a, &why), -1);
	cr_assert_eq(relay_listen_parse("::1:8081", &a, &why), -1);
	cr_assert_eq(relay_listen_parse(":8081", &a, &why), -1);
	cr_assert_eq(relay_listen_parse("unix:relative.sock", &a, &why), -1);
}
