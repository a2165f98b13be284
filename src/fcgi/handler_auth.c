#include <stdio.h>
#include <string.h>

#include "auth_store.h"
#include "cidr.h"
#include "handlers.h"
#include "log.h"
#include "password.h"
#include "sso.h"
#include "token.h"
#include "validate.h"

/*
 * Verified when the login names no one, so an unknown user takes as long
 * as a wrong password and the two cannot be told apart.
 */
static char	 handler_dummy_hash[PASSWORD_HASH_SIZE];

const char *
handler_device(struct request *req, char hash[TOKEN_HASH_HEX_SIZE])
{
	char	 did[TOKEN_TEXT_SIZE + 1];

	if (http_cookie_value(req->cookie, "did", did, sizeof(did)) == -1 ||
	    !token_is_well_formed(did))
		return NULL;
	token_hash(did, hash);
	return hash;
}

/*
 * A login that did not succeed, by account; a name that is no account
 * only by its fingerprint: it may be a password typed into the wrong
 * field.
 */
static void
handler_log_attempt(const char *what, const struct auth_attempt *attempt,
    const char *login, struct request *req)
{
	char	 print[LOG_FINGERPRINT_SIZE];

	if (attempt->user_id[0] != '\0') {
		log_info("%s login of account %s from %s", what,
		    attempt->user_id, req->remote_addr);
		return;
	}
	log_fingerprint(login, print);
	log_info("%s login of unknown name #%s from %s", what, print,
	    req->remote_addr);
}

void
handler_device_cookie(struct app *app, struct request *req, const char *did)
{
	request_add_header(req, "Set-Cookie: did=%s; Max-Age=%d; Path=/api/; "
	    "HttpOnly; SameSite=Lax%s", did, AUTH_DEVICE_LIFETIME,
	    config_cookies_secure(&app->config) ? "; Secure" : "");
}

/* The cookies of a new login: sid, and did when one was issued. */
static void
handler_login_cookies(struct app *app, struct request *req,
    const char *sid, const char *did, int issued)
{
	request_add_header(req, "Set-Cookie: sid=%s; Max-Age=%d; Path=/; "
	    "HttpOnly; SameSite=Lax%s", sid, app->config.session_lifetime,
	    config_cookies_secure(&app->config) ? "; Secure" : "");
	if (issued)
		handler_device_cookie(app, req, did);
}

enum at_error
handler_login(struct app *app, struct request *req)
{
	struct auth_throttle	 throttle;
	struct auth_attempt	 attempt;
	struct auth_cookies	 cookies;
	const char		*login = req->fields[LOGIN_LOGIN].text;
	const char		*password = req->fields[LOGIN_PASSWORD].text;
	const char		*json, *device;
	char			 address[CIDR_TEXT_SIZE];
	char			 device_hash[TOKEN_HASH_HEX_SIZE];
	char			 sid[TOKEN_TEXT_SIZE], did[TOKEN_TEXT_SIZE];
	char			 sid_hash[TOKEN_HASH_HEX_SIZE];
	char			 did_hash[TOKEN_HASH_HEX_SIZE];
	enum at_error		 rc;
	int			 ok, issued;

	throttle.window = app->config.login_failure_window;
	throttle.per_name = app->config.login_failures_per_name;
	throttle.per_address = app->config.login_failures_per_address;
	throttle.trusted = app->config.login_trusted_networks;
	/* Not an address (a web server that passes none): all such
	 * clients count as one. */
	if (cidr_address(req->remote_addr, address) != AT_OK)
		snprintf(address, sizeof(address), "0.0.0.0");
	device = handler_device(req, device_hash);
	rc = auth_store_login_begin(&app->store, &req->arena, login, address,
	    device, &throttle, &attempt);
	if (rc != AT_OK)
		return rc;
	if (attempt.retry_after > 0) {
		request_add_header(req, "Retry-After: %ld",
		    attempt.retry_after);
		handler_log_attempt("throttled", &attempt, login, req);
		return AT_ERATELIMITED;
	}
	/* An unknown name, or an account of single sign-on only: as long
	 * as a wrong password, and the same answer. */
	ok = password_verify(attempt.password_hash[0] != '\0' ?
	    attempt.password_hash : handler_dummy_hash, password) &&
	    attempt.password_hash[0] != '\0';
	sodium_memzero(attempt.password_hash, sizeof(attempt.password_hash));
	if (!ok) {
		handler_log_attempt("failed", &attempt, login, req);
		return AT_EBADCREDENTIALS;
	}

	token_mint(sid, sid_hash);
	token_mint(did, did_hash);
	cookies.sid_hash = sid_hash;
	cookies.lifetime = app->config.session_lifetime;
	cookies.device = device;
	cookies.new_device = did_hash;
	rc = auth_store_login_succeeded(&app->store, &req->arena, &attempt,
	    &cookies, &json, &issued);
	if (rc == AT_OK) {
		request_reply(req, 200, json);
		handler_login_cookies(app, req, sid, did, issued);
	}
	sodium_memzero(sid, sizeof(sid));
	sodium_memzero(did, sizeof(did));
	return rc;
}

enum at_error
handler_logout(struct app *app, struct request *req)
{
	enum at_error	 rc;

	if ((rc = auth_store_logout(&app->store, req->sid_hash)) != AT_OK)
		return rc;
	/* Committed: the screens this login opened must close now (v1.1).
	 * When the message is lost, the relays' own check closes them. */
	app_publish_logout(app, req->sid_hash);
	request_add_header(req, "Set-Cookie: sid=; Max-Age=0; Path=/; "
	    "HttpOnly; SameSite=Lax%s",
	    config_cookies_secure(&app->config) ? "; Secure" : "");
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
handler_methods(struct app *app, struct request *req)
{
	json_object	*root, *sso = NULL;
	const char	*text;

	root = json_object_new_object();
	if (root != NULL && app->config.sso &&
	    (sso = json_object_new_object()) != NULL)
		json_object_object_add(sso, "label",
		    json_object_new_string(app->config.sso_label));
	if (root == NULL || (app->config.sso && sso == NULL)) {
		json_object_put(root);
		return AT_ENOMEM;
	}
	json_object_object_add(root, "password",
	    json_object_new_boolean(app->config.password_login));
	json_object_object_add(root, "sso", sso);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	request_reply(req, 200, arena_strndup(&req->arena, text,
	    strlen(text)));
	json_object_put(root);
	return AT_OK;
}

/* The value of the configured parameter name ("" names none). */
static const char *
handler_sso_param(struct request *req, const char *name)
{
	return name[0] != '\0' ? request_server_param(req, name) : NULL;
}

/*
 * A browser navigated here, so a failure is a page of this site that
 * says what happened, never a JSON document.
 */
static enum at_error
handler_sso_refused(struct request *req, enum at_error why,
    const char *subject)
{
	log_info("refused sign-on (%s) of %s", error_code(why),
	    subject != NULL ? subject : "(no subject)");
	request_redirect(req, arena_printf(&req->arena, "/?ssoError=%s",
	    error_code(why)));
	return AT_OK;
}

enum at_error
handler_sso(struct app *app, struct request *req)
{
	const struct config	*cfg = &app->config;
	struct auth_identity	 who;
	struct auth_cookies	 cookies;
	const char		*role, *why;
	char			 device_hash[TOKEN_HASH_HEX_SIZE];
	char			 sid[TOKEN_TEXT_SIZE], did[TOKEN_TEXT_SIZE];
	char			 sid_hash[TOKEN_HASH_HEX_SIZE];
	char			 did_hash[TOKEN_HASH_HEX_SIZE];
	char			 next[SSO_NEXT_MAX * 3 + 1];
	enum at_error		 rc;
	int			 issued;

	memset(&who, 0, sizeof(who));
	who.subject = handler_sso_param(req, cfg->sso_subject_param);
	if (who.subject == NULL || who.subject[0] == '\0')
		return handler_sso_refused(req, AT_EUNAUTHENTICATED, NULL);
	who.email = handler_sso_param(req, cfg->sso_email_param);
	who.name = handler_sso_param(req, cfg->sso_name_param);
	who.username = handler_sso_param(req, cfg->sso_username_param);
	role = handler_sso_param(req, cfg->sso_role_param);
	/* What cannot be taken as it is is refused, never repaired. */
	if (!sso_attribute_ok(who.subject, SSO_ATTRIBUTE_MAX) ||
	    !sso_attribute_ok(who.email, SSO_ATTRIBUTE_MAX) ||
	    !sso_attribute_ok(who.username, SSO_ATTRIBUTE_MAX) ||
	    !sso_attribute_ok(who.name, SSO_NAME_MAX) ||
	    (who.name != NULL && validate_utf8_length(who.name) >
	    VALIDATE_NAME_MAX) || !sso_attribute_ok(role, SSO_ROLES_MAX))
		return handler_sso_refused(req, AT_EFORBIDDEN, NULL);
	if (who.email != NULL && validate_email(who.email, &why) == -1)
		who.email = NULL;
	if (who.name != NULL &&
	    validate_text(who.name, VALIDATE_NAME_MAX, &why) == -1)
		who.name = NULL;
	switch (sso_role(role, cfg->sso_professor_values,
	    cfg->sso_student_values)) {
	case SSO_ROLE_PROFESSOR:
		who.role = "professor";
		break;
	case SSO_ROLE_STUDENT:
		who.role = "student";
		break;
	case SSO_ROLE_NONE:
		who.role = NULL;
		break;
	}
	who.link = cfg->sso_link == CONFIG_SSO_LINK_EMAIL ? "email" :
	    cfg->sso_link == CONFIG_SSO_LINK_USERNAME ? "username" : "off";
	who.provision = cfg->sso_provision;

	token_mint(sid, sid_hash);
	token_mint(did, did_hash);
	cookies.sid_hash = sid_hash;
	cookies.lifetime = cfg->session_lifetime;
	cookies.device = handler_device(req, device_hash);
	cookies.new_device = did_hash;
	rc = auth_store_sso(&app->store, &who, &cookies, &issued);
	if (rc == AT_OK) {
		sso_next(req->query, next);
		request_redirect(req, next);
		handler_login_cookies(app, req, sid, did, issued);
		log_info("sign-on of %s", who.subject);
	}
	sodium_memzero(sid, sizeof(sid));
	sodium_memzero(did, sizeof(did));
	if (rc != AT_OK && rc != AT_ENOMEM)
		return handler_sso_refused(req, rc, who.subject);
	return rc;
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
