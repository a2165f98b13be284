#include <sys/socket.h>
#include <sys/un.h>

#include <stdio.h>
#include <string.h>

#include "address.h"
#include "util.h"

_Static_assert(ADDRESS_PATH_MAX ==
    sizeof(((struct sockaddr_un *)0)->sun_path),
    "ADDRESS_PATH_MAX is not the size of sun_path");

#define ADDRESS_UNIX_PREFIX	"unix:"
#define ADDRESS_UNIX_LEN	(sizeof(ADDRESS_UNIX_PREFIX) - 1)

static enum at_error
address_parse_unix(const char *path, struct address *out, const char **why)
{
	if (path[0] != '/') {
		*why = "a unix socket path must be absolute";
		return AT_EINVALID;
	}
	if (strlen(path) >= sizeof(out->path)) {
		*why = "unix socket path too long";
		return AT_EINVALID;
	}
	out->is_unix = 1;
	memcpy(out->path, path, strlen(path) + 1);
	return AT_OK;
}

enum at_error
address_parse(const char *text, unsigned default_port, struct address *out,
    const char **why)
{
	const char	*host = text, *end, *port;
	size_t		 hlen;
	long		 n;

	memset(out, 0, sizeof(*out));
	if (strncmp(text, ADDRESS_UNIX_PREFIX, ADDRESS_UNIX_LEN) == 0)
		return address_parse_unix(text + ADDRESS_UNIX_LEN, out, why);
	if (host[0] == '[') {
		/* [IPv6]:port: the colons inside the brackets are the
		 * address's own. */
		if ((end = strchr(host, ']')) == NULL) {
			*why = "an opening [ without its ]";
			return AT_EINVALID;
		}
		host++;
		hlen = (size_t)(end - host);
		port = end + 1;
		if (*port != '\0' && *port != ':') {
			*why = "expected :port after ]";
			return AT_EINVALID;
		}
	} else {
		end = strrchr(host, ':');
		hlen = end != NULL ? (size_t)(end - host) : strlen(host);
		port = end != NULL ? end : host + hlen;
		if (memchr(host, ':', hlen) != NULL) {
			*why = "an IPv6 address goes in brackets: [::1]:8081";
			return AT_EINVALID;
		}
	}
	if (hlen == 0 || hlen >= sizeof(out->host)) {
		*why = "missing or overlong host";
		return AT_EINVALID;
	}
	if (*port == '\0') {
		if (default_port == 0) {
			*why = "expected unix:/path or host:port";
			return AT_EINVALID;
		}
		n = (long)default_port;
	} else if (util_parse_long(port + 1, 1, 65535, &n, why) == -1) {
		*why = "the port must be a number from 1 to 65535";
		return AT_EINVALID;
	}
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	out->port = (unsigned)n;
	return AT_OK;
}

int
address_format(const struct address *addr, char *out, size_t size)
{
	if (addr->is_unix)
		return snprintf(out, size, ADDRESS_UNIX_PREFIX "%s",
		    addr->path);
	if (strchr(addr->host, ':') != NULL)
		return snprintf(out, size, "[%s]:%u", addr->host, addr->port);
	return snprintf(out, size, "%s:%u", addr->host, addr->port);
}
