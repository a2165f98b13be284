#include <stdio.h>
#include <string.h>

#include "class_store.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "token.h"

/* Column of a function's result by name (the OUT parameters). */
static const char *
handler_column(PGresult *res, const char *name)
{
	int	 col = PQfnumber(res, name);

	if (col < 0 || PQntuples(res) < 1 || PQgetisnull(res, 0, col))
		return NULL;
	return PQgetvalue(res, 0, col);
}

/*
 * Runs one of the sql/functions/ functions: a refusal comes back as a
 * contract code in its "error" column; otherwise its "body" column (if
 * any) is the reply.
 */
static int
handler_transaction(struct app *app, struct request *req,
    enum class_statement which, const char *const *params, int status,
    PGresult **out)
{
	PGresult	*res = NULL;
	const char	*error, *body, *user;
	int		 rc;

	*out = NULL;
	rc = app_run(app, &class_store_statements[which], params, &res);
	if (rc != AT_OK)
		return rc;
	/* A statement that looks the login up itself (ROUTE_ONE_TRIP) names
	 * the caller, refused or not: for the log, and so that the pipeline
	 * knows 401 and 403 were settled. */
	if ((user = handler_column(res, "user_id")) != NULL)
		snprintf(req->user_id, sizeof(req->user_id), "%s", user);
	if ((error = handler_column(res, "error")) != NULL) {
		rc = error_from_code(error);
		PQclear(res);
		return rc;
	}
	if ((body = handler_column(res, "body")) != NULL)
		request_reply(req, status, arena_strndup(&req->arena, body,
		    strlen(body)));
	*out = res;
	return AT_OK;
}

/* round:qr-updated, built here: the raw token exists only in this process
 * and on the professor's socket. */
static void
handler_publish_token(struct app *app, const char *session_id,
    const char *round_id, const char *token, const char *expires_at)
{
	char	 data[256];

	snprintf(data, sizeof(data), "{\"sessionId\":\"%s\",\"roundId\":\"%s\","
	    "\"token\":\"%s\",\"expiresAt\":\"%s\"}", session_id, round_id,
	    token, expires_at);
	app_publish(app, session_id, "round:qr-updated", data);
}

int
handler_session_start(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*params[5];
	char		 ttl[16], late[16], token[TOKEN_TEXT_SIZE];
	char		 hash[TOKEN_HASH_HEX_SIZE];
	long		 ttl_seconds = app->config.qr_ttl_default;
	long		 late_seconds = app->config.late_after_default;
	int		 rc;

	if (req->body != NULL && (json_field_int(&req->arena, req->body,
	    "qrTtlSeconds", 0, 5, 600, &ttl_seconds, NULL,
	    &req->message) == -1 || json_field_int(&req->arena, req->body,
	    "lateAfterSeconds", 0, 0, 86400, &late_seconds, NULL,
	    &req->message) == -1))
		return AT_EINVALID;
	if ((rc = request_check_ids(req)) != AT_OK)
		return rc;
	snprintf(ttl, sizeof(ttl), "%ld", ttl_seconds);
	snprintf(late, sizeof(late), "%ld", late_seconds);
	token_mint(token, hash);
	params[0] = req->params[0];
	params[1] = req->user_id;
	params[2] = ttl;
	params[3] = late;
	params[4] = hash;
	rc = handler_transaction(app, req, SESSION_START, params, 201, &res);
	if (rc != AT_OK)
		return rc;
	app_publish(app, handler_column(res, "session_id"), "round:started",
	    handler_column(res, "started"));
	handler_publish_token(app, handler_column(res, "session_id"),
	    handler_column(res, "round_id"), token,
	    handler_column(res, "expires_at"));
	PQclear(res);
	return AT_OK;
}

int
handler_round_start(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*params[3];
	char		 token[TOKEN_TEXT_SIZE], hash[TOKEN_HASH_HEX_SIZE];
	int		 rc;

	token_mint(token, hash);
	params[0] = req->params[0];
	params[1] = req->user_id;
	params[2] = hash;
	rc = handler_transaction(app, req, ROUND_START, params, 201, &res);
	if (rc != AT_OK)
		return rc;
	app_publish(app, req->params[0], "round:started",
	    handler_column(res, "started"));
	handler_publish_token(app, req->params[0],
	    handler_column(res, "round_id"), token,
	    handler_column(res, "expires_at"));
	PQclear(res);
	return AT_OK;
}

int
handler_qr_refresh(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*params[4], *expires;
	char		 token[TOKEN_TEXT_SIZE], hash[TOKEN_HASH_HEX_SIZE];
	int		 rc;

	token_mint(token, hash);
	params[0] = req->params[0];
	params[1] = req->params[1];
	params[2] = req->user_id;
	params[3] = hash;
	rc = handler_transaction(app, req, QR_REFRESH, params, 202, &res);
	if (rc != AT_OK)
		return rc;
	expires = handler_column(res, "expires_at");
	/* The token is not in the answer: only the professor's socket. */
	request_reply(req, 202, arena_printf(&req->arena,
	    "{\"roundId\":\"%s\",\"expiresAt\":\"%s\"}", req->params[1],
	    expires));
	handler_publish_token(app, req->params[0], req->params[1], token,
	    expires);
	PQclear(res);
	return AT_OK;
}

int
handler_session_end(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*params[2] = { req->params[0], req->user_id };
	int		 rc;

	rc = handler_transaction(app, req, SESSION_END, params, 200, &res);
	if (rc != AT_OK)
		return rc;
	app_publish(app, req->params[0], "session:ended",
	    handler_column(res, "ended"));
	PQclear(res);
	return AT_OK;
}

int
handler_record_set(struct app *app, struct request *req)
{
	static const char *const statuses[] = {
		"present", "late", "excused", "absent"
	};
	PGresult	*res = NULL;
	const char	*status, *params[5], *active;
	size_t		 i;
	int		 rc;

	if (json_field_text(&req->arena, req->body, "status", JSON_REQUIRED,
	    16, &status, NULL, &req->message) == -1)
		return AT_EINVALID;
	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++)
		if (strcmp(status, statuses[i]) == 0)
			break;
	if (i == sizeof(statuses) / sizeof(statuses[0])) {
		req->message = "status must be present, late, excused or "
		    "absent";
		return AT_EINVALID;
	}
	if ((rc = request_check_ids(req)) != AT_OK)
		return rc;
	params[0] = req->params[0];
	params[1] = req->params[1];
	params[2] = req->params[2];
	params[3] = req->user_id;
	params[4] = status;
	rc = handler_transaction(app, req, RECORD_SET, params, 200, &res);
	if (rc != AT_OK)
		return rc;
	active = handler_column(res, "active");
	if (active != NULL && strcmp(active, "t") == 0)
		app_publish(app, req->params[0], "attendance:recorded",
		    handler_column(res, "recorded"));
	PQclear(res);
	return AT_OK;
}

int
handler_scan(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	json_object	*value;
	const char	*token, *params[5];
	char		 hash[TOKEN_HASH_HEX_SIZE], next[TOKEN_TEXT_SIZE];
	char		 next_hash[TOKEN_HASH_HEX_SIZE];
	int		 rc;

	if (!json_object_object_get_ex(req->body, "token", &value) ||
	    !json_object_is_type(value, json_type_string)) {
		req->message = "token must be a string";
		return AT_EINVALID;
	}
	if ((rc = request_check_ids(req)) != AT_OK)
		return rc;
	/*
	 * Even a malformed token goes to the database, hashed: the checks
	 * before the token's (enrolled, session active, ...) come first,
	 * and its hash matches nothing, so it ends as invalid_token.
	 */
	token = json_object_get_string(value);
	if (strlen(token) != (size_t)json_object_get_string_len(value))
		token = "";
	token_hash(token, hash);
	token_mint(next, next_hash);
	params[0] = req->sid_hash;
	params[1] = req->params[0];
	params[2] = req->params[1];
	params[3] = hash;
	params[4] = next_hash;
	rc = handler_transaction(app, req, SCAN, params, 201, &res);
	if (rc != AT_OK)
		return rc;
	/* Committed: who checked in, then the code that replaces the one
	 * just used, in that order. */
	app_publish(app, req->params[0], "attendance:recorded",
	    handler_column(res, "recorded"));
	handler_publish_token(app, req->params[0], req->params[1], next,
	    handler_column(res, "expires_at"));
	PQclear(res);
	return AT_OK;
}
