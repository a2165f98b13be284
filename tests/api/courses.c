/*
 * The professor's courses, groups and enrollments ("courses", "groups",
 * "enrollments"): every route of those sections of
 * ../shared/spec/API.md, the exact shapes of Course, Group and
 * Enrollment, validation, uniqueness, ownership (another professor's
 * things are 404) and the deletes that would lose attendance data (409).
 * Every test makes its own professors, students and courses.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "api_support.h"

#define COURSE_KEYS	"id professorId code name term description " \
			"allowedNetworks networkPolicy createdAt"
#define GROUP_KEYS	"id courseId name meetingSchedule createdAt"
#define ENROLLMENT_KEYS	"studentId groupId courseId username displayName " \
			"email createdAt"
#define UNKNOWN_ID	"00000000-0000-4000-8000-000000000000"

/* --- helpers --------------------------------------------------------- */

static struct api_client *
professor(char id[API_ID_SIZE])
{
	char	 user[80];

	return api_user_login("professor", "cp", id, user);
}

/* A course with a unique code (written to code when not NULL). */
static void
course_new(struct api_client *c, char id[API_ID_SIZE], char *code,
    size_t size)
{
	char	 unique[64], *body;

	api_unique("CS", unique, sizeof(unique));
	body = api_printf("{\"code\":\"%s\",\"name\":\"Course\","
	    "\"term\":\"2026F\"}", unique);
	api_create(c, "/api/courses", body, "course.id", id);
	if (code != NULL)
		snprintf(code, size, "%s", unique);
	free(body);
}

static void
group_new(struct api_client *c, const char *course, const char *name,
    char id[API_ID_SIZE])
{
	char	*path = api_printf("/api/courses/%s/groups", course);
	char	*body = api_printf("{\"name\":\"%s\"}", name);

	api_create(c, path, body, "group.id", id);
	free(body);
	free(path);
}

static void
expect(struct api_client *c, const char *method, const char *path,
    const char *body, long status)
{
	struct api_response	 r;

	api_request(c, method, path, body, &r);
	cr_assert_eq(r.status, status, "%s %s %s: %ld, expected %ld: %s",
	    method, path, body != NULL ? body : "", r.status, status, r.body);
	api_response_free(&r);
}

/* 204 with no body. */
static void
expect_deleted(struct api_client *c, const char *path)
{
	struct api_response	 r;

	api_request(c, "DELETE", path, NULL, &r);
	cr_assert_eq(r.status, 204, "DELETE %s: %ld %s", path, r.status,
	    r.body);
	cr_assert_str_eq(r.body, "", "204 with a body");
	api_response_free(&r);
}

/* GET path; *r holds the 200 answer (freed by the caller). */
static void
get_ok(struct api_client *c, const char *path, struct api_response *r)
{
	api_request(c, "GET", path, NULL, r);
	cr_assert_eq(r->status, 200, "GET %s: %ld %s", path, r->status,
	    r->body);
}

/* Starts a class session of group (its round id to round, may be NULL). */
static void
session_start(struct api_client *c, const char *group,
    char session[API_ID_SIZE], char round[API_ID_SIZE])
{
	struct api_response	 r;
	char			*path = api_printf("/api/groups/%s/sessions",
				    group);

	api_request(c, "POST", path, NULL, &r);
	cr_assert_eq(r.status, 201, "POST %s: %ld %s", path, r.status,
	    r.body);
	snprintf(session, API_ID_SIZE, "%s", api_json_string(r.json,
	    "session.id"));
	if (round != NULL)
		snprintf(round, API_ID_SIZE, "%s", api_json_string(r.json,
		    "round.id"));
	api_response_free(&r);
	free(path);
}

/* The index of the array element whose member equals value, or -1. */
static int
find(json_object *array, const char *member, const char *value)
{
	size_t		 i, n;
	json_object	*v;

	cr_assert(json_object_is_type(array, json_type_array), "not an "
	    "array: %s", json_object_to_json_string(array));
	n = json_object_array_length(array);
	for (i = 0; i < n; i++) {
		v = api_json_get(json_object_array_get_idx(array, i), member);
		if (v != NULL && json_object_is_type(v, json_type_string) &&
		    strcmp(json_object_get_string(v), value) == 0)
			return (int)i;
	}
	return -1;
}

static size_t
array_length(json_object *obj, const char *path)
{
	json_object	*a = api_json_get(obj, path);

	cr_assert(a != NULL && json_object_is_type(a, json_type_array),
	    "%s is not an array: %s", path, json_object_to_json_string(obj));
	return json_object_array_length(a);
}

static char *
enroll_path(const char *group)
{
	return api_printf("/api/groups/%s/enrollments", group);
}

/* --- courses --------------------------------------------------------- */

Test(courses, create_returns_the_trimmed_course)
{
	char			 pid[API_ID_SIZE], code[64], *body, *path;
	struct api_client	*c = professor(pid);
	struct api_response	 r, g;

	api_unique("CS", code, sizeof(code));
	body = api_printf("{\"code\":\"  %s  \",\"name\":\"  Intro to "
	    "Algorithms \",\"term\":\"\\t2026F \"}", code);
	api_request(c, "POST", "/api/courses", body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "course");
	api_assert_keys(r.json, "course", COURSE_KEYS);
	api_assert_uuid(r.json, "course.id");
	cr_assert_str_eq(api_json_string(r.json, "course.professorId"), pid);
	cr_assert_str_eq(api_json_string(r.json, "course.code"), code);
	cr_assert_str_eq(api_json_string(r.json, "course.name"),
	    "Intro to Algorithms");
	cr_assert_str_eq(api_json_string(r.json, "course.term"), "2026F");
	api_assert_null(r.json, "course.description");
	api_assert_timestamp(r.json, "course.createdAt");

	path = api_printf("/api/courses/%s", api_json_string(r.json,
	    "course.id"));
	get_ok(c, path, &g);
	api_assert_keys(g.json, "", "course groups");
	cr_assert(json_object_equal(api_json_get(g.json, "course"),
	    api_json_get(r.json, "course")), "GET %s differs: %s", path,
	    g.body);
	cr_assert_eq(array_length(g.json, "groups"), 0);
	api_response_free(&g);
	api_response_free(&r);
	free(path);
	free(body);
	api_client_free(c);
}

Test(courses, create_with_description)
{
	char			 pid[API_ID_SIZE], code[64], *body;
	struct api_client	*c = professor(pid);
	struct api_response	 r;

	api_unique("CS", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\","
	    "\"description\":\"  Graphs, \\\"trees\\\" and \\u00e9t\\u00e9 "
	    "\\n\"}", code);
	api_request(c, "POST", "/api/courses", body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "course.description"),
	    "Graphs, \"trees\" and \xc3\xa9t\xc3\xa9");
	api_response_free(&r);
	free(body);

	/* An explicit null is the same as none. */
	api_unique("CS", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\","
	    "\"description\":null}", code);
	api_request(c, "POST", "/api/courses", body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_assert_null(r.json, "course.description");
	api_response_free(&r);
	free(body);
	api_client_free(c);
}

Test(courses, create_requires_code_name_term)
{
	static const char *const bodies[] = {
		"{\"name\":\"N\",\"term\":\"T\"}",
		"{\"code\":\"C\",\"term\":\"T\"}",
		"{\"code\":\"C\",\"name\":\"N\"}",
		"{\"code\":\"\",\"name\":\"N\",\"term\":\"T\"}",
		"{\"code\":\"C\",\"name\":\"   \",\"term\":\"T\"}",
		"{\"code\":\"C\",\"name\":\"N\",\"term\":\"\\t\\n\"}",
		"{\"code\":\"C\",\"name\":\"N\",\"term\":\"T\","
		    "\"description\":\"  \"}",
		"{}",
		NULL
	};
	char			 pid[API_ID_SIZE];
	struct api_client	*c = professor(pid);
	size_t			 i;

	for (i = 0; bodies[i] != NULL; i++)
		api_expect_error(c, "POST", "/api/courses", bodies[i], 400,
		    "invalid_request");
	api_expect_error(c, "POST", "/api/courses", NULL, 400,
	    "invalid_request");
	cr_assert_eq(api_db_long("SELECT count(*) FROM courses "
	    "WHERE professor_id = $1", pid, NULL), 0);
	api_client_free(c);
}

Test(courses, create_wrong_types_are_400)
{
	static const char *const bodies[] = {
		"{\"code\":5,\"name\":\"N\",\"term\":\"T\"}",
		"{\"code\":\"C\",\"name\":false,\"term\":\"T\"}",
		"{\"code\":\"C\",\"name\":\"N\",\"term\":[\"T\"]}",
		"{\"code\":null,\"name\":\"N\",\"term\":\"T\"}",
		"{\"code\":\"C\",\"name\":\"N\",\"term\":\"T\","
		    "\"description\":{}}",
		"{\"code\":\"C\",\"name\":\"N\",\"term\":\"T\","
		    "\"description\":1.5}",
		NULL
	};
	char			 pid[API_ID_SIZE];
	struct api_client	*c = professor(pid);
	size_t			 i;

	for (i = 0; bodies[i] != NULL; i++)
		api_expect_error(c, "POST", "/api/courses", bodies[i], 400,
		    "invalid_request");
	api_client_free(c);
}

Test(courses, create_length_limits)
{
	char			 pid[API_ID_SIZE], code[64];
	struct api_client	*c = professor(pid);
	struct api_response	 r;
	char			*s200 = api_repeat("a", 200);
	char			*s201 = api_repeat("a", 201);
	char			*e200 = api_repeat("\xc3\xa9", 200);
	char			*e201 = api_repeat("\xc3\xa9", 201);
	char			*d2000 = api_repeat("d", 2000);
	char			*d2001 = api_repeat("d", 2001);
	char			*body;

	/* 201 characters: refused, field by field. */
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\"}",
	    s201);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	api_unique("CS", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"%s\",\"term\":\"T\"}",
	    code, s201);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"%s\"}",
	    code, s201);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	body = api_printf("{\"code\":\"%s\",\"name\":\"%s\",\"term\":\"T\"}",
	    code, e201);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\","
	    "\"description\":\"%s\"}", code, d2001);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);

	/* 200 (2000) characters, counted as characters, after trimming. */
	body = api_printf("{\"code\":\"%s\",\"name\":\"  %s  \","
	    "\"term\":\"%s\",\"description\":\"%s\"}", code, s200, e200,
	    d2000);
	api_request(c, "POST", "/api/courses", body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "course.name"), s200);
	cr_assert_str_eq(api_json_string(r.json, "course.term"), e200);
	cr_assert_str_eq(api_json_string(r.json, "course.description"),
	    d2000);
	api_response_free(&r);
	free(body);
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\"}",
	    s200);
	expect(c, "POST", "/api/courses", body, 201);
	free(body);
	free(s200);
	free(s201);
	free(e200);
	free(e201);
	free(d2000);
	free(d2001);
	api_client_free(c);
}

Test(courses, code_and_term_are_unique_per_professor)
{
	char			 a[API_ID_SIZE], b[API_ID_SIZE], code[64];
	char			*body, *lower;
	struct api_client	*pa = professor(a), *pb = professor(b);

	api_unique("CS", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":"
	    "\"2026F\"}", code);
	expect(pa, "POST", "/api/courses", body, 201);
	api_expect_error(pa, "POST", "/api/courses", body, 409, "conflict");
	/* Another professor may use the same code and term. */
	expect(pb, "POST", "/api/courses", body, 201);
	free(body);
	/* Trimmed first, compared without regard to case. */
	lower = strdup(code);
	cr_assert(lower != NULL);
	api_uppercase(lower);
	body = api_printf("{\"code\":\" %s \",\"name\":\"Other\","
	    "\"term\":\"2026f\"}", lower);
	api_expect_error(pa, "POST", "/api/courses", body, 409, "conflict");
	free(body);
	/* Another term is another course. */
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":"
	    "\"2027S\"}", code);
	expect(pa, "POST", "/api/courses", body, 201);
	free(body);
	free(lower);
	cr_assert_eq(api_db_long("SELECT count(*) FROM courses "
	    "WHERE professor_id = $1", a, NULL), 2);
	api_client_free(pa);
	api_client_free(pb);
}

Test(courses, professor_lists_own_courses)
{
	char			 a[API_ID_SIZE], b[API_ID_SIZE];
	char			 c1[API_ID_SIZE], c2[API_ID_SIZE];
	char			 c3[API_ID_SIZE];
	struct api_client	*pa = professor(a), *pb = professor(b);
	struct api_response	 r;
	json_object		*list;
	size_t			 i;

	course_new(pa, c1, NULL, 0);
	course_new(pa, c2, NULL, 0);
	course_new(pb, c3, NULL, 0);
	get_ok(pa, "/api/courses", &r);
	api_assert_keys(r.json, "", "courses");
	list = api_json_get(r.json, "courses");
	cr_assert_eq(array_length(r.json, "courses"), 2, "%s", r.body);
	cr_assert(find(list, "id", c1) >= 0 && find(list, "id", c2) >= 0,
	    "%s", r.body);
	for (i = 0; i < 2; i++) {
		json_object	*course = json_object_array_get_idx(list, i);

		api_assert_keys(course, "", COURSE_KEYS);
		cr_assert_str_eq(api_json_string(course, "professorId"), a);
	}
	api_response_free(&r);

	get_ok(pb, "/api/courses", &r);
	cr_assert_eq(array_length(r.json, "courses"), 1, "%s", r.body);
	cr_assert_str_eq(api_json_string(r.json, "courses.0.id"), c3);
	api_response_free(&r);
	api_client_free(pa);
	api_client_free(pb);
}

Test(courses, professor_without_courses_lists_none)
{
	char			 pid[API_ID_SIZE];
	struct api_client	*c = professor(pid);
	struct api_response	 r;

	get_ok(c, "/api/courses", &r);
	api_assert_keys(r.json, "", "courses");
	cr_assert_eq(array_length(r.json, "courses"), 0, "%s", r.body);
	api_response_free(&r);
	api_client_free(c);
}

Test(courses, student_lists_enrolled_courses_with_group)
{
	struct api_class	 cls;
	struct api_client	*student[1], *other;
	char			 sid[1][API_ID_SIZE], oid[API_ID_SIZE];
	char			 course2[API_ID_SIZE], user[80];
	struct api_response	 r;
	json_object		*course;

	api_class_create(&cls, 1, student, sid);
	/* A course of the same professor the student is not in. */
	course_new(cls.professor, course2, NULL, 0);
	get_ok(student[0], "/api/courses", &r);
	api_assert_keys(r.json, "", "courses");
	cr_assert_eq(array_length(r.json, "courses"), 1, "%s", r.body);
	course = api_json_get(r.json, "courses.0");
	api_assert_keys(course, "", COURSE_KEYS " group");
	cr_assert_str_eq(api_json_string(course, "id"), cls.course_id);
	cr_assert_str_eq(api_json_string(course, "professorId"),
	    cls.professor_id);
	api_assert_keys(course, "group", GROUP_KEYS);
	cr_assert_str_eq(api_json_string(course, "group.id"), cls.group_id);
	cr_assert_str_eq(api_json_string(course, "group.courseId"),
	    cls.course_id);
	cr_assert_str_eq(api_json_string(course, "group.name"), "G1");
	api_response_free(&r);

	other = api_user_login("student", "cs", oid, user);
	get_ok(other, "/api/courses", &r);
	cr_assert_eq(array_length(r.json, "courses"), 0, "%s", r.body);
	api_response_free(&r);
	api_client_free(other);
	api_client_free(student[0]);
	api_class_free(&cls);
}

Test(courses, get_returns_course_and_groups)
{
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			 g1[API_ID_SIZE], g2[API_ID_SIZE], *path;
	struct api_client	*c = professor(pid);
	struct api_response	 r;
	json_object		*groups;
	int			 i1, i2;

	course_new(c, course, NULL, 0);
	group_new(c, course, "Lab A", g1);
	group_new(c, course, "Lab B", g2);
	path = api_printf("/api/courses/%s", course);
	get_ok(c, path, &r);
	api_assert_keys(r.json, "", "course groups");
	api_assert_keys(r.json, "course", COURSE_KEYS);
	cr_assert_str_eq(api_json_string(r.json, "course.id"), course);
	groups = api_json_get(r.json, "groups");
	cr_assert_eq(array_length(r.json, "groups"), 2, "%s", r.body);
	i1 = find(groups, "id", g1);
	i2 = find(groups, "id", g2);
	cr_assert(i1 >= 0 && i2 >= 0, "%s", r.body);
	api_assert_keys(json_object_array_get_idx(groups, (size_t)i1), "",
	    GROUP_KEYS);
	cr_assert_str_eq(api_json_string(json_object_array_get_idx(groups,
	    (size_t)i2), "name"), "Lab B");
	api_response_free(&r);
	free(path);
	api_client_free(c);
}

Test(courses, another_professors_course_is_404)
{
	char			 a[API_ID_SIZE], b[API_ID_SIZE];
	char			 course[API_ID_SIZE], group[API_ID_SIZE], *path;
	struct api_client	*pa = professor(a), *pb = professor(b);
	struct api_response	 r;

	course_new(pa, course, NULL, 0);
	group_new(pa, course, "G1", group);
	path = api_printf("/api/courses/%s", course);
	api_expect_item_error(pb, path, "{\"name\":\"Stolen\"}", 404,
	    "not_found");
	free(path);
	path = api_printf("/api/courses/%s/groups", course);
	api_expect_error(pb, "GET", path, NULL, 404, "not_found");
	api_expect_error(pb, "POST", path, "{\"name\":\"G2\"}", 404,
	    "not_found");
	free(path);
	path = api_printf("/api/courses/%s", course);
	get_ok(pa, path, &r);
	cr_assert_str_eq(api_json_string(r.json, "course.name"), "Course");
	cr_assert_eq(array_length(r.json, "groups"), 1, "%s", r.body);
	api_response_free(&r);
	free(path);
	api_client_free(pa);
	api_client_free(pb);
}

Test(courses, unknown_course_is_404)
{
	char			 pid[API_ID_SIZE];
	struct api_client	*c = professor(pid);
	const char		*path = "/api/courses/" UNKNOWN_ID;

	api_expect_item_error(c, path, "{\"name\":\"x\"}", 404, "not_found");
	api_expect_error(c, "GET", "/api/courses/" UNKNOWN_ID "/groups", NULL,
	    404, "not_found");
	api_expect_error(c, "POST", "/api/courses/" UNKNOWN_ID "/groups",
	    "{\"name\":\"G\"}", 404, "not_found");
	api_client_free(c);
}

Test(courses, patch_updates_only_what_it_names)
{
	char			 pid[API_ID_SIZE], code[64];
	char			 course[API_ID_SIZE], *path, *body;
	struct api_client	*c = professor(pid);
	struct api_response	 r, before;

	api_unique("CS", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"Old\",\"term\":"
	    "\"2026F\",\"description\":\"Desc\"}", code);
	api_create(c, "/api/courses", body, "course.id", course);
	free(body);
	path = api_printf("/api/courses/%s", course);
	get_ok(c, path, &before);

	api_request(c, "PATCH", path, "{\"name\":\"  New name  \"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "course");
	api_assert_keys(r.json, "course", COURSE_KEYS);
	cr_assert_str_eq(api_json_string(r.json, "course.name"), "New name");
	cr_assert_str_eq(api_json_string(r.json, "course.code"), code);
	cr_assert_str_eq(api_json_string(r.json, "course.term"), "2026F");
	cr_assert_str_eq(api_json_string(r.json, "course.description"),
	    "Desc");
	cr_assert_str_eq(api_json_string(r.json, "course.id"), course);
	cr_assert_str_eq(api_json_string(r.json, "course.createdAt"),
	    api_json_string(before.json, "course.createdAt"));
	api_response_free(&r);

	/* null clears the description. */
	api_request(c, "PATCH", path, "{\"description\":null}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_null(r.json, "course.description");
	cr_assert_str_eq(api_json_string(r.json, "course.name"), "New name");
	api_response_free(&r);

	api_request(c, "PATCH", path, "{\"code\":\" X1 \",\"term\":\"2027S\","
	    "\"description\":\"Again\"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "course.code"), "X1");
	cr_assert_str_eq(api_json_string(r.json, "course.term"), "2027S");
	cr_assert_str_eq(api_json_string(r.json, "course.description"),
	    "Again");
	api_response_free(&r);

	get_ok(c, path, &r);
	cr_assert_str_eq(api_json_string(r.json, "course.code"), "X1");
	cr_assert_str_eq(api_json_string(r.json, "course.name"), "New name");
	api_response_free(&r);
	api_response_free(&before);
	free(path);
	api_client_free(c);
}

/* The body of a PATCH is optional: none at all changes nothing. */
Test(courses, patch_without_a_body_changes_nothing)
{
	char			 a[API_ID_SIZE], b[API_ID_SIZE];
	char			 course[API_ID_SIZE], *path;
	struct api_client	*pa = professor(a), *pb = professor(b);
	struct api_response	 r, before;

	course_new(pa, course, NULL, 0);
	path = api_printf("/api/courses/%s", course);
	get_ok(pa, path, &before);
	api_request(pa, "PATCH", path, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "course");
	cr_assert_str_eq(json_object_to_json_string(json_object_object_get(
	    r.json, "course")), json_object_to_json_string(
	    json_object_object_get(before.json, "course")));
	api_response_free(&r);
	api_request(pa, "PATCH", path, "{}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "course.name"),
	    api_json_string(before.json, "course.name"));
	api_response_free(&r);

	/* Another professor's course, or none, is still 404. */
	api_expect_error(pb, "PATCH", path, NULL, 404, "not_found");
	api_expect_error(pa, "PATCH", "/api/courses/" UNKNOWN_ID, NULL, 404,
	    "not_found");
	get_ok(pa, path, &r);
	cr_assert_str_eq(json_object_to_json_string(r.json),
	    json_object_to_json_string(before.json));
	api_response_free(&r);
	api_response_free(&before);
	free(path);
	api_client_free(pa);
	api_client_free(pb);
}

Test(courses, patch_validates)
{
	static const char *const bodies[] = {
		"{\"code\":\"\"}",
		"{\"name\":\"   \"}",
		"{\"name\":5}",
		"{\"code\":null}",
		"{\"name\":null}",
		"{\"term\":null}",
		"{\"term\":[]}",
		"{\"description\":false}",
		"[]",
		"{\"name\":",
		NULL
	};
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			*path, *body, *s201;
	struct api_client	*c = professor(pid);
	struct api_response	 r;
	size_t			 i;

	course_new(c, course, NULL, 0);
	path = api_printf("/api/courses/%s", course);
	for (i = 0; bodies[i] != NULL; i++)
		api_expect_error(c, "PATCH", path, bodies[i], 400,
		    "invalid_request");
	s201 = api_repeat("z", 201);
	body = api_printf("{\"term\":\"%s\"}", s201);
	api_expect_error(c, "PATCH", path, body, 400, "invalid_request");
	free(body);
	free(s201);
	s201 = api_repeat("z", 2001);
	body = api_printf("{\"description\":\"%s\"}", s201);
	api_expect_error(c, "PATCH", path, body, 400, "invalid_request");
	free(body);
	free(s201);
	get_ok(c, path, &r);
	cr_assert_str_eq(api_json_string(r.json, "course.name"), "Course");
	cr_assert_str_eq(api_json_string(r.json, "course.term"), "2026F");
	api_assert_null(r.json, "course.description");
	api_response_free(&r);
	free(path);
	api_client_free(c);
}

Test(courses, patch_to_a_taken_code_and_term_is_409)
{
	char			 pid[API_ID_SIZE], code[64];
	char			 c1[API_ID_SIZE], c2[API_ID_SIZE], *path, *body;
	struct api_client	*c = professor(pid);
	struct api_response	 r;

	course_new(c, c1, code, sizeof(code));
	course_new(c, c2, NULL, 0);
	path = api_printf("/api/courses/%s", c2);
	body = api_printf("{\"code\":\"%s\"}", code);
	api_expect_error(c, "PATCH", path, body, 409, "conflict");
	get_ok(c, path, &r);
	cr_assert_str_neq(api_json_string(r.json, "course.code"), code);
	api_response_free(&r);
	free(body);
	free(path);
	api_client_free(c);
}

Test(courses, delete_then_404)
{
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			 group[API_ID_SIZE], *path, *gpath;
	struct api_client	*c = professor(pid);

	course_new(c, course, NULL, 0);
	group_new(c, course, "G1", group);
	path = api_printf("/api/courses/%s", course);
	gpath = api_printf("/api/groups/%s", group);
	expect_deleted(c, path);
	api_expect_error(c, "GET", path, NULL, 404, "not_found");
	api_expect_error(c, "DELETE", path, NULL, 404, "not_found");
	api_expect_error(c, "PATCH", path, "{\"name\":\"x\"}", 404,
	    "not_found");
	/* Its groups went with it. */
	api_expect_error(c, "GET", gpath, NULL, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM courses WHERE id = $1",
	    course, NULL), 0);
	free(gpath);
	free(path);
	api_client_free(c);
}

Test(courses, delete_with_a_session_is_409)
{
	struct api_class	 cls;
	char			 session[API_ID_SIZE], *path, *end;
	struct api_response	 r;

	api_class_create(&cls, 0, NULL, NULL);
	session_start(cls.professor, cls.group_id, session, NULL);
	path = api_printf("/api/courses/%s", cls.course_id);
	api_expect_error(cls.professor, "DELETE", path, NULL, 409, "conflict");
	/* Ended, it still holds attendance data. */
	end = api_printf("/api/sessions/%s/end", session);
	expect(cls.professor, "PATCH", end, NULL, 200);
	api_expect_error(cls.professor, "DELETE", path, NULL, 409, "conflict");
	get_ok(cls.professor, path, &r);
	cr_assert_eq(array_length(r.json, "groups"), 1, "%s", r.body);
	api_response_free(&r);
	free(end);
	free(path);
	api_class_free(&cls);
}

Test(courses, students_may_not_manage_courses)
{
	struct api_class	 cls;
	struct api_client	*student[1];
	char			*path;

	api_class_create(&cls, 1, student, NULL);
	api_expect_error(student[0], "POST", "/api/courses", "{\"code\":\"C\","
	    "\"name\":\"N\",\"term\":\"T\"}", 403, "forbidden");
	path = api_printf("/api/courses/%s", cls.course_id);
	api_expect_error(student[0], "GET", path, NULL, 403, "forbidden");
	api_expect_error(student[0], "PATCH", path, "{\"name\":\"x\"}", 403,
	    "forbidden");
	api_expect_error(student[0], "DELETE", path, NULL, 403, "forbidden");
	free(path);
	path = api_printf("/api/courses/%s/groups", cls.course_id);
	api_expect_error(student[0], "GET", path, NULL, 403, "forbidden");
	api_expect_error(student[0], "POST", path, "{\"name\":\"G\"}", 403,
	    "forbidden");
	free(path);
	cr_assert_eq(api_db_long("SELECT count(*) FROM courses WHERE id = $1",
	    cls.course_id, NULL), 1);
	api_client_free(student[0]);
	api_class_free(&cls);
}

Test(courses, anonymous_is_401)
{
	struct api_class	 cls;
	struct api_client	*anon = api_client_new();
	char			*path;

	api_class_create(&cls, 0, NULL, NULL);
	api_expect_error(anon, "GET", "/api/courses", NULL, 401,
	    "unauthenticated");
	path = api_printf("/api/courses/%s", cls.course_id);
	api_expect_error(anon, "GET", path, NULL, 401, "unauthenticated");
	api_expect_error(anon, "DELETE", path, NULL, 401, "unauthenticated");
	free(path);
	path = api_printf("/api/groups/%s", cls.group_id);
	api_expect_error(anon, "PATCH", path, "{\"name\":\"x\"}", 401,
	    "unauthenticated");
	free(path);
	path = enroll_path(cls.group_id);
	api_expect_error(anon, "GET", path, NULL, 401, "unauthenticated");
	api_expect_error(anon, "POST", path, "{\"student\":\"x\"}", 401,
	    "unauthenticated");
	free(path);
	cr_assert_eq(api_db_long("SELECT count(*) FROM groups WHERE id = $1 "
	    "AND name = 'G1'", cls.group_id, NULL), 1);
	api_client_free(anon);
	api_class_free(&cls);
}

/* --- groups ---------------------------------------------------------- */

Test(groups, create_returns_the_trimmed_group)
{
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			*path, *gpath;
	struct api_client	*c = professor(pid);
	struct api_response	 r, g;

	course_new(c, course, NULL, 0);
	path = api_printf("/api/courses/%s/groups", course);
	api_request(c, "POST", path, "{\"name\":\"  Lab A  \","
	    "\"meetingSchedule\":\"  Mon 09:00-10:30, room 12 \"}", &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "group");
	api_assert_keys(r.json, "group", GROUP_KEYS);
	api_assert_uuid(r.json, "group.id");
	cr_assert_str_eq(api_json_string(r.json, "group.courseId"), course);
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab A");
	cr_assert_str_eq(api_json_string(r.json, "group.meetingSchedule"),
	    "Mon 09:00-10:30, room 12");
	api_assert_timestamp(r.json, "group.createdAt");

	gpath = api_printf("/api/groups/%s", api_json_string(r.json,
	    "group.id"));
	get_ok(c, gpath, &g);
	api_assert_keys(g.json, "", "group");
	cr_assert(json_object_equal(api_json_get(g.json, "group"),
	    api_json_get(r.json, "group")), "GET %s differs: %s", gpath,
	    g.body);
	api_response_free(&g);
	api_response_free(&r);

	/* No schedule: null. */
	api_request(c, "POST", path, "{\"name\":\"Lab B\"}", &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "group", GROUP_KEYS);
	api_assert_null(r.json, "group.meetingSchedule");
	api_response_free(&r);
	api_request(c, "POST", path, "{\"name\":\"Lab C\","
	    "\"meetingSchedule\":null}", &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_assert_null(r.json, "group.meetingSchedule");
	api_response_free(&r);
	free(gpath);
	free(path);
	api_client_free(c);
}

Test(groups, create_validates)
{
	static const char *const bodies[] = {
		"{}",
		"{\"meetingSchedule\":\"Mon\"}",
		"{\"name\":\"\"}",
		"{\"name\":\"  \"}",
		"{\"name\":null}",
		"{\"name\":7}",
		"{\"name\":\"G\",\"meetingSchedule\":7}",
		"{\"name\":\"G\",\"meetingSchedule\":[]}",
		"{\"name\":\"G\",\"meetingSchedule\":\" \"}",
		"[\"G\"]",
		NULL
	};
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			*path, *body, *s200, *s201;
	struct api_client	*c = professor(pid);
	size_t			 i;

	course_new(c, course, NULL, 0);
	path = api_printf("/api/courses/%s/groups", course);
	for (i = 0; bodies[i] != NULL; i++)
		api_expect_error(c, "POST", path, bodies[i], 400,
		    "invalid_request");
	api_expect_error(c, "POST", path, NULL, 400, "invalid_request");
	s200 = api_repeat("g", 200);
	s201 = api_repeat("g", 201);
	body = api_printf("{\"name\":\"%s\"}", s201);
	api_expect_error(c, "POST", path, body, 400, "invalid_request");
	free(body);
	body = api_printf("{\"name\":\"G\",\"meetingSchedule\":\"%s\"}", s201);
	api_expect_error(c, "POST", path, body, 400, "invalid_request");
	free(body);
	cr_assert_eq(api_db_long("SELECT count(*) FROM groups "
	    "WHERE course_id = $1", course, NULL), 0);
	body = api_printf("{\"name\":\"%s\",\"meetingSchedule\":\"%s\"}",
	    s200, s200);
	expect(c, "POST", path, body, 201);
	free(body);
	free(s200);
	free(s201);
	free(path);
	api_client_free(c);
}

Test(groups, name_is_unique_in_a_course)
{
	char			 pid[API_ID_SIZE], c1[API_ID_SIZE];
	char			 c2[API_ID_SIZE], *p1, *p2;
	struct api_client	*c = professor(pid);

	course_new(c, c1, NULL, 0);
	course_new(c, c2, NULL, 0);
	p1 = api_printf("/api/courses/%s/groups", c1);
	p2 = api_printf("/api/courses/%s/groups", c2);
	expect(c, "POST", p1, "{\"name\":\"Lab A\"}", 201);
	api_expect_error(c, "POST", p1, "{\"name\":\"Lab A\"}", 409,
	    "conflict");
	api_expect_error(c, "POST", p1, "{\"name\":\" lab a \"}", 409,
	    "conflict");
	/* The same name in another course. */
	expect(c, "POST", p2, "{\"name\":\"Lab A\"}", 201);
	cr_assert_eq(api_db_long("SELECT count(*) FROM groups "
	    "WHERE course_id = $1", c1, NULL), 1);
	free(p1);
	free(p2);
	api_client_free(c);
}

Test(groups, list_groups_of_a_course)
{
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			 empty[API_ID_SIZE], g1[API_ID_SIZE];
	char			 g2[API_ID_SIZE], *path;
	struct api_client	*c = professor(pid);
	struct api_response	 r;
	json_object		*groups;
	int			 i;

	course_new(c, course, NULL, 0);
	course_new(c, empty, NULL, 0);
	group_new(c, course, "Lab A", g1);
	group_new(c, course, "Lab B", g2);
	path = api_printf("/api/courses/%s/groups", course);
	get_ok(c, path, &r);
	api_assert_keys(r.json, "", "groups");
	groups = api_json_get(r.json, "groups");
	cr_assert_eq(array_length(r.json, "groups"), 2, "%s", r.body);
	i = find(groups, "id", g1);
	cr_assert(i >= 0 && find(groups, "id", g2) >= 0, "%s", r.body);
	api_assert_keys(json_object_array_get_idx(groups, (size_t)i), "",
	    GROUP_KEYS);
	cr_assert_str_eq(api_json_string(json_object_array_get_idx(groups,
	    (size_t)i), "courseId"), course);
	api_response_free(&r);
	free(path);
	path = api_printf("/api/courses/%s/groups", empty);
	get_ok(c, path, &r);
	cr_assert_eq(array_length(r.json, "groups"), 0, "%s", r.body);
	api_response_free(&r);
	free(path);
	api_client_free(c);
}

Test(groups, another_professors_group_is_404)
{
	char			 a[API_ID_SIZE], b[API_ID_SIZE];
	char			 course[API_ID_SIZE], group[API_ID_SIZE], *path;
	struct api_client	*pa = professor(a), *pb = professor(b);
	struct api_response	 r;

	course_new(pa, course, NULL, 0);
	group_new(pa, course, "Mine", group);
	path = api_printf("/api/groups/%s", group);
	api_expect_item_error(pb, path, "{\"name\":\"Stolen\"}", 404,
	    "not_found");
	get_ok(pa, path, &r);
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Mine");
	api_response_free(&r);
	free(path);
	path = api_printf("/api/groups/%s/sessions", group);
	api_expect_error(pb, "POST", path, NULL, 404, "not_found");
	free(path);
	api_client_free(pa);
	api_client_free(pb);
}

Test(groups, unknown_group_is_404)
{
	char			 pid[API_ID_SIZE];
	struct api_client	*c = professor(pid);
	const char		*path = "/api/groups/" UNKNOWN_ID;

	api_expect_item_error(c, path, "{\"name\":\"x\"}", 404, "not_found");
	api_client_free(c);
}

Test(groups, patch_updates_only_what_it_names)
{
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			 group[API_ID_SIZE], other[API_ID_SIZE], *path;
	struct api_client	*c = professor(pid);
	struct api_response	 r;

	course_new(c, course, NULL, 0);
	group_new(c, course, "Lab A", group);
	group_new(c, course, "Lab B", other);
	path = api_printf("/api/groups/%s", group);

	api_request(c, "PATCH", path, "{\"meetingSchedule\":\" Tue 14:00 \"}",
	    &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "group");
	api_assert_keys(r.json, "group", GROUP_KEYS);
	cr_assert_str_eq(api_json_string(r.json, "group.meetingSchedule"),
	    "Tue 14:00");
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab A");
	cr_assert_str_eq(api_json_string(r.json, "group.id"), group);
	api_response_free(&r);

	api_request(c, "PATCH", path, "{\"name\":\" Lab C \"}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab C");
	cr_assert_str_eq(api_json_string(r.json, "group.meetingSchedule"),
	    "Tue 14:00");
	api_response_free(&r);

	api_request(c, "PATCH", path, "{\"meetingSchedule\":null}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_null(r.json, "group.meetingSchedule");
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab C");
	api_response_free(&r);

	api_expect_error(c, "PATCH", path, "{\"name\":\"lab b\"}", 409,
	    "conflict");
	api_expect_error(c, "PATCH", path, "{\"name\":\"\"}", 400,
	    "invalid_request");
	api_expect_error(c, "PATCH", path, "{\"name\":null}", 400,
	    "invalid_request");
	api_expect_error(c, "PATCH", path, "{\"meetingSchedule\":1}", 400,
	    "invalid_request");
	get_ok(c, path, &r);
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab C");
	api_assert_null(r.json, "group.meetingSchedule");
	api_response_free(&r);
	free(path);
	api_client_free(c);
}

/* The body of a PATCH is optional: none at all changes nothing. */
Test(groups, patch_without_a_body_changes_nothing)
{
	char			 a[API_ID_SIZE], b[API_ID_SIZE];
	char			 course[API_ID_SIZE], group[API_ID_SIZE], *path;
	struct api_client	*pa = professor(a), *pb = professor(b);
	struct api_response	 r, before;

	course_new(pa, course, NULL, 0);
	group_new(pa, course, "Lab A", group);
	path = api_printf("/api/groups/%s", group);
	get_ok(pa, path, &before);
	api_request(pa, "PATCH", path, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "group");
	api_assert_keys(r.json, "group", GROUP_KEYS);
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab A");
	cr_assert_str_eq(api_json_string(r.json, "group.id"), group);
	api_response_free(&r);
	api_request(pa, "PATCH", path, "{}", &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "group.name"), "Lab A");
	api_response_free(&r);

	/* Another professor's group, or none, is still 404. */
	api_expect_error(pb, "PATCH", path, NULL, 404, "not_found");
	api_expect_error(pa, "PATCH", "/api/groups/" UNKNOWN_ID, NULL, 404,
	    "not_found");
	get_ok(pa, path, &r);
	cr_assert_str_eq(json_object_to_json_string(r.json),
	    json_object_to_json_string(before.json));
	api_response_free(&r);
	api_response_free(&before);
	free(path);
	api_client_free(pa);
	api_client_free(pb);
}

Test(groups, delete_then_404)
{
	char			 pid[API_ID_SIZE], course[API_ID_SIZE];
	char			 group[API_ID_SIZE], *path, *cpath;
	struct api_client	*c = professor(pid);
	struct api_response	 r;

	course_new(c, course, NULL, 0);
	group_new(c, course, "Lab A", group);
	path = api_printf("/api/groups/%s", group);
	expect_deleted(c, path);
	api_expect_error(c, "GET", path, NULL, 404, "not_found");
	api_expect_error(c, "DELETE", path, NULL, 404, "not_found");
	cpath = api_printf("/api/courses/%s/groups", course);
	get_ok(c, cpath, &r);
	cr_assert_eq(array_length(r.json, "groups"), 0, "%s", r.body);
	api_response_free(&r);
	/* The name is free again. */
	expect(c, "POST", cpath, "{\"name\":\"Lab A\"}", 201);
	free(cpath);
	free(path);
	api_client_free(c);
}

Test(groups, delete_with_a_session_is_409)
{
	struct api_class	 cls;
	char			 session[API_ID_SIZE], *path;
	struct api_response	 r;

	api_class_create(&cls, 0, NULL, NULL);
	session_start(cls.professor, cls.group_id, session, NULL);
	path = api_printf("/api/groups/%s", cls.group_id);
	api_expect_error(cls.professor, "DELETE", path, NULL, 409, "conflict");
	get_ok(cls.professor, path, &r);
	api_response_free(&r);
	free(path);
	api_class_free(&cls);
}

Test(groups, students_may_not_manage_groups)
{
	struct api_class	 cls;
	struct api_client	*student[1];
	char			*path;

	api_class_create(&cls, 1, student, NULL);
	path = api_printf("/api/groups/%s", cls.group_id);
	api_expect_error(student[0], "GET", path, NULL, 403, "forbidden");
	api_expect_error(student[0], "PATCH", path, "{\"name\":\"x\"}", 403,
	    "forbidden");
	api_expect_error(student[0], "DELETE", path, NULL, 403, "forbidden");
	free(path);
	api_client_free(student[0]);
	api_class_free(&cls);
}

/* --- enrollments ----------------------------------------------------- */

static void
assert_enrollment(json_object *e, const char *student, const char *user,
    const struct api_class *cls)
{
	char	*email = api_printf("%s@example.edu", user);

	api_assert_keys(e, "", ENROLLMENT_KEYS);
	cr_assert_str_eq(api_json_string(e, "studentId"), student);
	cr_assert_str_eq(api_json_string(e, "groupId"), cls->group_id);
	cr_assert_str_eq(api_json_string(e, "courseId"), cls->course_id);
	cr_assert_str_eq(api_json_string(e, "username"), user);
	cr_assert_str_eq(api_json_string(e, "email"), email);
	cr_assert(strstr(api_json_string(e, "displayName"), user) != NULL);
	api_assert_timestamp(e, "createdAt");
	free(email);
}

Test(enrollments, enroll_by_username)
{
	struct api_class	 cls;
	char			 id[API_ID_SIZE], user[80], *path, *body;
	struct api_response	 r;

	api_class_create(&cls, 0, NULL, NULL);
	api_user_create("student", "eu", id, user);
	path = enroll_path(cls.group_id);
	body = api_printf("{\"student\":\"%s\"}", user);
	api_request(cls.professor, "POST", path, body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "enrollment");
	assert_enrollment(api_json_get(r.json, "enrollment"), id, user, &cls);
	api_response_free(&r);
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments WHERE "
	    "student_id = $1 AND group_id = $2", id, cls.group_id, NULL), 1);
	free(body);
	free(path);
	api_class_free(&cls);
}

Test(enrollments, enroll_by_email_id_any_case_trimmed)
{
	struct api_class	 cls;
	char			 a[API_ID_SIZE], ua[80], b[API_ID_SIZE];
	char			 ub[80], d[API_ID_SIZE], ud[80];
	char			*path, *body, *email;
	struct api_response	 r;

	api_class_create(&cls, 0, NULL, NULL);
	api_user_create("student", "ee", a, ua);
	api_user_create("student", "ei", b, ub);
	api_user_create("student", "ec", d, ud);
	path = enroll_path(cls.group_id);

	email = api_printf("%s@EXAMPLE.edu", ua);
	api_uppercase(email);
	body = api_printf("{\"student\":\"%s\"}", email);
	api_request(cls.professor, "POST", path, body, &r);
	cr_assert_eq(r.status, 201, "by email: %ld %s", r.status, r.body);
	assert_enrollment(api_json_get(r.json, "enrollment"), a, ua, &cls);
	api_response_free(&r);
	free(body);
	free(email);

	body = api_printf("{\"student\":\"%s\"}", b);
	api_request(cls.professor, "POST", path, body, &r);
	cr_assert_eq(r.status, 201, "by id: %ld %s", r.status, r.body);
	assert_enrollment(api_json_get(r.json, "enrollment"), b, ub, &cls);
	api_response_free(&r);
	free(body);

	body = api_printf("{\"student\":\"  %s  \"}", ud);
	api_request(cls.professor, "POST", path, body, &r);
	cr_assert_eq(r.status, 201, "trimmed: %ld %s", r.status, r.body);
	assert_enrollment(api_json_get(r.json, "enrollment"), d, ud, &cls);
	api_response_free(&r);
	free(body);
	free(path);
	api_class_free(&cls);
}

Test(enrollments, unknown_student_or_professor_is_404)
{
	struct api_class	 cls;
	char			 nobody[80], *path, *body;

	api_class_create(&cls, 0, NULL, NULL);
	path = enroll_path(cls.group_id);
	api_unique("nobody", nobody, sizeof(nobody));
	body = api_printf("{\"student\":\"%s\"}", nobody);
	api_expect_error(cls.professor, "POST", path, body, 404, "not_found");
	free(body);
	body = api_printf("{\"student\":\"%s\"}", cls.professor_id);
	api_expect_error(cls.professor, "POST", path, body, 404, "not_found");
	free(body);
	api_expect_error(cls.professor, "POST", path,
	    "{\"student\":\"" UNKNOWN_ID "\"}", 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments "
	    "WHERE group_id = $1", cls.group_id, NULL), 0);
	free(path);
	api_class_free(&cls);
}

Test(enrollments, professor_by_username_is_404)
{
	struct api_class	 cls;
	char			 id[API_ID_SIZE], user[80], *path, *body;

	api_class_create(&cls, 0, NULL, NULL);
	api_user_create("professor", "ep", id, user);
	path = enroll_path(cls.group_id);
	body = api_printf("{\"student\":\"%s\"}", user);
	api_expect_error(cls.professor, "POST", path, body, 404, "not_found");
	free(body);
	free(path);
	api_class_free(&cls);
}

Test(enrollments, one_group_per_course)
{
	struct api_class	 cls, other;
	char			 sid[1][API_ID_SIZE], g2[API_ID_SIZE];
	char			*body, *p1, *p2, *p3;

	api_class_create(&cls, 1, NULL, sid);
	api_class_create(&other, 0, NULL, NULL);
	group_new(cls.professor, cls.course_id, "G2", g2);
	body = api_printf("{\"student\":\"%s\"}", sid[0]);
	p1 = enroll_path(cls.group_id);
	p2 = enroll_path(g2);
	p3 = enroll_path(other.group_id);
	api_expect_error(cls.professor, "POST", p1, body, 409,
	    "already_enrolled");
	api_expect_error(cls.professor, "POST", p2, body, 409,
	    "already_enrolled");
	/* Another course is fine. */
	expect(other.professor, "POST", p3, body, 201);
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments "
	    "WHERE student_id = $1", sid[0], NULL), 2);
	free(p1);
	free(p2);
	free(p3);
	free(body);
	api_class_free(&cls);
	api_class_free(&other);
}

Test(enrollments, bulk_reports_each_entry_in_order)
{
	struct api_class	 cls;
	char			 s[4][API_ID_SIZE], u[4][80], g2[API_ID_SIZE];
	char			 prof[API_ID_SIZE], pu[80], nobody[80];
	char			*path, *body, *email;
	struct api_response	 r;
	json_object		*enrolled, *failed;
	size_t			 i;

	api_class_create(&cls, 0, NULL, NULL);
	for (i = 0; i < 4; i++)
		api_user_create("student", "eb", s[i], u[i]);
	api_user_create("professor", "ebp", prof, pu);
	api_unique("nobody", nobody, sizeof(nobody));
	/* s[3] is already in another group of the course. */
	group_new(cls.professor, cls.course_id, "G2", g2);
	path = enroll_path(g2);
	body = api_printf("{\"student\":\"%s\"}", u[3]);
	expect(cls.professor, "POST", path, body, 201);
	free(body);
	free(path);

	email = api_printf("%s@example.edu", u[1]);
	api_uppercase(email);
	body = api_printf("{\"students\":[\"%s\",\"%s\",\"%s\",\"%s\","
	    "\"%s\",\"%s\",\"%s\"]}", u[0], nobody, email, pu, s[2], u[0],
	    u[3]);
	path = enroll_path(cls.group_id);
	api_request(cls.professor, "POST", path, body, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_keys(r.json, "", "enrolled failed");
	enrolled = api_json_get(r.json, "enrolled");
	failed = api_json_get(r.json, "failed");
	cr_assert_eq(array_length(r.json, "enrolled"), 3, "%s", r.body);
	cr_assert_eq(array_length(r.json, "failed"), 4, "%s", r.body);
	assert_enrollment(json_object_array_get_idx(enrolled, 0), s[0], u[0],
	    &cls);
	assert_enrollment(json_object_array_get_idx(enrolled, 1), s[1], u[1],
	    &cls);
	assert_enrollment(json_object_array_get_idx(enrolled, 2), s[2], u[2],
	    &cls);
	for (i = 0; i < 4; i++) {
		json_object	*f = json_object_array_get_idx(failed, i);

		api_assert_keys(f, "", "student error");
		api_assert_keys(f, "error", "code message");
	}
	cr_assert_str_eq(api_json_string(failed, "0.student"), nobody);
	cr_assert_str_eq(api_json_string(failed, "0.error.code"),
	    "not_found");
	cr_assert_str_eq(api_json_string(failed, "1.student"), pu);
	cr_assert_str_eq(api_json_string(failed, "1.error.code"),
	    "not_found");
	cr_assert_str_eq(api_json_string(failed, "2.student"), u[0]);
	cr_assert_str_eq(api_json_string(failed, "2.error.code"),
	    "already_enrolled");
	cr_assert_str_eq(api_json_string(failed, "3.student"), u[3]);
	cr_assert_str_eq(api_json_string(failed, "3.error.code"),
	    "already_enrolled");
	api_response_free(&r);
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments "
	    "WHERE group_id = $1", cls.group_id, NULL), 3);
	free(body);
	free(email);
	free(path);
	api_class_free(&cls);
}

/* {"students":[...]} of n unknown names. */
static char *
bulk_of_unknowns(size_t n)
{
	char	*body = malloc(32 + n * 24), *p;
	size_t	 i;

	cr_assert(body != NULL);
	p = body + sprintf(body, "{\"students\":[");
	for (i = 0; i < n; i++)
		p += sprintf(p, "%s\"nobody-%zu\"", i > 0 ? "," : "", i);
	strcpy(p, "]}");
	return body;
}

Test(enrollments, bulk_takes_up_to_1000)
{
	struct api_class	 cls;
	char			*path, *body;
	struct api_response	 r;

	api_class_create(&cls, 0, NULL, NULL);
	path = enroll_path(cls.group_id);
	body = bulk_of_unknowns(1001);
	api_expect_error(cls.professor, "POST", path, body, 400,
	    "invalid_request");
	free(body);
	body = bulk_of_unknowns(1000);
	api_request(cls.professor, "POST", path, body, &r);
	cr_assert_eq(r.status, 200, "%ld %.200s", r.status, r.body);
	cr_assert_eq(array_length(r.json, "enrolled"), 0);
	cr_assert_eq(array_length(r.json, "failed"), 1000);
	cr_assert_str_eq(api_json_string(r.json, "failed.999.student"),
	    "nobody-999");
	cr_assert_str_eq(api_json_string(r.json, "failed.999.error.code"),
	    "not_found");
	api_response_free(&r);
	free(body);
	free(path);
	api_class_free(&cls);
}

Test(enrollments, enroll_body_is_checked)
{
	static const char *const bodies[] = {
		"{}",
		"{\"student\":5}",
		"{\"student\":null}",
		"{\"student\":\"\"}",
		"{\"student\":\"   \"}",
		"{\"student\":[\"x\"]}",
		"{\"students\":\"x\"}",
		"{\"students\":[\"x\",5]}",
		"{\"students\":[null]}",
		"{\"students\":{}}",
		"[\"x\"]",
		NULL
	};
	struct api_class	 cls;
	char			*path;
	size_t			 i;

	api_class_create(&cls, 0, NULL, NULL);
	path = enroll_path(cls.group_id);
	for (i = 0; bodies[i] != NULL; i++)
		api_expect_error(cls.professor, "POST", path, bodies[i], 400,
		    "invalid_request");
	api_expect_error(cls.professor, "POST", path, NULL, 400,
	    "invalid_request");
	free(path);
	api_class_free(&cls);
}

Test(enrollments, list_enrollments_of_a_group)
{
	struct api_class	 cls;
	char			 sid[3][API_ID_SIZE], g2[API_ID_SIZE];
	char			 id[API_ID_SIZE], user[80], *path, *body;
	struct api_response	 r;
	json_object		*list;
	size_t			 i;
	int			 k;

	api_class_create(&cls, 3, NULL, sid);
	group_new(cls.professor, cls.course_id, "G2", g2);
	api_user_create("student", "el", id, user);
	path = enroll_path(g2);
	body = api_printf("{\"student\":\"%s\"}", user);
	expect(cls.professor, "POST", path, body, 201);
	free(body);
	free(path);

	path = enroll_path(cls.group_id);
	get_ok(cls.professor, path, &r);
	api_assert_keys(r.json, "", "enrollments");
	list = api_json_get(r.json, "enrollments");
	cr_assert_eq(array_length(r.json, "enrollments"), 3, "%s", r.body);
	for (i = 0; i < 3; i++) {
		k = find(list, "studentId", sid[i]);
		cr_assert(k >= 0, "%s missing: %s", sid[i], r.body);
		api_assert_keys(json_object_array_get_idx(list, (size_t)k), "",
		    ENROLLMENT_KEYS);
		cr_assert_str_eq(api_json_string(json_object_array_get_idx(
		    list, (size_t)k), "groupId"), cls.group_id);
	}
	cr_assert_eq(find(list, "studentId", id), -1);
	api_response_free(&r);
	free(path);

	path = enroll_path(g2);
	get_ok(cls.professor, path, &r);
	cr_assert_eq(array_length(r.json, "enrollments"), 1, "%s", r.body);
	api_assert_keys(r.json, "enrollments.0", ENROLLMENT_KEYS);
	cr_assert_str_eq(api_json_string(r.json, "enrollments.0.studentId"),
	    id);
	cr_assert_str_eq(api_json_string(r.json, "enrollments.0.username"),
	    user);
	api_response_free(&r);
	free(path);
	api_class_free(&cls);
}

Test(enrollments, delete_then_404_and_free_to_move)
{
	struct api_class	 cls;
	struct api_client	*student[1];
	char			 sid[1][API_ID_SIZE], g2[API_ID_SIZE];
	char			*path, *list, *body, *p2;
	struct api_response	 r;

	api_class_create(&cls, 1, student, sid);
	group_new(cls.professor, cls.course_id, "G2", g2);
	path = api_printf("/api/groups/%s/enrollments/%s", cls.group_id,
	    sid[0]);
	expect_deleted(cls.professor, path);
	api_expect_error(cls.professor, "DELETE", path, NULL, 404, "not_found");
	list = enroll_path(cls.group_id);
	get_ok(cls.professor, list, &r);
	cr_assert_eq(array_length(r.json, "enrollments"), 0, "%s", r.body);
	api_response_free(&r);
	get_ok(student[0], "/api/courses", &r);
	cr_assert_eq(array_length(r.json, "courses"), 0, "%s", r.body);
	api_response_free(&r);

	/* Now another group of the course may take the student. */
	p2 = enroll_path(g2);
	body = api_printf("{\"student\":\"%s\"}", sid[0]);
	expect(cls.professor, "POST", p2, body, 201);
	get_ok(student[0], "/api/courses", &r);
	cr_assert_eq(array_length(r.json, "courses"), 1, "%s", r.body);
	cr_assert_str_eq(api_json_string(r.json, "courses.0.group.id"), g2);
	api_response_free(&r);
	free(body);
	free(p2);
	free(list);
	free(path);
	api_client_free(student[0]);
	api_class_free(&cls);
}

Test(enrollments, delete_of_someone_not_in_the_group_is_404)
{
	struct api_class	 cls;
	char			 sid[1][API_ID_SIZE], g2[API_ID_SIZE];
	char			 id[API_ID_SIZE], user[80], *path;

	api_class_create(&cls, 1, NULL, sid);
	group_new(cls.professor, cls.course_id, "G2", g2);
	api_user_create("student", "en", id, user);
	path = api_printf("/api/groups/%s/enrollments/%s", cls.group_id, id);
	api_expect_error(cls.professor, "DELETE", path, NULL, 404, "not_found");
	free(path);
	/* Enrolled in G1, removed through G2: not there. */
	path = api_printf("/api/groups/%s/enrollments/%s", g2, sid[0]);
	api_expect_error(cls.professor, "DELETE", path, NULL, 404, "not_found");
	free(path);
	path = api_printf("/api/groups/%s/enrollments/not-a-uuid",
	    cls.group_id);
	api_expect_error(cls.professor, "DELETE", path, NULL, 404, "not_found");
	free(path);
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments WHERE "
	    "student_id = $1 AND group_id = $2", sid[0], cls.group_id, NULL),
	    1);
	api_class_free(&cls);
}

Test(enrollments, delete_with_attendance_records_is_409)
{
	struct api_class	 cls;
	char			 sid[1][API_ID_SIZE], session[API_ID_SIZE];
	char			 round[API_ID_SIZE], *path, *record;
	struct api_response	 r;

	api_class_create(&cls, 1, NULL, sid);
	session_start(cls.professor, cls.group_id, session, round);
	record = api_printf("/api/sessions/%s/rounds/%s/records/%s", session,
	    round, sid[0]);
	api_request(cls.professor, "PUT", record, "{\"status\":\"present\"}",
	    &r);
	cr_assert_eq(r.status, 200, "PUT %s: %ld %s", record, r.status,
	    r.body);
	api_response_free(&r);
	path = api_printf("/api/groups/%s/enrollments/%s", cls.group_id,
	    sid[0]);
	api_expect_error(cls.professor, "DELETE", path, NULL, 409, "conflict");
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments WHERE "
	    "student_id = $1", sid[0], NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE student_id = $1", sid[0], NULL), 1);
	free(path);
	free(record);
	api_class_free(&cls);
}

Test(enrollments, another_professors_group_is_404)
{
	struct api_class	 cls;
	char			 sid[1][API_ID_SIZE], b[API_ID_SIZE];
	char			 id[API_ID_SIZE], user[80], *path, *body;
	struct api_client	*pb;

	api_class_create(&cls, 1, NULL, sid);
	pb = professor(b);
	api_user_create("student", "eo", id, user);
	path = enroll_path(cls.group_id);
	body = api_printf("{\"student\":\"%s\"}", user);
	api_expect_error(pb, "POST", path, body, 404, "not_found");
	free(body);
	body = api_printf("{\"students\":[\"%s\"]}", user);
	api_expect_error(pb, "POST", path, body, 404, "not_found");
	free(body);
	api_expect_error(pb, "GET", path, NULL, 404, "not_found");
	free(path);
	path = api_printf("/api/groups/%s/enrollments/%s", cls.group_id,
	    sid[0]);
	api_expect_error(pb, "DELETE", path, NULL, 404, "not_found");
	free(path);
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments "
	    "WHERE group_id = $1", cls.group_id, NULL), 1);
	/* An unknown group alike. */
	api_expect_error(cls.professor, "GET", "/api/groups/" UNKNOWN_ID
	    "/enrollments", NULL, 404, "not_found");
	api_expect_error(cls.professor, "POST", "/api/groups/" UNKNOWN_ID
	    "/enrollments", "{\"student\":\"x\"}", 404, "not_found");
	api_client_free(pb);
	api_class_free(&cls);
}

Test(enrollments, students_may_not_manage_enrollments)
{
	struct api_class	 cls;
	struct api_client	*student[1];
	char			 sid[1][API_ID_SIZE], *path, *body;

	api_class_create(&cls, 1, student, sid);
	path = enroll_path(cls.group_id);
	body = api_printf("{\"student\":\"%s\"}", sid[0]);
	api_expect_error(student[0], "POST", path, body, 403, "forbidden");
	api_expect_error(student[0], "GET", path, NULL, 403, "forbidden");
	free(body);
	free(path);
	path = api_printf("/api/groups/%s/enrollments/%s", cls.group_id,
	    sid[0]);
	api_expect_error(student[0], "DELETE", path, NULL, 403, "forbidden");
	free(path);
	cr_assert_eq(api_db_long("SELECT count(*) FROM enrollments "
	    "WHERE group_id = $1", cls.group_id, NULL), 1);
	api_client_free(student[0]);
	api_class_free(&cls);
}
