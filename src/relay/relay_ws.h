/*
 * One WebSocket, server side, over wslay's event API: framing, masking,
 * fragmentation, ping/pong and the close handshake are wslay's; this
 * module adds the relay's policy.  Client text messages are read and
 * ignored; a binary message closes with 1003, invalid UTF-8 with 1007
 * (wslay), a message over max_message bytes with 1009 (wslay).  Outgoing
 * text is refused once the queue would pass a bound, so a reader that
 * stops reading costs at most that much memory.
 *
 * No event loop and no socket here: the bytes come and go through the
 * caller's relay_ws_io, so the unit tests drive it with buffers.
 */
#ifndef ATTENDANCE_RELAY_WS_H
#define ATTENDANCE_RELAY_WS_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <wslay/wslay.h>

/*
 * Like recv(2) and send(2): the number of bytes, or -1 with errno EAGAIN
 * when the socket would block (any other errno ends the connection);
 * recv returns 0 at end of file.  more: further data follows at once.
 */
struct relay_ws_io {
	ssize_t	(*recv)(void *arg, uint8_t *buf, size_t len);
	ssize_t	(*send)(void *arg, const uint8_t *data, size_t len, int more);
};

struct relay_ws {
	wslay_event_context_ptr	 ctx;
	const struct relay_ws_io *io;
	void			*arg;
};

enum relay_ws_result {
	RELAY_WS_OK = 0,
	RELAY_WS_DONE,		/* the connection is over: close the socket */
	RELAY_WS_FULL,		/* the message would pass the queue bound */
	RELAY_WS_CLOSING,	/* a close is queued: no more messages */
	RELAY_WS_NOMEM
};

/* Sets ws up (wslay's context is malloc'd).  0, or RELAY_WS_NOMEM. */
int	 relay_ws_init(struct relay_ws *ws, const struct relay_ws_io *io,
	    void *arg, size_t max_message);
/* Frees what ws holds; a zeroed ws is fine. */
void	 relay_ws_free(struct relay_ws *ws);

/* Reads and handles what the socket has.  OK or DONE. */
int	 relay_ws_read(struct relay_ws *ws);
/* Sends what is queued, as far as the socket takes it.  OK or DONE. */
int	 relay_ws_write(struct relay_ws *ws);

/*
 * Queues msg[0..len) as one text frame unless the queue would then hold
 * more than max_queue bytes (RELAY_WS_FULL; nothing is queued).
 */
int	 relay_ws_text(struct relay_ws *ws, const char *msg, size_t len,
	    size_t max_queue);
/* Queues a ping.  OK, CLOSING or NOMEM. */
int	 relay_ws_ping(struct relay_ws *ws);
/*
 * Queues a close with code; reading goes on until the peer's close
 * completes the handshake.  OK, or CLOSING when one is already queued.
 */
int	 relay_ws_close(struct relay_ws *ws, uint16_t code);

/* Bytes of messages queued and not yet sent. */
size_t	 relay_ws_queued(const struct relay_ws *ws);
int	 relay_ws_want_read(const struct relay_ws *ws);
int	 relay_ws_want_write(const struct relay_ws *ws);
/* Neither: the close handshake is over (or failed); close the socket. */
int	 relay_ws_finished(const struct relay_ws *ws);
/* The close code sent, or 0 when none was. */
unsigned	 relay_ws_close_sent(const struct relay_ws *ws);

#endif
