#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "class_store.h"
#include "handlers.h"
#include "token.h"
#include "validate.h"

/* The evidence keeps a User-Agent's first 200 bytes (the contract). */
#define HANDLER_AGENT_MAX	200

/* round:qr-updated, built here: the raw token exists only in this process
 * and on the professor's socket. */
static void
handler_publish_token(struct app *app, const char *session_id,
    const char *round_id, const struct token_qr *token,
    const char *expires_at)
{
	char	 data[320];

	snprintf(data, sizeof(data), "{\"sessionId\":\"%s\",\"roundId\":\"%s\","
	    "\"token\":\"%s\",\"code\":\"%s\",\"expiresAt\":\"%s\"}",
	    session_id, round_id, token->text, token->code, expires_at);
	app_publish(app, session_id, "round:qr-updated", data);
}

/* A new round: round:started, then its first token. */
static void
handler_publish_round(struct app *app, const char *session_id,
    const struct class_outcome *out, const struct token_qr *token)
{
	app_publish(app, session_id, "round:started", out->started);
	handler_publish_token(app, session_id, out->round_id, token,
	    out->expires_at);
}

/* What a transaction returns, with its body as the reply. */
static enum at_error
handler_outcome(struct request *req, enum at_error rc, int status,
    const struct class_outcome *out)
{
	if (rc == AT_OK)
		request_reply(req, status, out->body);
	return rc;
}

enum at_error
handler_session_start(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	struct token_qr		 token;
	long			 ttl = app->config.qr_ttl_default;
	long			 late = app->config.late_after_default;
	const char		*mode = "single";
	enum at_error		 rc;

	if (req->fields[SESSION_QR_TTL].present)
		ttl = req->fields[SESSION_QR_TTL].number;
	if (req->fields[SESSION_LATE_AFTER].present)
		late = req->fields[SESSION_LATE_AFTER].number;
	if (req->fields[SESSION_SCAN_MODE].present)
		mode = req->fields[SESSION_SCAN_MODE].text;
	token_mint_qr(&token);
	rc = class_store_session_start(&app->store, &req->arena,
	    req->params[0], req->user_id, ttl, late, mode, &token, &out);
	if ((rc = handler_outcome(req, rc, 201, &out)) != AT_OK)
		return rc;
	handler_publish_round(app, out.session_id, &out, &token);
	return AT_OK;
}

enum at_error
handler_round_start(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	struct token_qr		 token;
	enum at_error		 rc;

	token_mint_qr(&token);
	rc = class_store_round_start(&app->store, &req->arena, req->params[0],
	    req->user_id, &token, &out);
	if ((rc = handler_outcome(req, rc, 201, &out)) != AT_OK)
		return rc;
	handler_publish_round(app, req->params[0], &out, &token);
	return AT_OK;
}

enum at_error
handler_qr_refresh(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	struct token_qr		 token;
	enum at_error		 rc;

	token_mint_qr(&token);
	rc = class_store_qr_refresh(&app->store, &req->arena, req->params[0],
	    req->params[1], req->user_id, &token, &out);
	if (rc != AT_OK)
		return rc;
	/* The token is not in the answer: only the professor's socket. */
	request_reply(req, 202, arena_printf(&req->arena,
	    "{\"roundId\":\"%s\",\"expiresAt\":\"%s\"}", req->params[1],
	    out.expires_at));
	handler_publish_token(app, req->params[0], req->params[1], &token,
	    out.expires_at);
	return AT_OK;
}

enum at_error
handler_session_end(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	enum at_error		 rc;

	rc = class_store_session_end(&app->store, &req->arena, req->params[0],
	    req->user_id, &out);
	if ((rc = handler_outcome(req, rc, 200, &out)) != AT_OK)
		return rc;
	app_publish(app, req->params[0], "session:ended", out.ended);
	return AT_OK;
}

enum at_error
handler_record_set(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	enum at_error		 rc;

	rc = class_store_record_set(&app->store, &req->arena, req->params[0],
	    req->params[1], req->params[2], req->user_id,
	    req->fields[RECORD_STATUS].text, &out);
	if ((rc = handler_outcome(req, rc, 200, &out)) != AT_OK)
		return rc;
	if (out.active)
		app_publish(app, req->params[0], "attendance:recorded",
		    out.recorded);
	return AT_OK;
}

/* A scan's evidence, from what the web server passed (v1.1). */
struct handler_evidence {
	struct class_evidence	 e;
	char			 address[CIDR_TEXT_SIZE];
	char			 device_hash[TOKEN_HASH_HEX_SIZE];
	char			 did[TOKEN_TEXT_SIZE];	/* to issue */
	char			 did_hash[TOKEN_HASH_HEX_SIZE];
	char			 agent[HANDLER_AGENT_MAX + 1];
};

static void
handler_evidence(struct request *req, struct handler_evidence *ev)
{
	token_mint(ev->did, ev->did_hash);
	ev->e.address = cidr_address(req->remote_addr, ev->address) == AT_OK ?
	    ev->address : NULL;
	ev->e.device = handler_device(req, ev->device_hash);
	ev->e.new_device = ev->did_hash;
	ev->e.user_agent = NULL;
	if (req->user_agent != NULL && validate_clip(req->user_agent,
	    HANDLER_AGENT_MAX, ev->agent) > 0)
		ev->e.user_agent = ev->agent;
}

/*
 * What a scan that went through (either way) answers and publishes: the
 * reply, a device cookie when one was issued, then, committed, who
 * checked in and the code that replaces the one just used, in that
 * order.  (v1.1) A window scan used none up and minted none (no
 * expiry): who checked in only.
 */
static enum at_error
handler_scanned(struct app *app, struct request *req, enum at_error rc,
    const char *session, const char *round, const struct handler_evidence *ev,
    const struct token_qr *next, const struct class_outcome *out)
{
	/* The statement names the caller, refused or not: for the log, and
	 * so that the pipeline knows 401 and 403 were settled. */
	snprintf(req->user_id, sizeof(req->user_id), "%s", out->user_id);
	/* not_enrolled names the code's class: the page says it. */
	if (rc != AT_OK && out->detail != NULL)
		req->message = out->detail;
	if ((rc = handler_outcome(req, rc, 201, out)) != AT_OK)
		return rc;
	if (out->issued)
		handler_device_cookie(app, req, ev->did);
	app_publish(app, session, "attendance:recorded", out->recorded);
	if (out->expires_at != NULL)
		handler_publish_token(app, session, round, next,
		    out->expires_at);
	return AT_OK;
}

enum at_error
handler_scan(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	struct handler_evidence	 ev;
	struct token_qr		 next;
	char			 hash[TOKEN_HASH_HEX_SIZE];
	enum at_error		 rc;

	token_hash(req->fields[SCAN_TOKEN].text, hash);
	token_mint_qr(&next);
	handler_evidence(req, &ev);
	rc = class_store_scan(&app->store, &req->arena, req->sid_hash,
	    req->params[0], req->params[1], hash, &next, &ev.e, &out);
	return handler_scanned(app, req, rc, req->params[0], req->params[1],
	    &ev, &next, &out);
}

enum at_error
handler_scan_code(struct app *app, struct request *req)
{
	struct class_outcome	 out;
	struct class_code_limit	 limit;
	struct handler_evidence	 ev;
	struct token_qr		 next;
	char			 code[TOKEN_CODE_SIZE];
	char			 hash[TOKEN_HASH_HEX_SIZE];
	const char		*code_hash = NULL;
	enum at_error		 rc;

	/* A code of the wrong shape names no token: the statement answers
	 * it as one that names none, and counts it. */
	if (token_code_clean(req->fields[CODE_TYPED].text, code) == 0) {
		token_hash(code, hash);
		code_hash = hash;
	}
	token_mint_qr(&next);
	handler_evidence(req, &ev);
	limit.window = app->config.code_failure_window;
	limit.per_student = app->config.code_failures_per_student;
	rc = class_store_scan_code(&app->store, &req->arena, req->sid_hash,
	    code_hash, &next, &ev.e, &limit, &out);
	if (rc == AT_ERATELIMITED) {
		request_add_header(req, "Retry-After: %ld", out.retry_after);
		req->message = "too many wrong codes: wait, or scan the QR "
		    "code";
	}
	return handler_scanned(app, req, rc, out.session_id, out.round_id,
	    &ev, &next, &out);
}
