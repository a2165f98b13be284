/*
 * The relay's connections, on the libev loop: one struct relay_conn per
 * socket from accept to close, its I/O (a WebSocket through relay_ws,
 * or the raw bytes of an answer or the 101), closing and the reaper.
 * The rest of a connection's life is in files of their own:
 * relay_accept.c (accepting, shedding), relay_deadline.c (the handshake
 * and ping deadlines), relay_upgrade.c (the request head, the checks,
 * the upgrade), relay_deliver.c (a session's events to its sockets).
 *
 * A connection ends alone on any error of its own (relay_conn_kill());
 * it is freed before the loop next polls, so a callback may end
 * connections while it walks a session's list.  The connection owns its
 * relay_pending until the 101 is out, its place in its session and its
 * place among its login's sockets (relay_revoke.c), which it leaves when
 * it is freed.
 */
#ifndef ATTENDANCE_RELAY_CONN_H
#define ATTENDANCE_RELAY_CONN_H

#include <stddef.h>
#include <stdint.h>

#include "error.h"
#include "http.h"
#include "relay.h"
#include "relay_http.h"
#include "relay_logins.h"
#include "relay_sessions.h"
#include "relay_ws.h"

#define RELAY_READ_BUDGET	65536	/* bytes read per readable event */

struct relay_auth_request;

enum relay_conn_state {
	RELAY_CONN_HEAD,	/* reading the request head */
	RELAY_CONN_AUTH,	/* waiting for the database's verdict */
	RELAY_CONN_HEALTH,	/* waiting for the database ping */
	RELAY_CONN_SUBWAIT,	/* accepted; waiting for the subscription */
	RELAY_CONN_ANSWER,	/* writing a plain answer, then closing */
	RELAY_CONN_OPEN,	/* a WebSocket */
	RELAY_CONN_CLOSING,	/* our close frame is queued or sent */
	RELAY_CONN_LINGER,	/* all sent, write side shut: draining */
	RELAY_CONN_DEAD		/* waiting for the reaper */
};


/* What a connection needs only until it is upgraded (or answered). */
struct relay_pending {
	struct relay_auth_request *req;
	char			*in;		/* the request head so far */
	size_t			 inlen;
	char			*out;		/* raw bytes: answer or 101 */
	size_t			 outlen, outoff;
	char			*first;		/* round:started, after 101 */
	size_t			 firstlen;
	char			 accept[RELAY_HTTP_ACCEPT_SIZE];
	char			 session_id[HTTP_UUID_SIZE];
};

/*
 * Kept small (about 270 bytes): an idle open socket is this, relay_ws
 * included, which holds no buffer while idle, and the kernel's buffers;
 * the request buffer and the rest of relay_pending exist only during
 * the handshake.
 */
struct relay_conn {
	ev_io			 io;
	struct relay		*relay;
	struct relay_conn	*prev, *next;	/* its list, or the dead list */
	struct relay_member	 member;	/* in its session */
	struct relay_session	*session;
	struct relay_login	 login;		/* among its login's sockets */
	struct relay_pending	*pending;
	struct relay_ws		 ws;
	ev_tstamp		 deadline;
	uint32_t		 id;
	unsigned char		 state;		/* enum relay_conn_state */
	unsigned char		 list;		/* enum relay_deadline_list */
	unsigned char		 pinged;	/* a ping awaits its pong */
};

/* Sets up the deadlines, the reaper and the accept watcher on
 * relay->listen_fd. */
int	 relay_conn_start(struct relay *) AT_MUSTCHECK;

/*
 * SIGTERM: stops accepting, closes every WebSocket with 1001 and drops
 * the connections not yet upgraded; the loop ends once every connection
 * is gone or after RELAY_SHUTDOWN_GRACE seconds.
 */
void	 relay_conn_shutdown(struct relay *);

/* Frees every connection left (after the loop ended). */
void	 relay_conn_free_all(struct relay *);

/* A new connection on fd (accepted, non-blocking), reading its head. */
void	 relay_conn_new(struct relay *, int fd);

/* The connection whose session member m is. */
struct relay_conn *relay_conn_of(struct relay_member *m);
/* The connection whose place among its login's sockets node is. */
struct relay_conn *relay_conn_of_login(struct relay_login *node);

/* Watches c's socket for events (EV_READ, EV_WRITE; 0: none). */
void	 relay_conn_watch(struct relay_conn *c, int events);

/* c's relay_pending, allocated on first use; NULL when out of memory. */
struct relay_pending *relay_conn_pending(struct relay_conn *c);

/*
 * Sends the raw bytes still pending (an answer or the 101).  0 when all
 * are out, 1 when the socket would block, -1 when it failed.
 */
int	 relay_conn_flush_raw(struct relay_conn *c);

/* Sends what it can of an open or closing WebSocket, then watches for
 * what the socket still needs; may end c. */
void	 relay_conn_kick(struct relay_conn *c);

/* All is sent: shut the write side and drain until the peer closes. */
void	 relay_conn_linger(struct relay_conn *c);

/* Queues a close frame (code) on an open WebSocket. */
void	 relay_conn_close(struct relay_conn *c, uint16_t code);

/* Ends c now; it is freed by the reaper before the loop polls again. */
void	 relay_conn_kill(struct relay_conn *c);

/* The relay_ws I/O of a connection's socket (arg: the relay_conn). */
extern const struct relay_ws_io	relay_conn_ws_io;

#endif
