#include <string.h>

#include "course_store.h"
#include "handlers.h"
#include "json.h"

static enum at_error
handler_conflict(struct request *req, enum at_error rc, const char *what)
{
	if (rc == AT_ECONFLICT)
		req->message = what;
	return rc;
}

/* A reply of the JSON a store call made, or its error. */
static enum at_error
handler_reply(struct request *req, enum at_error rc, int status,
    const char *json)
{
	if (rc == AT_OK)
		request_reply(req, status, json);
	return rc;
}

/* The course of the body (every field absent reads as NULL). */
static void
handler_course_fields(struct request *req, struct course_fields *f)
{
	f->code = req->fields[COURSE_CODE].text;
	f->name = req->fields[COURSE_NAME].text;
	f->term = req->fields[COURSE_TERM].text;
	f->description = req->fields[COURSE_DESCRIPTION].text;
	f->set_description = req->fields[COURSE_DESCRIPTION].present;
	f->networks = req->fields[COURSE_NETWORKS].text;
	f->set_networks = req->fields[COURSE_NETWORKS].present;
	f->policy = req->fields[COURSE_POLICY].text;
}

#define COURSE_TAKEN	"you already have a course with this code in this term"
#define GROUP_TAKEN	"the course already has a group with this name"

enum at_error
handler_course_create(struct app *app, struct request *req)
{
	struct course_fields	 f;
	const char		*json;
	enum at_error		 rc;

	handler_course_fields(req, &f);
	rc = course_store_create(&app->store, &req->arena, req->user_id, &f,
	    &json);
	return handler_conflict(req, handler_reply(req, rc, 201, json),
	    COURSE_TAKEN);
}

enum at_error
handler_course_list(struct app *app, struct request *req)
{
	const char	*json;
	enum at_error	 rc;

	rc = course_store_list(&app->store, &req->arena, req->user_id,
	    req->role == ROLE_PROFESSOR, &json);
	return handler_reply(req, rc, 200, json);
}

enum at_error
handler_course_update(struct app *app, struct request *req)
{
	struct course_fields	 f;
	const char		*json;
	enum at_error		 rc;

	handler_course_fields(req, &f);
	rc = course_store_update(&app->store, &req->arena, req->params[0],
	    req->user_id, &f, &json);
	return handler_conflict(req, handler_reply(req, rc, 200, json),
	    COURSE_TAKEN);
}

/* A DELETE answered 204, or the store's error. */
static enum at_error
handler_deleted(struct request *req, enum at_error rc, const char *conflict)
{
	if (rc == AT_OK)
		request_reply(req, 204, NULL);
	return handler_conflict(req, rc, conflict);
}

enum at_error
handler_course_delete(struct app *app, struct request *req)
{
	return handler_deleted(req, course_store_delete(&app->store,
	    req->params[0], req->user_id),
	    "the course has class sessions; attendance data is never deleted");
}

enum at_error
handler_group_create(struct app *app, struct request *req)
{
	const char	*json;
	enum at_error	 rc;

	rc = course_store_group_create(&app->store, &req->arena,
	    req->params[0], req->user_id, req->fields[GROUP_NAME].text,
	    req->fields[GROUP_SCHEDULE].text, &json);
	return handler_conflict(req, handler_reply(req, rc, 201, json),
	    GROUP_TAKEN);
}

enum at_error
handler_group_update(struct app *app, struct request *req)
{
	const char	*json;
	enum at_error	 rc;

	rc = course_store_group_update(&app->store, &req->arena,
	    req->params[0], req->user_id, req->fields[GROUP_NAME].text,
	    req->fields[GROUP_SCHEDULE].present,
	    req->fields[GROUP_SCHEDULE].text, &json);
	return handler_conflict(req, handler_reply(req, rc, 200, json),
	    GROUP_TAKEN);
}

enum at_error
handler_group_delete(struct app *app, struct request *req)
{
	return handler_deleted(req, course_store_group_delete(&app->store,
	    req->params[0], req->user_id),
	    "the group has class sessions; attendance data is never deleted");
}

#define NO_SUCH_STUDENT	"no student with this username, email or id"

/* {"enrolled": [...], "failed": [{"student", "error"}]}, in the order of
 * the request. */
static const char *
handler_enrollment_report(struct request *req,
    const struct field_value *students, const struct course_enrolled *done)
{
	json_object	*root, *enrolled, *failed, *f, *e;
	const char	*text = NULL;
	size_t		 i;
	int		 ok;

	root = json_object_new_object();
	enrolled = json_object_new_array();
	failed = json_object_new_array();
	ok = root != NULL && enrolled != NULL && failed != NULL;
	for (i = 0; ok && i < students->count; i++) {
		if (done[i].error == AT_OK) {
			if (json_parse(done[i].json, strlen(done[i].json),
			    &e) == -1)
				ok = 0;
			else if (json_object_array_add(enrolled, e) != 0) {
				json_object_put(e);
				ok = 0;
			}
			continue;
		}
		f = json_object_new_object();
		e = json_object_new_object();
		ok = f != NULL && e != NULL &&
		    json_object_array_add(failed, f) == 0;
		if (!ok) {
			json_object_put(f);
			json_object_put(e);
			break;
		}
		json_object_object_add(f, "student",
		    json_object_new_string(students->texts[i]));
		json_object_object_add(e, "code",
		    json_object_new_string(error_code(done[i].error)));
		json_object_object_add(e, "message", json_object_new_string(
		    done[i].error == AT_ENOTFOUND ? NO_SUCH_STUDENT :
		    error_string(done[i].error)));
		json_object_object_add(f, "error", e);
	}
	if (ok) {
		json_object_object_add(root, "enrolled", enrolled);
		json_object_object_add(root, "failed", failed);
		enrolled = failed = NULL;
		text = json_object_to_json_string_ext(root,
		    JSON_C_TO_STRING_PLAIN);
		text = text != NULL ? arena_strndup(&req->arena, text,
		    strlen(text)) : NULL;
	}
	json_object_put(enrolled);
	json_object_put(failed);
	json_object_put(root);
	return text;
}

enum at_error
handler_enrollment_add(struct app *app, struct request *req)
{
	const struct field_value *bulk = &req->fields[ENROLL_STUDENTS];
	struct course_enrolled	*done;
	const char		*single[1];
	const char *const	*names = bulk->texts;
	size_t			 count = bulk->count;
	enum at_error		 rc;

	if (!bulk->present) {
		single[0] = req->fields[ENROLL_STUDENT].text;
		names = single;
		count = 1;
	}
	if ((done = arena_alloc(&req->arena, (count + 1) *
	    sizeof(*done))) == NULL)
		return AT_ENOMEM;
	rc = course_store_enroll(&app->store, &req->arena, req->params[0],
	    req->user_id, names, count, done);
	if (rc != AT_OK)
		return rc;
	if (bulk->present) {
		request_reply(req, 200, handler_enrollment_report(req, bulk,
		    done));
		return AT_OK;
	}
	if (done[0].error != AT_OK) {
		if (done[0].error == AT_ENOTFOUND)
			req->message = NO_SUCH_STUDENT;
		return done[0].error;
	}
	request_reply(req, 201, arena_printf(&req->arena,
	    "{\"enrollment\":%s}", done[0].json));
	return AT_OK;
}

enum at_error
handler_enrollment_delete(struct app *app, struct request *req)
{
	return handler_deleted(req, course_store_unenroll(&app->store,
	    req->params[0], req->user_id, req->params[1]),
	    "the student has attendance records in this course; nothing "
	    "is ever deleted");
}
