/*
 * The route table and the pipeline every request goes through, in the
 * contract's order of checks: route (404, 405 + Allow), CSRF Origin,
 * authentication, role, body (413, 415, 400), path ids (404), then the
 * handler.
 */
#ifndef ATTENDANCE_ROUTER_H
#define ATTENDANCE_ROUTER_H

#include "app.h"
#include "request.h"

typedef int	(*route_handler)(struct app *, struct request *);

#define ROUTE_PUBLIC	0x1	/* no login needed */
#define ROUTE_PROFESSOR	0x2	/* professors only */
#define ROUTE_STUDENT	0x4	/* students only */
#define ROUTE_BODY	0x8	/* a JSON object body is required */
/*
 * The handler reads fields of the body and then calls request_check_ids()
 * itself: the contract puts a bad field (400) before an unknown id (404).
 * Without it the pipeline checks the ids before the handler runs.
 */
#define ROUTE_FIELDS	0x10
/*
 * The handler's statement looks the login up itself, in the same round
 * trip (the scan).  The pipeline then checks only that a well-formed sid
 * cookie is there; it looks the login up on its own only when a check
 * fails before the statement settled it, so 401 and 403 still come
 * first.
 */
#define ROUTE_ONE_TRIP	0x20

struct route {
	const char	*method;
	const char	*pattern;	/* ":id" matches one segment */
	route_handler	 handler;
	int		 flags;
	/* What handler_read() runs: ($1 the path's id, $2 the caller). */
	const struct db_statement *statement;
};

/*
 * Finds the route of method and path.  Returns it, or NULL with *allow
 * set to the methods of the path ("" when no route has the path) in the
 * caller's buffer.  Segment values go to params.
 */
const struct route	*router_match(const char *method, const char *path,
			    const char *params[REQUEST_PARAMS_MAX],
			    char *allow, size_t allowsize);

/* Runs the whole pipeline; the response is set on req. */
void	 router_dispatch(struct app *, struct request *);

#endif
