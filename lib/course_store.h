/* courses, groups and enrollments.  Every statement takes the calling
 * professor and finds nothing for someone else's rows. */
#ifndef ATTENDANCE_COURSE_STORE_H
#define ATTENDANCE_COURSE_STORE_H

#include <stddef.h>

#include "db.h"

enum course_statement {
	/* $1 prof, $2 code, $3 name, $4 term, $5 description */
	COURSE_CREATE,
	COURSE_LIST_PROFESSOR,	/* $1 prof -> {"courses"} */
	COURSE_LIST_STUDENT,	/* $1 student -> {"courses"} with "group" */
	COURSE_GET,		/* $1 course, $2 prof -> {"course","groups"} */
	/* $1 course, $2 prof, $3 code, $4 name, $5 term (NULL: keep),
	 * $6 set description?, $7 description */
	COURSE_UPDATE,
	COURSE_DELETE,		/* $1 course, $2 prof -> 1 */
	GROUP_CREATE,		/* $1 course, $2 prof, $3 name, $4 schedule */
	GROUP_LIST,		/* $1 course, $2 prof -> {"groups"} */
	GROUP_GET,		/* $1 group, $2 prof -> {"group"} */
	/* $1 group, $2 prof, $3 name (NULL: keep), $4 set schedule?,
	 * $5 schedule */
	GROUP_UPDATE,
	GROUP_DELETE,		/* $1 group, $2 prof -> 1 */
	/* $1 group, $2 prof, $3 text[] -> n, error, enrollment */
	ENROLLMENT_ADD,
	ENROLLMENT_LIST,	/* $1 group, $2 prof -> {"enrollments"} */
	ENROLLMENT_DELETE	/* $1 group, $2 prof, $3 student -> 1 */
};

extern const struct db_statement	course_store_statements[];
extern const size_t			course_store_statement_count;

#endif
