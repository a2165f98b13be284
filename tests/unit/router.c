/*
 * src/fcgi/router.h: router_match, the first check of every request.
 * Each route of the contract matches its method and path, hands out the
 * path's ids, and has the role and body rule the contract gives it; a
 * known path with another method is a 405 with the path's methods in
 * Allow; anything else is a 404 (empty Allow).
 */
#include <string.h>

#include <criterion/criterion.h>

#include "handlers.h"
#include "router.h"

/* No login at all (ROUTE_LOGIN_NONE), unlike ROUTE_ANYONE. */
#define ROUTE_PUBLIC	(-1)
#define ID1	"11111111-1111-1111-1111-111111111111"
#define ID2	"22222222-2222-2222-2222-222222222222"
#define ID3	"33333333-3333-3333-3333-333333333333"

/* The contract's routes (../shared/spec/API.md) with a concrete path. */
static const struct {
	const char	*method;
	const char	*path;
	route_handler	 handler;
	int		 roles;		/* ROUTE_ANYONE: any logged-in user */
	int		 body;		/* a JSON body is required */
	const char	*params[REQUEST_PARAMS_MAX];
} contract[] = {
	{ "POST", "/api/auth/login", handler_login, ROUTE_PUBLIC, 1,
	    { NULL } },
	{ "POST", "/api/auth/logout", handler_logout, 0, 0, { NULL } },
	{ "GET", "/api/auth/me", handler_me, 0, 0, { NULL } },
	{ "GET", "/api/auth/methods", handler_methods, ROUTE_PUBLIC, 0,
	    { NULL } },
	{ "GET", "/api/auth/sso", handler_sso, ROUTE_PUBLIC, 0, { NULL } },
	{ "GET", "/api/health", handler_health, ROUTE_PUBLIC, 0, { NULL } },

	{ "POST", "/api/courses", handler_course_create, ROUTE_PROFESSOR, 1,
	    { NULL } },
	{ "GET", "/api/courses", handler_course_list, 0, 0, { NULL } },
	{ "GET", "/api/courses/" ID1, handler_read, ROUTE_PROFESSOR, 0,
	    { ID1 } },
	{ "PATCH", "/api/courses/" ID1, handler_course_update,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "DELETE", "/api/courses/" ID1, handler_course_delete,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "POST", "/api/courses/" ID1 "/groups", handler_group_create,
	    ROUTE_PROFESSOR, 1, { ID1 } },
	{ "GET", "/api/courses/" ID1 "/groups", handler_read,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "GET", "/api/groups/" ID1, handler_read, ROUTE_PROFESSOR, 0,
	    { ID1 } },
	{ "PATCH", "/api/groups/" ID1, handler_group_update, ROUTE_PROFESSOR,
	    0, { ID1 } },
	{ "DELETE", "/api/groups/" ID1, handler_group_delete,
	    ROUTE_PROFESSOR, 0, { ID1 } },

	{ "POST", "/api/groups/" ID1 "/enrollments", handler_enrollment_add,
	    ROUTE_PROFESSOR, 1, { ID1 } },
	{ "GET", "/api/groups/" ID1 "/enrollments", handler_read,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "DELETE", "/api/groups/" ID1 "/enrollments/" ID2,
	    handler_enrollment_delete, ROUTE_PROFESSOR, 0, { ID1, ID2 } },

	{ "POST", "/api/groups/" ID1 "/sessions", handler_session_start,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "GET", "/api/groups/" ID1 "/sessions", handler_read,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "GET", "/api/sessions/" ID1, handler_read, ROUTE_PROFESSOR,
	    0, { ID1 } },
	{ "GET", "/api/sessions/" ID1 "/records", handler_read,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "POST", "/api/sessions/" ID1 "/rounds", handler_round_start,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "POST", "/api/sessions/" ID1 "/rounds/" ID2 "/qr",
	    handler_qr_refresh, ROUTE_PROFESSOR, 0, { ID1, ID2 } },
	{ "PATCH", "/api/sessions/" ID1 "/end", handler_session_end,
	    ROUTE_PROFESSOR, 0, { ID1 } },
	{ "PUT", "/api/sessions/" ID1 "/rounds/" ID2 "/records/" ID3,
	    handler_record_set, ROUTE_PROFESSOR, 1, { ID1, ID2, ID3 } },

	{ "POST", "/api/sessions/" ID1 "/rounds/" ID2 "/scan", handler_scan,
	    ROUTE_STUDENT, 1, { ID1, ID2 } },
	{ "POST", "/api/scan/code", handler_scan_code, ROUTE_STUDENT, 1,
	    { NULL } },

	{ "GET", "/api/professor/sessions/" ID1 "/stats",
	    handler_read, ROUTE_PROFESSOR, 0, { ID1 } },
	{ "GET", "/api/professor/courses/" ID1 "/stats",
	    handler_read, ROUTE_PROFESSOR, 0, { ID1 } },
	{ "GET", "/api/students/me/stats", handler_student_stats,
	    ROUTE_STUDENT, 0, { NULL } },
	{ "GET", "/api/students/me/courses/" ID1 "/records", handler_read,
	    ROUTE_STUDENT, 0, { ID1 } },
	{ "GET", "/api/professor/courses/" ID1 "/export.csv", handler_export,
	    ROUTE_PROFESSOR, 0, { ID1 } },
};

#define CONTRACT_COUNT	(sizeof(contract) / sizeof(contract[0]))

/* Every route on. */
static const struct config match_config = {
	.password_login = 1,
	.sso = 1,
};

/* router_match with fresh buffers; params are checked by the caller. */
static const struct route *
match(const char *method, const char *path,
    const char *params[REQUEST_PARAMS_MAX], char *allow, size_t allowsize)
{
	memset(params, 0, REQUEST_PARAMS_MAX * sizeof(params[0]));
	memset(allow, 'X', allowsize);
	allow[allowsize - 1] = '\0';
	return router_match(&match_config, method, path, params, allow,
	    allowsize);
}

/* The Allow of a path that does not match method (which must 405/404). */
static const char *
allow_of(const char *method, const char *path)
{
	static char		 allow[64];
	const char		*params[REQUEST_PARAMS_MAX];
	const struct route	*r;

	r = match(method, path, params, allow, sizeof(allow));
	cr_assert_null(r, "%s %s matched %s %s", method, path,
	    r != NULL ? r->method : "", r != NULL ? r->pattern : "");
	return allow;
}

/* Whether segment value (up to '/' or the end) at p is want. */
static int
segment_is(const char *p, const char *want)
{
	size_t	 len = strcspn(p, "/");

	return len == strlen(want) && strncmp(p, want, len) == 0;
}

Test(router, every_route_matches)
{
	const char		*params[REQUEST_PARAMS_MAX];
	const struct route	*r;
	char			 allow[64];
	size_t			 i, j;

	for (i = 0; i < CONTRACT_COUNT; i++) {
		r = match(contract[i].method, contract[i].path, params, allow,
		    sizeof(allow));
		cr_assert_not_null(r, "%s %s does not match",
		    contract[i].method, contract[i].path);
		cr_assert_str_eq(r->method, contract[i].method, "%s",
		    contract[i].path);
		cr_assert(r->handler == contract[i].handler,
		    "%s %s has the wrong handler", contract[i].method,
		    contract[i].path);
		for (j = 0; j < REQUEST_PARAMS_MAX; j++) {
			if (contract[i].params[j] == NULL) {
				cr_assert_null(params[j], "%s %s param %zu",
				    contract[i].method, contract[i].path, j);
				continue;
			}
			cr_assert_not_null(params[j], "%s %s param %zu",
			    contract[i].method, contract[i].path, j);
			/* A pointer into the path, not a copy. */
			cr_assert(params[j] >= contract[i].path && params[j] <
			    contract[i].path + strlen(contract[i].path));
			cr_assert(segment_is(params[j], contract[i].params[j]),
			    "%s %s param %zu is %s", contract[i].method,
			    contract[i].path, j, params[j]);
		}
	}
}

/* Who may call each route, as the contract says. */
Test(router, roles_and_bodies)
{
	const char		*params[REQUEST_PARAMS_MAX];
	const struct route	*r;
	char			 allow[64];
	size_t			 i;

	for (i = 0; i < CONTRACT_COUNT; i++) {
		r = match(contract[i].method, contract[i].path, params, allow,
		    sizeof(allow));
		cr_assert_not_null(r, "%s %s", contract[i].method,
		    contract[i].path);
		if (contract[i].roles == ROUTE_PUBLIC)
			cr_assert_eq(r->login, ROUTE_LOGIN_NONE, "%s %s",
			    contract[i].method, contract[i].path);
		else {
			cr_assert_neq(r->login, ROUTE_LOGIN_NONE, "%s %s",
			    contract[i].method, contract[i].path);
			cr_assert_eq((int)r->role, contract[i].roles,
			    "%s %s: role %d, want %d", contract[i].method,
			    contract[i].path, r->role, contract[i].roles);
		}
		cr_assert_eq(r->body, contract[i].body,
		    "%s %s: body required %d", contract[i].method,
		    contract[i].path, r->body);
	}
}

/* Distinct ids land in their own places, whatever they look like. */
Test(router, params_in_order)
{
	const char		*params[REQUEST_PARAMS_MAX];
	const struct route	*r;
	char			 allow[64];

	r = match("PUT", "/api/sessions/s/rounds/r-2/records/Student_3",
	    params, allow, sizeof(allow));
	cr_assert_not_null(r);
	cr_assert(r->handler == handler_record_set);
	cr_assert(segment_is(params[0], "s"));
	cr_assert(segment_is(params[1], "r-2"));
	cr_assert(segment_is(params[2], "Student_3"));
	/* Not a UUID: the router matches, request_check_ids() says 404. */
	r = match("GET", "/api/courses/not-a-uuid", params, allow,
	    sizeof(allow));
	cr_assert_not_null(r);
	cr_assert(segment_is(params[0], "not-a-uuid"));
	cr_assert_null(params[1]);
}

/* "me" in /api/auth/me and /api/students/me/stats is literal. */
Test(router, literal_segments)
{
	cr_assert_str_eq(allow_of("GET", "/api/auth/you"), "");
	cr_assert_str_eq(allow_of("GET", "/api/students/" ID1 "/stats"), "");
	cr_assert_str_eq(allow_of("GET", "/api/sessions/" ID1 "/ended"), "");
	cr_assert_str_eq(allow_of("POST", "/api/sessions/" ID1 "/rounds/"
	    ID2 "/qrs"), "");
	/* The export's name is literal: no other extension, no dot-less. */
	cr_assert_str_eq(allow_of("GET", "/api/professor/courses/" ID1
	    "/export.json"), "");
	cr_assert_str_eq(allow_of("GET", "/api/professor/courses/" ID1
	    "/exportXcsv"), "");
	cr_assert_str_eq(allow_of("GET", "/api/students/you/courses/" ID1
	    "/records"), "");
}

Test(router, wrong_method_allow)
{
	cr_assert_str_eq(allow_of("PUT", "/api/courses"), "POST, GET");
	cr_assert_str_eq(allow_of("DELETE", "/api/courses"), "POST, GET");
	cr_assert_str_eq(allow_of("DELETE", "/api/auth/me"), "GET");
	cr_assert_str_eq(allow_of("POST", "/api/auth/me"), "GET");
	cr_assert_str_eq(allow_of("GET", "/api/auth/login"), "POST");
	cr_assert_str_eq(allow_of("GET", "/api/auth/logout"), "POST");
	cr_assert_str_eq(allow_of("POST", "/api/health"), "GET");
	cr_assert_str_eq(allow_of("POST", "/api/courses/" ID1),
	    "GET, PATCH, DELETE");
	cr_assert_str_eq(allow_of("PUT", "/api/groups/" ID1),
	    "GET, PATCH, DELETE");
	cr_assert_str_eq(allow_of("PATCH", "/api/courses/" ID1 "/groups"),
	    "POST, GET");
	cr_assert_str_eq(allow_of("PUT", "/api/groups/" ID1 "/enrollments"),
	    "POST, GET");
	cr_assert_str_eq(allow_of("GET", "/api/groups/" ID1 "/enrollments/"
	    ID2), "DELETE");
	cr_assert_str_eq(allow_of("DELETE", "/api/groups/" ID1 "/sessions"),
	    "POST, GET");
	cr_assert_str_eq(allow_of("DELETE", "/api/sessions/" ID1), "GET");
	cr_assert_str_eq(allow_of("GET", "/api/sessions/" ID1 "/rounds"),
	    "POST");
	cr_assert_str_eq(allow_of("GET", "/api/sessions/" ID1 "/rounds/" ID2
	    "/qr"), "POST");
	cr_assert_str_eq(allow_of("POST", "/api/sessions/" ID1 "/end"),
	    "PATCH");
	cr_assert_str_eq(allow_of("GET", "/api/sessions/" ID1 "/rounds/" ID2
	    "/records/" ID3), "PUT");
	cr_assert_str_eq(allow_of("GET", "/api/sessions/" ID1 "/rounds/" ID2
	    "/scan"), "POST");
	cr_assert_str_eq(allow_of("POST", "/api/professor/sessions/" ID1
	    "/stats"), "GET");
	cr_assert_str_eq(allow_of("POST", "/api/professor/courses/" ID1
	    "/stats"), "GET");
	cr_assert_str_eq(allow_of("DELETE", "/api/students/me/stats"), "GET");
	cr_assert_str_eq(allow_of("POST", "/api/students/me/courses/" ID1
	    "/records"), "GET");
	cr_assert_str_eq(allow_of("DELETE", "/api/professor/courses/" ID1
	    "/export.csv"), "GET");
}

/* Methods are case-sensitive (RFC 9110), and unknown ones are 405. */
Test(router, method_spelling)
{
	cr_assert_str_eq(allow_of("get", "/api/auth/me"), "GET");
	cr_assert_str_eq(allow_of("Get", "/api/courses"), "POST, GET");
	cr_assert_str_eq(allow_of("HEAD", "/api/health"), "GET");
	cr_assert_str_eq(allow_of("OPTIONS", "/api/courses"), "POST, GET");
	cr_assert_str_eq(allow_of("", "/api/health"), "GET");
}

Test(router, unknown_paths)
{
	static const char *const paths[] = {
		"", "/", "/api", "/api/", "/api/nothing", "/api/auth",
		"/api/auth/", "/api/course", "/api/coursesx", "/API/courses",
		"/api/Courses", "api/courses", "//api/courses",
		"/api/health/x", "/api/groups", "/api/sessions",
		"/api/professor/sessions/" ID1, "/api/students/me",
		"/ws",
	};
	size_t	 i;

	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		cr_assert_str_eq(allow_of("GET", paths[i]), "", "GET %s",
		    paths[i]);
		cr_assert_str_eq(allow_of("POST", paths[i]), "", "POST %s",
		    paths[i]);
	}
}

Test(router, trailing_slash)
{
	cr_assert_str_eq(allow_of("GET", "/api/courses/"), "");
	cr_assert_str_eq(allow_of("GET", "/api/auth/me/"), "");
	cr_assert_str_eq(allow_of("GET", "/api/health/"), "");
	cr_assert_str_eq(allow_of("GET", "/api/courses/" ID1 "/"), "");
	cr_assert_str_eq(allow_of("GET", "/api/courses/" ID1 "/groups/"), "");
	cr_assert_str_eq(allow_of("PUT", "/api/sessions/" ID1 "/rounds/" ID2
	    "/records/" ID3 "/"), "");
}

Test(router, extra_segments)
{
	cr_assert_str_eq(allow_of("GET", "/api/courses/" ID1 "/x"), "");
	cr_assert_str_eq(allow_of("GET", "/api/courses/" ID1 "/groups/x"),
	    "");
	cr_assert_str_eq(allow_of("GET", "/api/auth/me/x"), "");
	cr_assert_str_eq(allow_of("DELETE", "/api/groups/" ID1
	    "/enrollments/" ID2 "/x"), "");
	cr_assert_str_eq(allow_of("PUT", "/api/sessions/" ID1 "/rounds/" ID2
	    "/records/" ID3 "/" ID1), "");
	/* A prefix of a route is not the route either. */
	cr_assert_str_eq(allow_of("PUT", "/api/sessions/" ID1 "/rounds/" ID2
	    "/records"), "");
}

Test(router, empty_segment)
{
	cr_assert_str_eq(allow_of("GET", "/api/courses//groups"), "");
	cr_assert_str_eq(allow_of("POST", "/api/courses//groups"), "");
	cr_assert_str_eq(allow_of("DELETE", "/api/groups//enrollments/" ID2),
	    "");
	cr_assert_str_eq(allow_of("DELETE", "/api/groups/" ID1
	    "/enrollments/"), "");
	cr_assert_str_eq(allow_of("PUT", "/api/sessions/" ID1 "/rounds//"
	    "records/" ID3), "");
	cr_assert_str_eq(allow_of("GET", "/api/courses" "//"), "");
}

/* A wrong method does not hand out the path's ids. */
Test(router, no_params_on_405)
{
	const char		*params[REQUEST_PARAMS_MAX];
	char			 allow[64];

	cr_assert_null(match("PUT", "/api/courses/" ID1, params, allow,
	    sizeof(allow)));
	cr_assert_str_eq(allow, "GET, PATCH, DELETE");
	cr_assert_null(params[0]);
}

/* A small Allow buffer is truncated, never overrun. */
Test(router, allow_buffer_bound)
{
	const char		*params[REQUEST_PARAMS_MAX];
	char			 allow[8 + 1];

	memset(allow + 8, '#', 1);
	cr_assert_null(router_match(&match_config, "POST",
	    "/api/courses/" ID1, params, allow, 8));
	cr_assert_lt(strlen(allow), 8);
	cr_assert_eq(strncmp(allow, "GET, PA", strlen(allow)), 0, "%s",
	    allow);
	cr_assert_eq(allow[8], '#');
}

/* A read route runs its store reader: one must be there, and only
 * there. */
Test(router, reads_carry_their_statement)
{
	const struct route	*route;
	const char		*params[REQUEST_PARAMS_MAX];
	char			 allow[64];
	size_t			 i, reads = 0;

	for (i = 0; i < sizeof(contract) / sizeof(contract[0]); i++) {
		route = match(contract[i].method, contract[i].path, params,
		    allow, sizeof(allow));
		cr_assert_not_null(route, "%s %s", contract[i].method,
		    contract[i].path);
		if (route->handler == handler_read) {
			cr_assert_not_null(route->read, "%s",
			    contract[i].path);
			reads++;
		} else
			cr_assert_null(route->read, "%s", contract[i].path);
	}
	cr_assert_eq(reads, 10);
}

/*
 * One round trip, where the login is looked up by the handler's own
 * statement: the scan and GET /api/auth/me, and no other route.
 */
Test(router, one_trip_routes)
{
	const struct route	*route;
	const char		*params[REQUEST_PARAMS_MAX];
	char			 allow[64];
	size_t			 i, one_trip = 0;

	for (i = 0; i < sizeof(contract) / sizeof(contract[0]); i++) {
		route = match(contract[i].method, contract[i].path, params,
		    allow, sizeof(allow));
		cr_assert_not_null(route);
		if (route->login != ROUTE_LOGIN_IN_STATEMENT)
			continue;
		cr_assert(route->handler == handler_scan ||
		    route->handler == handler_scan_code ||
		    route->handler == handler_me, "%s %s", contract[i].method,
		    contract[i].path);
		one_trip++;
	}
	cr_assert_eq(one_trip, 3);
}

/* Routes the configuration turns off are unknown, for every method. */
Test(router, gates)
{
	struct config		 cfg = match_config;
	const char		*params[REQUEST_PARAMS_MAX];
	char			 allow[64];

	cfg.sso = 0;
	cr_assert_null(router_match(&cfg, "GET", "/api/auth/sso", params,
	    allow, sizeof(allow)));
	cr_assert_str_empty(allow);
	cr_assert_null(router_match(&cfg, "POST", "/api/auth/sso", params,
	    allow, sizeof(allow)));
	cr_assert_str_empty(allow);
	cr_assert_not_null(router_match(&cfg, "POST", "/api/auth/login",
	    params, allow, sizeof(allow)));
	cfg.password_login = 0;
	cr_assert_null(router_match(&cfg, "POST", "/api/auth/login", params,
	    allow, sizeof(allow)));
	cr_assert_str_empty(allow);
	cr_assert_not_null(router_match(&cfg, "GET", "/api/auth/methods",
	    params, allow, sizeof(allow)));
}
