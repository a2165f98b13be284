/*
 * Accepting the relay's connections: up to RELAY_ACCEPT_BATCH per
 * readable event; at relay_max_sockets, or while stopping, a short 503
 * and close; out of descriptors, the spare one kept for it lets one
 * connection in to be closed at once, so the listener does not spin.
 */
#ifndef ATTENDANCE_RELAY_ACCEPT_H
#define ATTENDANCE_RELAY_ACCEPT_H

#include "relay.h"

/* Opens the spare descriptor and watches relay->listen_fd. */
void	 relay_accept_start(struct relay *);
/* Stops accepting (SIGTERM). */
void	 relay_accept_stop(struct relay *);
/* Stops accepting and closes the spare descriptor. */
void	 relay_accept_free(struct relay *);

#endif
