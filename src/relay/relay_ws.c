#include <errno.h>
#include <string.h>

#include "relay_ws.h"

static ssize_t
relay_ws_recv_cb(wslay_event_context_ptr ctx, uint8_t *buf, size_t len,
    int flags, void *user)
{
	struct relay_ws	*ws = user;
	ssize_t		 n;

	n = ws->io->recv(ws->arg, buf, len);
	if (n > 0)
		return n;
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

static ssize_t
relay_ws_send_cb(wslay_event_context_ptr ctx, const uint8_t *data, size_t len,
    int flags, void *user)
{
	struct relay_ws	*ws = user;
	ssize_t		 n;

	n = ws->io->send(ws->arg, data, len, (flags & WSLAY_MSG_MORE) != 0);
	if (n >= 0)
		return n;
	if (errno == EAGAIN || errno == EWOULDBLOCK)
		wslay_event_set_error(ctx, WSLAY_ERR_WOULDBLOCK);
	else
		wslay_event_set_error(ctx, WSLAY_ERR_CALLBACK_FAILURE);
	return -1;
}

/* Text is ignored (clients have nothing to say); binary closes. */
static void
relay_ws_on_msg(wslay_event_context_ptr ctx,
    const struct wslay_event_on_msg_recv_arg *arg, void *user)
{
	if (arg->opcode == WSLAY_BINARY_FRAME) {
		(void)wslay_event_queue_close(ctx,
		    WSLAY_CODE_UNSUPPORTED_DATA, NULL, 0);
		wslay_event_shutdown_read(ctx);
	}
}

static const struct wslay_event_callbacks relay_ws_callbacks = {
	relay_ws_recv_cb,
	relay_ws_send_cb,
	NULL,			/* genmask: a server does not mask */
	NULL, NULL, NULL,	/* frame callbacks: whole messages suffice */
	relay_ws_on_msg
};

int
relay_ws_init(struct relay_ws *ws, const struct relay_ws_io *io, void *arg,
    size_t max_message)
{
	memset(ws, 0, sizeof(*ws));
	ws->io = io;
	ws->arg = arg;
	if (wslay_event_context_server_init(&ws->ctx, &relay_ws_callbacks,
	    ws) != 0) {
		ws->ctx = NULL;
		return RELAY_WS_NOMEM;
	}
	wslay_event_config_set_max_recv_msg_length(ws->ctx, max_message);
	return RELAY_WS_OK;
}

void
relay_ws_free(struct relay_ws *ws)
{
	if (ws == NULL || ws->ctx == NULL)
		return;
	wslay_event_context_free(ws->ctx);
	ws->ctx = NULL;
}

int
relay_ws_read(struct relay_ws *ws)
{
	if (!wslay_event_want_read(ws->ctx))
		return RELAY_WS_OK;
	/* Fails only when the peer is gone or memory is: over either way. */
	if (wslay_event_recv(ws->ctx) != 0)
		return RELAY_WS_DONE;
	return RELAY_WS_OK;
}

int
relay_ws_write(struct relay_ws *ws)
{
	if (!wslay_event_want_write(ws->ctx))
		return RELAY_WS_OK;
	if (wslay_event_send(ws->ctx) != 0)
		return RELAY_WS_DONE;
	return RELAY_WS_OK;
}

int
relay_ws_text(struct relay_ws *ws, const char *msg, size_t len,
    size_t max_queue)
{
	struct wslay_event_msg	 m;
	int			 rc;

	if (wslay_event_get_close_sent(ws->ctx) ||
	    !wslay_event_get_write_enabled(ws->ctx))
		return RELAY_WS_CLOSING;
	if (len > max_queue ||
	    wslay_event_get_queued_msg_length(ws->ctx) > max_queue - len)
		return RELAY_WS_FULL;
	m.opcode = WSLAY_TEXT_FRAME;
	m.msg = (const uint8_t *)msg;
	m.msg_length = len;
	rc = wslay_event_queue_msg(ws->ctx, &m);
	if (rc == WSLAY_ERR_NO_MORE_MSG)
		return RELAY_WS_CLOSING;
	return rc == 0 ? RELAY_WS_OK : RELAY_WS_NOMEM;
}

int
relay_ws_ping(struct relay_ws *ws)
{
	struct wslay_event_msg	 m;
	int			 rc;

	m.opcode = WSLAY_PING;
	m.msg = NULL;
	m.msg_length = 0;
	rc = wslay_event_queue_msg(ws->ctx, &m);
	if (rc == WSLAY_ERR_NO_MORE_MSG)
		return RELAY_WS_CLOSING;
	return rc == 0 ? RELAY_WS_OK : RELAY_WS_NOMEM;
}

int
relay_ws_close(struct relay_ws *ws, uint16_t code)
{
	int	 rc;

	rc = wslay_event_queue_close(ws->ctx, code, NULL, 0);
	return rc == 0 ? RELAY_WS_OK : RELAY_WS_CLOSING;
}

size_t
relay_ws_queued(const struct relay_ws *ws)
{
	return wslay_event_get_queued_msg_length(ws->ctx);
}

int
relay_ws_want_read(const struct relay_ws *ws)
{
	return wslay_event_want_read(ws->ctx);
}

int
relay_ws_want_write(const struct relay_ws *ws)
{
	return wslay_event_want_write(ws->ctx);
}

int
relay_ws_finished(const struct relay_ws *ws)
{
	return !wslay_event_want_read(ws->ctx) &&
	    !wslay_event_want_write(ws->ctx);
}

unsigned
relay_ws_close_sent(const struct relay_ws *ws)
{
	if (!wslay_event_get_close_sent(ws->ctx))
		return 0;
	return wslay_event_get_status_code_sent(ws->ctx);
}
