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
#include "validate.h"

/*
 * The fields of each body, checked before the handler runs; the
 * handlers read them by the indexes of handlers.h.
 */
static const struct field login_fields[] = {
	[LOGIN_LOGIN] = { "login", FIELD_TEXT, FIELD_REQUIRED,
	    0, VALIDATE_EMAIL_MAX, NULL, NULL, NULL },
	[LOGIN_PASSWORD] = { "password", FIELD_SECRET, FIELD_REQUIRED,
	    0, VALIDATE_PASSWORD_MAX, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const char *const network_policies[] = { "flag", "refuse", NULL };

#define COURSE_FIELDS(required)						\
	[COURSE_CODE] = { "code", FIELD_TEXT, required,			\
	    0, VALIDATE_NAME_MAX, NULL, NULL, NULL },			\
	[COURSE_NAME] = { "name", FIELD_TEXT, required,			\
	    0, VALIDATE_NAME_MAX, NULL, NULL, NULL },			\
	[COURSE_TERM] = { "term", FIELD_TEXT, required,			\
	    0, VALIDATE_NAME_MAX, NULL, NULL, NULL },			\
	[COURSE_DESCRIPTION] = { "description", FIELD_PARAGRAPH,	\
	    FIELD_NULLABLE, 0, VALIDATE_DESCRIPTION_MAX, NULL, NULL, NULL }, \
	[COURSE_NETWORKS] = { "allowedNetworks", FIELD_NETWORKS,	\
	    FIELD_NULLABLE, 0, VALIDATE_NETWORKS_MAX, NULL, NULL, NULL }, \
	[COURSE_POLICY] = { "networkPolicy", FIELD_CHOICE, 0, 0, 16,	\
	    network_policies, NULL,					\
	    "networkPolicy must be \"flag\" or \"refuse\"" },		\
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
static const struct field course_create_fields[] = {
	COURSE_FIELDS(FIELD_REQUIRED)
};
/* Every field of a PATCH is optional, and so is its body. */
static const struct field course_update_fields[] = {
	COURSE_FIELDS(0)
};

#define GROUP_FIELDS(required)						\
	[GROUP_NAME] = { "name", FIELD_TEXT, required,			\
	    0, VALIDATE_NAME_MAX, NULL, NULL, NULL },			\
	[GROUP_SCHEDULE] = { "meetingSchedule", FIELD_TEXT,		\
	    FIELD_NULLABLE, 0, VALIDATE_NAME_MAX, NULL, NULL, NULL },	\
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
static const struct field group_create_fields[] = {
	GROUP_FIELDS(FIELD_REQUIRED)
};
static const struct field group_update_fields[] = {
	GROUP_FIELDS(0)
};

/* "student" (one), or "students" (bulk, and then "student" is not
 * read). */
static const struct field enrollment_fields[] = {
	[ENROLL_STUDENTS] = { "students", FIELD_STRINGS, 0,
	    0, ENROLL_BULK_MAX, NULL, NULL, NULL },
	[ENROLL_STUDENT] = { "student", FIELD_TEXT, FIELD_REQUIRED,
	    0, VALIDATE_EMAIL_MAX, NULL, "students", NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const char *const scan_modes[] = { "single", "window", NULL };
static const struct field session_fields[] = {
	[SESSION_QR_TTL] = { "qrTtlSeconds", FIELD_INT, 0,
	    VALIDATE_QR_TTL_MIN, VALIDATE_QR_TTL_MAX, NULL, NULL, NULL },
	[SESSION_LATE_AFTER] = { "lateAfterSeconds", FIELD_INT, 0,
	    VALIDATE_LATE_AFTER_MIN, VALIDATE_LATE_AFTER_MAX, NULL, NULL,
	    NULL },
	[SESSION_SCAN_MODE] = { "scanMode", FIELD_CHOICE, 0, 0, 16,
	    scan_modes, NULL, "scanMode must be \"single\" or \"window\"" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const char *const record_statuses[] = {
	"present", "late", "excused", "absent", NULL
};
static const struct field record_fields[] = {
	[RECORD_STATUS] = { "status", FIELD_CHOICE, FIELD_REQUIRED,
	    0, 16, record_statuses, NULL,
	    "status must be present, late, excused or absent" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

/*
 * Any string: even a malformed token goes to the database, hashed, since
 * the checks before the token's (enrolled, session active, ...) come
 * first, and its hash matches nothing, so it ends as invalid_token.
 */
static const struct field scan_fields[] = {
	[SCAN_TOKEN] = { "token", FIELD_STRING, FIELD_REQUIRED,
	    0, 0, NULL, NULL, "token must be a string" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

/* (v1.1) Any string: a code of the wrong shape is invalid_token. */
static const struct field code_fields[] = {
	[CODE_TYPED] = { "code", FIELD_STRING, FIELD_REQUIRED,
	    0, 0, NULL, NULL, "code must be a string" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

#define PUBLIC		ROUTE_LOGIN_NONE, ROUTE_ANYONE
#define ANYONE		ROUTE_LOGIN_FIRST, ROUTE_ANYONE
#define PROFESSOR	ROUTE_LOGIN_FIRST, ROUTE_PROFESSOR
#define BODY		1
#define NO_BODY		0

static const struct route routes[] = {
	{ "POST", "/api/auth/login", handler_login, PUBLIC, BODY,
	    login_fields, NULL, ROUTE_IF_PASSWORD },
	{ "POST", "/api/auth/logout", handler_logout, ANYONE, NO_BODY,
	    NULL, NULL },
	{ "GET", "/api/auth/me", handler_me,
	    ROUTE_LOGIN_IN_STATEMENT, ROUTE_ANYONE, NO_BODY, NULL, NULL },
	{ "GET", "/api/auth/methods", handler_methods, PUBLIC, NO_BODY,
	    NULL, NULL },
	/* The web server in front authenticates this path and says who
	 * signed on in FastCGI parameters. */
	{ "GET", "/api/auth/sso", handler_sso, PUBLIC, NO_BODY, NULL, NULL,
	    ROUTE_IF_SSO },
	{ "GET", "/api/health", handler_health, PUBLIC, NO_BODY, NULL, NULL },

	{ "POST", "/api/courses", handler_course_create, PROFESSOR, BODY,
	    course_create_fields, NULL },
	{ "GET", "/api/courses", handler_course_list, ANYONE, NO_BODY,
	    NULL, NULL },
	{ "GET", "/api/courses/:", handler_read, PROFESSOR, NO_BODY,
	    NULL, &course_store_get },
	{ "PATCH", "/api/courses/:", handler_course_update, PROFESSOR,
	    NO_BODY, course_update_fields, NULL },
	{ "DELETE", "/api/courses/:", handler_course_delete, PROFESSOR,
	    NO_BODY, NULL, NULL },
	{ "POST", "/api/courses/:/groups", handler_group_create, PROFESSOR,
	    BODY, group_create_fields, NULL },
	{ "GET", "/api/courses/:/groups", handler_read, PROFESSOR, NO_BODY,
	    NULL, &course_store_group_list },
	{ "GET", "/api/groups/:", handler_read, PROFESSOR, NO_BODY,
	    NULL, &course_store_group_get },
	{ "PATCH", "/api/groups/:", handler_group_update, PROFESSOR,
	    NO_BODY, group_update_fields, NULL },
	{ "DELETE", "/api/groups/:", handler_group_delete, PROFESSOR,
	    NO_BODY, NULL, NULL },
	{ "POST", "/api/groups/:/enrollments", handler_enrollment_add,
	    PROFESSOR, BODY, enrollment_fields, NULL },
	{ "GET", "/api/groups/:/enrollments", handler_read, PROFESSOR,
	    NO_BODY, NULL, &course_store_enrollment_list },
	{ "DELETE", "/api/groups/:/enrollments/:", handler_enrollment_delete,
	    PROFESSOR, NO_BODY, NULL, NULL },

	{ "POST", "/api/groups/:/sessions", handler_session_start, PROFESSOR,
	    NO_BODY, session_fields, NULL },
	{ "GET", "/api/groups/:/sessions", handler_read, PROFESSOR, NO_BODY,
	    NULL, &class_store_session_list },
	{ "GET", "/api/sessions/:", handler_read, PROFESSOR, NO_BODY,
	    NULL, &class_store_session_get },
	{ "GET", "/api/sessions/:/records", handler_read, PROFESSOR, NO_BODY,
	    NULL, &class_store_record_list },
	{ "POST", "/api/sessions/:/rounds", handler_round_start, PROFESSOR,
	    NO_BODY, NULL, NULL },
	{ "POST", "/api/sessions/:/rounds/:/qr", handler_qr_refresh,
	    PROFESSOR, NO_BODY, NULL, NULL },
	{ "PATCH", "/api/sessions/:/end", handler_session_end, PROFESSOR,
	    NO_BODY, NULL, NULL },
	{ "PUT", "/api/sessions/:/rounds/:/records/:", handler_record_set,
	    PROFESSOR, BODY, record_fields, NULL },
	/* The busiest route: one round trip (sql/functions/scan.sql). */
	{ "POST", "/api/sessions/:/rounds/:/scan", handler_scan,
	    ROUTE_LOGIN_IN_STATEMENT, ROUTE_STUDENT, BODY, scan_fields,
	    NULL },
	/* The code under the QR, typed: the scan's one trip too. */
	{ "POST", "/api/scan/code", handler_scan_code,
	    ROUTE_LOGIN_IN_STATEMENT, ROUTE_STUDENT, BODY, code_fields,
	    NULL },

	{ "GET", "/api/professor/sessions/:/stats", handler_read, PROFESSOR,
	    NO_BODY, NULL, &stats_store_session },
	{ "GET", "/api/professor/courses/:/stats", handler_read, PROFESSOR,
	    NO_BODY, NULL, &stats_store_course },
	{ "GET", "/api/students/me/stats", handler_student_stats,
	    ROUTE_LOGIN_FIRST, ROUTE_STUDENT, NO_BODY, NULL, NULL },
	{ "GET", "/api/students/me/courses/:/records", handler_read,
	    ROUTE_LOGIN_FIRST, ROUTE_STUDENT, NO_BODY, NULL,
	    &stats_store_student_records },
	/* Streamed, never held whole (handler_export()). */
	{ "GET", "/api/professor/courses/:/export.csv", handler_export,
	    PROFESSOR, NO_BODY, NULL, NULL },
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

/* Whether the configuration turns route on. */
static int
router_on(const struct config *cfg, const struct route *route)
{
	switch (route->gate) {
	case ROUTE_IF_PASSWORD:
		return cfg->password_login;
	case ROUTE_IF_SSO:
		return cfg->sso;
	case ROUTE_ALWAYS:
		break;
	}
	return 1;
}

const struct route *
router_match(const struct config *cfg, const char *method, const char *path,
    const char *params[REQUEST_PARAMS_MAX], char *allow, size_t allowsize)
{
	const char	*found[REQUEST_PARAMS_MAX];
	size_t		 lengths[REQUEST_PARAMS_MAX], i;

	allow[0] = '\0';
	for (i = 0; i < ROUTE_COUNT; i++) {
		if (!router_on(cfg, &routes[i]))
			continue;
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

/* The sid cookie's hash in req->sid_hash, or 401 when there is none. */
static enum at_error
router_sid(struct request *req)
{
	char	 sid[TOKEN_TEXT_SIZE + 1];

	if (http_cookie_value(req->cookie, "sid", sid, sizeof(sid)) == -1 ||
	    !token_is_well_formed(sid))
		return AT_EUNAUTHENTICATED;
	token_hash(sid, req->sid_hash);
	return AT_OK;
}

/* Whether the route lets a caller of role in. */
static int
router_role_allows(const struct route *route, enum request_role role)
{
	return route->role == ROUTE_ANYONE ||
	    (route->role == ROUTE_PROFESSOR && role == ROLE_PROFESSOR) ||
	    (route->role == ROUTE_STUDENT && role == ROLE_STUDENT);
}

/* The login of the sid cookie (401), then the route's role (403). */
static enum at_error
router_authorize(struct app *app, struct request *req,
    const struct route *route)
{
	struct auth_caller	 caller;
	enum at_error		 rc;

	if ((rc = router_sid(req)) != AT_OK ||
	    (rc = auth_store_caller(&app->store, req->sid_hash, &caller)) !=
	    AT_OK)
		return rc;
	snprintf(req->user_id, sizeof(req->user_id), "%s", caller.id);
	req->role = caller.professor ? ROLE_PROFESSOR : ROLE_STUDENT;
	return router_role_allows(route, req->role) ? AT_OK : AT_EFORBIDDEN;
}

/* 413, 415, 400: a body, when there is one, is a JSON object. */
static enum at_error
router_read_body(struct request *req, int required)
{
	char		*text;
	size_t		 len;
	enum at_error	 rc;

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


/* The checks before the handler, in the contract's order. */
static enum at_error
router_check(struct app *app, struct request *req, const struct route *route)
{
	enum at_error	 rc;

	if (route->login == ROUTE_LOGIN_FIRST &&
	    (rc = router_authorize(app, req, route)) != AT_OK)
		return rc;
	if (route->login == ROUTE_LOGIN_IN_STATEMENT &&
	    (rc = router_sid(req)) != AT_OK)
		return rc;
	if ((rc = router_read_body(req, route->body)) != AT_OK)
		return rc;
	if (route->fields != NULL && field_check(&req->arena, req->body,
	    route->fields, req->fields, &req->message) == -1)
		return AT_EINVALID;
	return request_check_ids(req);
}

void
router_dispatch(struct app *app, struct request *req)
{
	const struct route	*route;
	const char		*found[REQUEST_PARAMS_MAX];
	char			 allow[64];
	enum at_error		 rc, auth;

	memset(found, 0, sizeof(found));
	route = router_match(&app->config, req->method, req->path, found,
	    allow, sizeof(allow));
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
	memcpy(req->raw_params, found, sizeof(found));
	req->read = route->read;
	if ((rc = router_check(app, req, route)) == AT_OK &&
	    (rc = route->handler(app, req)) == AT_OK)
		return;
	/* A one-trip route failed before its statement knew the caller:
	 * the contract puts 401 and 403 before that failure. */
	if (route->login == ROUTE_LOGIN_IN_STATEMENT &&
	    req->user_id[0] == '\0' && rc != AT_EUNAUTHENTICATED &&
	    rc != AT_EUNAVAILABLE &&
	    (auth = router_authorize(app, req, route)) != AT_OK)
		rc = auth;
	request_fail(req, rc, req->message);
}
