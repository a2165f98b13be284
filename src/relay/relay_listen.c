#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>

#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "relay_listen.h"
#include "util.h"

int
relay_listen_parse(const char *text, struct relay_address *out,
    const char **why)
{
	const char	*colon, *host, *port;
	size_t		 hlen;
	long		 n;

	memset(out, 0, sizeof(*out));
	if (strncmp(text, "unix:", 5) == 0) {
		if (text[5] != '/') {
			*why = "a unix socket path must be absolute";
			return -1;
		}
		if (strlen(text + 5) >= sizeof(out->path)) {
			*why = "unix socket path too long";
			return -1;
		}
		out->is_unix = 1;
		memcpy(out->path, text + 5, strlen(text + 5) + 1);
		return 0;
	}
	if ((colon = strrchr(text, ':')) == NULL) {
		*why = "expected unix:/path or host:port";
		return -1;
	}
	host = text;
	hlen = (size_t)(colon - text);
	if (hlen >= 2 && host[0] == '[' && host[hlen - 1] == ']') {
		host++;
		hlen -= 2;
	} else if (memchr(host, ':', hlen) != NULL) {
		*why = "an IPv6 address goes in brackets: [::1]:8081";
		return -1;
	}
	if (hlen == 0 || hlen >= sizeof(out->host)) {
		*why = "missing or overlong host";
		return -1;
	}
	port = colon + 1;
	if (util_parse_long(port, 1, 65535, &n, why) == -1)
		return -1;
	memcpy(out->host, host, hlen);
	out->host[hlen] = '\0';
	snprintf(out->port, sizeof(out->port), "%ld", n);
	return 0;
}

static int
relay_listen_unix(const struct relay_address *addr, int backlog, int *out,
    char **cause)
{
	struct sockaddr_un	 sun;
	struct stat		 st;
	int			 fd = -1, probe = -1, rc = AT_EINVALID;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	memcpy(sun.sun_path, addr->path, strlen(addr->path) + 1);
	if (lstat(addr->path, &st) == 0) {
		if (!S_ISSOCK(st.st_mode)) {
			*cause = util_printf("%s exists and is not a socket",
			    addr->path);
			goto out;
		}
		/* A socket someone answers on is a running relay's. */
		probe = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (probe != -1 && connect(probe, (struct sockaddr *)&sun,
		    sizeof(sun)) == 0) {
			*cause = util_printf("%s: another process listens "
			    "there", addr->path);
			goto out;
		}
		unlink(addr->path);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd == -1 ||
	    bind(fd, (struct sockaddr *)&sun, sizeof(sun)) == -1 ||
	    listen(fd, backlog) == -1) {
		*cause = util_printf("%s: %s", addr->path, strerror(errno));
		goto out;
	}
	*out = fd;
	fd = -1;
	rc = AT_OK;
out:
	if (probe != -1)
		close(probe);
	if (fd != -1)
		close(fd);
	return rc;
}

static int
relay_listen_inet(const struct relay_address *addr, int backlog, int *out,
    char **cause)
{
	struct addrinfo	 hints, *res = NULL;
	int		 fd = -1, one = 1, gai, rc = AT_EINVALID;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	if ((gai = getaddrinfo(addr->host, addr->port, &hints, &res)) != 0) {
		*cause = util_printf("%s: %s", addr->host, gai_strerror(gai));
		goto out;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, backlog) == -1) {
		*cause = util_printf("%s:%s: %s", addr->host, addr->port,
		    strerror(errno));
		goto out;
	}
	*out = fd;
	fd = -1;
	rc = AT_OK;
out:
	if (res != NULL)
		freeaddrinfo(res);
	if (fd != -1)
		close(fd);
	return rc;
}

int
relay_listen_open(const struct relay_address *addr, int backlog, int *fd,
    char **cause)
{
	*fd = -1;
	*cause = NULL;
	if (addr->is_unix)
		return relay_listen_unix(addr, backlog, fd, cause);
	return relay_listen_inet(addr, backlog, fd, cause);
}
