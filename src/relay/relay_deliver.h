/*
 * A session's events to its sockets: what the Redis side calls
 * (relay_redis_open()'s events; arg is the struct relay).  A message is
 * queued as one text frame on each of the session's open sockets, in
 * order, and a socket whose queue would pass relay_max_queue is dropped;
 * after session:ended its sockets leave the session and close with
 * 1000.  A ready session's sockets waiting for the subscription are
 * upgraded, and with resync every open one gets relay:resync.  A logout
 * closes that login's sockets, and logouts that may have been missed
 * start the logins check (relay_revoke.h).
 */
#ifndef ATTENDANCE_RELAY_DELIVER_H
#define ATTENDANCE_RELAY_DELIVER_H

#include "relay_subs.h"

extern const struct relay_redis_events	relay_deliver_events;

#endif
