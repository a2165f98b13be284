#include <stdint.h>
#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "relay_store.h"

/*
 * One query for the whole upgrade check, so the answer is consistent:
 * the login session (expired ones do not match), the user's role,
 * whether this professor owns the class session, and its active round
 * as the workers publish it (round_started_json, sql/functions/format.sql).
 */
const char relay_store_check_sql[] =
	"SELECT u.id, u.role, s.id IS NOT NULL,"
	" CASE WHEN r.id IS NOT NULL THEN round_started_json(r)::text END"
	" FROM auth_login_user($1::bytea) u"
	" LEFT JOIN sessions s ON s.id = $2::uuid AND s.professor_id = u.id"
	" LEFT JOIN attendance_rounds r"
	"  ON r.session_id = s.id AND r.ends_at IS NULL";

/*
 * Every login of the open sockets in one query, by the one rule of what
 * a live login is (auth_login_user(), sql/functions/auth.sql).  The
 * hashes travel as hex text, as the workers' logout messages do.
 */
const char relay_store_logins_sql[] =
	"SELECT t.h FROM unnest($1::text[]) AS t(h)"
	" WHERE NOT EXISTS (SELECT 1 FROM auth_login_user(decode(t.h, 'hex')))";

const char relay_store_ping_sql[] = "SELECT 1";

/* libpq's message when res holds no rows (NULL when it does). */
static const char *
relay_store_failure(const PGresult *res)
{
	if (res == NULL)
		return "no result";
	if (PQresultStatus(res) != PGRES_TUPLES_OK)
		return PQresultErrorMessage(res);
	return NULL;
}

enum at_error
relay_store_check_read(const PGresult *res, struct relay_store_check *out,
    const char **failure)
{
	memset(out, 0, sizeof(*out));
	if ((*failure = relay_store_failure(res)) != NULL)
		return AT_EINTERNAL;
	if (PQntuples(res) != 1)
		return AT_EUNAUTHENTICATED;
	if (strcmp(PQgetvalue(res, 0, 1), "professor") != 0)
		return AT_EFORBIDDEN;
	if (strcmp(PQgetvalue(res, 0, 2), "t") != 0)
		return AT_ENOTFOUND;
	snprintf(out->user_id, sizeof(out->user_id), "%s",
	    PQgetvalue(res, 0, 0));
	if (!PQgetisnull(res, 0, 3) &&
	    (out->round_started = strdup(PQgetvalue(res, 0, 3))) == NULL)
		return AT_ENOMEM;
	return AT_OK;
}

char *
relay_store_logins_param(const unsigned char (*hashes)[TOKEN_HASH_BYTES],
    size_t n)
{
	const size_t	 each = 2 * TOKEN_HASH_BYTES + 1;	/* and a , */
	char		*out, *p;
	size_t		 i;

	/* "{", the hashes with a comma between, "}" and the NUL. */
	if (n > (SIZE_MAX - 3) / each || (out = malloc(3 + n * each)) ==
	    NULL)
		return NULL;
	p = out;
	*p++ = '{';
	for (i = 0; i < n; i++) {
		if (i > 0)
			*p++ = ',';
		sodium_bin2hex(p, 2 * TOKEN_HASH_BYTES + 1, hashes[i],
		    TOKEN_HASH_BYTES);
		p += 2 * TOKEN_HASH_BYTES;
	}
	*p++ = '}';
	*p = '\0';
	return out;
}

enum at_error
relay_store_logins_read(const PGresult *res, struct relay_store_logins *out,
    const char **failure)
{
	const char	*hex, *end;
	size_t		 len;
	int		 i, n;

	memset(out, 0, sizeof(*out));
	if ((*failure = relay_store_failure(res)) != NULL)
		return AT_EINTERNAL;
	if ((n = PQntuples(res)) == 0)
		return AT_OK;
	if ((out->ended = calloc((size_t)n, sizeof(*out->ended))) == NULL)
		return AT_ENOMEM;
	for (i = 0; i < n; i++) {
		hex = PQgetvalue(res, i, 0);
		if (strlen(hex) != 2 * TOKEN_HASH_BYTES ||
		    sodium_hex2bin(out->ended[i], TOKEN_HASH_BYTES, hex,
		    2 * TOKEN_HASH_BYTES, NULL, &len, &end) != 0 ||
		    len != TOKEN_HASH_BYTES) {
			free(out->ended);
			memset(out, 0, sizeof(*out));
			*failure = "the logins check returned a row that is "
			    "not a login hash";
			return AT_EINTERNAL;
		}
	}
	out->count = (size_t)n;
	return AT_OK;
}

enum at_error
relay_store_ping_read(const PGresult *res, const char **failure)
{
	if ((*failure = relay_store_failure(res)) != NULL)
		return AT_EUNAVAILABLE;
	return AT_OK;
}
