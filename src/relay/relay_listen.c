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

static int
relay_listen_unix(const struct address *addr, int backlog, int *out,
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
relay_listen_inet(const struct address *addr, int backlog, int *out,
    char **cause)
{
	struct addrinfo	 hints, *res = NULL;
	char		 port[8];
	int		 fd = -1, one = 1, gai, rc = AT_EINVALID;

	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV;
	snprintf(port, sizeof(port), "%u", addr->port);
	if ((gai = getaddrinfo(addr->host, port, &hints, &res)) != 0) {
		*cause = util_printf("%s: %s", addr->host, gai_strerror(gai));
		goto out;
	}
	fd = socket(res->ai_family, res->ai_socktype | SOCK_NONBLOCK |
	    SOCK_CLOEXEC, res->ai_protocol);
	if (fd == -1 ||
	    setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) == -1 ||
	    bind(fd, res->ai_addr, res->ai_addrlen) == -1 ||
	    listen(fd, backlog) == -1) {
		*cause = util_printf("%s:%s: %s", addr->host, port,
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
relay_listen_open(const struct address *addr, int backlog, int *fd,
    char **cause)
{
	*fd = -1;
	*cause = NULL;
	if (addr->is_unix)
		return relay_listen_unix(addr, backlog, fd, cause);
	return relay_listen_inet(addr, backlog, fd, cause);
}
