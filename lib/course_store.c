#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "course_store.h"

enum course_statement {
	COURSE_CREATE,
	COURSE_LIST_PROFESSOR,
	COURSE_LIST_STUDENT,
	COURSE_GET,
	COURSE_UPDATE,
	COURSE_DELETE,
	GROUP_CREATE,
	GROUP_LIST,
	GROUP_GET,
	GROUP_UPDATE,
	GROUP_DELETE,
	ENROLLMENT_ADD,
	ENROLLMENT_LIST,
	ENROLLMENT_DELETE
};

/* Course and group rows belong to the professor who owns the course. */
#define OWNED_GROUP							\
	" FROM groups g JOIN courses c ON c.id = g.course_id"		\
	" WHERE g.id = $1 AND c.professor_id = $2"

static const struct db_statement course_store_sql[] = {
	[COURSE_CREATE] = { "course_create",
	    "INSERT INTO courses (professor_id, code, name, term, description,"
	    " allowed_networks, network_policy)"
	    " VALUES ($1, $2, $3, $4, $5, $6::cidr[], coalesce($7, 'flag'))"
	    " RETURNING json_build_object('course', course_json(courses))",
	    7 },
	[COURSE_LIST_PROFESSOR] = { "course_list_professor",
	    "SELECT json_build_object('courses', coalesce(json_agg("
	    "  course_json(c) ORDER BY c.term, c.code), '[]'))"
	    " FROM courses c WHERE c.professor_id = $1",
	    1 },
	[COURSE_LIST_STUDENT] = { "course_list_student",
	    "SELECT json_build_object('courses', coalesce(json_agg("
	    "  (course_json(c)::jsonb || jsonb_build_object('group',"
	    "   group_json(g)))::json"
	    "  ORDER BY c.term, c.code), '[]'))"
	    " FROM enrollments e JOIN courses c ON c.id = e.course_id"
	    " JOIN groups g ON g.id = e.group_id WHERE e.student_id = $1",
	    1 },
	[COURSE_GET] = { "course_get",
	    "SELECT json_build_object('course', course_json(c), 'groups',"
	    "  coalesce((SELECT json_agg(group_json(g) ORDER BY g.name)"
	    "   FROM groups g WHERE g.course_id = c.id), '[]'))"
	    " FROM courses c WHERE c.id = $1 AND c.professor_id = $2",
	    2 },
	[COURSE_UPDATE] = { "course_update",
	    "UPDATE courses SET code = coalesce($3, code),"
	    " name = coalesce($4, name), term = coalesce($5, term),"
	    " description = CASE WHEN $6::bool THEN $7 ELSE description END,"
	    " allowed_networks = CASE WHEN $8::bool THEN $9::cidr[]"
	    "  ELSE allowed_networks END,"
	    " network_policy = coalesce($10, network_policy)"
	    " WHERE id = $1 AND professor_id = $2"
	    " RETURNING json_build_object('course', course_json(courses))",
	    10 },
	[COURSE_DELETE] = { "course_delete",
	    "DELETE FROM courses WHERE id = $1 AND professor_id = $2"
	    " RETURNING 1",
	    2 },
	[GROUP_CREATE] = { "group_create",
	    "INSERT INTO groups (course_id, name, meeting_schedule)"
	    " SELECT c.id, $3, $4 FROM courses c"
	    " WHERE c.id = $1 AND c.professor_id = $2"
	    " RETURNING json_build_object('group', group_json(groups))",
	    4 },
	[GROUP_LIST] = { "group_list",
	    "SELECT json_build_object('groups', coalesce(json_agg("
	    "  group_json(g) ORDER BY g.name) FILTER (WHERE g.id IS NOT NULL),"
	    "  '[]'))"
	    " FROM courses c LEFT JOIN groups g ON g.course_id = c.id"
	    " WHERE c.id = $1 AND c.professor_id = $2 GROUP BY c.id",
	    2 },
	[GROUP_GET] = { "group_get",
	    "SELECT json_build_object('group', group_json(g))" OWNED_GROUP,
	    2 },
	[GROUP_UPDATE] = { "group_update",
	    "UPDATE groups g SET name = coalesce($3, g.name),"
	    " meeting_schedule = CASE WHEN $4::bool THEN $5"
	    "  ELSE g.meeting_schedule END"
	    " FROM courses c WHERE g.id = $1 AND c.id = g.course_id"
	    "  AND c.professor_id = $2"
	    " RETURNING json_build_object('group', group_json(g))",
	    5 },
	[GROUP_DELETE] = { "group_delete",
	    "DELETE FROM groups g USING courses c"
	    " WHERE g.id = $1 AND c.id = g.course_id AND c.professor_id = $2"
	    " RETURNING 1",
	    2 },
	[ENROLLMENT_ADD] = { "enrollment_add",
	    "SELECT n, error, enrollment FROM api_enroll($1, $2, $3::text[])",
	    3 },
	[ENROLLMENT_LIST] = { "enrollment_list",
	    "SELECT json_build_object('enrollments', coalesce(json_agg("
	    "  enrollment_json(e, u) ORDER BY u.username)"
	    "  FILTER (WHERE e.student_id IS NOT NULL), '[]'))"
	    " FROM groups g JOIN courses c ON c.id = g.course_id"
	    " LEFT JOIN enrollments e ON e.group_id = g.id"
	    " LEFT JOIN users u ON u.id = e.student_id"
	    " WHERE g.id = $1 AND c.professor_id = $2 GROUP BY g.id",
	    2 },
	[ENROLLMENT_DELETE] = { "enrollment_delete",
	    "DELETE FROM enrollments e USING groups g, courses c"
	    " WHERE e.group_id = $1 AND e.student_id = $3"
	    "  AND g.id = e.group_id AND c.id = g.course_id"
	    "  AND c.professor_id = $2"
	    " RETURNING 1",
	    3 },
};

const struct db_statement_set course_store_statements = {
	course_store_sql, sizeof(course_store_sql) / sizeof(course_store_sql[0])
};

/* A DELETE ... RETURNING 1: no row, nothing of the caller's to delete. */
static enum at_error
course_store_delete_row(struct store *store, enum course_statement which,
    const char *const *params)
{
	enum at_error	 rc;
	int		 rows = 0;

	rc = store_exec(store, &course_store_sql[which], params, &rows);
	return rc == AT_OK && rows == 0 ? AT_ENOTFOUND : rc;
}

enum at_error
course_store_create(struct store *store, struct arena *arena,
    const char *professor, const struct course_fields *f, const char **json)
{
	const char	*params[7] = { professor, f->code, f->name, f->term,
	    f->description, f->networks, f->policy };

	return store_json(store, arena, &course_store_sql[COURSE_CREATE],
	    params, json);
}

enum at_error
course_store_list(struct store *store, struct arena *arena,
    const char *caller, int professor, const char **json)
{
	const char	*params[1] = { caller };

	return store_json(store, arena, &course_store_sql[professor ?
	    COURSE_LIST_PROFESSOR : COURSE_LIST_STUDENT], params, json);
}

enum at_error
course_store_update(struct store *store, struct arena *arena,
    const char *course, const char *professor, const struct course_fields *f,
    const char **json)
{
	const char	*params[10] = { course, professor, f->code, f->name,
	    f->term, f->set_description ? "true" : "false", f->description,
	    f->set_networks ? "true" : "false", f->networks, f->policy };

	return store_json(store, arena, &course_store_sql[COURSE_UPDATE],
	    params, json);
}

enum at_error
course_store_delete(struct store *store, const char *course,
    const char *professor)
{
	const char	*params[2] = { course, professor };

	return course_store_delete_row(store, COURSE_DELETE, params);
}

enum at_error
course_store_group_create(struct store *store, struct arena *arena,
    const char *course, const char *professor, const char *name,
    const char *schedule, const char **json)
{
	const char	*params[4] = { course, professor, name, schedule };

	return store_json(store, arena, &course_store_sql[GROUP_CREATE],
	    params, json);
}

enum at_error
course_store_group_update(struct store *store, struct arena *arena,
    const char *group, const char *professor, const char *name,
    int set_schedule, const char *schedule, const char **json)
{
	const char	*params[5] = { group, professor, name,
	    set_schedule ? "true" : "false", schedule };

	return store_json(store, arena, &course_store_sql[GROUP_UPDATE],
	    params, json);
}

enum at_error
course_store_group_delete(struct store *store, const char *group,
    const char *professor)
{
	const char	*params[2] = { group, professor };

	return course_store_delete_row(store, GROUP_DELETE, params);
}

enum at_error
course_store_enroll(struct store *store, struct arena *arena,
    const char *group, const char *professor, const char *const *students,
    size_t count, struct course_enrolled *out)
{
	PGresult	*res = NULL;
	char		*literal;
	const char	*params[3];
	long		 n;
	enum at_error	 rc;
	int		 row;

	memset(out, 0, count * sizeof(*out));
	if ((literal = db_array_literal(students, count)) == NULL)
		return AT_ENOMEM;
	params[0] = group;
	params[1] = professor;
	params[2] = literal;
	rc = store_run(store, &course_store_sql[ENROLLMENT_ADD], params, &res);
	free(literal);
	if (rc != AT_OK)
		return rc;
	/* One row numbered 0: not the caller's group. */
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
		rc = AT_ENOTFOUND;
		goto out;
	}
	/* Then one row for each student, numbered from 1. */
	if ((size_t)PQntuples(res) != count) {
		rc = AT_EINTERNAL;
		goto out;
	}
	for (row = 0; row < PQntuples(res); row++) {
		n = strtol(PQgetvalue(res, row, 0), NULL, 10) - 1;
		if (n < 0 || (size_t)n >= count) {
			rc = AT_EINTERNAL;
			goto out;
		}
		if (!PQgetisnull(res, row, 1))
			out[n].error = error_from_code(PQgetvalue(res, row, 1));
		else if ((out[n].json = arena_strndup(arena,
		    PQgetvalue(res, row, 2),
		    (size_t)PQgetlength(res, row, 2))) == NULL) {
			rc = AT_ENOMEM;
			goto out;
		}
	}
out:
	PQclear(res);
	return rc;
}

enum at_error
course_store_unenroll(struct store *store, const char *group,
    const char *professor, const char *student)
{
	const char	*params[3] = { group, professor, student };

	return course_store_delete_row(store, ENROLLMENT_DELETE, params);
}

/* The reads a route names: ($1 id, $2 caller). */
const struct store_reader course_store_get = {
	&course_store_sql[COURSE_GET]
};
const struct store_reader course_store_group_list = {
	&course_store_sql[GROUP_LIST]
};
const struct store_reader course_store_group_get = {
	&course_store_sql[GROUP_GET]
};
const struct store_reader course_store_enrollment_list = {
	&course_store_sql[ENROLLMENT_LIST]
};
