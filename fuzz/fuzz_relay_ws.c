/*
 * libFuzzer target: relay_ws (the relay's WebSocket codec) reading what
 * a client sends.  No socket: the io callbacks hand the input over in
 * chunks whose size the first byte picks (0x40: every other read and
 * every other write would block, and a write takes at most a chunk;
 * 0x80: a message is queued first); an input whose length is a multiple
 * of 3 also sees the relay close (1001) after a few rounds.
 * Invariants: every round reads or writes something, or the connection
 * is over, so the loop ends; the queue stays within its bound; what is
 * written is whole frames, final and unmasked, control frames of at most
 * 125 bytes, nothing after the close, whose code is the one reported;
 * relay_ws_free frees everything (LeakSanitizer).
 */
#include <assert.h>
#include <errno.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "relay_ws.h"

#define FUZZ_MAX_MESSAGE	1024
#define FUZZ_MAX_QUEUE		4096
#define FUZZ_OUT_MAX		65536	/* output checked; past it, counted */

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

struct fuzz_io {
	const uint8_t	*in;
	size_t		 len, off, chunk, sent;
	int		 stall;	/* EAGAIN every other call */
	unsigned	 rcalls, scalls;
	uint8_t		 out[FUZZ_OUT_MAX];
	size_t		 outlen;
};

static ssize_t
fuzz_recv(void *arg, uint8_t *buf, size_t len)
{
	struct fuzz_io	*f = arg;
	size_t		 n = f->len - f->off;

	if (f->stall && (f->rcalls++ & 1)) {
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
	size_t		 n;

	assert(len > 0);
	if (f->stall) {
		if (f->scalls++ & 1) {
			errno = EAGAIN;
			return -1;
		}
		if (len > f->chunk)
			len = f->chunk;
	}
	n = FUZZ_OUT_MAX - f->outlen;
	if (n > len)
		n = len;
	memcpy(f->out + f->outlen, data, n);
	f->outlen += n;
	f->sent += len;
	return (ssize_t)len;
}

static const struct relay_ws_io fuzz_io = { fuzz_recv, fuzz_send };

/* What was written parses as frames a server may send; returns the code
 * of the close among them (1005 for one without a code), or 0. */
static unsigned
fuzz_check_output(const struct fuzz_io *f)
{
	const uint8_t	*p = f->out;
	size_t		 off = 0, hlen, i;
	uint64_t	 len;
	unsigned	 code = 0;
	int		 opcode;

	while (off < f->outlen) {
		assert(code == 0);		/* nothing after the close */
		if (f->outlen - off < 2)
			break;			/* cut at FUZZ_OUT_MAX */
		assert((p[off] & 0xf0) == 0x80);	/* FIN, no RSV */
		assert((p[off + 1] & 0x80) == 0);	/* not masked */
		opcode = p[off] & 0x0f;
		assert(opcode == 0x1 || opcode == 0x8 || opcode == 0x9 ||
		    opcode == 0xa);
		len = p[off + 1] & 0x7f;
		hlen = len == 126 ? 4 : len == 127 ? 10 : 2;
		if (f->outlen - off < hlen)
			break;
		if (hlen > 2)
			for (len = 0, i = 2; i < hlen; i++)
				len = len << 8 | p[off + i];
		assert(opcode == 0x1 || len <= 125);
		assert(hlen != 4 || len >= 126);
		assert(hlen != 10 || len > 0xffff);
		if (f->outlen - off - hlen < len)
			break;
		if (opcode == 0x8) {
			/* A code, and a reason since v1.1's 4401. */
			assert(len == 0 || (len >= 2 && len <= 125));
			code = len == 0 ? 1005 :
			    (unsigned)p[off + 2] << 8 | p[off + 3];
		}
		off += hlen + (size_t)len;
	}
	return code;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct fuzz_io	 f;
	struct relay_ws		 ws;
	size_t			 off, sent, round, idle = 0;
	unsigned		 code;
	int			 done = 0;

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
		off = f.off;
		sent = f.sent;
		if (relay_ws_read(&ws) == RELAY_WS_DONE)
			done = 1;
		if (relay_ws_write(&ws) == RELAY_WS_DONE)
			done = 1;
		assert(relay_ws_queued(&ws) <= FUZZ_MAX_QUEUE);
		if (round % 4 == 3)
			(void)relay_ws_ping(&ws);
		if (round == 5 && size % 3 == 0)
			(void)relay_ws_close(&ws, 1001);
		/* Blocked calls alternate: two rounds without a byte read
		 * or written would be a loop that never ends. */
		idle = off == f.off && sent == f.sent ? idle + 1 : 0;
		assert(done || relay_ws_finished(&ws) || idle < 2);
	}
	code = fuzz_check_output(&f);
	if (f.sent == f.outlen)
		assert(code == relay_ws_close_sent(&ws));
	assert(code == 0 || (code >= 1000 && code < 5000));
	relay_ws_free(&ws);
	return 0;
}
