/*
 * Stats through nginx, as ../shared/spec/API.md writes them: a session's
 * rounds and students, a course's groups and students, a student's own
 * courses, from data with every status in it (scans, overrides, absent
 * overrides, rounds with no record), compared exactly; and who may read
 * them.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "api_support.h"

#define ID		API_ID_SIZE

/* A random well-formed UUID that names nothing. */
#define UNKNOWN_ID	"0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5e"

TestSuite(stats, .timeout = 90);

#define SESSION_STATS_KEYS "sessionId groupId courseId status startsAt " \
			"endsAt enrolledCount totalRounds rounds students"
#define ROUND_STATS_KEYS "roundId roundNumber startsAt endsAt isActive " \
			"present late excused absent"
#define STUDENT_STATS_KEYS "studentId username displayName present late " \
			"excused absent attendanceRate"
#define COURSE_STATS_KEYS "courseId enrolledCount totalSessions " \
			"totalRounds groups students"
#define GROUP_STATS_KEYS "groupId name enrolledCount sessions rounds " \
			"attendanceRate"
#define COURSE_STUDENT_KEYS "studentId username displayName groupId " \
			"present late excused absent attendanceRate"
#define MY_COURSE_KEYS	"courseId code name term groupId groupName " \
			"totalRounds present late excused absent attendanceRate"

#define RATE_TOLERANCE	1e-9

/*
 * The data every stats test reads, built through the API:
 *   group 1 (the class's): students A B C D (st[0..3]);
 *   group 2: E and F; group 3: G, and no session ever.
 *   S1 in group 1, three rounds (P present, L late, X excused,
 *   A absent override, - no record; * by a scan):
 *	     r1  r2  r3
 *	A    P*  L   P*
 *	B    L   P*  -
 *	C    X   A   X
 *	D    -   P   A	(r3: present, then replaced by absent)
 *   S2 in group 1 (after S1 ended), one round: A present.
 *   S3 in group 2, two rounds, left active: E P* then L; F P then X.
 */
struct world {
	struct api_class	 c;
	struct api_client	*st[4];
	char			 ids[4][ID];
	char			 g2[ID], g3[ID];
	struct api_client	*e, *f, *g;
	char			 e_id[ID], f_id[ID], g_id[ID];
	char			 s1[ID], s1r[3][ID];
	char			 s2[ID], s2r[ID];
	char			 s3[ID], s3r[2][ID];
	struct api_response	 r;
};

static void
world_free(struct world *w)
{
	size_t	 i;

	for (i = 0; i < 4; i++)
		api_client_free(w->st[i]);
	api_client_free(w->e);
	api_client_free(w->f);
	api_client_free(w->g);
	api_response_free(&w->r);
	api_class_free(&w->c);
}

static void
new_group(struct world *w, const char *name, char group[ID])
{
	char	 body[128];

	snprintf(body, sizeof(body), "{\"name\": \"%s\"}", name);
	api_reqf(w->c.professor, "POST", body, &w->r, "/api/courses/%s/groups",
	    w->c.course_id);
	api_expect_status(&w->r, 201);
	api_copy_id(group, w->r.json, "group.id");
}

static void
start(struct world *w, const char *group, char session[ID], char round[ID])
{
	api_reqf_nobody(w->c.professor, "POST", &w->r,
	    "/api/groups/%s/sessions", group);
	api_expect_status(&w->r, 201);
	api_copy_id(session, w->r.json, "session.id");
	api_copy_id(round, w->r.json, "round.id");
}

static void
end(struct world *w, const char *session)
{
	api_reqf_nobody(w->c.professor, "PATCH", &w->r, "/api/sessions/%s/end",
	    session);
	api_expect_status(&w->r, 200);
}

static void
set(struct world *w, const char *session, const char *round,
    const char *student, const char *status)
{
	char	 body[64];

	snprintf(body, sizeof(body), "{\"status\": \"%s\"}", status);
	api_reqf(w->c.professor, "PUT", body, &w->r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round, student);
	api_expect_status(&w->r, 200);
	api_assert_string_at(w->r.json, "record.status", status);
}

/* The student scans a fresh token of the round: present. */
static void
scan_in(struct world *w, struct api_client *student, const char *session,
    const char *round)
{
	struct api_events	*ev;
	char			*name = NULL, token[64], body[128];
	json_object		*data = NULL;

	ev = api_events_subscribe(session);
	api_reqf_nobody(w->c.professor, "POST", &w->r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	api_expect_status(&w->r, 202);
	for (;;) {
		cr_assert(api_events_next(ev, 2000, &name, &data) != 0,
		    "no round:qr-updated event");
		if (strcmp(name, "round:qr-updated") == 0)
			break;
		free(name);
		json_object_put(data);
	}
	api_assert_string_at(data, "roundId", round);
	snprintf(token, sizeof(token), "%s", api_json_string(data, "token"));
	free(name);
	json_object_put(data);
	api_events_free(ev);

	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	api_reqf(student, "POST", body, &w->r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_expect_status(&w->r, 201);
	api_assert_string_at(w->r.json, "record.status", "present");
}

/* Session S1 only (left active), or the whole world. */
static void
world_build(struct world *w, int whole)
{
	memset(w, 0, sizeof(*w));
	api_class_create(&w->c, 4, w->st, w->ids);
	new_group(w, "Group 2", w->g2);
	new_group(w, "Group 3", w->g3);
	w->e = api_enrolled_student(w->c.professor, &w->r, w->g2, "stats",
	    w->e_id);
	w->f = api_enrolled_student(w->c.professor, &w->r, w->g2, "stats",
	    w->f_id);
	w->g = api_enrolled_student(w->c.professor, &w->r, w->g3, "stats",
	    w->g_id);

	start(w, w->c.group_id, w->s1, w->s1r[0]);
	scan_in(w, w->st[0], w->s1, w->s1r[0]);
	set(w, w->s1, w->s1r[0], w->ids[1], "late");
	set(w, w->s1, w->s1r[0], w->ids[2], "excused");
	api_new_round(w->c.professor, &w->r, w->s1, w->s1r[1]);
	set(w, w->s1, w->s1r[1], w->ids[0], "late");
	scan_in(w, w->st[1], w->s1, w->s1r[1]);
	set(w, w->s1, w->s1r[1], w->ids[2], "absent");
	set(w, w->s1, w->s1r[1], w->ids[3], "present");
	api_new_round(w->c.professor, &w->r, w->s1, w->s1r[2]);
	scan_in(w, w->st[0], w->s1, w->s1r[2]);
	set(w, w->s1, w->s1r[2], w->ids[2], "excused");
	set(w, w->s1, w->s1r[2], w->ids[3], "present");
	set(w, w->s1, w->s1r[2], w->ids[3], "absent");
	if (!whole)
		return;
	end(w, w->s1);

	start(w, w->c.group_id, w->s2, w->s2r);
	set(w, w->s2, w->s2r, w->ids[0], "present");
	end(w, w->s2);

	start(w, w->g2, w->s3, w->s3r[0]);
	scan_in(w, w->e, w->s3, w->s3r[0]);
	set(w, w->s3, w->s3r[0], w->f_id, "present");
	api_new_round(w->c.professor, &w->r, w->s3, w->s3r[1]);
	set(w, w->s3, w->s3r[1], w->e_id, "late");
	set(w, w->s3, w->s3r[1], w->f_id, "excused");
}

/* The element of array whose member key is value (asserts one). */
static json_object *
find(json_object *array, const char *key, const char *value)
{
	json_object	*found = NULL, *item, *v;
	size_t		 i, n;

	cr_assert(array != NULL && json_object_is_type(array,
	    json_type_array), "not an array");
	n = json_object_array_length(array);
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(array, i);
		if (!json_object_object_get_ex(item, key, &v) ||
		    !json_object_is_type(v, json_type_string) ||
		    strcmp(json_object_get_string(v), value) != 0)
			continue;
		cr_assert(found == NULL, "%s %s listed twice", key, value);
		found = item;
	}
	cr_assert(found != NULL, "no %s %s in %s", key, value,
	    json_object_to_json_string(array));
	return found;
}

static void
counts(json_object *o, int64_t present, int64_t late, int64_t excused,
    int64_t absent)
{
	const char	*s = json_object_to_json_string(o);

	cr_assert_eq(api_json_int(o, "present"), present, "present in %s", s);
	cr_assert_eq(api_json_int(o, "late"), late, "late in %s", s);
	cr_assert_eq(api_json_int(o, "excused"), excused, "excused in %s", s);
	cr_assert_eq(api_json_int(o, "absent"), absent, "absent in %s", s);
}

/* A JSON number (integer or not) within RATE_TOLERANCE of want. */
static void
rate(json_object *o, const char *path, double want)
{
	json_object	*v = api_json_get(o, path);
	double		 got, d;

	cr_assert(v != NULL && (json_object_is_type(v, json_type_double) ||
	    json_object_is_type(v, json_type_int)), "%s is not a number in %s",
	    path, json_object_to_json_string(o));
	got = json_object_get_double(v);
	d = got - want;
	cr_assert(d < RATE_TOLERANCE && d > -RATE_TOLERANCE,
	    "%s is %.17g, wanted %.17g, in %s", path, got, want,
	    json_object_to_json_string(o));
}

static char *
user_field(const char *id, const char *column)
{
	char	 sql[128];

	snprintf(sql, sizeof(sql), "SELECT %s FROM users WHERE id = $1",
	    column);
	return api_db_value(sql, id, NULL);
}

/* A SessionStats students[] entry. */
static void
student_row(json_object *students, const char *id, const char *keys,
    int64_t p, int64_t l, int64_t x, int64_t a, double want)
{
	json_object	*s = find(students, "studentId", id);
	char		*username, *name;

	api_assert_keys(s, "", keys);
	username = user_field(id, "username");
	name = user_field(id, "display_name");
	api_assert_string_at(s, "username", username);
	api_assert_string_at(s, "displayName", name);
	counts(s, p, l, x, a);
	rate(s, "attendanceRate", want);
	free(username);
	free(name);
}

static void
round_row(json_object *rounds, const char *id, int64_t number, int active,
    int64_t p, int64_t l, int64_t x, int64_t a)
{
	json_object	*r = find(rounds, "roundId", id);

	api_assert_keys(r, "", ROUND_STATS_KEYS);
	api_assert_round_state(r, number, active);
	counts(r, p, l, x, a);
}

/* S1's SessionStats: the same numbers while active and once ended. */
static void
check_s1(struct world *w, int active)
{
	json_object	*j, *rounds, *students;

	api_reqf(w->c.professor, "GET", NULL, &w->r,
	    "/api/professor/sessions/%s/stats", w->s1);
	api_expect_status(&w->r, 200);
	j = w->r.json;
	api_assert_keys(j, "", SESSION_STATS_KEYS);
	api_assert_string_at(j, "sessionId", w->s1);
	api_assert_string_at(j, "groupId", w->c.group_id);
	api_assert_string_at(j, "courseId", w->c.course_id);
	api_assert_string_at(j, "status", active ? "active" : "ended");
	api_assert_timestamp(j, "startsAt");
	if (active)
		api_assert_null(j, "endsAt");
	else
		api_assert_timestamp(j, "endsAt");
	cr_assert_eq(api_json_int(j, "enrolledCount"), 4);
	cr_assert_eq(api_json_int(j, "totalRounds"), 3);

	rounds = api_json_get(j, "rounds");
	cr_assert_eq(json_object_array_length(rounds), 3);
	round_row(rounds, w->s1r[0], 1, 0, 1, 1, 1, 1);
	round_row(rounds, w->s1r[1], 2, 0, 2, 1, 0, 1);
	round_row(rounds, w->s1r[2], 3, active, 1, 0, 1, 2);

	students = api_json_get(j, "students");
	cr_assert_eq(json_object_array_length(students), 4,
	    "students of another group are listed");
	student_row(students, w->ids[0], STUDENT_STATS_KEYS, 2, 1, 0, 0, 1.0);
	student_row(students, w->ids[1], STUDENT_STATS_KEYS, 1, 1, 0, 1,
	    2.0 / 3.0);
	student_row(students, w->ids[2], STUDENT_STATS_KEYS, 0, 0, 2, 1, 0.0);
	student_row(students, w->ids[3], STUDENT_STATS_KEYS, 1, 0, 0, 2,
	    1.0 / 3.0);
}

Test(stats, session_stats_count_every_round_and_student)
{
	struct world	 w;

	world_build(&w, 0);
	check_s1(&w, 1);
	end(&w, w.s1);
	check_s1(&w, 0);
	world_free(&w);
}

Test(stats, course_stats_count_groups_and_students)
{
	struct world	 w;
	json_object	*j, *groups, *students, *g;
	char		*name;

	world_build(&w, 1);
	api_reqf(w.c.professor, "GET", NULL, &w.r,
	    "/api/professor/courses/%s/stats", w.c.course_id);
	api_expect_status(&w.r, 200);
	j = w.r.json;
	api_assert_keys(j, "", COURSE_STATS_KEYS);
	api_assert_string_at(j, "courseId", w.c.course_id);
	cr_assert_eq(api_json_int(j, "enrolledCount"), 7);
	cr_assert_eq(api_json_int(j, "totalSessions"), 3);
	cr_assert_eq(api_json_int(j, "totalRounds"), 6);

	groups = api_json_get(j, "groups");
	cr_assert_eq(json_object_array_length(groups), 3);
	g = find(groups, "groupId", w.c.group_id);
	api_assert_keys(g, "", GROUP_STATS_KEYS);
	name = api_db_value("SELECT name FROM groups WHERE id = $1",
	    w.c.group_id, NULL);
	api_assert_string_at(g, "name", name);
	free(name);
	cr_assert_eq(api_json_int(g, "enrolledCount"), 4);
	cr_assert_eq(api_json_int(g, "sessions"), 2);
	cr_assert_eq(api_json_int(g, "rounds"), 4);
	rate(g, "attendanceRate", 7.0 / 16.0);
	g = find(groups, "groupId", w.g2);
	api_assert_keys(g, "", GROUP_STATS_KEYS);
	api_assert_string_at(g, "name", "Group 2");
	cr_assert_eq(api_json_int(g, "enrolledCount"), 2);
	cr_assert_eq(api_json_int(g, "sessions"), 1);
	cr_assert_eq(api_json_int(g, "rounds"), 2);
	rate(g, "attendanceRate", 3.0 / 4.0);
	g = find(groups, "groupId", w.g3);
	api_assert_keys(g, "", GROUP_STATS_KEYS);
	api_assert_string_at(g, "name", "Group 3");
	cr_assert_eq(api_json_int(g, "enrolledCount"), 1);
	cr_assert_eq(api_json_int(g, "sessions"), 0);
	cr_assert_eq(api_json_int(g, "rounds"), 0);
	rate(g, "attendanceRate", 0.0);

	students = api_json_get(j, "students");
	cr_assert_eq(json_object_array_length(students), 7);
	student_row(students, w.ids[0], COURSE_STUDENT_KEYS, 3, 1, 0, 0, 1.0);
	student_row(students, w.ids[1], COURSE_STUDENT_KEYS, 1, 1, 0, 2, 0.5);
	student_row(students, w.ids[2], COURSE_STUDENT_KEYS, 0, 0, 2, 2, 0.0);
	student_row(students, w.ids[3], COURSE_STUDENT_KEYS, 1, 0, 0, 3, 0.25);
	student_row(students, w.e_id, COURSE_STUDENT_KEYS, 1, 1, 0, 0, 1.0);
	student_row(students, w.f_id, COURSE_STUDENT_KEYS, 1, 0, 1, 0, 0.5);
	student_row(students, w.g_id, COURSE_STUDENT_KEYS, 0, 0, 0, 0, 0.0);
	api_assert_string_at(find(students, "studentId", w.ids[0]), "groupId",
	    w.c.group_id);
	api_assert_string_at(find(students, "studentId", w.ids[3]), "groupId",
	    w.c.group_id);
	api_assert_string_at(find(students, "studentId", w.e_id), "groupId",
	    w.g2);
	api_assert_string_at(find(students, "studentId", w.f_id), "groupId",
	    w.g2);
	api_assert_string_at(find(students, "studentId", w.g_id), "groupId",
	    w.g3);
	world_free(&w);
}

/* A StudentCourseStats entry of course, in the student's group. */
static void
my_course(json_object *courses, const char *course, const char *group,
    int64_t rounds, int64_t p, int64_t l, int64_t x, int64_t a, double want)
{
	json_object	*c = find(courses, "courseId", course);
	char		*code, *name, *term, *gname;

	api_assert_keys(c, "", MY_COURSE_KEYS);
	code = api_db_value("SELECT code FROM courses WHERE id = $1", course,
	    NULL);
	name = api_db_value("SELECT name FROM courses WHERE id = $1", course,
	    NULL);
	term = api_db_value("SELECT term FROM courses WHERE id = $1", course,
	    NULL);
	gname = api_db_value("SELECT name FROM groups WHERE id = $1", group,
	    NULL);
	api_assert_string_at(c, "code", code);
	api_assert_string_at(c, "name", name);
	api_assert_string_at(c, "term", term);
	api_assert_string_at(c, "groupId", group);
	api_assert_string_at(c, "groupName", gname);
	cr_assert_eq(api_json_int(c, "totalRounds"), rounds);
	counts(c, p, l, x, a);
	rate(c, "attendanceRate", want);
	free(code);
	free(name);
	free(term);
	free(gname);
}

static json_object *
my_stats(struct world *w, struct api_client *student, size_t ncourses)
{
	json_object	*courses;

	api_reqf(student, "GET", NULL, &w->r, "/api/students/me/stats");
	api_expect_status(&w->r, 200);
	api_assert_keys(w->r.json, "", "courses");
	courses = api_json_get(w->r.json, "courses");
	cr_assert(courses != NULL && json_object_is_type(courses,
	    json_type_array));
	cr_assert_eq(json_object_array_length(courses), ncourses, "%s",
	    json_object_to_json_string(courses));
	return courses;
}

Test(stats, student_stats_per_course)
{
	struct world		 w;
	struct api_class	 other;
	struct api_client	*none[1];
	char			 none_ids[1][ID], body[128];
	json_object		*courses;

	world_build(&w, 1);
	/* A's second course, of another professor, has no session yet. */
	memset(&other, 0, sizeof(other));
	api_class_create(&other, 0, none, none_ids);
	snprintf(body, sizeof(body), "{\"student\": \"%s\"}", w.ids[0]);
	api_reqf(other.professor, "POST", body, &w.r,
	    "/api/groups/%s/enrollments", other.group_id);
	api_expect_status(&w.r, 201);

	courses = my_stats(&w, w.st[0], 2);
	my_course(courses, w.c.course_id, w.c.group_id, 4, 3, 1, 0, 0, 1.0);
	my_course(courses, other.course_id, other.group_id, 0, 0, 0, 0, 0,
	    0.0);
	courses = my_stats(&w, w.st[1], 1);
	my_course(courses, w.c.course_id, w.c.group_id, 4, 1, 1, 0, 2, 0.5);
	courses = my_stats(&w, w.st[2], 1);
	my_course(courses, w.c.course_id, w.c.group_id, 4, 0, 0, 2, 2, 0.0);
	courses = my_stats(&w, w.st[3], 1);
	my_course(courses, w.c.course_id, w.c.group_id, 4, 1, 0, 0, 3, 0.25);
	courses = my_stats(&w, w.e, 1);
	my_course(courses, w.c.course_id, w.g2, 2, 1, 1, 0, 0, 1.0);
	courses = my_stats(&w, w.f, 1);
	my_course(courses, w.c.course_id, w.g2, 2, 1, 0, 1, 0, 0.5);
	/* Group 3 never had a session: 0 rounds, rate 0. */
	courses = my_stats(&w, w.g, 1);
	my_course(courses, w.c.course_id, w.g3, 0, 0, 0, 0, 0, 0.0);
	api_class_free(&other);
	world_free(&w);
}

/* The member key of array's elements never decreases, in array order. */
static void
ascending(json_object *array, const char *key)
{
	json_object	*a, *b;
	size_t		 i, n;

	n = json_object_array_length(array);
	for (i = 1; i < n; i++) {
		a = json_object_object_get(json_object_array_get_idx(array,
		    i - 1), key);
		b = json_object_object_get(json_object_array_get_idx(array, i),
		    key);
		cr_assert(a != NULL && b != NULL, "no %s in %s", key,
		    json_object_to_json_string(array));
		if (json_object_is_type(a, json_type_int))
			cr_assert(json_object_get_int64(a) <=
			    json_object_get_int64(b), "%s out of order: %s",
			    key, json_object_to_json_string(array));
		else
			cr_assert(strcmp(json_object_get_string(a),
			    json_object_get_string(b)) <= 0,
			    "%s out of order: %s", key,
			    json_object_to_json_string(array));
	}
}

/*
 * A session's counts are its own, with the group's later sessions and
 * another group's in the database; a student enrolled after the rounds is
 * absent from each of them (they are rounds of the student's group with
 * no record); a group without students has rate 0, not a division by
 * zero; lists come in the order docs/decisions.md gives.
 */
Test(stats, later_sessions_late_enrollment_and_an_empty_group)
{
	struct world		 w;
	struct api_client	*h;
	char			 h_id[ID], g4[ID], s4[ID], s4r[ID];
	json_object		*j, *rounds, *students, *groups, *g;

	world_build(&w, 1);
	h = api_enrolled_student(w.c.professor, &w.r, w.c.group_id, "stats",
	    h_id);
	new_group(&w, "Group 4", g4);
	start(&w, g4, s4, s4r);

	/* S1, as in check_s1 with H absent from its three rounds. */
	api_reqf(w.c.professor, "GET", NULL, &w.r,
	    "/api/professor/sessions/%s/stats", w.s1);
	api_expect_status(&w.r, 200);
	j = w.r.json;
	cr_assert_eq(api_json_int(j, "enrolledCount"), 5);
	cr_assert_eq(api_json_int(j, "totalRounds"), 3);
	rounds = api_json_get(j, "rounds");
	cr_assert_eq(json_object_array_length(rounds), 3);
	round_row(rounds, w.s1r[0], 1, 0, 1, 1, 1, 2);
	round_row(rounds, w.s1r[1], 2, 0, 2, 1, 0, 2);
	round_row(rounds, w.s1r[2], 3, 0, 1, 0, 1, 3);
	ascending(rounds, "roundNumber");
	students = api_json_get(j, "students");
	cr_assert_eq(json_object_array_length(students), 5);
	student_row(students, w.ids[0], STUDENT_STATS_KEYS, 2, 1, 0, 0, 1.0);
	student_row(students, w.ids[1], STUDENT_STATS_KEYS, 1, 1, 0, 1,
	    2.0 / 3.0);
	student_row(students, w.ids[2], STUDENT_STATS_KEYS, 0, 0, 2, 1, 0.0);
	student_row(students, w.ids[3], STUDENT_STATS_KEYS, 1, 0, 0, 2,
	    1.0 / 3.0);
	student_row(students, h_id, STUDENT_STATS_KEYS, 0, 0, 0, 3, 0.0);
	ascending(students, "username");

	/* S2: one round, A present, the four others absent. */
	api_reqf(w.c.professor, "GET", NULL, &w.r,
	    "/api/professor/sessions/%s/stats", w.s2);
	api_expect_status(&w.r, 200);
	j = w.r.json;
	cr_assert_eq(api_json_int(j, "enrolledCount"), 5);
	cr_assert_eq(api_json_int(j, "totalRounds"), 1);
	round_row(api_json_get(j, "rounds"), w.s2r, 1, 0, 1, 0, 0, 4);
	students = api_json_get(j, "students");
	cr_assert_eq(json_object_array_length(students), 5);
	student_row(students, w.ids[0], STUDENT_STATS_KEYS, 1, 0, 0, 0, 1.0);
	student_row(students, w.ids[2], STUDENT_STATS_KEYS, 0, 0, 0, 1, 0.0);
	student_row(students, h_id, STUDENT_STATS_KEYS, 0, 0, 0, 1, 0.0);
	ascending(students, "username");

	/* S3, in group 2, still active: only E and F. */
	api_reqf(w.c.professor, "GET", NULL, &w.r,
	    "/api/professor/sessions/%s/stats", w.s3);
	api_expect_status(&w.r, 200);
	j = w.r.json;
	cr_assert_eq(api_json_int(j, "enrolledCount"), 2);
	rounds = api_json_get(j, "rounds");
	round_row(rounds, w.s3r[0], 1, 0, 2, 0, 0, 0);
	round_row(rounds, w.s3r[1], 2, 1, 0, 1, 1, 0);
	students = api_json_get(j, "students");
	cr_assert_eq(json_object_array_length(students), 2);
	student_row(students, w.e_id, STUDENT_STATS_KEYS, 1, 1, 0, 0, 1.0);
	student_row(students, w.f_id, STUDENT_STATS_KEYS, 1, 0, 1, 0, 0.5);

	/* S4, in a group without students. */
	api_reqf(w.c.professor, "GET", NULL, &w.r,
	    "/api/professor/sessions/%s/stats", s4);
	api_expect_status(&w.r, 200);
	j = w.r.json;
	cr_assert_eq(api_json_int(j, "enrolledCount"), 0);
	cr_assert_eq(api_json_int(j, "totalRounds"), 1);
	round_row(api_json_get(j, "rounds"), s4r, 1, 1, 0, 0, 0, 0);
	cr_assert_eq(json_object_array_length(api_json_get(j, "students")),
	    0);

	api_reqf(w.c.professor, "GET", NULL, &w.r,
	    "/api/professor/courses/%s/stats", w.c.course_id);
	api_expect_status(&w.r, 200);
	j = w.r.json;
	cr_assert_eq(api_json_int(j, "enrolledCount"), 8);
	cr_assert_eq(api_json_int(j, "totalSessions"), 4);
	cr_assert_eq(api_json_int(j, "totalRounds"), 7);
	groups = api_json_get(j, "groups");
	cr_assert_eq(json_object_array_length(groups), 4);
	g = find(groups, "groupId", w.c.group_id);
	cr_assert_eq(api_json_int(g, "enrolledCount"), 5);
	cr_assert_eq(api_json_int(g, "rounds"), 4);
	rate(g, "attendanceRate", 7.0 / 20.0);
	g = find(groups, "groupId", g4);
	cr_assert_eq(api_json_int(g, "enrolledCount"), 0);
	cr_assert_eq(api_json_int(g, "sessions"), 1);
	cr_assert_eq(api_json_int(g, "rounds"), 1);
	rate(g, "attendanceRate", 0.0);
	ascending(groups, "name");
	students = api_json_get(j, "students");
	cr_assert_eq(json_object_array_length(students), 8);
	student_row(students, w.ids[0], COURSE_STUDENT_KEYS, 3, 1, 0, 0, 1.0);
	student_row(students, h_id, COURSE_STUDENT_KEYS, 0, 0, 0, 4, 0.0);
	student_row(students, w.f_id, COURSE_STUDENT_KEYS, 1, 0, 1, 0, 0.5);
	ascending(students, "username");

	my_course(my_stats(&w, h, 1), w.c.course_id, w.c.group_id, 4, 0, 0,
	    0, 4, 0.0);
	api_client_free(h);
	world_free(&w);
}

Test(stats, a_student_without_courses_has_an_empty_list)
{
	struct api_client	*c;
	struct api_response	 r = { 0 };
	char			 id[ID], username[80];

	c = api_user_login("student", "lonely", id, username);
	api_request(c, "GET", "/api/students/me/stats", NULL, &r);
	api_expect_status(&r, 200);
	api_assert_keys(r.json, "", "courses");
	cr_assert(json_object_is_type(api_json_get(r.json, "courses"),
	    json_type_array));
	cr_assert_eq(json_object_array_length(api_json_get(r.json,
	    "courses")), 0);
	api_response_free(&r);
	api_client_free(c);
}

Test(stats, stats_list_the_students_currently_enrolled)
{
	struct api_class	 c;
	struct api_client	*st[3];
	char			 ids[3][ID], session[ID], round[ID];
	struct api_response	 r = { 0 };
	json_object		*students;

	api_class_create(&c, 3, st, ids);
	api_reqf_nobody(c.professor, "POST", &r, "/api/groups/%s/sessions",
	    c.group_id);
	api_expect_status(&r, 201);
	api_copy_id(session, r.json, "session.id");
	api_copy_id(round, r.json, "round.id");
	api_reqf(c.professor, "PUT", "{\"status\": \"present\"}", &r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round, ids[0]);
	api_expect_status(&r, 200);
	/* The third student, with no record, leaves the group. */
	api_reqf(c.professor, "DELETE", NULL, &r,
	    "/api/groups/%s/enrollments/%s", c.group_id, ids[2]);
	cr_assert_eq(r.status, 204, "HTTP %ld: %s", r.status, r.body);

	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/sessions/%s/stats", session);
	api_expect_status(&r, 200);
	cr_assert_eq(api_json_int(r.json, "enrolledCount"), 2);
	students = api_json_get(r.json, "students");
	cr_assert_eq(json_object_array_length(students), 2);
	student_row(students, ids[0], STUDENT_STATS_KEYS, 1, 0, 0, 0, 1.0);
	student_row(students, ids[1], STUDENT_STATS_KEYS, 0, 0, 0, 1, 0.0);
	counts(find(api_json_get(r.json, "rounds"), "roundId", round), 1, 0,
	    0, 1);

	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/courses/%s/stats", c.course_id);
	api_expect_status(&r, 200);
	cr_assert_eq(api_json_int(r.json, "enrolledCount"), 2);
	cr_assert_eq(json_object_array_length(api_json_get(r.json,
	    "students")), 2);
	rate(find(api_json_get(r.json, "groups"), "groupId", c.group_id),
	    "attendanceRate", 0.5);

	api_reqf(st[2], "GET", NULL, &r, "/api/students/me/stats");
	api_expect_status(&r, 200);
	cr_assert_eq(json_object_array_length(api_json_get(r.json,
	    "courses")), 0);
	api_response_free(&r);
	api_client_free(st[0]);
	api_client_free(st[1]);
	api_client_free(st[2]);
	api_class_free(&c);
}

Test(stats, stats_are_for_their_owner_and_role)
{
	struct api_class	 c, other;
	struct api_client	*st[1], *anonymous, *none[1];
	char			 ids[1][ID], none_ids[1][ID];
	char			 session[ID], round[ID];
	struct api_response	 r = { 0 };

	api_class_create(&c, 1, st, ids);
	memset(&other, 0, sizeof(other));
	api_class_create(&other, 0, none, none_ids);
	api_reqf_nobody(c.professor, "POST", &r, "/api/groups/%s/sessions",
	    c.group_id);
	api_expect_status(&r, 201);
	api_copy_id(session, r.json, "session.id");
	api_copy_id(round, r.json, "round.id");

	/* Another professor: as if it did not exist. */
	api_reqf(other.professor, "GET", NULL, &r,
	    "/api/professor/sessions/%s/stats", session);
	api_assert_error(&r, 404, "not_found");
	api_reqf(other.professor, "GET", NULL, &r,
	    "/api/professor/courses/%s/stats", c.course_id);
	api_assert_error(&r, 404, "not_found");
	/* Unknown and malformed ids, and ids of the wrong kind. */
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/sessions/%s/stats", UNKNOWN_ID);
	api_assert_error(&r, 404, "not_found");
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/sessions/%s/stats", "abc");
	api_assert_error(&r, 404, "not_found");
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/sessions/%s/stats", round);
	api_assert_error(&r, 404, "not_found");
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/courses/%s/stats", UNKNOWN_ID);
	api_assert_error(&r, 404, "not_found");
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/courses/%s/stats", "abc");
	api_assert_error(&r, 404, "not_found");
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/courses/%s/stats", c.group_id);
	api_assert_error(&r, 404, "not_found");
	/* The wrong role. */
	api_reqf(st[0], "GET", NULL, &r, "/api/professor/sessions/%s/stats",
	    session);
	api_assert_error(&r, 403, "forbidden");
	api_reqf(st[0], "GET", NULL, &r, "/api/professor/courses/%s/stats",
	    c.course_id);
	api_assert_error(&r, 403, "forbidden");
	api_reqf(c.professor, "GET", NULL, &r, "/api/students/me/stats");
	api_assert_error(&r, 403, "forbidden");
	/* Nobody. */
	anonymous = api_client_new();
	api_reqf(anonymous, "GET", NULL, &r, "/api/professor/sessions/%s/stats",
	    session);
	api_assert_error(&r, 401, "unauthenticated");
	api_reqf(anonymous, "GET", NULL, &r, "/api/professor/courses/%s/stats",
	    c.course_id);
	api_assert_error(&r, 401, "unauthenticated");
	api_reqf(anonymous, "GET", NULL, &r, "/api/students/me/stats");
	api_assert_error(&r, 401, "unauthenticated");

	/* The owner sees them. */
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/sessions/%s/stats", session);
	api_expect_status(&r, 200);
	api_reqf(c.professor, "GET", NULL, &r,
	    "/api/professor/courses/%s/stats", c.course_id);
	api_expect_status(&r, 200);
	api_response_free(&r);
	api_client_free(anonymous);
	api_client_free(st[0]);
	api_class_free(&other);
	api_class_free(&c);
}
