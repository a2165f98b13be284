/*
 * The relay's listening socket: relay_listen is "unix:/path" (the
 * deployment behind nginx) or "host:port" ("[v6addr]:port" for IPv6).
 * No event loop here; main.c watches the descriptor.
 */
#ifndef ATTENDANCE_RELAY_LISTEN_H
#define ATTENDANCE_RELAY_LISTEN_H

#include <stddef.h>

#include "error.h"

#define RELAY_LISTEN_HOST_MAX	256
#define RELAY_LISTEN_PATH_MAX	108	/* sun_path */

struct relay_address {
	int	 is_unix;
	char	 path[RELAY_LISTEN_PATH_MAX];		/* is_unix */
	char	 host[RELAY_LISTEN_HOST_MAX];		/* otherwise */
	char	 port[8];
};

/* Parses text; returns 0, or -1 with *why a static reason. */
int	 relay_listen_parse(const char *text, struct relay_address *out,
	    const char **why);

/*
 * Opens a non-blocking listening socket on addr.  A unix socket replaces
 * a stale file but not a live relay's socket; its mode follows the umask
 * (the systemd unit's UMask= lets the web server's group in).  On
 * failure returns AT_EINVALID with *cause a malloc'd line.
 */
int	 relay_listen_open(const struct relay_address *addr, int backlog,
	    int *fd, char **cause) AT_MUSTCHECK;

#endif
