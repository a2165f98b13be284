#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_store.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "password.h"
#include "token.h"
#include "util.h"
#include "validate.h"

/*
 * Verified when the login names no one, so an unknown user takes as long
 * as a wrong password and the two cannot be told apart.
 */
static char	 handler_dummy_hash[PASSWORD_HASH_SIZE];

static int
handler_login_failed(struct app *app, struct request *req,
    const char *login)
{
	PGresult	*res = NULL;
	const char	*params[2] = { login, req->remote_addr };
	int		 rc;

	rc = app_run(app, &auth_store_statements[AUTH_LOGIN_FAILED], params,
	    &res);
	PQclear(res);
	if (rc != AT_OK)
		return rc;
	log_info("failed login for '%s' from %s", login, req->remote_addr);
	return AT_EBADCREDENTIALS;
}

int
handler_login(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*login, *password, *hash, *params[5];
	char		 window[16], per_name[16], per_address[16];
	char		 lifetime[16], sid[TOKEN_TEXT_SIZE];
	char		 sid_hash[TOKEN_HASH_HEX_SIZE], user_id[HTTP_UUID_SIZE];
	int		 rc, ok;

	if (json_field_text(&req->arena, req->body, "login", JSON_REQUIRED,
	    VALIDATE_EMAIL_MAX, &login, NULL, &req->message) == -1 ||
	    json_field_text(&req->arena, req->body, "password",
	    JSON_REQUIRED | JSON_VERBATIM, VALIDATE_PASSWORD_MAX, &password,
	    NULL, &req->message) == -1)
		return AT_EINVALID;

	snprintf(window, sizeof(window), "%d",
	    app->config.login_failure_window);
	snprintf(per_name, sizeof(per_name), "%d",
	    app->config.login_failures_per_name);
	snprintf(per_address, sizeof(per_address), "%d",
	    app->config.login_failures_per_address);
	params[0] = login;
	params[1] = req->remote_addr;
	params[2] = window;
	params[3] = per_name;
	params[4] = per_address;
	rc = app_run(app, &auth_store_statements[AUTH_LOGIN_LOOKUP], params,
	    &res);
	if (rc != AT_OK)
		return rc;
	if (!PQgetisnull(res, 0, 0)) {
		long	 retry = strtol(PQgetvalue(res, 0, 0), NULL, 10);

		request_add_header(req, "Retry-After: %ld",
		    retry > 0 ? retry : 1);
		PQclear(res);
		log_info("throttled login for '%s' from %s", login,
		    req->remote_addr);
		return AT_ERATELIMITED;
	}
	if (PQgetisnull(res, 0, 1)) {
		PQclear(res);
		(void)password_verify(handler_dummy_hash, password);
		return handler_login_failed(app, req, login);
	}
	snprintf(user_id, sizeof(user_id), "%s", PQgetvalue(res, 0, 1));
	hash = PQgetvalue(res, 0, 2);
	ok = password_verify(hash, password);
	PQclear(res);
	if (!ok)
		return handler_login_failed(app, req, login);

	token_mint(sid, sid_hash);
	snprintf(lifetime, sizeof(lifetime), "%d",
	    app->config.session_lifetime);
	params[0] = sid_hash;
	params[1] = user_id;
	params[2] = lifetime;
	params[3] = login;
	rc = app_reply_json(app, req,
	    &auth_store_statements[AUTH_LOGIN_SUCCEEDED], params, 200);
	if (rc != AT_OK)
		return rc;
	request_add_header(req, "Set-Cookie: sid=%s; Max-Age=%d; Path=/; "
	    "HttpOnly; SameSite=Lax%s", sid, app->config.session_lifetime,
	    app->config.cookie_secure ? "; Secure" : "");
	sodium_memzero(sid, sizeof(sid));
	return AT_OK;
}

int
handler_logout(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*params[1] = { req->sid_hash };
	int		 rc;

	rc = app_run(app, &auth_store_statements[AUTH_LOGOUT], params, &res);
	PQclear(res);
	if (rc != AT_OK)
		return rc;
	request_add_header(req, "Set-Cookie: sid=; Max-Age=0; Path=/; "
	    "HttpOnly; SameSite=Lax%s",
	    app->config.cookie_secure ? "; Secure" : "");
	request_reply(req, 204, NULL);
	return AT_OK;
}

/* The User of the contract, from the row authentication read. */
int
handler_me(struct app *app, struct request *req)
{
	json_object	*root, *user;
	char		 created[UTIL_TIMESTAMP_SIZE];
	char		 login[UTIL_TIMESTAMP_SIZE];
	const char	*text;

	if (util_timestamp(req->user_created_at, created) == -1 ||
	    (req->user_last_login_at != NULL &&
	    util_timestamp(req->user_last_login_at, login) == -1)) {
		req->message = "unexpected timestamp form from the database";
		return AT_EINTERNAL;
	}
	if ((root = json_object_new_object()) == NULL ||
	    (user = json_object_new_object()) == NULL) {
		json_object_put(root);
		return AT_ENOMEM;
	}
	json_object_object_add(root, "user", user);
	json_object_object_add(user, "id",
	    json_object_new_string(req->user_id));
	json_object_object_add(user, "role", json_object_new_string(
	    req->role == ROLE_PROFESSOR ? "professor" : "student"));
	json_object_object_add(user, "email",
	    json_object_new_string(req->user_email));
	json_object_object_add(user, "username",
	    json_object_new_string(req->user_username));
	json_object_object_add(user, "displayName",
	    json_object_new_string(req->user_display_name));
	json_object_object_add(user, "createdAt",
	    json_object_new_string(created));
	json_object_object_add(user, "lastLoginAt",
	    req->user_last_login_at != NULL ?
	    json_object_new_string(login) : NULL);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	request_reply(req, 200, arena_strndup(&req->arena, text, strlen(text)));
	json_object_put(root);
	return req->response != NULL ? AT_OK : AT_ENOMEM;
}

int
handler_health(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	int		 database, redis;

	database = app_run(app, &auth_store_statements[AUTH_PING], NULL,
	    &res) == AT_OK;
	PQclear(res);
	redis = events_ping(app->events) == 0;
	request_reply(req, database && redis ? 200 : 503,
	    arena_printf(&req->arena, "{\"status\":\"%s\",\"database\":\"%s\","
	    "\"redis\":\"%s\"}", database && redis ? "ok" : "degraded",
	    database ? "ok" : "down", redis ? "ok" : "down"));
	return AT_OK;
}

int
handler_auth_init(void)
{
	return password_hash("no such user", handler_dummy_hash);
}
