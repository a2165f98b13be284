/*
 * attendance-fcgi: one FastCGI worker of the REST API.  Ops prefork
 * several with spawn-fcgi (and multiwatch to restart one that dies); each
 * inherits the listening socket on fd 0 and serves one request at a time.
 * -s SOCKET makes it listen by itself, for development.
 */
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <fcgiapp.h>
#include <sodium.h>

#include "autoconfig.h"

#include "app.h"
#include "handlers.h"
#include "log.h"
#include "util.h"
#include "router.h"
#include "sso.h"

static volatile sig_atomic_t	 worker_stop;

static void
worker_signal(int sig)
{
	worker_stop = 1;
	/* Makes a blocked accept(2) return instead of being retried. */
	FCGX_ShutdownPending();
}

/* SIGTERM, SIGINT, SIGUSR1: an idle worker leaves now, a busy one after
 * its request.  No SA_RESTART, so accept(2) is interrupted. */
static void
worker_signals(void)
{
	struct sigaction	 sa;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = worker_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGUSR1, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
}

static void
worker_usage(void)
{
	fputs("usage: attendance-fcgi [-c file] [-s socket] [-b backlog]\n",
	    stderr);
	exit(2);
}

int
main(int argc, char **argv)
{
	struct app	 app;
	struct request	 req;
	struct events_auth auth;
	char		*password = NULL;
	FCGX_Request	 fcgi;
	struct stat	 st;
	const char	*path = NULL, *listen_on = NULL;
	char		*cause = NULL;
	int		 ch, fd = 0, backlog = 128, status = 1;

	memset(&app, 0, sizeof(app));
	memset(&req, 0, sizeof(req));
	while ((ch = getopt(argc, argv, "b:c:hs:V")) != -1) {
		switch (ch) {
		case 'b':
			backlog = atoi(optarg);
			break;
		case 'c':
			path = optarg;
			break;
		case 's':
			listen_on = optarg;
			break;
		case 'V':
			puts("attendance-fcgi " PACKAGE_VERSION);
			return 0;
		default:
			worker_usage();
		}
	}
	if (optind != argc)
		worker_usage();

	log_open("attendance-fcgi", LOG_LEVEL_INFO);
	if (config_init(&app.config) != AT_OK) {
		log_error("out of memory");
		return 1;
	}
	if (config_load(&app.config, path != NULL ? path :
	    config_default_path(), path != NULL, &cause) != AT_OK) {
		log_error("%s", cause != NULL ? cause : "bad configuration");
		free(cause);
		goto out;
	}
	if (config_check_worker(&app.config, &cause) != AT_OK ||
	    sso_check_config(&app.config, &cause) != AT_OK) {
		log_error("%s", cause != NULL ? cause : "out of memory");
		free(cause);
		goto out;
	}
	log_set_level(app.config.log_level);
	app.store.conninfo = app.config.database;
	app.store.timeouts.connect = app.config.database_connect_timeout;
	app.store.timeouts.statement = app.config.database_statement_timeout;
	app.store.timeouts.lock = app.config.database_lock_timeout;
	app.store.timeouts.idle_transaction =
	    app.config.database_idle_transaction_timeout;
	if (util_crypto_init() != AT_OK || handler_auth_init() != AT_OK) {
		log_error("libsodium failed to initialise");
		goto out;
	}
	if (config_redis_password(&app.config, &password, &cause) != AT_OK) {
		log_error("%s", cause != NULL ? cause : "out of memory");
		free(cause);
		goto out;
	}
	auth.user = app.config.redis_user;
	auth.password = password;
	app.events = events_open(&app.config.redis, &auth);
	if (password != NULL)
		sodium_memzero(password, strlen(password));
	free(password);
	if (app.events == NULL) {
		log_error("out of memory");
		goto out;
	}
	if (FCGX_Init() != 0) {
		log_error("FCGX_Init failed");
		goto out;
	}
	if (listen_on != NULL) {
		if ((fd = FCGX_OpenSocket(listen_on, backlog)) < 0) {
			log_error("cannot listen on %s", listen_on);
			goto out;
		}
	} else if (fstat(0, &st) == -1 || !S_ISSOCK(st.st_mode)) {
		log_error("standard input is not a socket: run under "
		    "spawn-fcgi, or listen with -s");
		goto out;
	}
	if (FCGX_InitRequest(&fcgi, fd, 0) != 0) {
		log_error("FCGX_InitRequest failed");
		goto out;
	}
	worker_signals();
	/* Connect now if we can; a database that is down is not fatal. */
	if (store_connect(&app.store) != AT_OK)
		log_warn("starting without the database");
	log_info("ready");

	while (!worker_stop) {
		if (FCGX_Accept_r(&fcgi) < 0)
			break;
		request_start(&req, &fcgi, ++app.requests);
		req.body_timeout = app.config.request_body_timeout;
		router_dispatch(&app, &req);
		request_finish(&req);
		/*
		 * libfcgi closes a connection with shutdown() and then waits
		 * (up to 2 s) for the web server to close first, so that
		 * unread input cannot turn the close into a reset; meanwhile
		 * this worker takes no request.  When the input was read to
		 * its end, nothing is left to reset: detached, the connection
		 * is closed at once.
		 */
		if (FCGX_GetChar(fcgi.in) == EOF)
			(void)FCGX_Detach(&fcgi);
		FCGX_Finish_r(&fcgi);
	}
	log_info("stopping after %lu requests (%lu events lost)",
	    app.requests, events_lost(app.events));
	status = 0;
out:
	arena_free(&req.arena);
	events_close(app.events);
	store_close(&app.store);
	config_free(&app.config);
	return status;
}
