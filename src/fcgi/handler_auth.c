#include <stdio.h>
#include <string.h>

#include "auth_store.h"
#include "handlers.h"
#include "log.h"
#include "password.h"
#include "token.h"

/*
 * Verified when the login names no one, so an unknown user takes as long
 * as a wrong password and the two cannot be told apart.
 */
static char	 handler_dummy_hash[PASSWORD_HASH_SIZE];

static enum at_error
handler_login_failed(struct app *app, struct request *req,
    const char *login)
{
	enum at_error	 rc;

	rc = auth_store_login_failed(&app->store, login, req->remote_addr);
	if (rc != AT_OK)
		return rc;
	log_info("failed login for '%s' from %s", login, req->remote_addr);
	return AT_EBADCREDENTIALS;
}

enum at_error
handler_login(struct app *app, struct request *req)
{
	struct auth_throttle	 throttle;
	struct auth_lookup	 found;
	const char		*login = req->fields[LOGIN_LOGIN].text;
	const char		*password = req->fields[LOGIN_PASSWORD].text;
	const char		*json;
	char			 sid[TOKEN_TEXT_SIZE];
	char			 sid_hash[TOKEN_HASH_HEX_SIZE];
	enum at_error		 rc;
	int			 ok;

	throttle.window = app->config.login_failure_window;
	throttle.per_name = app->config.login_failures_per_name;
	throttle.per_address = app->config.login_failures_per_address;
	rc = auth_store_login_lookup(&app->store, login, req->remote_addr,
	    &throttle, &found);
	if (rc != AT_OK)
		return rc;
	if (found.retry_after > 0) {
		request_add_header(req, "Retry-After: %ld", found.retry_after);
		log_info("throttled login for '%s' from %s", login,
		    req->remote_addr);
		return AT_ERATELIMITED;
	}
	if (found.user_id[0] == '\0') {
		(void)password_verify(handler_dummy_hash, password);
		return handler_login_failed(app, req, login);
	}
	ok = password_verify(found.password_hash, password);
	sodium_memzero(found.password_hash, sizeof(found.password_hash));
	if (!ok)
		return handler_login_failed(app, req, login);

	token_mint(sid, sid_hash);
	rc = auth_store_login_succeeded(&app->store, &req->arena, sid_hash,
	    found.user_id, app->config.session_lifetime, login, &json);
	if (rc == AT_OK) {
		request_reply(req, 200, json);
		request_add_header(req, "Set-Cookie: sid=%s; Max-Age=%d; "
		    "Path=/; HttpOnly; SameSite=Lax%s", sid,
		    app->config.session_lifetime,
		    app->config.cookie_secure ? "; Secure" : "");
	}
	sodium_memzero(sid, sizeof(sid));
	return rc;
}

enum at_error
handler_logout(struct app *app, struct request *req)
{
	enum at_error	 rc;

	if ((rc = auth_store_logout(&app->store, req->sid_hash)) != AT_OK)
		return rc;
	request_add_header(req, "Set-Cookie: sid=; Max-Age=0; Path=/; "
	    "HttpOnly; SameSite=Lax%s",
	    app->config.cookie_secure ? "; Secure" : "");
	request_reply(req, 204, NULL);
	return AT_OK;
}

/* One round trip: the login and the User, from the same statement. */
enum at_error
handler_me(struct app *app, struct request *req)
{
	struct auth_caller	 caller;
	const char		*json;
	enum at_error		 rc;

	rc = auth_store_me(&app->store, &req->arena, req->sid_hash, &caller,
	    &json);
	if (rc != AT_OK)
		return rc;
	snprintf(req->user_id, sizeof(req->user_id), "%s", caller.id);
	req->role = caller.professor ? ROLE_PROFESSOR : ROLE_STUDENT;
	request_reply(req, 200, json);
	return AT_OK;
}

enum at_error
handler_health(struct app *app, struct request *req)
{
	int	 database, redis;

	database = auth_store_ping(&app->store) == AT_OK;
	redis = events_ping(app->events) == 0;
	request_reply(req, database && redis ? 200 : 503,
	    arena_printf(&req->arena, "{\"status\":\"%s\",\"database\":\"%s\","
	    "\"redis\":\"%s\"}", database && redis ? "ok" : "degraded",
	    database ? "ok" : "down", redis ? "ok" : "down"));
	return AT_OK;
}

enum at_error
handler_auth_init(void)
{
	return password_hash("no such user", handler_dummy_hash);
}
