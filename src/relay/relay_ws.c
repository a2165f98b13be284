#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "relay_ws.h"

/* RFC 6455 section 5.2. */
#define RELAY_WS_FIN		0x80
#define RELAY_WS_RSV		0x70
#define RELAY_WS_MASKED		0x80
#define RELAY_WS_CONT		0x0
#define RELAY_WS_OP_TEXT	0x1
#define RELAY_WS_OP_BINARY	0x2
#define RELAY_WS_OP_CLOSE	0x8
#define RELAY_WS_OP_PING	0x9
#define RELAY_WS_OP_PONG	0xa
#define RELAY_WS_CTL_MAX	125	/* a control frame's payload */
#define RELAY_WS_HEAD_MAX	14	/* 2, 8 of length, 4 of mask */
#define RELAY_WS_OUT_HEAD_MAX	10	/* ours are not masked */

/* What may be left over between reads: a header and a control payload. */
#define RELAY_WS_TAIL_MAX	(RELAY_WS_HEAD_MAX + RELAY_WS_CTL_MAX)
#define RELAY_WS_READ_SIZE	16384

/* RFC 6455 section 7.4. */
#define RELAY_WS_PROTOCOL	1002
#define RELAY_WS_UNSUPPORTED	1003
#define RELAY_WS_NO_STATUS	1005
#define RELAY_WS_INVALID_DATA	1007
#define RELAY_WS_TOO_BIG	1009

/* ws->flags */
#define RELAY_WS_F_READ		0x01	/* reading goes on */
#define RELAY_WS_F_WRITE	0x02	/* writing goes on */
#define RELAY_WS_F_CLOSE_QUEUED	0x04
#define RELAY_WS_F_CLOSE_SENT	0x08

struct relay_ws_frame {
	struct relay_ws_frame	*next;
	size_t			 len;		/* of data */
	size_t			 off;		/* sent so far */
	size_t			 payload;	/* counted in ws->queued */
	uint8_t			 data[];
};

/*
 * Every socket reads through this buffer, the kept tail of a frame
 * copied in front: the relay is one thread, and no read outlives
 * relay_ws_read, so one buffer serves them all instead of one each.
 */
static uint8_t	 relay_ws_buf[RELAY_WS_TAIL_MAX + RELAY_WS_READ_SIZE];

/* --- UTF-8 ---------------------------------------------------------------- */

/*
 * RFC 3629, a byte at a time, so that a character may straddle frames
 * and reads.  The state is 0 between characters; within one, the
 * continuation bytes still due and the range the next must fall in,
 * narrower after E0, ED, F0 and F4 (no overlong forms, no surrogates,
 * nothing past U+10FFFF).
 */
#define RELAY_WS_UTF8(need, lo, hi) \
	((uint32_t)(need) | (uint32_t)(lo) << 8 | (uint32_t)(hi) << 16)

static int
relay_ws_utf8(uint32_t *state, const uint8_t *p, size_t len)
{
	uint32_t	 s = *state;
	size_t		 i;
	uint8_t		 c;
	int		 rc = -1;

	for (i = 0; i < len; i++) {
		c = p[i];
		if (s != 0) {
			if (c < ((s >> 8) & 0xff) || c > ((s >> 16) & 0xff))
				goto out;
			s = (s & 3) == 1 ? 0 :
			    RELAY_WS_UTF8((s & 3) - 1, 0x80, 0xbf);
		} else if (c < 0x80)
			continue;
		else if (c >= 0xc2 && c <= 0xdf)
			s = RELAY_WS_UTF8(1, 0x80, 0xbf);
		else if (c == 0xe0)
			s = RELAY_WS_UTF8(2, 0xa0, 0xbf);
		else if (c == 0xed)
			s = RELAY_WS_UTF8(2, 0x80, 0x9f);
		else if (c >= 0xe1 && c <= 0xef)
			s = RELAY_WS_UTF8(2, 0x80, 0xbf);
		else if (c == 0xf0)
			s = RELAY_WS_UTF8(3, 0x90, 0xbf);
		else if (c >= 0xf1 && c <= 0xf3)
			s = RELAY_WS_UTF8(3, 0x80, 0xbf);
		else if (c == 0xf4)
			s = RELAY_WS_UTF8(3, 0x80, 0x8f);
		else
			goto out;
	}
	rc = 0;
out:
	*state = s;
	return rc;
}

/* --- outgoing frames ------------------------------------------------------ */

/* One unmasked, final frame, header and payload in one allocation. */
static struct relay_ws_frame *
relay_ws_frame_new(int opcode, const void *payload, size_t len)
{
	struct relay_ws_frame	*f = NULL;
	uint8_t			*h;
	size_t			 hlen, i;

	if (len > SIZE_MAX - sizeof(*f) - RELAY_WS_OUT_HEAD_MAX)
		goto out;
	if ((f = malloc(sizeof(*f) + RELAY_WS_OUT_HEAD_MAX + len)) == NULL)
		goto out;
	h = f->data;
	h[0] = (uint8_t)(RELAY_WS_FIN | opcode);
	if (len < 126) {
		h[1] = (uint8_t)len;
		hlen = 2;
	} else if (len <= 0xffff) {
		h[1] = 126;
		h[2] = (uint8_t)(len >> 8);
		h[3] = (uint8_t)len;
		hlen = 4;
	} else {
		h[1] = 127;
		for (i = 0; i < 8; i++)
			h[2 + i] = (uint8_t)((uint64_t)len >> (56 - 8 * i));
		hlen = 10;
	}
	if (len > 0)
		memcpy(h + hlen, payload, len);
	f->next = NULL;
	f->len = hlen + len;
	f->off = 0;
	f->payload = 0;
out:
	return f;
}

static void
relay_ws_frames_free(struct relay_ws_frame *f)
{
	struct relay_ws_frame	*next;

	for (; f != NULL; f = next) {
		next = f->next;
		free(f);
	}
}

static int
relay_ws_opcode(const struct relay_ws_frame *f)
{
	return f->data[0] & 0x0f;
}

/* Whether a close may still be queued (and so any other frame). */
static int
relay_ws_open(const struct relay_ws *ws)
{
	return (ws->flags & RELAY_WS_F_WRITE) &&
	    !(ws->flags & RELAY_WS_F_CLOSE_QUEUED);
}

/*
 * Queues a close (code 0: without a code) and stops reading.  A close
 * that fails the connection or answers the peer's goes before the text
 * not yet begun, which is dropped: the peer is going, or at fault.
 */
static void
relay_ws_fail(struct relay_ws *ws, uint16_t code)
{
	struct relay_ws_frame	*f;

	ws->flags &= (uint8_t)~RELAY_WS_F_READ;
	free(ws->tail);
	ws->tail = NULL;
	ws->taillen = 0;
	/* After our own close, the handshake is over: nothing to send. */
	if (relay_ws_open(ws)) {
		for (f = ws->out; f != NULL; f = f->next)
			ws->queued -= f->payload;
		relay_ws_frames_free(ws->out);
		ws->out = ws->out_tail = NULL;
		ws->close_code = code;
		ws->flags |= RELAY_WS_F_CLOSE_QUEUED;
	}
}

/*
 * Queues a pong for payload; one not yet sent is replaced, since only
 * the latest ping needs its answer (RFC 6455 section 5.5.3), so a peer
 * that pings and never reads cannot grow the queue.
 */
static int
relay_ws_pong(struct relay_ws *ws, const uint8_t *payload, size_t len)
{
	struct relay_ws_frame	*f, **pp;
	int			 rc = RELAY_WS_OK;

	if (!relay_ws_open(ws))
		goto out;
	if ((f = relay_ws_frame_new(RELAY_WS_OP_PONG, payload, len)) == NULL) {
		rc = RELAY_WS_NOMEM;
		goto out;
	}
	for (pp = &ws->ctl; *pp != NULL; pp = &(*pp)->next) {
		if (relay_ws_opcode(*pp) == RELAY_WS_OP_PONG) {
			f->next = (*pp)->next;
			free(*pp);
			break;
		}
	}
	*pp = f;
out:
	return rc;
}

/* --- reading -------------------------------------------------------------- */

static int
relay_ws_close_code_valid(unsigned code)
{
	return (code >= 1000 && code <= 1011 && code != 1004 &&
	    code != 1005 && code != 1006) || (code >= 3000 && code <= 4999);
}

/* A whole control frame's payload, unmasked. */
static int
relay_ws_control(struct relay_ws *ws, int opcode, const uint8_t *p,
    size_t len)
{
	uint32_t	 utf8 = 0;
	unsigned	 code = 0;
	int		 rc = RELAY_WS_OK;

	switch (opcode) {
	case RELAY_WS_OP_PING:
		rc = relay_ws_pong(ws, p, len);
		break;
	case RELAY_WS_OP_PONG:
		/* The caller saw bytes arrive: that is the liveness. */
		break;
	case RELAY_WS_OP_CLOSE:
		if (len == 1) {
			relay_ws_fail(ws, RELAY_WS_PROTOCOL);
			break;
		}
		if (len >= 2) {
			code = (unsigned)p[0] << 8 | p[1];
			if (!relay_ws_close_code_valid(code)) {
				relay_ws_fail(ws, RELAY_WS_PROTOCOL);
				break;
			}
			if (relay_ws_utf8(&utf8, p + 2, len - 2) == -1 ||
			    utf8 != 0) {
				relay_ws_fail(ws, RELAY_WS_INVALID_DATA);
				break;
			}
		}
		/* Echo the code; after our own close, the handshake is
		 * complete and this only stops the reading. */
		relay_ws_fail(ws, (uint16_t)code);
		break;
	}
	return rc;
}

/* The data frame whose payload just ended. */
static void
relay_ws_frame_end(struct relay_ws *ws)
{
	if (ws->fin && ws->utf8 != 0)
		relay_ws_fail(ws, RELAY_WS_INVALID_DATA);	/* cut short */
	else if (ws->fin) {
		/* A whole text message: the relay has no use for it. */
		ws->msg = 0;
		ws->msglen = 0;
	}
}

/*
 * What the first two bytes of a header may be (section 5.2): no RSV bit
 * (we negotiate no extension), masked (section 5.3), a known opcode; a
 * control frame final and at most 125 bytes (section 5.5); a
 * continuation only within a message, and no new message inside one.
 */
static int
relay_ws_header_valid(const struct relay_ws *ws, uint8_t b0, uint8_t b1)
{
	int	 opcode = b0 & 0x0f, ok;

	if ((b0 & RELAY_WS_RSV) || !(b1 & RELAY_WS_MASKED))
		ok = 0;
	else if (opcode >= RELAY_WS_OP_CLOSE)
		ok = opcode <= RELAY_WS_OP_PONG && (b0 & RELAY_WS_FIN) &&
		    (b1 & 0x7f) <= RELAY_WS_CTL_MAX;
	else
		ok = opcode <= RELAY_WS_OP_BINARY &&
		    (opcode == RELAY_WS_CONT) == (ws->msg != 0);
	return ok;
}

/*
 * Handles the frames in p[0..len).  Returns how many bytes at the end
 * are an incomplete header or control frame, to be read again with what
 * follows; data payloads are checked as they come and never kept.
 */
static size_t
relay_ws_parse(struct relay_ws *ws, uint8_t *p, size_t len, int *rc)
{
	uint64_t	 flen;
	size_t		 n, i, hlen, off = 0;
	int		 opcode, fin, len7;

	*rc = RELAY_WS_OK;
	while (off < len && (ws->flags & RELAY_WS_F_READ)) {
		if (ws->left > 0) {
			n = len - off;
			if ((uint64_t)n > ws->left)
				n = (size_t)ws->left;
			for (i = 0; i < n; i++)
				p[off + i] ^= ws->mask[(ws->maskoff + i) & 3];
			ws->maskoff = (uint8_t)((ws->maskoff + n) & 3);
			off += n;
			ws->left -= n;
			if (relay_ws_utf8(&ws->utf8, p + off - n, n) == -1) {
				relay_ws_fail(ws, RELAY_WS_INVALID_DATA);
				break;
			}
			if (ws->left == 0)
				relay_ws_frame_end(ws);
			continue;
		}
		/* A header: its first two bytes say what it is. */
		if (len - off < 2)
			break;
		fin = (p[off] & RELAY_WS_FIN) != 0;
		opcode = p[off] & 0x0f;
		len7 = p[off + 1] & 0x7f;
		if (!relay_ws_header_valid(ws, p[off], p[off + 1])) {
			relay_ws_fail(ws, RELAY_WS_PROTOCOL);
			break;
		}
		hlen = 2 + (len7 == 126 ? 2 : len7 == 127 ? 8 : 0) + 4;
		if (len - off < hlen)
			break;
		if (len7 < 126)
			flen = (uint64_t)len7;
		else {
			flen = 0;
			for (i = 2; i < hlen - 4; i++)
				flen = flen << 8 | p[off + i];
		}
		/* The shortest form only, and 63 bits (section 5.2). */
		if ((len7 == 126 && flen < 126) ||
		    (len7 == 127 && (flen <= 0xffff || flen >> 63))) {
			relay_ws_fail(ws, RELAY_WS_PROTOCOL);
			break;
		}
		if (opcode >= RELAY_WS_OP_CLOSE) {
			if (len - off < hlen + flen)
				break;
			for (i = 0; i < flen; i++)
				p[off + hlen + i] ^=
				    p[off + hlen - 4 + (i & 3)];
			*rc = relay_ws_control(ws, opcode, p + off + hlen,
			    (size_t)flen);
			off += hlen + (size_t)flen;
			if (*rc != RELAY_WS_OK)
				break;
			continue;
		}
		if (flen > ws->max_message ||
		    ws->msglen > ws->max_message - flen) {
			relay_ws_fail(ws, RELAY_WS_TOO_BIG);
			break;
		}
		if (opcode == RELAY_WS_OP_BINARY) {
			relay_ws_fail(ws, RELAY_WS_UNSUPPORTED);
			break;
		}
		if (opcode == RELAY_WS_OP_TEXT) {
			ws->msg = RELAY_WS_OP_TEXT;
			ws->utf8 = 0;
		}
		ws->msglen += flen;
		ws->fin = (uint8_t)fin;
		ws->left = flen;
		memcpy(ws->mask, p + off + hlen - 4, 4);
		ws->maskoff = 0;
		off += hlen;
		if (ws->left == 0)
			relay_ws_frame_end(ws);
	}
	return (ws->flags & RELAY_WS_F_READ) && *rc == RELAY_WS_OK ?
	    len - off : 0;
}

/* --- the interface -------------------------------------------------------- */

int
relay_ws_init(struct relay_ws *ws, const struct relay_ws_io *io, void *arg,
    size_t max_message)
{
	memset(ws, 0, sizeof(*ws));
	ws->io = io;
	ws->arg = arg;
	ws->max_message = max_message;
	ws->flags = RELAY_WS_F_READ | RELAY_WS_F_WRITE;
	return RELAY_WS_OK;
}

void
relay_ws_free(struct relay_ws *ws)
{
	if (ws != NULL) {
		free(ws->cur);
		relay_ws_frames_free(ws->ctl);
		relay_ws_frames_free(ws->out);
		free(ws->tail);
		ws->cur = ws->ctl = ws->out = ws->out_tail = NULL;
		ws->tail = NULL;
		ws->taillen = 0;
		ws->queued = 0;
		ws->flags = 0;
	}
}

int
relay_ws_read(struct relay_ws *ws)
{
	uint8_t		*buf = relay_ws_buf;
	size_t		 have, keep;
	ssize_t		 n;
	int		 rc = RELAY_WS_OK;

	while (ws->flags & RELAY_WS_F_READ) {
		have = ws->taillen;
		if (have > 0)
			memcpy(buf, ws->tail, have);
		n = ws->io->recv(ws->arg, buf + have, RELAY_WS_READ_SIZE);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0 || (size_t)n > RELAY_WS_READ_SIZE) {
			/* The peer is gone without a close: nothing to say. */
			ws->flags &= (uint8_t)~RELAY_WS_F_READ;
			rc = RELAY_WS_DONE;
			break;
		}
		free(ws->tail);
		ws->tail = NULL;
		ws->taillen = 0;
		keep = relay_ws_parse(ws, buf, have + (size_t)n, &rc);
		if (rc != RELAY_WS_OK) {
			rc = RELAY_WS_DONE;
			break;
		}
		if (keep == 0)
			continue;
		/* Never more than a header and a control frame. */
		if ((ws->tail = malloc(keep)) == NULL) {
			rc = RELAY_WS_DONE;
			break;
		}
		memcpy(ws->tail, buf + have + (size_t)n - keep, keep);
		ws->taillen = (uint8_t)keep;
	}
	return rc;
}

/*
 * The close frame of code (0: without one), with a reason for the
 * relay's own code, which the peer cannot look up; NULL when out of
 * memory.
 */
static struct relay_ws_frame *
relay_ws_close_frame(uint16_t code)
{
	static const char	 reason[] = "logged out";
	uint8_t			 payload[2 + sizeof(reason) - 1];
	size_t			 len = 0;

	if (code != 0) {
		payload[0] = (uint8_t)(code >> 8);
		payload[1] = (uint8_t)code;
		len = 2;
	}
	if (code == RELAY_WS_LOGGED_OUT) {
		memcpy(payload + 2, reason, sizeof(reason) - 1);
		len += sizeof(reason) - 1;
	}
	return relay_ws_frame_new(RELAY_WS_OP_CLOSE, payload, len);
}

int
relay_ws_write(struct relay_ws *ws)
{
	struct relay_ws_frame	*f;
	ssize_t			 n;
	int			 more, rc = RELAY_WS_OK;

	while (ws->flags & RELAY_WS_F_WRITE) {
		/* Control frames go first, but never inside another frame;
		 * the close goes last. */
		if ((f = ws->cur) == NULL) {
			if ((f = ws->ctl) != NULL)
				ws->ctl = f->next;
			else if ((f = ws->out) != NULL) {
				if ((ws->out = f->next) == NULL)
					ws->out_tail = NULL;
			} else if (ws->flags & RELAY_WS_F_CLOSE_QUEUED) {
				f = relay_ws_close_frame(ws->close_code);
				if (f == NULL) {
					rc = RELAY_WS_DONE;
					break;
				}
			} else
				break;
			f->next = NULL;
			ws->cur = f;
		}
		more = ws->ctl != NULL || ws->out != NULL ||
		    ((ws->flags & RELAY_WS_F_CLOSE_QUEUED) &&
		    relay_ws_opcode(f) != RELAY_WS_OP_CLOSE);
		n = ws->io->send(ws->arg, f->data + f->off, f->len - f->off,
		    more);
		if (n < 0 && errno == EINTR)
			continue;
		if (n == 0 ||
		    (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)))
			break;
		if (n < 0 || (size_t)n > f->len - f->off) {
			ws->flags &= (uint8_t)~RELAY_WS_F_WRITE;
			rc = RELAY_WS_DONE;
			break;
		}
		f->off += (size_t)n;
		if (f->off < f->len)
			continue;
		ws->queued -= f->payload;
		if (relay_ws_opcode(f) == RELAY_WS_OP_CLOSE) {
			ws->flags |= RELAY_WS_F_CLOSE_SENT;
			ws->flags &= (uint8_t)~RELAY_WS_F_WRITE;
		}
		ws->cur = NULL;
		free(f);
	}
	return rc;
}

int
relay_ws_text(struct relay_ws *ws, const char *msg, size_t len,
    size_t max_queue)
{
	struct relay_ws_frame	*f;
	int			 rc = RELAY_WS_OK;

	if (!relay_ws_open(ws)) {
		rc = RELAY_WS_CLOSING;
		goto out;
	}
	if (len > max_queue || ws->queued > max_queue - len) {
		rc = RELAY_WS_FULL;
		goto out;
	}
	if ((f = relay_ws_frame_new(RELAY_WS_OP_TEXT, msg, len)) == NULL) {
		rc = RELAY_WS_NOMEM;
		goto out;
	}
	f->payload = len;
	if (ws->out_tail != NULL)
		ws->out_tail->next = f;
	else
		ws->out = f;
	ws->out_tail = f;
	ws->queued += len;
out:
	return rc;
}

int
relay_ws_ping(struct relay_ws *ws)
{
	struct relay_ws_frame	*f, **pp;
	int			 rc = RELAY_WS_OK;

	if (!relay_ws_open(ws)) {
		rc = RELAY_WS_CLOSING;
		goto out;
	}
	for (pp = &ws->ctl; *pp != NULL; pp = &(*pp)->next)
		if (relay_ws_opcode(*pp) == RELAY_WS_OP_PING)
			goto out;
	if ((f = relay_ws_frame_new(RELAY_WS_OP_PING, NULL, 0)) == NULL) {
		rc = RELAY_WS_NOMEM;
		goto out;
	}
	*pp = f;
out:
	return rc;
}

int
relay_ws_close(struct relay_ws *ws, uint16_t code)
{
	int	 rc = RELAY_WS_OK;

	if (!relay_ws_open(ws))
		rc = RELAY_WS_CLOSING;
	else {
		ws->close_code = code;
		ws->flags |= RELAY_WS_F_CLOSE_QUEUED;
	}
	return rc;
}

size_t
relay_ws_queued(const struct relay_ws *ws)
{
	return ws->queued;
}

int
relay_ws_want_read(const struct relay_ws *ws)
{
	return (ws->flags & RELAY_WS_F_READ) != 0;
}

int
relay_ws_want_write(const struct relay_ws *ws)
{
	return (ws->flags & RELAY_WS_F_WRITE) && (ws->cur != NULL ||
	    ws->ctl != NULL || ws->out != NULL ||
	    (ws->flags & RELAY_WS_F_CLOSE_QUEUED));
}

int
relay_ws_finished(const struct relay_ws *ws)
{
	return !relay_ws_want_read(ws) && !relay_ws_want_write(ws);
}

unsigned
relay_ws_close_sent(const struct relay_ws *ws)
{
	unsigned	 code = 0;

	if (ws->flags & RELAY_WS_F_CLOSE_SENT)
		code = ws->close_code != 0 ? ws->close_code :
		    RELAY_WS_NO_STATUS;
	return code;
}
