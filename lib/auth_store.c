#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_store.h"

enum auth_statement {
	AUTH_LOGIN_LOOKUP,
	AUTH_LOGIN_FAILED,
	AUTH_LOGIN_SUCCEEDED,
	AUTH_CALLER,
	AUTH_ME,
	AUTH_LOGOUT,
	AUTH_PING
};

/*
 * A throttled login answers from the failures of the window: blocked
 * until the oldest of the last `limit` failures leaves it.  Attempts
 * refused with 429 are not failures, so the block ends when the window
 * has passed, as the contract says.
 */
#define BLOCKED_UNTIL(column, value, limit)				\
	"(SELECT failed_at FROM login_failures WHERE " column " = " value \
	" AND failed_at > now() - make_interval(secs => $3::int)"	\
	" ORDER BY failed_at DESC OFFSET (" limit " - 1) LIMIT 1)"

static const struct db_statement auth_store_sql[] = {
	/* -> retry_after (NULL unless throttled), id, password_hash (NULL
	 * when no such user) */
	[AUTH_LOGIN_LOOKUP] = { "auth_login_lookup",
	    "SELECT ceil(extract(epoch FROM greatest("
	    BLOCKED_UNTIL("login", "lower($1)", "$4::int") ", "
	    BLOCKED_UNTIL("address", "$2", "$5::int")
	    ") + make_interval(secs => $3::int) - now()))::int,"
	    " u.id, u.password_hash"
	    " FROM (SELECT 1) AS one LEFT JOIN users u"
	    " ON lower(u.username) = lower($1) OR lower(u.email) = lower($1)",
	    5 },
	[AUTH_LOGIN_FAILED] = { "auth_login_failed",
	    "INSERT INTO login_failures (login, address)"
	    " VALUES (lower($1), $2)",
	    2 },
	[AUTH_LOGIN_SUCCEEDED] = { "auth_login_succeeded",
	    "WITH forgiven AS (DELETE FROM login_failures"
	    "   WHERE login = lower($4)),"
	    " expired AS (DELETE FROM auth_sessions"
	    "   WHERE user_id = $2 AND NOT auth_login_live(expires_at)),"
	    " created AS (INSERT INTO auth_sessions"
	    "   (token_hash, user_id, expires_at)"
	    "   VALUES ($1::bytea, $2, now() + make_interval(secs => $3::int)))"
	    " UPDATE users SET last_login_at = now() WHERE id = $2"
	    " RETURNING json_build_object('user', user_json(users))",
	    4 },
	/* Every request but the one-trip ones runs this: two plain
	 * columns, no JSON. */
	[AUTH_CALLER] = { "auth_caller",
	    "SELECT u.id, u.role = 'professor'"
	    " FROM auth_login_user($1::bytea) u",
	    1 },
	[AUTH_ME] = { "auth_me",
	    "SELECT u.id, u.role = 'professor',"
	    " json_build_object('user', user_json(u))"
	    " FROM auth_login_user($1::bytea) u",
	    1 },
	[AUTH_LOGOUT] = { "auth_logout",
	    "DELETE FROM auth_sessions WHERE token_hash = $1::bytea", 1 },
	[AUTH_PING] = { "auth_ping", "SELECT 1", 0 },
};

const struct db_statement_set auth_store_statements = {
	auth_store_sql, sizeof(auth_store_sql) / sizeof(auth_store_sql[0])
};

/* The caller's columns (id, professor) of statement which, and its
 * JSON column when json is not NULL. */
static enum at_error
auth_store_read_caller(struct store *store, struct arena *arena,
    enum auth_statement which, const char *sid_hash, struct auth_caller *out,
    const char **json)
{
	PGresult	*res = NULL;
	const char	*params[1] = { sid_hash };
	enum at_error	 rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_run(store, &auth_store_sql[which], params, &res)) !=
	    AT_OK)
		return rc;
	if (PQntuples(res) != 1) {
		rc = AT_EUNAUTHENTICATED;
		goto out;
	}
	snprintf(out->id, sizeof(out->id), "%s", PQgetvalue(res, 0, 0));
	out->professor = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	if (json != NULL && (*json = arena_strndup(arena,
	    PQgetvalue(res, 0, 2), (size_t)PQgetlength(res, 0, 2))) == NULL)
		rc = AT_ENOMEM;
out:
	PQclear(res);
	return rc;
}

enum at_error
auth_store_caller(struct store *store, const char *sid_hash,
    struct auth_caller *out)
{
	return auth_store_read_caller(store, NULL, AUTH_CALLER, sid_hash, out,
	    NULL);
}

enum at_error
auth_store_me(struct store *store, struct arena *arena, const char *sid_hash,
    struct auth_caller *out, const char **json)
{
	*json = NULL;
	return auth_store_read_caller(store, arena, AUTH_ME, sid_hash, out,
	    json);
}

enum at_error
auth_store_login_lookup(struct store *store, const char *login,
    const char *address, const struct auth_throttle *throttle,
    struct auth_lookup *out)
{
	PGresult	*res = NULL;
	const char	*params[5];
	char		 window[16], per_name[16], per_address[16];
	enum at_error	 rc;

	memset(out, 0, sizeof(*out));
	snprintf(window, sizeof(window), "%d", throttle->window);
	snprintf(per_name, sizeof(per_name), "%d", throttle->per_name);
	snprintf(per_address, sizeof(per_address), "%d",
	    throttle->per_address);
	params[0] = login;
	params[1] = address;
	params[2] = window;
	params[3] = per_name;
	params[4] = per_address;
	rc = store_run(store, &auth_store_sql[AUTH_LOGIN_LOOKUP], params,
	    &res);
	if (rc != AT_OK)
		return rc;
	if (!PQgetisnull(res, 0, 0)) {
		out->retry_after = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		if (out->retry_after < 1)
			out->retry_after = 1;
	}
	if (!PQgetisnull(res, 0, 1)) {
		snprintf(out->user_id, sizeof(out->user_id), "%s",
		    PQgetvalue(res, 0, 1));
		snprintf(out->password_hash, sizeof(out->password_hash), "%s",
		    PQgetvalue(res, 0, 2));
	}
	PQclear(res);
	return AT_OK;
}

enum at_error
auth_store_login_failed(struct store *store, const char *login,
    const char *address)
{
	const char	*params[2] = { login, address };

	return store_exec(store, &auth_store_sql[AUTH_LOGIN_FAILED], params,
	    NULL);
}

enum at_error
auth_store_login_succeeded(struct store *store, struct arena *arena,
    const char *sid_hash, const char *user_id, int lifetime,
    const char *login, const char **json)
{
	const char	*params[4];
	char		 seconds[16];

	snprintf(seconds, sizeof(seconds), "%d", lifetime);
	params[0] = sid_hash;
	params[1] = user_id;
	params[2] = seconds;
	params[3] = login;
	return store_json(store, arena,
	    &auth_store_sql[AUTH_LOGIN_SUCCEEDED], params, json);
}

enum at_error
auth_store_logout(struct store *store, const char *sid_hash)
{
	const char	*params[1] = { sid_hash };

	return store_exec(store, &auth_store_sql[AUTH_LOGOUT], params, NULL);
}

enum at_error
auth_store_ping(struct store *store)
{
	return store_exec(store, &auth_store_sql[AUTH_PING], NULL, NULL);
}
