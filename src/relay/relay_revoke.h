/*
 * A socket lives no longer than the login that opened it (the contract,
 * v1.1): the open sockets of a login that ended close with 4401
 * (RELAY_WS_LOGGED_OUT), and one still in its upgrade is answered 401.
 * The relay learns of it two ways:
 *
 *  - a worker's logout message on the logins channel (relay_subs.c reads
 *    it, relay_deliver.c passes it here): the sockets close within
 *    milliseconds of the logout;
 *  - every relay_ping_interval seconds (RELAY_LOGINS_CHECK_MAX at most),
 *    one query for the logins of all the sockets (relay_auth_logins(),
 *    by the one rule of a live login): it finds the logins that expired,
 *    and the logouts whose message was lost (Redis down at that moment,
 *    or this relay's subscriber).  It also runs once the logins channel
 *    is subscribed again after Redis was lost.
 *
 * A connection is among its login's sockets (relay->logins) from the
 * moment its upgrade check is queued until it is freed, so a logout
 * committed after the check's query saw the login still finds it.
 */
#ifndef ATTENDANCE_RELAY_REVOKE_H
#define ATTENDANCE_RELAY_REVOKE_H

#include "relay.h"
#include "token.h"

/* Starts the check's timer; stops it and forgets a check under way. */
void	 relay_revoke_start(struct relay *);
void	 relay_revoke_stop(struct relay *);

/* c's upgrade check for the login of hash_hex (token_hash()) is queued:
 * c is among that login's sockets from now on. */
void	 relay_revoke_track(struct relay_conn *c, const char *hash_hex);
/* c is being freed: it leaves them (fine when it never joined). */
void	 relay_revoke_untrack(struct relay_conn *c);

/* The login of hash (TOKEN_HASH_BYTES) ended: close its sockets.
 * why, for the log, says how the relay knows. */
void	 relay_revoke_login(struct relay *,
	    const unsigned char hash[TOKEN_HASH_BYTES], const char *why);

/* Checks the logins of every socket now, unless a check is under way
 * or the database is down (then the next one will). */
void	 relay_revoke_check(struct relay *);

#endif
