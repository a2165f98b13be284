/*
 * The relay's listening socket on the relay_listen key, which the
 * configuration parses (lib/address.h): "unix:/path" (the deployment
 * behind nginx) or "host:port" ("[v6addr]:port" for IPv6).  No event
 * loop here; main.c watches the descriptor.
 */
#ifndef ATTENDANCE_RELAY_LISTEN_H
#define ATTENDANCE_RELAY_LISTEN_H

#include <stddef.h>

#include "address.h"
#include "error.h"

/*
 * Opens a non-blocking listening socket on addr.  A unix socket replaces
 * a stale file but not a live relay's socket; its mode follows the umask
 * (the systemd unit's UMask= lets the web server's group in).  On
 * failure returns AT_EINVALID with *cause a malloc'd line.
 */
int	 relay_listen_open(const struct address *addr, int backlog,
	    int *fd, char **cause) AT_MUSTCHECK;

#endif
