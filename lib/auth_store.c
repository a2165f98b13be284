#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_store.h"

enum auth_statement {
	AUTH_LOGIN_BEGIN,
	AUTH_LOGIN_SUCCEEDED,
	AUTH_SSO,
	AUTH_CALLER,
	AUTH_ME,
	AUTH_LOGOUT,
	AUTH_PING
};

static const struct db_statement auth_store_sql[] = {
	/* The throttle: sql/functions/auth.sql. */
	[AUTH_LOGIN_BEGIN] = { "auth_login_begin",
	    "SELECT retry_after, attempt, user_id, password_hash"
	    " FROM auth_login_begin($1, $2::inet, $3::bytea, $4::int,"
	    " $5::int, $6::int, $7::int, $8::cidr[])",
	    8 },
	[AUTH_LOGIN_SUCCEEDED] = { "auth_login_succeeded",
	    "SELECT user_json, issued FROM auth_login_succeeded($1::bigint,"
	    " $2::uuid, $3::bytea, $4::int, $5::bytea, $6::bytea, $7::int)",
	    7 },
	[AUTH_SSO] = { "auth_sso",
	    "SELECT forbidden, issued FROM auth_sso_sign_on($1, $2, $3, $4,"
	    " $5, $6, $7::boolean, $8::bytea, $9::int, $10::bytea,"
	    " $11::bytea, $12::int)",
	    12 },
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

/* "a b" as the array literal "{a,b}", in the arena. */
static const char *
auth_store_networks(struct arena *arena, const char *list)
{
	char	*array;
	size_t	 i;

	if ((array = arena_printf(arena, "{%s}", list)) == NULL)
		return NULL;
	for (i = 0; array[i] != '\0'; i++)
		if (array[i] == ' ')
			array[i] = ',';
	return array;
}

enum at_error
auth_store_login_begin(struct store *store, struct arena *arena,
    const char *login, const char *address, const char *device,
    const struct auth_throttle *throttle, struct auth_attempt *out)
{
	PGresult	*res = NULL;
	const char	*params[8];
	char		 lifetime[16], window[16], per_name[16];
	char		 per_address[16];
	enum at_error	 rc;

	memset(out, 0, sizeof(*out));
	snprintf(lifetime, sizeof(lifetime), "%d", AUTH_DEVICE_LIFETIME);
	snprintf(window, sizeof(window), "%d", throttle->window);
	snprintf(per_name, sizeof(per_name), "%d", throttle->per_name);
	snprintf(per_address, sizeof(per_address), "%d",
	    throttle->per_address);
	params[0] = login;
	params[1] = address;
	params[2] = device;
	params[3] = lifetime;
	params[4] = window;
	params[5] = per_name;
	params[6] = per_address;
	if ((params[7] = auth_store_networks(arena, throttle->trusted)) ==
	    NULL)
		return AT_ENOMEM;
	rc = store_run(store, &auth_store_sql[AUTH_LOGIN_BEGIN], params,
	    &res);
	if (rc != AT_OK)
		return rc;
	if (!PQgetisnull(res, 0, 0))
		out->retry_after = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	else
		snprintf(out->id, sizeof(out->id), "%s",
		    PQgetvalue(res, 0, 1));
	if (!PQgetisnull(res, 0, 2))
		snprintf(out->user_id, sizeof(out->user_id), "%s",
		    PQgetvalue(res, 0, 2));
	if (!PQgetisnull(res, 0, 3))
		snprintf(out->password_hash, sizeof(out->password_hash), "%s",
		    PQgetvalue(res, 0, 3));
	PQclear(res);
	return AT_OK;
}

/* The cookies as params[0..4] of a statement. */
static void
auth_store_cookie_params(const struct auth_cookies *cookies,
    const char **params, char lifetime[16], char device_lifetime[16])
{
	snprintf(lifetime, 16, "%d", cookies->lifetime);
	snprintf(device_lifetime, 16, "%d", AUTH_DEVICE_LIFETIME);
	params[0] = cookies->sid_hash;
	params[1] = lifetime;
	params[2] = cookies->device;
	params[3] = cookies->new_device;
	params[4] = device_lifetime;
}

enum at_error
auth_store_login_succeeded(struct store *store, struct arena *arena,
    const struct auth_attempt *attempt, const struct auth_cookies *cookies,
    const char **json, int *issued)
{
	PGresult	*res = NULL;
	const char	*params[7];
	char		 lifetime[16], device_lifetime[16];
	enum at_error	 rc;

	*json = NULL;
	*issued = 0;
	params[0] = attempt->id;
	params[1] = attempt->user_id;
	auth_store_cookie_params(cookies, params + 2, lifetime,
	    device_lifetime);
	rc = store_run(store, &auth_store_sql[AUTH_LOGIN_SUCCEEDED], params,
	    &res);
	if (rc != AT_OK)
		return rc;
	*issued = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	if ((*json = arena_strndup(arena, PQgetvalue(res, 0, 0),
	    (size_t)PQgetlength(res, 0, 0))) == NULL)
		rc = AT_ENOMEM;
	PQclear(res);
	return rc;
}

enum at_error
auth_store_sso(struct store *store, const struct auth_identity *who,
    const struct auth_cookies *cookies, int *issued)
{
	PGresult	*res = NULL;
	const char	*params[12];
	char		 lifetime[16], device_lifetime[16];
	enum at_error	 rc;

	*issued = 0;
	params[0] = who->subject;
	params[1] = who->email;
	params[2] = who->name;
	params[3] = who->username;
	params[4] = who->role;
	params[5] = who->link;
	params[6] = who->provision ? "true" : "false";
	auth_store_cookie_params(cookies, params + 7, lifetime,
	    device_lifetime);
	if ((rc = store_run(store, &auth_store_sql[AUTH_SSO], params,
	    &res)) != AT_OK)
		return rc;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		rc = AT_EFORBIDDEN;
	else
		*issued = strcmp(PQgetvalue(res, 0, 1), "t") == 0;
	PQclear(res);
	return rc;
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
