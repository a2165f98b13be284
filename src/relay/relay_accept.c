#include <sys/socket.h>

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "error.h"
#include "log.h"
#include "relay_accept.h"
#include "relay_conn.h"
#include "relay_http.h"

#define RELAY_ACCEPT_BATCH	64	/* accepts per readable event */

/* Out of descriptors: accept and close one so it does not spin. */
static void
relay_accept_shed(struct relay *relay)
{
	static ev_tstamp	 warned;
	int			 fd;

	if (ev_now(relay->loop) - warned > 10) {
		log_warn("out of file descriptors (%lu connections)",
		    relay->nconns);
		warned = ev_now(relay->loop);
	}
	if (relay->reserve_fd == -1)
		return;
	close(relay->reserve_fd);
	if ((fd = accept(relay->listen_fd, NULL, NULL)) != -1)
		close(fd);
	relay->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

/* At relay_max_sockets (or stopping): a short 503 and close. */
static void
relay_accept_turn_away(struct relay *relay, int fd)
{
	static ev_tstamp	 warned;
	char			 body[128], out[RELAY_HTTP_ANSWER_MAX + 128];
	size_t			 len;

	relay->stats.refused++;
	if (!relay->stopping && ev_now(relay->loop) - warned > 10) {
		log_warn("relay_max_sockets (%lu) reached: turning "
		    "connections away", relay->max_sockets);
		warned = ev_now(relay->loop);
	}
	if (relay_http_error_body(body, sizeof(body),
	    error_code(AT_EUNAVAILABLE), "too many connections") == 0)
		body[0] = '\0';
	len = relay_http_answer(out, sizeof(out),
	    error_http_status(AT_EUNAVAILABLE), body);
	if (send(fd, out, len, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* Best effort: the client sees the close either way. */
	}
	close(fd);
}

static void
relay_accept_ready(struct ev_loop *loop, ev_io *w, int revents)
{
	struct relay	*relay = w->data;
	int		 fd, i;

	for (i = 0; i < RELAY_ACCEPT_BATCH; i++) {
		fd = accept4(relay->listen_fd, NULL, NULL,
		    SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd == -1) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE)
				relay_accept_shed(relay);
			else if (errno != EAGAIN && errno != EWOULDBLOCK)
				log_warn("accept: %s", strerror(errno));
			return;
		}
		if (relay->stopping || relay->nconns >= relay->max_sockets)
			relay_accept_turn_away(relay, fd);
		else
			relay_conn_new(relay, fd);
	}
}

void
relay_accept_start(struct relay *relay)
{
	relay->reserve_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ev_io_init(&relay->listener, relay_accept_ready, relay->listen_fd,
	    EV_READ);
	relay->listener.data = relay;
	ev_io_start(relay->loop, &relay->listener);
}

void
relay_accept_stop(struct relay *relay)
{
	ev_io_stop(relay->loop, &relay->listener);
}

void
relay_accept_free(struct relay *relay)
{
	relay_accept_stop(relay);
	if (relay->reserve_fd != -1)
		close(relay->reserve_fd);
	relay->reserve_fd = -1;
}
