/*
 * users, auth_sessions, devices and login_failures, as the worker uses
 * them: the caller of a request, the login with its throttle, the
 * sign-on, logout.  A login is found by the hex bytea of its sid's hash
 * (token_hash()), a device cookie likewise.
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

/* The device cookie's Max-Age: 400 days, the most browsers keep one. */
#define AUTH_DEVICE_LIFETIME	34560000

/* The throttle's settings (attendance.conf(5)). */
struct auth_throttle {
	int		 window;	/* seconds */
	int		 per_name;	/* failures per account, or device */
	int		 per_address;	/* failures per network */
	const char	*trusted;	/* canonical CIDRs, space-separated */
};

/* The first half of a login attempt: what auth_store_login_begin()
 * finds. */
struct auth_attempt {
	long		 retry_after;	/* > 0: throttled for that long */
	char		 id[24];	/* the failure written, "" if none */
	char		 user_id[HTTP_UUID_SIZE];	/* "" when no one */
	char		 password_hash[PASSWORD_HASH_SIZE];	/* "" if none */
};

/*
 * The account that login (username or email) names and the throttle's
 * verdict, for a client at address (canonical text, lib/cidr.h) with
 * the device cookie of hash device (NULL for none).  When not throttled
 * a failure is already written (out->id): auth_store_login_succeeded()
 * takes it back.  Attempts in parallel never check more passwords than
 * the limits allow.
 */
enum at_error	 auth_store_login_begin(struct store *, struct arena *,
		    const char *login, const char *address,
		    const char *device, const struct auth_throttle *,
		    struct auth_attempt *out) AT_MUSTCHECK;

/* A new login's cookies: the sid's hash, and the browser's device
 * cookie's (NULL for none) with the hash of one to issue if needed. */
struct auth_cookies {
	const char	*sid_hash;
	int		 lifetime;	/* of the login, seconds */
	const char	*device;
	const char	*new_device;
};

/*
 * The password was right: the attempt was no failure; the login opens,
 * the user's expired logins go, last_login_at is set.  *json is
 * {"user": User} in the arena; *issued says new_device was issued.
 */
enum at_error	 auth_store_login_succeeded(struct store *, struct arena *,
		    const struct auth_attempt *, const struct auth_cookies *,
		    const char **json, int *issued) AT_MUSTCHECK;

/* Who the web server says signed on, checked (lib/sso.h); NULL for an
 * attribute it did not give. */
struct auth_identity {
	const char	*subject;
	const char	*email;		/* a valid email, or NULL */
	const char	*name;		/* valid text, or NULL */
	const char	*username;	/* as given: the store cleans it */
	const char	*role;		/* "professor", "student" or NULL */
	const char	*link;		/* "off", "email" or "username" */
	int		 provision;
};

/*
 * A sign-on: the account of the identity (found, linked or made, its
 * attributes refreshed) and its new login.  AT_EFORBIDDEN when there is
 * no account and none may be made; nothing is written then.
 */
enum at_error	 auth_store_sso(struct store *, const struct auth_identity *,
		    const struct auth_cookies *, int *issued) AT_MUSTCHECK;

/* Ends the login of sid_hash (none is no error). */
enum at_error	 auth_store_logout(struct store *, const char *sid_hash)
		    AT_MUSTCHECK;

/* Whether the database answers. */
enum at_error	 auth_store_ping(struct store *) AT_MUSTCHECK;

#endif
