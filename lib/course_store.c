#include "course_store.h"

/* Course and group rows belong to the professor who owns the course. */
#define OWNED_GROUP							\
	" FROM groups g JOIN courses c ON c.id = g.course_id"		\
	" WHERE g.id = $1 AND c.professor_id = $2"

const struct db_statement course_store_statements[] = {
	[COURSE_CREATE] = { "course_create",
	    "INSERT INTO courses (professor_id, code, name, term, description)"
	    " VALUES ($1, $2, $3, $4, $5)"
	    " RETURNING json_build_object('course', course_json(courses))",
	    5 },
	[COURSE_LIST_PROFESSOR] = { "course_list_professor",
	    "SELECT json_build_object('courses', coalesce(json_agg("
	    "  course_json(c) ORDER BY c.term, c.code), '[]'))"
	    " FROM courses c WHERE c.professor_id = $1",
	    1 },
	[COURSE_LIST_STUDENT] = { "course_list_student",
	    "SELECT json_build_object('courses', coalesce(json_agg("
	    "  json_build_object('id', c.id, 'professorId', c.professor_id,"
	    "   'code', c.code, 'name', c.name, 'term', c.term,"
	    "   'description', c.description,"
	    "   'createdAt', at_ts(c.created_at), 'group', group_json(g))"
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
	    " description = CASE WHEN $6::bool THEN $7 ELSE description END"
	    " WHERE id = $1 AND professor_id = $2"
	    " RETURNING json_build_object('course', course_json(courses))",
	    7 },
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

const size_t course_store_statement_count =
    sizeof(course_store_statements) / sizeof(course_store_statements[0]);
