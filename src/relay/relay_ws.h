/*
 * One WebSocket, server side of RFC 6455, with the relay's policy.
 * Client frames must be masked; fragmented messages are reassembled only
 * as far as the checks need (a length and a UTF-8 state, never the
 * bytes), since the relay ignores what clients say.  Text is checked for
 * UTF-8 and ignored; pings are answered with a pong of the same payload,
 * pongs accepted; a close is echoed with its code and ends the reading.
 * A socket is closed with 1002 on a protocol error (an unmasked frame,
 * reserved bits or opcodes, a fragmented or oversized control frame, a
 * continuation out of place, a length not in its shortest form), 1003 on
 * a binary message, 1007 on invalid UTF-8 and 1009 on a message over
 * max_message bytes.  Outgoing text is refused once the queue would pass
 * a bound, so a reader that stops reading costs at most that much memory.
 *
 * Memory: an idle socket is this struct and nothing else.  Reads go
 * through one buffer shared by every socket (the relay has one thread);
 * only the incomplete end of a frame header or of a control frame (at
 * most 139 bytes) is kept between reads, in a buffer allocated for that
 * time.  Each queued frame is allocated on its own and freed once sent.
 *
 * No event loop and no socket here: the bytes come and go through the
 * caller's relay_ws_io, so the unit tests drive it with buffers.
 */
#ifndef ATTENDANCE_RELAY_WS_H
#define ATTENDANCE_RELAY_WS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * Like recv(2) and send(2): the number of bytes, or -1 with errno EAGAIN
 * when the socket would block (EINTR: called again; any other errno ends
 * the connection); recv returns 0 at end of file.  more: further data
 * follows at once.
 */
struct relay_ws_io {
	ssize_t	(*recv)(void *arg, uint8_t *buf, size_t len);
	ssize_t	(*send)(void *arg, const uint8_t *data, size_t len, int more);
};

struct relay_ws_frame;		/* a queued frame: private to relay_ws.c */

/* Private: use the functions below. */
struct relay_ws {
	const struct relay_ws_io *io;
	void			*arg;
	struct relay_ws_frame	*cur;		/* the frame being sent */
	struct relay_ws_frame	*ctl;		/* pong, ping: before text */
	struct relay_ws_frame	*out, *out_tail; /* text, in order */
	uint8_t			*tail;		/* an incomplete frame's end */
	size_t			 max_message;
	size_t			 queued;	/* text payload not yet sent */
	uint64_t		 left;		/* payload still to come */
	uint64_t		 msglen;	/* the message's bytes so far */
	uint32_t		 utf8;		/* its UTF-8 decoder state */
	uint8_t			 mask[4];
	uint16_t		 close_code;	/* queued or sent; 0: none */
	uint8_t			 taillen;
	uint8_t			 maskoff;	/* payload offset, mod 4 */
	uint8_t			 msg;		/* a message in progress */
	uint8_t			 fin;		/* this frame ends it */
	uint8_t			 flags;
};

/*
 * The relay's own close code, in the range RFC 6455 leaves to
 * applications (section 7.4.2): the login that opened the socket ended
 * (HTTP's 401).  Its close frame carries the reason "logged out".
 */
#define RELAY_WS_LOGGED_OUT	4401

enum relay_ws_result {
	RELAY_WS_OK = 0,
	RELAY_WS_DONE,		/* the connection is over: close the socket */
	RELAY_WS_FULL,		/* the message would pass the queue bound */
	RELAY_WS_CLOSING,	/* a close is queued: no more messages */
	RELAY_WS_NOMEM
};

/*
 * Sets ws up; nothing is allocated until a frame is queued or a read
 * stops inside a frame.  RELAY_WS_OK.
 */
int	 relay_ws_init(struct relay_ws *ws, const struct relay_ws_io *io,
	    void *arg, size_t max_message);
/* Frees what ws holds; a zeroed ws is fine, and so is freeing twice. */
void	 relay_ws_free(struct relay_ws *ws);

/* Reads and handles what the socket has.  OK or DONE. */
int	 relay_ws_read(struct relay_ws *ws);
/* Sends what is queued, as far as the socket takes it.  OK or DONE. */
int	 relay_ws_write(struct relay_ws *ws);

/*
 * Queues msg[0..len) as one text frame unless the queue would then hold
 * more than max_queue bytes (RELAY_WS_FULL; nothing is queued).  msg is
 * copied.  OK, FULL, CLOSING or NOMEM.
 */
int	 relay_ws_text(struct relay_ws *ws, const char *msg, size_t len,
	    size_t max_queue);
/* Queues a ping (once: a ping not yet sent is not doubled).  OK,
 * CLOSING or NOMEM. */
int	 relay_ws_ping(struct relay_ws *ws);
/*
 * Queues a close with code, sent after the text already queued; reading
 * goes on until the peer's close completes the handshake.  OK, or
 * CLOSING when one is already queued.
 */
int	 relay_ws_close(struct relay_ws *ws, uint16_t code);

/* Bytes of text messages queued and not yet (completely) sent. */
size_t	 relay_ws_queued(const struct relay_ws *ws);
int	 relay_ws_want_read(const struct relay_ws *ws);
int	 relay_ws_want_write(const struct relay_ws *ws);
/* Neither: the close handshake is over (or failed); close the socket. */
int	 relay_ws_finished(const struct relay_ws *ws);
/* The close code sent (1005 for a close without one), or 0 when none
 * was. */
unsigned	 relay_ws_close_sent(const struct relay_ws *ws);

#endif
