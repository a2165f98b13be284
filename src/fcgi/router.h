/*
 * The route table and the pipeline every request goes through, in the
 * contract's order of checks: route (404, 405 + Allow), CSRF Origin,
 * login (401), role (403), body (413, 415, 400), the route's fields
 * (400), path ids (404), then the handler.
 */
#ifndef ATTENDANCE_ROUTER_H
#define ATTENDANCE_ROUTER_H

#include "app.h"
#include "field.h"
#include "request.h"
#include "store.h"

typedef enum at_error	(*route_handler)(struct app *, struct request *);

/* How the caller's login is found. */
enum route_login {
	/* Public: no login needed. */
	ROUTE_LOGIN_NONE,
	/* The pipeline looks the login up first, in its own statement. */
	ROUTE_LOGIN_FIRST,
	/*
	 * One round trip: the handler's one statement looks the login up
	 * itself (the scan, GET /api/auth/me) and says who the caller is
	 * in req->user_id, refused or not.  The pipeline only checks that
	 * a well-formed sid cookie is there; when a check of its own fails
	 * before the statement ran, it looks the login up then, so 401 and
	 * 403 still come first.
	 */
	ROUTE_LOGIN_IN_STATEMENT
};

enum route_role {
	ROUTE_ANYONE,		/* any logged-in user (or public) */
	ROUTE_PROFESSOR,
	ROUTE_STUDENT
};

/* Routes the configuration turns off are unknown routes (404). */
enum route_gate {
	ROUTE_ALWAYS,
	ROUTE_IF_PASSWORD,	/* password_login */
	ROUTE_IF_SSO		/* sso */
};

struct route {
	const char		*method;
	const char		*pattern;	/* ":" matches one segment */
	route_handler		 handler;
	enum route_login	 login;
	enum route_role		 role;
	int			 body;		/* a JSON object is required */
	const struct field	*fields;	/* checked into req->fields */
	const struct store_reader *read;	/* what handler_read runs */
	enum route_gate		 gate;
};

/*
 * Finds the route of method and path among those cfg turns on.  Returns
 * it, or NULL with *allow set to the methods of the path ("" when no
 * route has the path) in the caller's buffer.  Segment values go to
 * params.
 */
const struct route	*router_match(const struct config *cfg,
			    const char *method, const char *path,
			    const char *params[REQUEST_PARAMS_MAX],
			    char *allow, size_t allowsize);

/* Runs the whole pipeline; the response is set on req. */
void	 router_dispatch(struct app *, struct request *);

#endif
