#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "course_store.h"
#include "handlers.h"
#include "json.h"
#include "log.h"
#include "validate.h"

#define ENROLL_BULK_MAX	1000

/* The course fields of a body; *present says which were given. */
struct course_fields {
	const char	*code, *name, *term, *description;
	int		 has_code, has_name, has_term, has_description;
};

static int
course_fields_read(struct request *req, int create, struct course_fields *f)
{
	int	 required = create ? JSON_REQUIRED : 0;

	memset(f, 0, sizeof(*f));
	if (json_field_text(&req->arena, req->body, "code", required,
	    VALIDATE_NAME_MAX, &f->code, &f->has_code, &req->message) == -1 ||
	    json_field_text(&req->arena, req->body, "name", required,
	    VALIDATE_NAME_MAX, &f->name, &f->has_name, &req->message) == -1 ||
	    json_field_text(&req->arena, req->body, "term", required,
	    VALIDATE_NAME_MAX, &f->term, &f->has_term, &req->message) == -1 ||
	    json_field_text(&req->arena, req->body, "description",
	    JSON_NULLABLE | JSON_PARAGRAPH, VALIDATE_DESCRIPTION_MAX,
	    &f->description, &f->has_description, &req->message) == -1)
		return AT_EINVALID;
	return AT_OK;
}

static int
handler_conflict(struct request *req, int rc, const char *what)
{
	if (rc == AT_ECONFLICT)
		req->message = what;
	return rc;
}

int
handler_course_create(struct app *app, struct request *req)
{
	struct course_fields	 f;
	const char		*params[5];
	int			 rc;

	if ((rc = course_fields_read(req, 1, &f)) != AT_OK)
		return rc;
	params[0] = req->user_id;
	params[1] = f.code;
	params[2] = f.name;
	params[3] = f.term;
	params[4] = f.description;
	rc = app_reply_json(app, req,
	    &course_store_statements[COURSE_CREATE], params, 201);
	return handler_conflict(req, rc,
	    "you already have a course with this code in this term");
}

int
handler_course_list(struct app *app, struct request *req)
{
	const char	*params[1] = { req->user_id };

	return app_reply_json(app, req, &course_store_statements[
	    req->role == ROLE_PROFESSOR ? COURSE_LIST_PROFESSOR :
	    COURSE_LIST_STUDENT], params, 200);
}

int
handler_course_update(struct app *app, struct request *req)
{
	struct course_fields	 f;
	const char		*params[7];
	int			 rc;

	if ((rc = course_fields_read(req, 0, &f)) != AT_OK ||
	    (rc = request_check_ids(req)) != AT_OK)
		return rc;
	params[0] = req->params[0];
	params[1] = req->user_id;
	params[2] = f.code;
	params[3] = f.name;
	params[4] = f.term;
	params[5] = f.has_description ? "true" : "false";
	params[6] = f.description;
	rc = app_reply_json(app, req,
	    &course_store_statements[COURSE_UPDATE], params, 200);
	return handler_conflict(req, rc,
	    "you already have a course with this code in this term");
}

/* A DELETE whose statement returns a row when something was deleted. */
static int
handler_delete(struct app *app, struct request *req,
    const struct db_statement *statement, const char *const *params,
    const char *conflict)
{
	PGresult	*res = NULL;
	int		 rc, deleted;

	rc = app_run(app, statement, params, &res);
	if (rc != AT_OK)
		return handler_conflict(req, rc, conflict);
	deleted = PQntuples(res) > 0;
	PQclear(res);
	if (!deleted)
		return AT_ENOTFOUND;
	request_reply(req, 204, NULL);
	return AT_OK;
}

int
handler_course_delete(struct app *app, struct request *req)
{
	const char	*params[2] = { req->params[0], req->user_id };

	return handler_delete(app, req,
	    &course_store_statements[COURSE_DELETE], params,
	    "the course has class sessions; attendance data is never deleted");
}

static int
group_fields_read(struct request *req, int create, const char **name,
    const char **schedule, int *has_schedule)
{
	if (json_field_text(&req->arena, req->body, "name",
	    create ? JSON_REQUIRED : 0, VALIDATE_NAME_MAX, name, NULL,
	    &req->message) == -1 ||
	    json_field_text(&req->arena, req->body, "meetingSchedule",
	    JSON_NULLABLE, VALIDATE_NAME_MAX, schedule, has_schedule,
	    &req->message) == -1)
		return AT_EINVALID;
	return AT_OK;
}

int
handler_group_create(struct app *app, struct request *req)
{
	const char	*name, *schedule, *params[4];
	int		 has_schedule, rc;

	if ((rc = group_fields_read(req, 1, &name, &schedule,
	    &has_schedule)) != AT_OK || (rc = request_check_ids(req)) != AT_OK)
		return rc;
	params[0] = req->params[0];
	params[1] = req->user_id;
	params[2] = name;
	params[3] = schedule;
	rc = app_reply_json(app, req, &course_store_statements[GROUP_CREATE],
	    params, 201);
	return handler_conflict(req, rc,
	    "the course already has a group with this name");
}

int
handler_group_update(struct app *app, struct request *req)
{
	const char	*name, *schedule, *params[5];
	int		 has_schedule, rc;

	if ((rc = group_fields_read(req, 0, &name, &schedule,
	    &has_schedule)) != AT_OK || (rc = request_check_ids(req)) != AT_OK)
		return rc;
	params[0] = req->params[0];
	params[1] = req->user_id;
	params[2] = name;
	params[3] = has_schedule ? "true" : "false";
	params[4] = schedule;
	rc = app_reply_json(app, req, &course_store_statements[GROUP_UPDATE],
	    params, 200);
	return handler_conflict(req, rc,
	    "the course already has a group with this name");
}

int
handler_group_delete(struct app *app, struct request *req)
{
	const char	*params[2] = { req->params[0], req->user_id };

	return handler_delete(app, req,
	    &course_store_statements[GROUP_DELETE], params,
	    "the group has class sessions; attendance data is never deleted");
}

/*
 * Reads "student" (single form) or "students" (bulk) into a text[]
 * literal; *bulk says which.
 */
static int
enrollment_read(struct request *req, char **literal, size_t *count,
    int *bulk)
{
	json_object	*list, *item;
	const char	**names;
	const char	*single;
	size_t		 i, n;

	*bulk = json_object_object_get_ex(req->body, "students", &list);
	if (!*bulk) {
		if (json_field_text(&req->arena, req->body, "student",
		    JSON_REQUIRED, VALIDATE_EMAIL_MAX, &single, NULL,
		    &req->message) == -1)
			return AT_EINVALID;
		names = &single;
		n = 1;
	} else {
		if (!json_object_is_type(list, json_type_array)) {
			req->message = "students must be an array of strings";
			return AT_EINVALID;
		}
		n = json_object_array_length(list);
		if (n > ENROLL_BULK_MAX) {
			req->message = "students holds more than 1000 entries";
			return AT_EINVALID;
		}
		names = arena_alloc(&req->arena, (n + 1) * sizeof(*names));
		if (names == NULL)
			return AT_ENOMEM;
		for (i = 0; i < n; i++) {
			const char	*s;

			item = json_object_array_get_idx(list, i);
			if (!json_object_is_type(item, json_type_string) ||
			    strlen(s = json_object_get_string(item)) !=
			    (size_t)json_object_get_string_len(item)) {
				req->message = "students must be an array of "
				    "strings";
				return AT_EINVALID;
			}
			names[i] = s;
		}
	}
	*count = n;
	if ((*literal = db_array_literal(names, n)) == NULL)
		return AT_ENOMEM;
	return AT_OK;
}

int
handler_enrollment_add(struct app *app, struct request *req)
{
	PGresult	*res = NULL;
	json_object	*root = NULL, *enrolled, *failed, *list;
	char		*literal = NULL;
	const char	*params[3], *text;
	size_t		 count;
	int		 bulk, rc, row;

	if ((rc = enrollment_read(req, &literal, &count, &bulk)) != AT_OK)
		return rc;
	if ((rc = request_check_ids(req)) != AT_OK) {
		free(literal);
		return rc;
	}
	params[0] = req->params[0];
	params[1] = req->user_id;
	params[2] = literal;
	rc = app_run(app, &course_store_statements[ENROLLMENT_ADD], params,
	    &res);
	free(literal);
	if (rc != AT_OK)
		return rc;
	if (PQntuples(res) == 1 && strcmp(PQgetvalue(res, 0, 0), "0") == 0) {
		rc = AT_ENOTFOUND;	/* not the caller's group */
		goto out;
	}
	if (!bulk) {
		if (!PQgetisnull(res, 0, 1)) {
			rc = error_from_code(PQgetvalue(res, 0, 1));
			if (rc == AT_ENOTFOUND)
				req->message = "no student with this username, "
				    "email or id";
			goto out;
		}
		text = arena_printf(&req->arena, "{\"enrollment\":%s}",
		    PQgetvalue(res, 0, 2));
		request_reply(req, 201, text);
		goto out;
	}

	/* The bulk form: results in the order of the request. */
	root = json_object_new_object();
	enrolled = json_object_new_array();
	failed = json_object_new_array();
	json_object_object_get_ex(req->body, "students", &list);
	for (row = 0; row < PQntuples(res); row++) {
		int	 n = atoi(PQgetvalue(res, row, 0)) - 1;

		if (PQgetisnull(res, row, 1)) {
			json_object	*e = NULL;

			if (json_parse(PQgetvalue(res, row, 2),
			    (size_t)PQgetlength(res, row, 2), &e) == 0)
				json_object_array_add(enrolled, e);
		} else {
			int		 err = error_from_code(
			    PQgetvalue(res, row, 1));
			json_object	*f = json_object_new_object();
			json_object	*e = json_object_new_object();

			json_object_object_add(f, "student", json_object_get(
			    json_object_array_get_idx(list, (size_t)n)));
			json_object_object_add(e, "code",
			    json_object_new_string(error_code(err)));
			json_object_object_add(e, "message",
			    json_object_new_string(err == AT_ENOTFOUND ?
			    "no student with this username, email or id" :
			    error_string(err)));
			json_object_object_add(f, "error", e);
			json_object_array_add(failed, f);
		}
	}
	json_object_object_add(root, "enrolled", enrolled);
	json_object_object_add(root, "failed", failed);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	request_reply(req, 200, arena_strndup(&req->arena, text,
	    strlen(text)));
out:
	json_object_put(root);
	PQclear(res);
	return rc;
}

int
handler_enrollment_delete(struct app *app, struct request *req)
{
	const char	*params[3] = { req->params[0], req->user_id,
	    req->params[1] };

	return handler_delete(app, req,
	    &course_store_statements[ENROLLMENT_DELETE], params,
	    "the student has attendance records in this course; nothing "
	    "is ever deleted");
}
