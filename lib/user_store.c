#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "user_store.h"
#include "util.h"

/*
 * Statements in a WITH see one snapshot, so "taken" looks at the table
 * as it was before "created" inserts; nothing is inserted unless no row
 * clashes.  A concurrent insert that slips in between still trips the
 * unique indexes (23505, mapped to AT_ECONFLICT).
 */
static const char user_store_create_sql[] =
    "WITH input AS ("
    "  SELECT * FROM unnest($1::text[], $2::text[], $3::text[],"
    "      $4::text[], $5::text[], $6::text[])"
    "    WITH ORDINALITY AS t(role, username, email, display_name,"
    "      password_hash, external_id, n)"
    "), taken AS ("
    "  SELECT i.n,"
    "    (EXISTS (SELECT 1 FROM users u"
    "       WHERE lower(u.username) = lower(i.username)))::int"
    "    + 2 * (EXISTS (SELECT 1 FROM users u"
    "       WHERE lower(u.email) = lower(i.email)))::int"
    "    + 4 * (EXISTS (SELECT 1 FROM users u"
    "       WHERE u.external_id = i.external_id))::int AS taken"
    "  FROM input i"
    "), created AS ("
    "  INSERT INTO users (role, username, email, display_name,"
    "      password_hash, external_id)"
    "  SELECT role, username, email, display_name, password_hash,"
    "      external_id"
    "  FROM input"
    "  WHERE NOT EXISTS (SELECT 1 FROM taken WHERE taken.taken <> 0)"
    "  RETURNING id, username"
    ")"
    " SELECT t.taken, c.id FROM input i JOIN taken t USING (n)"
    " LEFT JOIN created c ON lower(c.username) = lower(i.username)"
    " ORDER BY i.n";

enum { COL_ROLE, COL_USERNAME, COL_EMAIL, COL_DISPLAY_NAME, COL_HASH,
    COL_EXTERNAL_ID, COL_COUNT };

enum at_error
user_store_create(PGconn *conn, struct user_new *users, size_t count,
    char **cause)
{
	const char	**column = NULL;
	char		*params[COL_COUNT] = { NULL };
	PGresult	*res = NULL;
	size_t		 i, c;
	enum at_error	 rc = AT_OK;
	int		 conflict = 0;

	*cause = NULL;
	if ((column = calloc(count + 1, sizeof(*column))) == NULL) {
		rc = AT_ENOMEM;
		goto out;
	}
	for (c = 0; c < COL_COUNT; c++) {
		for (i = 0; i < count; i++) {
			const struct user_new	*u = &users[i];

			column[i] = c == COL_ROLE ? u->role :
			    c == COL_USERNAME ? u->username :
			    c == COL_EMAIL ? u->email :
			    c == COL_DISPLAY_NAME ? u->display_name :
			    c == COL_HASH ? u->password_hash :
			    u->external_id;
		}
		if ((params[c] = db_array_literal(column, count)) == NULL) {
			rc = AT_ENOMEM;
			goto out;
		}
	}
	rc = db_query(conn, user_store_create_sql, COL_COUNT,
	    (const char *const *)params, &res, cause);
	if (rc != AT_OK)
		goto out;
	if ((size_t)PQntuples(res) != count) {
		rc = AT_EINTERNAL;
		*cause = util_printf("user insert returned %d rows for %zu",
		    PQntuples(res), count);
		goto out;
	}
	for (i = 0; i < count; i++) {
		users[i].taken = (unsigned)atoi(PQgetvalue(res, (int)i, 0));
		if (users[i].taken != 0)
			conflict = 1;
		snprintf(users[i].id, sizeof(users[i].id), "%s",
		    PQgetvalue(res, (int)i, 1));
	}
	if (conflict)
		rc = AT_ECONFLICT;
out:
	if (rc == AT_ENOMEM && *cause == NULL)
		*cause = util_printf("out of memory");
	for (c = 0; c < COL_COUNT; c++)
		free(params[c]);
	free(column);
	PQclear(res);
	return rc;
}
