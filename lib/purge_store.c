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
    " codes AS (DELETE FROM code_failures"
    "   WHERE failed_at <= now() - make_interval(secs => $2::int)"
    "   RETURNING 1),"
    " devices AS (DELETE FROM devices"
    "   WHERE NOT auth_device_live(created_at, $3::int) RETURNING 1),"
    " evidence AS (UPDATE attendance_records"
    "   SET address = NULL, device_hash = NULL, user_agent = NULL"
    "   WHERE recorded_at <= now() - make_interval(days => $4::int)"
    "   AND (address IS NOT NULL OR device_hash IS NOT NULL"
    "   OR user_agent IS NOT NULL) RETURNING 1)"
    " SELECT (SELECT count(*) FROM logins),"
    " (SELECT count(*) FROM failures) + (SELECT count(*) FROM codes),"
    " (SELECT count(*) FROM devices), (SELECT count(*) FROM evidence)";

enum at_error
purge_store_run(PGconn *conn, const struct purge_ages *ages,
    struct purge_counts *out, char **cause)
{
	PGresult	*res = NULL;
	const char	*params[4];
	char		 text[4][16];
	enum at_error	 rc;

	memset(out, 0, sizeof(*out));
	snprintf(text[0], sizeof(text[0]), "%d", ages->login_window);
	snprintf(text[1], sizeof(text[1]), "%d", ages->code_window);
	snprintf(text[2], sizeof(text[2]), "%d", ages->device_lifetime);
	snprintf(text[3], sizeof(text[3]), "%d", ages->evidence_days);
	params[0] = text[0];
	params[1] = text[1];
	params[2] = text[2];
	params[3] = text[3];
	rc = db_query(conn, purge_store_sql, 4, params, &res, cause);
	if (rc == AT_OK) {
		out->logins = strtol(PQgetvalue(res, 0, 0), NULL, 10);
		out->failures = strtol(PQgetvalue(res, 0, 1), NULL, 10);
		out->devices = strtol(PQgetvalue(res, 0, 2), NULL, 10);
		out->evidence = strtol(PQgetvalue(res, 0, 3), NULL, 10);
	}
	PQclear(res);
	return rc;
}
