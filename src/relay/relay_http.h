/*
 * The relay's HTTP side, pure functions on buffers (no event loop, no
 * sockets): the one request a connection sends before it is upgraded
 * (RFC 7230 request line and header fields, RFC 6455 opening handshake),
 * the Sec-WebSocket-Accept value, and the plain answers.  Nothing here
 * allocates; every output goes to a buffer the caller owns.
 */
#ifndef ATTENDANCE_RELAY_HTTP_H
#define ATTENDANCE_RELAY_HTTP_H

#include <stddef.h>

#include "error.h"
#include "http.h"

/* The whole request head, request line to blank line, in bytes. */
#define RELAY_HTTP_HEAD_MAX	8192
#define RELAY_HTTP_KEY_LENGTH	24	/* base64 of 16 bytes */
#define RELAY_HTTP_ACCEPT_SIZE	29	/* base64 of a SHA-1, and a NUL */
#define RELAY_HTTP_SID_MAX	128	/* longest sid cookie kept */
#define RELAY_HTTP_ORIGIN_MAX	256	/* longest Origin kept */
/* Room for any answer of relay_http_answer() with a short body. */
#define RELAY_HTTP_ANSWER_MAX	512

enum relay_http_target {
	RELAY_HTTP_WEBSOCKET = 1,	/* GET /ws with an upgrade */
	RELAY_HTTP_HEALTH		/* GET /healthz */
};

enum relay_http_result {
	RELAY_HTTP_OK = 0,	/* a complete, acceptable head */
	RELAY_HTTP_MORE,	/* no blank line yet: read more */
	RELAY_HTTP_BAD		/* refuse, as struct relay_http_refusal says */
};

/*
 * Why a head is refused.  err is the contract's error, whose code
 * (error_code()) the answer's body carries; status is the answer's HTTP
 * status, error_http_status(err) except where HTTP has a more precise
 * one of its own (426, 431, 505), and then err is AT_EINVALID.
 */
struct relay_http_refusal {
	enum at_error	 err;
	int		 status;
	const char	*why;		/* static text */
};

struct relay_http_request {
	enum relay_http_target	 target;
	size_t			 length;	/* bytes of the head */
	/* sessionId: present once and a well-formed UUID (lowercased). */
	int			 has_session;
	char			 session_id[HTTP_UUID_SIZE];
	/* Origin: present exactly once and not longer than the bound. */
	int			 has_origin;
	char			 origin[RELAY_HTTP_ORIGIN_MAX + 1];
	/* The sid cookie (first Cookie header holding one). */
	int			 has_sid;
	char			 sid[RELAY_HTTP_SID_MAX + 1];
	/* Sec-WebSocket-Accept for the request's key. */
	char			 accept[RELAY_HTTP_ACCEPT_SIZE];
};

/*
 * Parses the request head at the start of buf[0..len).  RELAY_HTTP_MORE
 * while the head is incomplete and shorter than RELAY_HTTP_HEAD_MAX.
 * RELAY_HTTP_BAD fills *bad: AT_EINVALID (400, 426, 431, 505),
 * AT_ENOTFOUND (404) or AT_EMETHOD (405); bytes after the head are
 * refused too (a client must wait for the upgrade before it sends
 * frames).  Only the target, the WebSocket handshake fields, Origin and
 * the sid cookie are read; every other header, including any a proxy
 * adds, is ignored.
 */
int	 relay_http_parse(const char *buf, size_t len,
	    struct relay_http_request *req, struct relay_http_refusal *bad);

/* Whether key is a Sec-WebSocket-Key: 16 bytes in base64 (24 chars). */
int	 relay_http_key_valid(const char *key, size_t len);

/* Sec-WebSocket-Accept of key (RFC 6455 section 4.2.2): SHA-1, base64. */
void	 relay_http_accept(const char *key, size_t len,
	    char out[RELAY_HTTP_ACCEPT_SIZE]);

/*
 * The 101 answer completing a handshake, into out; returns its length, or
 * 0 when size is too small.
 */
size_t	 relay_http_switching(char *out, size_t size, const char *accept);

/*
 * A complete answer with a JSON body and Connection: close, into out:
 * the status line, the headers the status needs (Allow for 405, Upgrade
 * and Sec-WebSocket-Version for 426, Retry-After for 503) and body.
 * Returns its length, or 0 when size is too small.
 */
size_t	 relay_http_answer(char *out, size_t size, int status,
	    const char *body);

/*
 * The contract's error body {"error":{"code","message"}} into out; code
 * and message are plain ASCII without quotes.  Returns its length or 0.
 */
size_t	 relay_http_error_body(char *out, size_t size, const char *code,
	    const char *message);

#endif
