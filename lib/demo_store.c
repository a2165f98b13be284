#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "demo_store.h"

/*
 * The course, its two groups, and the students split between them in one
 * statement: $1 the professor, $2 the students in order, $3 how many go
 * to Group A.
 */
static const char demo_store_course_sql[] =
    "WITH course AS ("
    "  INSERT INTO courses (professor_id, code, name, term, description)"
    "  VALUES ($1, 'CS101', 'Introduction to Programming', '2026 Fall',"
    "    'Demo course created by attendance-admin demo')"
    "  RETURNING id"
    "), grp AS ("
    "  INSERT INTO groups (course_id, name, meeting_schedule)"
    "  SELECT course.id, g.name, g.schedule FROM course,"
    "    (VALUES ('Group A', 'Mon 09:00-10:30, room B12'),"
    "            ('Group B', 'Wed 14:00-15:30, room B12'))"
    "      AS g(name, schedule)"
    "  RETURNING id, course_id, name"
    ")"
    " INSERT INTO enrollments (student_id, course_id, group_id)"
    " SELECT s.id, grp.course_id, grp.id"
    " FROM unnest($2::uuid[]) WITH ORDINALITY AS s(id, n)"
    " JOIN grp ON grp.name = CASE WHEN s.n <= $3::int"
    "   THEN 'Group A' ELSE 'Group B' END";

enum at_error
demo_store_present(PGconn *conn, const char *username, int *present,
    long *others, char **cause)
{
	PGresult	*res = NULL;
	const char	*params[1] = { username };
	enum at_error	 rc;

	*present = 0;
	*others = 0;
	rc = db_query(conn, "SELECT count(*) FILTER (WHERE lower(username) = "
	    "lower($1)), count(*) FILTER (WHERE lower(email) NOT LIKE "
	    "'%@" DEMO_STORE_DOMAIN "') FROM users", 1, params, &res, cause);
	if (rc == AT_OK) {
		*present = strcmp(PQgetvalue(res, 0, 0), "0") != 0;
		*others = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	}
	PQclear(res);
	return rc;
}

enum at_error
demo_store_course(PGconn *conn, const char *professor,
    const char *const *students, size_t count, size_t group_a, char **cause)
{
	PGresult	*res = NULL;
	const char	*params[3];
	char		*ids, half[24];
	enum at_error	 rc;

	if ((ids = db_array_literal(students, count)) == NULL)
		return AT_ENOMEM;
	snprintf(half, sizeof(half), "%zu", group_a);
	params[0] = professor;
	params[1] = ids;
	params[2] = half;
	rc = db_query(conn, demo_store_course_sql, 3, params, &res, cause);
	PQclear(res);
	free(ids);
	return rc;
}
