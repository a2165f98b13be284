#include <string.h>

#include "error.h"

/* The contract's error table (../shared/spec/API.md), in enum order. */
static const struct {
	const char	*code;
	int		 status;
	const char	*text;
} error_table[AT_ERROR_COUNT] = {
	[AT_OK] =		{ "ok", 200, "success" },
	[AT_EINVALID] =		{ "invalid_request", 400, "invalid request" },
	[AT_EUNAUTHENTICATED] =	{ "unauthenticated", 401, "not logged in" },
	[AT_EBADCREDENTIALS] =	{ "invalid_credentials", 401,
				  "invalid login or password" },
	[AT_EFORBIDDEN] =	{ "forbidden", 403,
				  "not allowed for this role" },
	[AT_ECSRF] =		{ "csrf_origin", 403, "origin not allowed" },
	[AT_ENOTENROLLED] =	{ "not_enrolled", 403,
				  "not enrolled in this group" },
	[AT_EOUTSIDE] =		{ "outside_network", 403,
				  "scans of this course must come from its "
				  "campus networks" },
	[AT_EINVALIDTOKEN] =	{ "invalid_token", 403, "invalid token" },
	[AT_ENOTFOUND] =	{ "not_found", 404, "not found" },
	[AT_EMETHOD] =		{ "method_not_allowed", 405,
				  "method not allowed" },
	[AT_ECONFLICT] =	{ "conflict", 409, "conflict" },
	[AT_EALREADYENROLLED] =	{ "already_enrolled", 409,
				  "student already enrolled in this course" },
	[AT_ESESSIONACTIVE] =	{ "session_active", 409,
				  "the group already has an active session" },
	[AT_ESESSIONENDED] =	{ "session_ended", 409, "session has ended" },
	[AT_EROUNDCLOSED] =	{ "round_closed", 409, "round is closed" },
	[AT_EALREADYRECORDED] =	{ "already_recorded", 409,
				  "attendance already recorded" },
	[AT_ETOKENUSED] =	{ "token_used", 409, "token already used" },
	[AT_ETOKENEXPIRED] =	{ "token_expired", 410, "token expired" },
	[AT_ETOOLARGE] =	{ "payload_too_large", 413,
				  "request body too large" },
	[AT_EMEDIATYPE] =	{ "unsupported_media_type", 415,
				  "body must be application/json" },
	[AT_ERATELIMITED] =	{ "rate_limited", 429,
				  "too many failed logins" },
	[AT_EINTERNAL] =	{ "internal", 500, "internal error" },
	[AT_EUNAVAILABLE] =	{ "unavailable", 503, "database unavailable" },
	[AT_ENOMEM] =		{ "internal", 500, "out of memory" },
};

static int
error_valid(enum at_error err)
{
	return (unsigned)err < AT_ERROR_COUNT;
}

const char *
error_string(enum at_error err)
{
	return error_valid(err) ? error_table[err].text : "unknown error";
}

const char *
error_code(enum at_error err)
{
	return error_valid(err) ? error_table[err].code : "internal";
}

int
error_http_status(enum at_error err)
{
	return error_valid(err) ? error_table[err].status : 500;
}

enum at_error
error_from_code(const char *code)
{
	enum at_error	 err;

	for (err = AT_OK + 1; err < AT_ENOMEM; err++)
		if (strcmp(error_table[err].code, code) == 0)
			return err;
	return AT_EINTERNAL;
}
