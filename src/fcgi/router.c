#include <stdio.h>
#include <string.h>

#include "auth_store.h"
#include "class_store.h"
#include "course_store.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "router.h"
#include "stats_store.h"
#include "token.h"

static const struct route routes[] = {
	{ "POST", "/api/auth/login", handler_login, ROUTE_PUBLIC | ROUTE_BODY },
	{ "POST", "/api/auth/logout", handler_logout, 0 },
	{ "GET", "/api/auth/me", handler_me, 0 },
	{ "GET", "/api/health", handler_health, ROUTE_PUBLIC },

	{ "POST", "/api/courses", handler_course_create,
	    ROUTE_PROFESSOR | ROUTE_BODY },
	{ "GET", "/api/courses", handler_course_list, 0 },
	{ "GET", "/api/courses/:", handler_read, ROUTE_PROFESSOR,
	    &course_store_statements[COURSE_GET] },
	/* Every field of a PATCH is optional, and so is its body. */
	{ "PATCH", "/api/courses/:", handler_course_update,
	    ROUTE_PROFESSOR | ROUTE_FIELDS },
	{ "DELETE", "/api/courses/:", handler_course_delete, ROUTE_PROFESSOR },
	{ "POST", "/api/courses/:/groups", handler_group_create,
	    ROUTE_PROFESSOR | ROUTE_BODY | ROUTE_FIELDS },
	{ "GET", "/api/courses/:/groups", handler_read, ROUTE_PROFESSOR,
	    &course_store_statements[GROUP_LIST] },
	{ "GET", "/api/groups/:", handler_read, ROUTE_PROFESSOR,
	    &course_store_statements[GROUP_GET] },
	{ "PATCH", "/api/groups/:", handler_group_update,
	    ROUTE_PROFESSOR | ROUTE_FIELDS },
	{ "DELETE", "/api/groups/:", handler_group_delete, ROUTE_PROFESSOR },
	{ "POST", "/api/groups/:/enrollments", handler_enrollment_add,
	    ROUTE_PROFESSOR | ROUTE_BODY | ROUTE_FIELDS },
	{ "GET", "/api/groups/:/enrollments", handler_read, ROUTE_PROFESSOR,
	    &course_store_statements[ENROLLMENT_LIST] },
	{ "DELETE", "/api/groups/:/enrollments/:", handler_enrollment_delete,
	    ROUTE_PROFESSOR },

	{ "POST", "/api/groups/:/sessions", handler_session_start,
	    ROUTE_PROFESSOR | ROUTE_FIELDS },
	{ "GET", "/api/groups/:/sessions", handler_read, ROUTE_PROFESSOR,
	    &class_store_statements[SESSION_LIST] },
	{ "GET", "/api/sessions/:", handler_read, ROUTE_PROFESSOR,
	    &class_store_statements[SESSION_GET] },
	{ "POST", "/api/sessions/:/rounds", handler_round_start,
	    ROUTE_PROFESSOR },
	{ "POST", "/api/sessions/:/rounds/:/qr", handler_qr_refresh,
	    ROUTE_PROFESSOR },
	{ "PATCH", "/api/sessions/:/end", handler_session_end,
	    ROUTE_PROFESSOR },
	{ "PUT", "/api/sessions/:/rounds/:/records/:", handler_record_set,
	    ROUTE_PROFESSOR | ROUTE_BODY | ROUTE_FIELDS },
	{ "POST", "/api/sessions/:/rounds/:/scan", handler_scan,
	    ROUTE_STUDENT | ROUTE_BODY | ROUTE_FIELDS | ROUTE_ONE_TRIP },

	{ "GET", "/api/professor/sessions/:/stats", handler_read,
	    ROUTE_PROFESSOR, &stats_store_statements[STATS_SESSION] },
	{ "GET", "/api/professor/courses/:/stats", handler_read,
	    ROUTE_PROFESSOR, &stats_store_statements[STATS_COURSE] },
	{ "GET", "/api/students/me/stats", handler_student_stats,
	    ROUTE_STUDENT },
};

#define ROUTE_COUNT	(sizeof(routes) / sizeof(routes[0]))

/* Whether path fits pattern; segment values (pointers into path, with
 * their lengths) go to params. */
static int
router_fits(const char *pattern, const char *path,
    const char *params[REQUEST_PARAMS_MAX], size_t lengths[])
{
	size_t	 n = 0, len;

	for (;;) {
		if (*pattern == '\0' || *path == '\0')
			return *pattern == '\0' && *path == '\0';
		if (*pattern == ':') {
			len = strcspn(path, "/");
			if (len == 0 || n == REQUEST_PARAMS_MAX)
				return 0;
			params[n] = path;
			lengths[n++] = len;
			path += len;
			pattern++;
			continue;
		}
		if (*pattern != *path)
			return 0;
		pattern++;
		path++;
	}
}

const struct route *
router_match(const char *method, const char *path,
    const char *params[REQUEST_PARAMS_MAX], char *allow, size_t allowsize)
{
	const char	*found[REQUEST_PARAMS_MAX];
	size_t		 lengths[REQUEST_PARAMS_MAX], i;

	allow[0] = '\0';
	for (i = 0; i < ROUTE_COUNT; i++) {
		memset(found, 0, sizeof(found));
		if (!router_fits(routes[i].pattern, path, found, lengths))
			continue;
		if (strcmp(routes[i].method, method) == 0) {
			memcpy(params, found, sizeof(found));
			return &routes[i];
		}
		if (strstr(allow, routes[i].method) == NULL) {
			size_t	 used = strlen(allow);

			snprintf(allow + used, allowsize - used, "%s%s",
			    used > 0 ? ", " : "", routes[i].method);
		}
	}
	return NULL;
}

static int
router_state_changing(const char *method)
{
	return strcmp(method, "POST") == 0 || strcmp(method, "PUT") == 0 ||
	    strcmp(method, "PATCH") == 0 || strcmp(method, "DELETE") == 0;
}

/* A column of row 0 copied to the arena; NULL for SQL NULL. */
static const char *
router_column(struct request *req, PGresult *res, int column)
{
	if (PQgetisnull(res, 0, column))
		return NULL;
	return arena_strndup(&req->arena, PQgetvalue(res, 0, column),
	    (size_t)PQgetlength(res, 0, column));
}

/* The sid cookie's hash in req->sid_hash, or 401 when there is none. */
static int
router_sid(struct request *req)
{
	char	 sid[TOKEN_TEXT_SIZE + 1];

	if (http_cookie_value(req->cookie, "sid", sid, sizeof(sid)) == -1 ||
	    !token_is_well_formed(sid))
		return AT_EUNAUTHENTICATED;
	token_hash(sid, req->sid_hash);
	return AT_OK;
}

/* The sid cookie's session and its user, or 401. */
static int
router_authenticate(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	const char	*params[1];
	int		 rc;

	if ((rc = router_sid(req)) != AT_OK)
		return rc;
	params[0] = req->sid_hash;
	rc = app_run(app, &auth_store_statements[AUTH_SESSION_USER], params,
	    &res);
	if (rc != AT_OK)
		return rc;
	if (PQntuples(res) != 1) {
		PQclear(res);
		return AT_EUNAUTHENTICATED;
	}
	snprintf(req->user_id, sizeof(req->user_id), "%s",
	    PQgetvalue(res, 0, 0));
	req->role = strcmp(PQgetvalue(res, 0, 1), "professor") == 0 ?
	    ROLE_PROFESSOR : ROLE_STUDENT;
	req->user_email = router_column(req, res, 2);
	req->user_username = router_column(req, res, 3);
	req->user_display_name = router_column(req, res, 4);
	req->user_created_at = router_column(req, res, 5);
	req->user_last_login_at = router_column(req, res, 6);
	PQclear(res);
	return req->user_email != NULL && req->user_username != NULL &&
	    req->user_display_name != NULL && req->user_created_at != NULL ?
	    AT_OK : AT_ENOMEM;
}

/* 401, then 403 when the route is another role's. */
static int
router_authorize(struct app *app, struct request *req,
    const struct route *route)
{
	int	 rc;

	if ((rc = router_authenticate(app, req)) != AT_OK)
		return rc;
	if (((route->flags & ROUTE_PROFESSOR) && req->role != ROLE_PROFESSOR) ||
	    ((route->flags & ROUTE_STUDENT) && req->role != ROLE_STUDENT))
		return AT_EFORBIDDEN;
	return AT_OK;
}

/* 413, 415, 400: a body, when there is one, is a JSON object. */
static int
router_read_body(struct request *req, int required)
{
	char		*text;
	size_t		 len;
	int		 rc;

	if ((rc = request_read_body(req, &text, &len)) != AT_OK) {
		if (rc == AT_EINVALID)
			req->message = "the body is shorter than its length";
		return rc;
	}
	if (len == 0) {
		if (required) {
			req->message = "a JSON object body is required";
			return AT_EINVALID;
		}
		return AT_OK;
	}
	if (!http_is_json(req->content_type))
		return AT_EMEDIATYPE;
	if (json_parse(text, len, &req->body) == -1) {
		req->message = "the body is not well-formed JSON (or nests "
		    "too deep, or is not UTF-8)";
		return AT_EINVALID;
	}
	if (!json_object_is_type(req->body, json_type_object)) {
		req->message = "the body must be a JSON object";
		return AT_EINVALID;
	}
	return AT_OK;
}

void
router_dispatch(struct app *app, struct request *req)
{
	const struct route	*route;
	const char		*found[REQUEST_PARAMS_MAX];
	char			 allow[64];
	int			 rc;

	memset(found, 0, sizeof(found));
	route = router_match(req->method, req->path, found, allow,
	    sizeof(allow));
	if (route == NULL) {
		if (allow[0] == '\0') {
			request_fail(req, AT_ENOTFOUND, "no such route");
			return;
		}
		request_add_header(req, "Allow: %s", allow);
		request_fail(req, AT_EMETHOD, NULL);
		return;
	}
	if (router_state_changing(req->method) && req->origin != NULL &&
	    !http_origin_allowed(app->config.allowed_origins, req->origin)) {
		log_info("refused Origin %s", req->origin);
		request_fail(req, AT_ECSRF, NULL);
		return;
	}
	if (!(route->flags & ROUTE_PUBLIC)) {
		rc = route->flags & ROUTE_ONE_TRIP ? router_sid(req) :
		    router_authorize(app, req, route);
		if (rc != AT_OK)
			goto fail;
	}
	if ((rc = router_read_body(req, route->flags & ROUTE_BODY)) != AT_OK)
		goto fail;
	memcpy(req->raw_params, found, sizeof(found));
	req->statement = route->statement;
	if (!(route->flags & ROUTE_FIELDS) &&
	    (rc = request_check_ids(req)) != AT_OK)
		goto fail;
	if ((rc = route->handler(app, req)) == AT_OK)
		return;
fail:
	/* A one-trip route failed before its statement knew the caller:
	 * the contract puts 401 and 403 before that failure. */
	if ((route->flags & ROUTE_ONE_TRIP) && req->user_id[0] == '\0' &&
	    rc != AT_EUNAUTHENTICATED && rc != AT_EUNAVAILABLE) {
		int	 auth = router_authorize(app, req, route);

		if (auth != AT_OK)
			rc = auth;
	}
	request_fail(req, rc, req->message);
}
