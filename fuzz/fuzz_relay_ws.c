/*
 * libFuzzer target: relay_ws (wslay plus the relay's policy) reading what
 * a client sends.  No socket: the io callbacks hand the input over in
 * chunks whose size the first byte picks (0x40: every other read would
 * block, 0x80: a message is queued first), and take what is written.
 * Invariants: the loop ends (each round reads or writes something, or
 * the connection is over); the queue stays within its bound; a close
 * sent carries a code wslay may send; relay_ws_free frees everything.
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relay_ws.h"

#define FUZZ_MAX_MESSAGE	1024
#define FUZZ_MAX_QUEUE		4096

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_io {
	const uint8_t	*in;
	size_t		 len, off, chunk, sent;
	int		 stall;	/* EAGAIN every other call */
	unsigned	 calls;
};

static ssize_t
fuzz_recv(void *arg, uint8_t *buf, size_t len)
{
	struct fuzz_io	*f = arg;
	size_t		 n = f->len - f->off;

	if (f->stall && (f->calls++ & 1)) {
		errno = EAGAIN;
		return -1;
	}
	if (n == 0)
		return 0;	/* end of file: the client is gone */
	if (n > len)
		n = len;
	if (n > f->chunk)
		n = f->chunk;
	memcpy(buf, f->in + f->off, n);
	f->off += n;
	return (ssize_t)n;
}

static ssize_t
fuzz_send(void *arg, const uint8_t *data, size_t len, int more)
{
	struct fuzz_io	*f = arg;

	f->sent += len;
	return (ssize_t)len;
}

static const struct relay_ws_io fuzz_io = { fuzz_recv, fuzz_send };

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fuzz_io	 f;
	struct relay_ws	 ws;
	size_t		 off, sent, round;
	unsigned	 code;
	int		 done = 0;

	if (size < 1)
		return 0;
	memset(&f, 0, sizeof(f));
	f.chunk = (size_t)(data[0] % 64) + 1;
	f.stall = (data[0] & 0x40) != 0;
	f.in = data + 1;
	f.len = size - 1;
	if (relay_ws_init(&ws, &fuzz_io, &f, FUZZ_MAX_MESSAGE) != RELAY_WS_OK)
		return 0;
	if (data[0] & 0x80)
		(void)relay_ws_text(&ws, "{\"type\":\"hello\"}", 16,
		    FUZZ_MAX_QUEUE);
	for (round = 0; !done && !relay_ws_finished(&ws); round++) {
		/* Every round consumes input or ends: bounded by size. */
		assert(round <= 2 * size + 4);
		off = f.off;
		sent = f.sent;
		if (relay_ws_read(&ws) == RELAY_WS_DONE)
			done = 1;
		if (relay_ws_write(&ws) == RELAY_WS_DONE)
			done = 1;
		assert(relay_ws_queued(&ws) <= FUZZ_MAX_QUEUE);
		if (round % 4 == 3)
			(void)relay_ws_ping(&ws);
		if (off == f.off && sent == f.sent && !f.stall)
			done = 1;
	}
	code = relay_ws_close_sent(&ws);
	assert(code == 0 || (code >= 1000 && code < 5000));
	relay_ws_free(&ws);
	return 0;
}
