/*
 * lib/events.h: the Redis publisher must never fail or stall a request.
 * Only the failure side is covered here (no server is started in unit
 * tests): a socket path with nothing behind it, and a socket that
 * accepts connections but never answers.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <arpa/inet.h>
#include <netinet/in.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "address.h"
#include "events.h"
#include "log.h"

#define SESSION	"0123abcd-4567-89ef-0a1b-2c3d4e5f6789"
#define HASH	"00112233445566778899aabbccddeeff" \
		"00112233445566778899aabbccddeeff"
#define DATA	"{\"sessionId\":\"" SESSION "\",\"roundNumber\":1}"

static char	 dir[64];
static char	 address[80];

/* A fresh directory; address names a socket in it that nobody serves. */
static void
events_setup(void)
{
	log_set_level(LOG_LEVEL_ERROR);	/* each loss is a warning */
	snprintf(dir, sizeof(dir), "/tmp/unit-events.XXXXXX");
	cr_assert_not_null(mkdtemp(dir), "mkdtemp: %s", strerror(errno));
	snprintf(address, sizeof(address), "unix:%s/redis.sock", dir);
}

static void
events_teardown(void)
{
	char	 path[80];

	snprintf(path, sizeof(path), "%s/redis.sock", dir);
	(void)unlink(path);
	(void)rmdir(dir);
}

TestSuite(events, .init = events_setup, .fini = events_teardown);

/* The publisher of the redis key text (parsed as the configuration
 * does, lib/address.h). */
static struct events *
events_at(const char *text)
{
	static const struct events_auth	 none = { NULL, NULL };
	struct address			 a;
	const char			*why;

	cr_assert_eq(address_parse(text, 6379, &a, &why), AT_OK, "%s: %s",
	    text, why);
	return events_open(&a, &none);
}

static double
now(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

Test(events, publish_without_redis_is_lost)
{
	struct events	*ev;

	cr_assert_not_null(ev = events_at(address));
	cr_assert_eq(events_lost(ev), 0);
	cr_assert_eq(events_publish(ev, SESSION, "round:started", DATA), -1);
	cr_assert_eq(events_lost(ev), 1);
	cr_assert_eq(events_publish(ev, SESSION, "round:qr-updated", DATA),
	    -1);
	cr_assert_eq(events_lost(ev), 2);
	cr_assert_eq(events_publish(ev, SESSION, "session:ended", "{}"), -1);
	cr_assert_eq(events_lost(ev), 3);
	events_close(ev);
}

/* A logout is a message like the others: lost and counted, never an
 * error of the request. */
Test(events, logout_without_redis_is_lost)
{
	struct events	*ev;

	cr_assert_not_null(ev = events_at(address));
	cr_assert_eq(events_publish_logout(ev, "\\x" HASH), -1);
	cr_assert_eq(events_lost(ev), 1);
	cr_assert_eq(events_publish(ev, SESSION, "round:started", DATA), -1);
	cr_assert_eq(events_lost(ev), 2);
	events_close(ev);
}

/* A dead Redis costs a request next to nothing, however many publish. */
Test(events, publish_without_redis_is_fast)
{
	struct events	*ev;
	double		 start;
	int		 i;

	cr_assert_not_null(ev = events_at(address));
	start = now();
	for (i = 0; i < 1000; i++)
		cr_assert_eq(events_publish(ev, SESSION, "round:started",
		    DATA), -1);
	cr_assert_lt(now() - start, 2.0, "1000 lost publishes took %.2f s",
	    now() - start);
	cr_assert_eq(events_lost(ev), 1000);
	events_close(ev);
}

Test(events, ping_without_redis)
{
	struct events	*ev;

	cr_assert_not_null(ev = events_at(address));
	cr_assert_eq(events_ping(ev), -1);
	/* A health check always tries again, even right after a failure. */
	cr_assert_eq(events_publish(ev, SESSION, "round:started", DATA), -1);
	cr_assert_eq(events_ping(ev), -1);
	cr_assert_eq(events_ping(ev), -1);
	/* A ping is not a message: only the publish was lost. */
	cr_assert_eq(events_lost(ev), 1);
	events_close(ev);
}

/* A free TCP port on the loopback: bound by the kernel, then released. */
static int
free_port(void)
{
	struct sockaddr_in	 sin;
	socklen_t		 len = sizeof(sin);
	int			 fd;

	memset(&sin, 0, sizeof(sin));
	sin.sin_family = AF_INET;
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	cr_assert_neq(fd = socket(AF_INET, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sin, sizeof(sin)), 0);
	cr_assert_eq(getsockname(fd, (struct sockaddr *)&sin, &len), 0);
	close(fd);
	return ntohs(sin.sin_port);
}

Test(events, tcp_address_without_redis)
{
	struct events	*ev;
	char		 tcp[64];

	snprintf(tcp, sizeof(tcp), "127.0.0.1:%d", free_port());
	cr_assert_not_null(ev = events_at(tcp));
	cr_assert_eq(events_publish(ev, SESSION, "round:started", DATA), -1);
	cr_assert_eq(events_lost(ev), 1);
	cr_assert_eq(events_ping(ev), -1);
	events_close(ev);
}

/*
 * A socket that accepts the connection (the kernel does, from the
 * backlog) but never answers: the publish gives up after its timeout.
 */
Test(events, silent_redis_times_out)
{
	struct sockaddr_un	 sun;
	struct events		*ev;
	double			 start, took;
	int			 fd;

	memset(&sun, 0, sizeof(sun));
	sun.sun_family = AF_UNIX;
	snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", address + 5);
	cr_assert_neq(fd = socket(AF_UNIX, SOCK_STREAM, 0), -1);
	cr_assert_eq(bind(fd, (struct sockaddr *)&sun, sizeof(sun)), 0,
	    "bind %s: %s", sun.sun_path, strerror(errno));
	cr_assert_eq(listen(fd, 4), 0);

	cr_assert_not_null(ev = events_at(address));
	start = now();
	cr_assert_eq(events_publish(ev, SESSION, "round:started", DATA), -1);
	took = now() - start;
	cr_assert_lt(took, 3.0, "a silent Redis held the request %.2f s",
	    took);
	cr_assert_eq(events_lost(ev), 1);
	start = now();
	cr_assert_eq(events_ping(ev), -1);
	cr_assert_lt(now() - start, 3.0);
	events_close(ev);
	close(fd);
}

Test(events, close_null)
{
	struct events	*ev;

	events_close(NULL);
	cr_assert_not_null(ev = events_at(address));
	events_close(ev);
	cr_assert_str_eq(EVENTS_CHANNEL_PREFIX, "attendance:session:");
	cr_assert_str_eq(EVENTS_LOGINS_CHANNEL, "attendance:logins");
}
