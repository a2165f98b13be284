/*
 * The relay's deadlines: two lists of connections, oldest first, each
 * served by one timer (struct relay_list, relay.h).  "waiting" holds
 * the connections before the upgrade and while closing
 * (RELAY_HANDSHAKE_TIMEOUT): past it they are dropped, except one
 * waiting for its session's subscription, which is upgraded and flagged
 * for relay:resync.  "open" holds the WebSockets by last sign of life
 * (relay_ping_interval): a silent one is pinged, and dropped when it
 * stays silent as long again.
 */
#ifndef ATTENDANCE_RELAY_DEADLINE_H
#define ATTENDANCE_RELAY_DEADLINE_H

#include "relay.h"

/* Which list a connection is on (struct relay_conn's list). */
enum relay_deadline_list {
	RELAY_DEADLINE_NONE,
	RELAY_DEADLINE_WAITING,
	RELAY_DEADLINE_OPEN
};

/* Sets up both lists' timers (not started while a list is empty). */
void	 relay_deadline_start(struct relay *);
/* Stops both timers. */
void	 relay_deadline_stop(struct relay *);

/* Moves c to the end of list which, due now + that list's timeout. */
void	 relay_deadline_append(struct relay_conn *c, int which);
/* Takes c off its list, if any. */
void	 relay_deadline_unlink(struct relay_conn *c);

#endif
