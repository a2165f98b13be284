/*
 * The relay's PostgreSQL side, never blocking the loop: a few libpq
 * connections in non-blocking mode (PQconnectStart, PQsendQueryParams,
 * an ev_io on PQsocket), one FIFO queue of requests, reconnection with
 * back-off.  While no connection is up or on its way, requests are
 * refused at once (the caller answers 503).
 *
 * The statements and the reading of their results are lib/relay_store.h's.
 * A request's callback runs from the loop, never from inside the call
 * that queued it.  The result it gets lives for the duration of the
 * callback, except check.round_started, which the callback may take (set
 * it to NULL).  Cancelling a request guarantees its callback never runs.
 * A request owns what it sends (the logins check's list of hashes).
 */
#ifndef ATTENDANCE_RELAY_AUTH_H
#define ATTENDANCE_RELAY_AUTH_H

#include "error.h"
#include "http.h"
#include "relay.h"
#include "relay_store.h"

#define RELAY_AUTH_CONNECTIONS	2
#define RELAY_AUTH_QUEUE_MAX	4096	/* requests waiting for a connection */
#define RELAY_AUTH_TIMEOUT	5.0	/* a connect or query, in seconds */

struct relay_auth;
struct relay_auth_request;

struct relay_auth_result {
	/*
	 * AT_OK accepted; AT_EUNAUTHENTICATED, AT_EFORBIDDEN, AT_ENOTFOUND
	 * (relay_store_check_read()); AT_EUNAVAILABLE when the database is
	 * unreachable; AT_EINTERNAL or AT_ENOMEM.
	 */
	enum at_error			 err;
	struct relay_store_check	 check;		/* when AT_OK */
	struct relay_store_logins	 logins;	/* likewise */
};

typedef void	relay_auth_fn(void *arg, struct relay_auth_result *);

enum at_error	 relay_auth_open(struct relay *, const char *conninfo,
		    struct relay_auth **out) AT_MUSTCHECK;
/* Closes the connections and drops queued requests without calling
 * back.  NULL is fine. */
void	 relay_auth_close(struct relay_auth *);

/*
 * Queues the upgrade check: the login session of the sid cookie whose
 * hash is hash_hex (token_hash()), its user a professor who owns
 * session_id (NULL when the request had no well-formed one), and that
 * session's active round.  AT_OK with *req, or AT_EUNAVAILABLE (database
 * down, queue full) or AT_ENOMEM, and then fn is never called.
 */
enum at_error	 relay_auth_check(struct relay_auth *,
		    const char *hash_hex, const char *session_id,
		    relay_auth_fn *fn, void *arg,
		    struct relay_auth_request **req) AT_MUSTCHECK;

/*
 * Queues the check of the logins of the open sockets: which of the n
 * hashes (token_hash()'s bytes; copied) name no live login now, in
 * result->logins.  As above.
 */
enum at_error	 relay_auth_logins(struct relay_auth *,
		    const unsigned char (*hashes)[TOKEN_HASH_BYTES], size_t n,
		    relay_auth_fn *fn, void *arg,
		    struct relay_auth_request **req) AT_MUSTCHECK;

/* Queues the ping for /healthz: AT_OK or AT_EUNAVAILABLE.  As above. */
enum at_error	 relay_auth_ping(struct relay_auth *, relay_auth_fn *fn,
		    void *arg, struct relay_auth_request **req) AT_MUSTCHECK;

/* Forgets req: its callback will not run.  NULL is fine. */
void	 relay_auth_cancel(struct relay_auth_request *req);

/* Whether a connection is up now. */
int	 relay_auth_up(const struct relay_auth *);

#endif
