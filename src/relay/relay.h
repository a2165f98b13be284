/*
 * attendance-relay: the state of the one process, shared by its modules.
 * main.c owns it (one struct relay for the process's life); relay_conn.c
 * owns the connections (with relay_accept.c, relay_deadline.c,
 * relay_upgrade.c and relay_deliver.c), relay_auth.c the PostgreSQL side,
 * relay_redis.c the Redis side, relay_subs.c the lives of the session
 * records in the table main.c creates (relay_sessions.c), relay_revoke.c
 * the index of the sockets by login (relay_logins.c) and the check of
 * their logins.
 */
#ifndef ATTENDANCE_RELAY_H
#define ATTENDANCE_RELAY_H

#include <stddef.h>
#include <stdint.h>

#include <ev.h>
#include <sodium.h>

#include "config.h"
#include "relay_logins.h"
#include "relay_sessions.h"

/* Bounds that are not configuration (see attendance-relay(8)). */
#define RELAY_HANDSHAKE_TIMEOUT	10.0	/* request head to upgrade, close */
#define RELAY_MESSAGE_MAX	4096	/* a client message, in bytes */
#define RELAY_SHUTDOWN_GRACE	2.0	/* SIGTERM: closing handshakes */
/* The logins check runs every relay_ping_interval, at most this far
 * apart, so an expired login's sockets close within the contract's 60 s
 * with a query's timeout to spare. */
#define RELAY_LOGINS_CHECK_MAX	30.0

struct relay_conn;
struct relay_auth;
struct relay_auth_request;
struct relay_redis;

/*
 * Connections with a deadline, oldest first.  Every member of a list has
 * the same timeout, so appending keeps the list sorted and one timer (at
 * the head's deadline) serves all of them.
 */
struct relay_list {
	struct relay_conn	*head, *tail;
	unsigned long		 count;
	ev_tstamp		 timeout;
	ev_timer		 timer;
};

struct relay_stats {
	unsigned long	 accepted;
	unsigned long	 upgraded;
	unsigned long	 refused;
	unsigned long	 dropped_queue;	/* outgoing queue past the bound */
	unsigned long	 dropped_pong;	/* missed a pong */
	unsigned long	 forwarded;	/* messages from Redis */
	unsigned long	 revoked;	/* their login ended: 4401 or 401 */
};

struct relay {
	struct ev_loop		*loop;
	struct config		 config;
	struct relay_sessions	 sessions;
	struct relay_auth	*auth;
	struct relay_redis	*redis;

	/* Every connection from its upgrade check on, by its login. */
	struct relay_logins	 logins;
	ev_timer		 logins_timer;	/* relay_ping_interval */
	struct relay_auth_request *logins_check;	/* one at a time */

	int			 listen_fd;
	int			 reserve_fd;	/* spare fd for EMFILE */
	char			*unix_path;	/* removed at exit */
	ev_io			 listener;

	/* Before the upgrade and while closing; RELAY_HANDSHAKE_TIMEOUT. */
	struct relay_list	 waiting;
	/* Open sockets, by last sign of life; relay_ping_interval. */
	struct relay_list	 open;
	struct relay_conn	*dead;		/* freed before the next poll */
	ev_prepare		 reaper;

	unsigned long		 nconns;	/* every connection */
	unsigned long		 max_sockets;
	uint32_t		 next_id;
	int			 stopping;
	struct relay_stats	 stats;
};

/*
 * The next delay of an exponential back-off with jitter: *backoff (the
 * current step, kept by the caller, 0 at first) doubles from min to max,
 * and the delay returned is a random point in its upper half, so relays
 * that lost the same server do not return to it in step.
 */
static inline ev_tstamp
relay_backoff(ev_tstamp *backoff, ev_tstamp min, ev_tstamp max)
{
	*backoff = *backoff < min ? min : *backoff * 2;
	if (*backoff > max)
		*backoff = max;
	return *backoff * (0.5 + (double)randombytes_uniform(1001) / 2000.0);
}

#endif
