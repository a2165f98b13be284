/*
 * The relay's SQL: the upgrade check, the check of the open sockets'
 * logins and the health ping, as statement
 * texts that src/relay/relay_auth.c sends on its non-blocking
 * connections, and the reading of their results, so that no PGresult is
 * read outside lib/.  The results stay the caller's (PQclear).
 */
#ifndef ATTENDANCE_RELAY_STORE_H
#define ATTENDANCE_RELAY_STORE_H

#include <libpq-fe.h>

#include "error.h"
#include "http.h"
#include "token.h"

/*
 * $1 the sid cookie's hash (token_hash(), hex), $2 the class session id
 * or NULL -> at most one row: the login's user, role, whether that user
 * owns the session, and its active round's round:started data.
 */
extern const char	relay_store_check_sql[];
#define RELAY_STORE_CHECK_NPARAMS	2
/*
 * $1 login hashes (relay_store_logins_param()) -> one row for each that
 * names no live login now: logged out, expired, or its user deleted.
 */
extern const char	relay_store_logins_sql[];
#define RELAY_STORE_LOGINS_NPARAMS	1
/* No parameters -> one row. */
extern const char	relay_store_ping_sql[];

struct relay_store_check {
	char	 user_id[HTTP_UUID_SIZE];
	/* The active round's round:started data (a JSON object), malloc'd,
	 * or NULL when no round is open; the caller frees it. */
	char	*round_started;
};

/*
 * Reads the check's result (NULL: none came).  AT_OK with *out filled,
 * AT_EUNAUTHENTICATED (no live login), AT_EFORBIDDEN (not a professor),
 * AT_ENOTFOUND (no such session of this professor), AT_ENOMEM, or
 * AT_EINTERNAL when the query failed, with *failure libpq's message
 * (valid while res lives; NULL in every other case).
 */
enum at_error	 relay_store_check_read(const PGresult *res,
		    struct relay_store_check *out, const char **failure)
		    AT_MUSTCHECK;

/*
 * The logins check's $1 for the n hashes (token_hash()'s bytes):
 * malloc'd (the caller frees), NULL when out of memory.
 */
char		*relay_store_logins_param(
		    const unsigned char (*hashes)[TOKEN_HASH_BYTES], size_t n);

/* The logins that ended: their hashes, malloc'd (NULL when none). */
struct relay_store_logins {
	unsigned char	(*ended)[TOKEN_HASH_BYTES];
	size_t		  count;
};

/*
 * Reads the logins check's result: AT_OK with *out filled (the caller
 * frees out->ended), AT_ENOMEM, or AT_EINTERNAL with *failure as above
 * (also for a row that is not a hash).
 */
enum at_error	 relay_store_logins_read(const PGresult *res,
		    struct relay_store_logins *out, const char **failure)
		    AT_MUSTCHECK;

/* Reads the ping's result: AT_OK, or AT_EUNAVAILABLE with *failure as
 * above. */
enum at_error	 relay_store_ping_read(const PGresult *res,
		    const char **failure) AT_MUSTCHECK;

#endif
