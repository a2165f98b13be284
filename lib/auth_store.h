/*
 * users, auth_sessions and login_failures, as the worker uses them: the
 * caller of a request, the login with its throttle, logout.  A login is
 * found by the hex bytea of its sid's hash (token_hash()).
 */
#ifndef ATTENDANCE_AUTH_STORE_H
#define ATTENDANCE_AUTH_STORE_H

#include "arena.h"
#include "db.h"
#include "http.h"
#include "password.h"
#include "store.h"

extern const struct db_statement_set	auth_store_statements;

/* The user of a live login. */
struct auth_caller {
	char		 id[HTTP_UUID_SIZE];
	int		 professor;	/* else a student */
};

/* The caller of sid_hash; AT_EUNAUTHENTICATED when no login is live. */
enum at_error	 auth_store_caller(struct store *, const char *sid_hash,
		    struct auth_caller *out) AT_MUSTCHECK;

/*
 * The same, with {"user": User} (the contract's JSON, in the arena) in
 * the same round trip: GET /api/auth/me.
 */
enum at_error	 auth_store_me(struct store *, struct arena *,
		    const char *sid_hash, struct auth_caller *out,
		    const char **json) AT_MUSTCHECK;

/* The throttle's settings (attendance.conf(5)). */
struct auth_throttle {
	int		 window;	/* seconds */
	int		 per_name;	/* failures per account name */
	int		 per_address;	/* failures per address */
};

/* What a login attempt finds. */
struct auth_lookup {
	long		 retry_after;	/* > 0: throttled for that long */
	char		 user_id[HTTP_UUID_SIZE];	/* "" when no one */
	char		 password_hash[PASSWORD_HASH_SIZE];
};

/* The account that login (username or email) names, and the throttle. */
enum at_error	 auth_store_login_lookup(struct store *, const char *login,
		    const char *address, const struct auth_throttle *,
		    struct auth_lookup *out) AT_MUSTCHECK;

/* Records a failed attempt of login from address. */
enum at_error	 auth_store_login_failed(struct store *, const char *login,
		    const char *address) AT_MUSTCHECK;

/*
 * A successful login: the new login (sid_hash, lifetime seconds), the
 * name's failures forgiven, the user's expired logins removed,
 * last_login_at set; *json is {"user": User} in the arena.
 */
enum at_error	 auth_store_login_succeeded(struct store *, struct arena *,
		    const char *sid_hash, const char *user_id, int lifetime,
		    const char *login, const char **json) AT_MUSTCHECK;

/* Ends the login of sid_hash (none is no error). */
enum at_error	 auth_store_logout(struct store *, const char *sid_hash)
		    AT_MUSTCHECK;

/* Whether the database answers. */
enum at_error	 auth_store_ping(struct store *) AT_MUSTCHECK;

#endif
