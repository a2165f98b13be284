#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "log.h"
#include "relay_auth.h"
#include "relay_conn.h"
#include "relay_logins.h"
#include "relay_revoke.h"
#include "relay_upgrade.h"
#include "relay_ws.h"

struct relay_revoke_walk {
	const char	*why;
	unsigned	 closed;
};

void
relay_revoke_track(struct relay_conn *c, const char *hash_hex)
{
	unsigned char	 hash[TOKEN_HASH_BYTES];
	size_t		 len;

	/* token_hash() wrote it: "\x" and the digits, which always fit. */
	if (sodium_hex2bin(hash, sizeof(hash), hash_hex + 2,
	    2 * TOKEN_HASH_BYTES, NULL, &len, NULL) != 0 ||
	    len != sizeof(hash))
		return;
	relay_logins_add(&c->relay->logins, &c->login, hash);
}

void
relay_revoke_untrack(struct relay_conn *c)
{
	relay_logins_remove(&c->relay->logins, &c->login);
}

/* One socket of the login that ended. */
static void
relay_revoke_conn(struct relay_login *node, void *arg)
{
	struct relay_revoke_walk *walk = arg;
	struct relay_conn	*c = relay_conn_of_login(node);

	switch (c->state) {
	case RELAY_CONN_AUTH:
	case RELAY_CONN_SUBWAIT:
		log_info("conn %u: %s before the upgrade", c->id, walk->why);
		relay_upgrade_revoke(c);
		break;
	case RELAY_CONN_OPEN:
		log_info("conn %u: %s: closing with %d", c->id, walk->why,
		    RELAY_WS_LOGGED_OUT);
		relay_conn_close(c, RELAY_WS_LOGGED_OUT);
		break;
	default:
		return;		/* on its way out already */
	}
	c->relay->stats.revoked++;
	walk->closed++;
}

void
relay_revoke_login(struct relay *relay,
    const unsigned char hash[TOKEN_HASH_BYTES], const char *why)
{
	struct relay_revoke_walk walk = { why, 0 };

	relay_logins_each_of(&relay->logins, hash, relay_revoke_conn, &walk);
	if (walk.closed == 0)
		log_debug("%s: none of its sockets here", why);
}

/* relay_auth_fn of the logins check. */
static void
relay_revoke_checked(void *arg, struct relay_auth_result *result)
{
	struct relay	*relay = arg;
	size_t		 i;

	relay->logins_check = NULL;
	if (result->err != AT_OK) {
		log_message(result->err == AT_EUNAVAILABLE ? LOG_LEVEL_DEBUG :
		    LOG_LEVEL_WARN, "the logins check failed (%s): the next "
		    "one will tell", error_code(result->err));
		return;
	}
	for (i = 0; i < result->logins.count; i++)
		relay_revoke_login(relay, result->logins.ended[i],
		    "its login ended (login check)");
}

void
relay_revoke_check(struct relay *relay)
{
	unsigned char	(*hashes)[TOKEN_HASH_BYTES] = NULL;
	size_t		  n;
	enum at_error	  rc;

	if (relay->logins_check != NULL || relay->logins.count == 0)
		goto out;
	/* One per socket at most, usually one per login. */
	if ((hashes = calloc(relay->logins.count, sizeof(*hashes))) == NULL) {
		log_error("out of memory for the logins check");
		goto out;
	}
	n = relay_logins_distinct(&relay->logins, hashes,
	    relay->logins.count);
	rc = relay_auth_logins(relay->auth, hashes, n, relay_revoke_checked,
	    relay, &relay->logins_check);
	if (rc == AT_ENOMEM)
		log_error("out of memory for the logins check");
	else if (rc != AT_OK)
		log_debug("database unavailable: no logins check this time");
	else
		log_debug("checking the logins of %zu sockets (%zu logins)",
		    relay->logins.count, n);
out:
	free(hashes);
}

static void
relay_revoke_tick(struct ev_loop *loop, ev_timer *w, int revents)
{
	relay_revoke_check(w->data);
}

void
relay_revoke_start(struct relay *relay)
{
	ev_tstamp	 every = relay->config.relay_ping_interval;

	if (every > RELAY_LOGINS_CHECK_MAX)
		every = RELAY_LOGINS_CHECK_MAX;
	ev_timer_init(&relay->logins_timer, relay_revoke_tick, every, every);
	relay->logins_timer.data = relay;
	ev_timer_start(relay->loop, &relay->logins_timer);
}

void
relay_revoke_stop(struct relay *relay)
{
	ev_timer_stop(relay->loop, &relay->logins_timer);
	relay_auth_cancel(relay->logins_check);
	relay->logins_check = NULL;
}
