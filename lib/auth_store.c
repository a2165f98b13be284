#include "auth_store.h"

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

const struct db_statement auth_store_statements[] = {
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
	[AUTH_SESSION_USER] = { "auth_session_user",
	    "SELECT u.id, u.role, u.email, u.username, u.display_name,"
	    " u.created_at, u.last_login_at"
	    " FROM auth_login_user($1::bytea) u",
	    1 },
	[AUTH_LOGOUT] = { "auth_logout",
	    "DELETE FROM auth_sessions WHERE token_hash = $1::bytea", 1 },
	[AUTH_PING] = { "auth_ping", "SELECT 1", 0 },
};

const size_t auth_store_statement_count =
    sizeof(auth_store_statements) / sizeof(auth_store_statements[0]);
