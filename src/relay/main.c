/*
 * attendance-relay: the WebSocket relay.  One single-threaded libev loop
 * holds every professor screen's socket, checks each upgrade in
 * PostgreSQL without blocking, and forwards each class session's events
 * from Redis to that session's sockets.  See attendance-relay(8).
 */
#include <sys/resource.h>

#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "autoconfig.h"

#include "config.h"
#include "log.h"
#include "util.h"
#include "relay.h"
#include "relay_auth.h"
#include "relay_conn.h"
#include "relay_deliver.h"
#include "relay_listen.h"
#include "relay_redis.h"

/* Descriptors kept aside from relay_max_sockets: listener, PostgreSQL,
 * Redis, logs, the spare for EMFILE. */
#define RELAY_FD_RESERVE	32
/* When the hard limit is unlimited, raise the soft one this far. */
#define RELAY_FD_CEILING	1048576

static ev_signal	relay_sigterm, relay_sigint, relay_sighup,
			relay_sigusr1;
static ev_timer		relay_grace;

static void
relay_usage(void)
{
	fputs("usage: attendance-relay [-c file]\n", stderr);
	exit(2);
}

/* Raises the descriptor limit as far as allowed; returns it. */
static unsigned long
relay_raise_nofile(void)
{
	struct rlimit	 rl;
	rlim_t		 want;

	if (getrlimit(RLIMIT_NOFILE, &rl) == -1)
		return 1024;
	want = rl.rlim_max == RLIM_INFINITY ? RELAY_FD_CEILING : rl.rlim_max;
	if (rl.rlim_cur != RLIM_INFINITY && rl.rlim_cur < want) {
		rl.rlim_cur = want;
		if (setrlimit(RLIMIT_NOFILE, &rl) == -1)
			log_warn("cannot raise the descriptor limit to %lu: %s",
			    (unsigned long)want, strerror(errno));
		(void)getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY ? RELAY_FD_CEILING :
	    (unsigned long)rl.rlim_cur;
}

static void
relay_log_stats(const struct relay *relay)
{
	const struct relay_stats *s = &relay->stats;

	log_info("%lu connections (%lu open), %lu sessions; since start: "
	    "%lu accepted, %lu upgraded, %lu refused, %lu messages, "
	    "%lu dropped at the queue bound, %lu without pong, "
	    "%lu closed as their login ended",
	    relay->nconns, relay->open.count, relay->sessions.count,
	    s->accepted, s->upgraded, s->refused, s->forwarded,
	    s->dropped_queue, s->dropped_pong, s->revoked);
}

static void
relay_on_grace(struct ev_loop *loop, ev_timer *w, int revents)
{
	ev_break(loop, EVBREAK_ALL);
}

static void
relay_on_stop(struct ev_loop *loop, ev_signal *w, int revents)
{
	struct relay	*relay = w->data;

	if (relay->stopping)
		return;
	log_info("%s: closing %lu sockets with 1001",
	    w->signum == SIGTERM ? "SIGTERM" : "SIGINT", relay->open.count);
	relay_conn_shutdown(relay);
	close(relay->listen_fd);
	relay->listen_fd = -1;
	if (relay->unix_path != NULL)
		unlink(relay->unix_path);
	ev_timer_init(&relay_grace, relay_on_grace, RELAY_SHUTDOWN_GRACE, 0);
	ev_timer_start(loop, &relay_grace);
}

static void
relay_on_hup(struct ev_loop *loop, ev_signal *w, int revents)
{
	log_info("SIGHUP ignored: restart the relay to apply a new "
	    "configuration");
}

static void
relay_on_usr1(struct ev_loop *loop, ev_signal *w, int revents)
{
	relay_log_stats(w->data);
}

static void
relay_signal(struct ev_loop *loop, ev_signal *w, int signum,
    void (*cb)(struct ev_loop *, ev_signal *, int), struct relay *relay)
{
	ev_signal_init(w, cb, signum);
	w->data = relay;
	ev_signal_start(loop, w);
	ev_unref(loop);		/* signals alone do not keep the loop */
}

int
main(int argc, char **argv)
{
	struct relay		 relay;
	struct events_auth	 redis_auth;
	const struct address	*addr = &relay.config.relay_listen;
	const char		*path = NULL;
	char			*cause = NULL, listen[ADDRESS_TEXT_MAX];
	char			*password = NULL;
	unsigned long		 nofile;
	enum at_error		 rc;
	int			 ch, status = 1;

	memset(&relay, 0, sizeof(relay));
	relay.listen_fd = -1;
	relay.reserve_fd = -1;
	while ((ch = getopt(argc, argv, "c:hV")) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'V':
			puts("attendance-relay " PACKAGE_VERSION);
			return 0;
		default:
			relay_usage();
		}
	}
	if (optind != argc)
		relay_usage();

	log_open("attendance-relay", LOG_LEVEL_INFO);
	if (config_init(&relay.config) != AT_OK) {
		log_error("out of memory");
		return 1;
	}
	if (config_load(&relay.config, path != NULL ? path :
	    config_default_path(), path != NULL, &cause) != AT_OK) {
		log_error("%s", cause != NULL ? cause : "bad configuration");
		free(cause);
		config_free(&relay.config);
		return 2;
	}
	log_set_level(relay.config.log_level);
	if (util_crypto_init() != AT_OK) {
		log_error("libsodium failed to initialise");
		goto out;
	}
	signal(SIGPIPE, SIG_IGN);

	nofile = relay_raise_nofile();
	relay.max_sockets = (unsigned long)relay.config.relay_max_sockets;
	if (relay.max_sockets + RELAY_FD_RESERVE > nofile) {
		relay.max_sockets = nofile > 2 * RELAY_FD_RESERVE ?
		    nofile - RELAY_FD_RESERVE : RELAY_FD_RESERVE;
		log_warn("descriptor limit %lu: relay_max_sockets lowered "
		    "from %d to %lu", nofile, relay.config.relay_max_sockets,
		    relay.max_sockets);
	}

	if ((relay.loop = ev_default_loop(0)) == NULL) {
		log_error("cannot start the event loop");
		goto out;
	}
	if (relay_sessions_init(&relay.sessions) != AT_OK ||
	    relay_logins_init(&relay.logins) != AT_OK) {
		log_error("out of memory");
		goto out;
	}
	if (relay_listen_open(addr, 1024, &relay.listen_fd, &cause) !=
	    AT_OK) {
		log_error("cannot listen: %s", cause != NULL ? cause :
		    "out of memory");
		free(cause);
		goto out;
	}
	if (addr->is_unix && (relay.unix_path = strdup(addr->path)) == NULL) {
		log_error("out of memory");
		goto out;
	}
	if (config_redis_password(&relay.config, &password, &cause) !=
	    AT_OK) {
		log_error("%s", cause != NULL ? cause : "out of memory");
		free(cause);
		goto out;
	}
	redis_auth.user = relay.config.redis_user;
	redis_auth.password = password;
	rc = relay_redis_open(relay.loop, &relay.config.redis, &redis_auth,
	    &relay.sessions, &relay_deliver_events, &relay, &relay.redis);
	if (password != NULL)
		sodium_memzero(password, strlen(password));
	free(password);
	if (rc != AT_OK || relay_auth_open(&relay, relay.config.database,
	    &relay.auth) != AT_OK || relay_conn_start(&relay) != AT_OK) {
		log_error("cannot start");
		goto out;
	}
	relay_signal(relay.loop, &relay_sigterm, SIGTERM, relay_on_stop,
	    &relay);
	relay_signal(relay.loop, &relay_sigint, SIGINT, relay_on_stop, &relay);
	relay_signal(relay.loop, &relay_sighup, SIGHUP, relay_on_hup, &relay);
	relay_signal(relay.loop, &relay_sigusr1, SIGUSR1, relay_on_usr1,
	    &relay);
	address_format(addr, listen, sizeof(listen));
	log_info("listening on %s (up to %lu sockets, descriptor limit %lu, "
	    "ping every %d s, queue bound %d bytes)",
	    listen, relay.max_sockets, nofile,
	    relay.config.relay_ping_interval, relay.config.relay_max_queue);

	ev_run(relay.loop, 0);

	relay_log_stats(&relay);
	log_info("stopped");
	status = 0;
out:
	if (relay.loop != NULL) {
		relay_conn_free_all(&relay);
		ev_timer_stop(relay.loop, &relay_grace);
	}
	relay_redis_close(relay.redis);
	relay_auth_close(relay.auth);
	relay_sessions_free(&relay.sessions);
	relay_logins_free(&relay.logins);
	if (relay.listen_fd != -1) {
		close(relay.listen_fd);
		if (relay.unix_path != NULL)
			unlink(relay.unix_path);
	}
	free(relay.unix_path);
	config_free(&relay.config);
	if (relay.loop != NULL)
		ev_loop_destroy(relay.loop);
	return status;
}
