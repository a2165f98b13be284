/*
 * The network addresses of the configuration (redis, relay_listen), one
 * parser for all of them: "host:port" (an IPv4 address or a name),
 * "[IPv6]:port", or "unix:/absolute/path".  Ports are 1..65535.  A key
 * may let a bare host name ("redis") stand for a default port.  Nothing
 * here resolves a name or opens a socket.
 */
#ifndef ATTENDANCE_ADDRESS_H
#define ATTENDANCE_ADDRESS_H

#include <stddef.h>

#include "error.h"

#define ADDRESS_HOST_MAX	256	/* a host, with its NUL */
#define ADDRESS_PATH_MAX	108	/* sizeof(sun_path), with the NUL */
/* Room for address_format(): "unix:" and a path, or "[host]:65535". */
#define ADDRESS_TEXT_MAX	(ADDRESS_HOST_MAX + 8)

struct address {
	int		 is_unix;
	char		 path[ADDRESS_PATH_MAX];	/* is_unix */
	char		 host[ADDRESS_HOST_MAX];	/* otherwise; no [] */
	unsigned	 port;				/* otherwise */
};

/*
 * Parses text into *out.  default_port is the port of a bare host name
 * (text without a port); 0 makes the port required.  Returns AT_OK, or
 * AT_EINVALID with *why a static reason for the user.
 */
enum at_error	 address_parse(const char *text, unsigned default_port,
		    struct address *out, const char **why) AT_MUSTCHECK;

/*
 * The text form of addr into out (NUL-terminated, truncated to size):
 * "unix:/path", "host:port", or "[host]:port" when host holds a ':'.
 * Returns what snprintf() returns.
 */
int	 address_format(const struct address *addr, char *out, size_t size);

#endif
