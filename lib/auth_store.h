/* users, auth_sessions and login_failures, as the worker uses them. */
#ifndef ATTENDANCE_AUTH_STORE_H
#define ATTENDANCE_AUTH_STORE_H

#include <stddef.h>

#include "db.h"

enum auth_statement {
	/*
	 * $1 login, $2 address, $3 window, $4 per-name limit, $5 per-address
	 * limit -> retry_after (NULL unless throttled), id, password_hash
	 * (NULL when no such user).
	 */
	AUTH_LOGIN_LOOKUP,
	AUTH_LOGIN_FAILED,	/* $1 login, $2 address */
	/* $1 sid hash, $2 user, $3 lifetime, $4 login -> {"user": User} */
	AUTH_LOGIN_SUCCEEDED,
	/*
	 * $1 sid hash -> id, role, email, username, display_name,
	 * created_at, last_login_at: plain columns, not JSON, because every
	 * request runs this and only GET /api/auth/me needs the User.
	 */
	AUTH_SESSION_USER,
	AUTH_LOGOUT,		/* $1 sid hash */
	AUTH_PING		/* -> 1 */
};

extern const struct db_statement	auth_store_statements[];
extern const size_t			auth_store_statement_count;

#endif
