#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "purge_store.h"

/* The rules of what is dead are the functions of sql/functions/auth.sql:
 * the same a login or a device cookie is judged by. */
static const char purge_store_sql[] =
    "WITH logins AS (DELETE FROM auth_sessions"
    "   WHERE NOT auth_login_live(expires_at) RETURNING 1),"
    " failures AS (DELETE FROM login_failures"
    "   WHERE failed_at <= now() - make_interval(secs => $1::int)"
    "   RETURNING 1),"
    " devices AS (DELETE FROM devices"
    "   WHERE NOT auth_device_live(created_at, $2::int) RETURNING 1)"
    " SELECT (SELECT count(*) FROM logins),"
    " (SELECT count(*) FROM failures), (SELECT count(*) FROM devices)";

enum at_error
purge_store_run(PGconn *conn, int window, int device_lifetime,
    struct purge_counts *out, char **cause)
{
	PGresult	*res = NULL;
	const char	*params[2];
	char		 w[16], d[16];
	enum at_error	 rc;

	memset(out, 0, sizeof(*out));
	snprintf(w, sizeof(w), "%d", window);
	snprintf(d, sizeof(d), "%d", device_lifetime);
	params[0] = w;
	params[1] = d;
	rc = db_query(conn, purge_store_sql, 2, params, &res, cause);
	if (rc == AT_OK) {
		out->logins = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		out->failures = strtol(PQgetvalue(res, 0, 1), NULL, 10);
		out->devices = strtol(PQgetvalue(res, 0, 2), NULL, 10);
	}
	PQclear(res);
	return rc;
}
