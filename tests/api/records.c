/*
 * Issue 15 through nginx, as ../shared/spec/API.md (v1.1, "Stats and
 * reports") writes it: a student's own records of a course (every round
 * of the group's sessions, oldest first, absent ones with no time) and
 * the course's CSV export (its headers and file name, the byte-order
 * mark, RFC 4180 with CRLF after every line, one line per round and
 * student enrolled now, cells compared one by one after a real CSV
 * parser, names that must be quoted or guarded, flags joined), who may
 * read them; and a professor's override racing the student's scan of
 * the same round: the last write wins, nothing half written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "api_support.h"
#include "csv.h"

#define ID		API_ID_SIZE
#define UNKNOWN_ID	"0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5e"
#define MALFORMED_ID	"0b9e4c39-5a7c-4f55-9d3e"

#define RECORD_KEYS	"sessionId roundId roundNumber startsAt status " \
			"recordedAt"

#define BOM		"\xef\xbb\xbf"
#define HEADER		"course_code,term,group,session_id," \
			"session_started_at,round_number,round_started_at," \
			"username,display_name,email,status,recorded_at," \
			"source,flags"
#define CELLS		14
/* Zoë Ångström-Núñez, in UTF-8. */
#define ZOE		"Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m-N" \
			"\xc3\xba\xc3\xb1" "ez"

TestSuite(records, .timeout = 90);
TestSuite(export, .timeout = 120);
TestSuite(record_race, .timeout = 180);

/* --- helpers ------------------------------------------------------------ */

static char *
db_text(const char *sql, const char *a, const char *b)
{
	char	*v = api_db_value(sql, a, b, NULL);

	cr_assert(v != NULL, "no value for %s (%s, %s)", sql, a,
	    b != NULL ? b : "");
	return v;
}

/* A session's and its rounds' startsAt, as the API gives them. */
static void
session_times(struct api_client *professor, const char *session,
    char *started, char rounds[][32], size_t n)
{
	struct api_response	 r;
	char			 path[64];
	size_t			 i;

	memset(&r, 0, sizeof(r));
	api_reqf_nobody(professor, "GET", &r, "/api/sessions/%s", session);
	api_expect_status(&r, 200);
	snprintf(started, 32, "%s", api_json_string(r.json,
	    "session.startsAt"));
	cr_assert_eq(json_object_array_length(api_json_get(r.json,
	    "rounds")), n);
	for (i = 0; i < n; i++) {
		snprintf(path, sizeof(path), "rounds.%zu.startsAt", i);
		snprintf(rounds[i], 32, "%s", api_json_string(r.json, path));
	}
	api_response_free(&r);
}

/* The record of a PUT or scan answer: its recordedAt into at. */
static void
record_time(const struct api_response *r, char at[32])
{
	snprintf(at, 32, "%s", api_json_string(r->json, "record.recordedAt"));
}

/* PUT the status as f's professor; asserts 200, the time into at. */
static void
put(struct api_fixture *f, const char *session, const char *round,
    const char *student, const char *status, char at[32])
{
	api_put_record(f, session, round, student, status);
	api_expect_status(&f->r, 200);
	api_assert_string_at(f->r.json, "record.status", status);
	record_time(&f->r, at);
}

/* The student scans a fresh token of the round; asserts 201. */
static void
scan(struct api_fixture *f, struct api_client *student, const char *session,
    const char *round, char at[32])
{
	struct api_events	*ev;
	char			 token[API_TOKEN_SIZE];

	ev = api_events_subscribe(session);
	api_fresh_token(f, ev, session, round, token);
	api_events_free(ev);
	api_scan(student, session, round, token, &f->r);
	api_expect_status(&f->r, 201);
	record_time(&f->r, at);
}

/* --- GET /api/students/me/courses/:courseId/records ---------------------- */

/* Asserts the i-th of r's records. */
static void
expect_record(const struct api_response *r, size_t i, const char *session,
    const char *round, long long number, const char *starts,
    const char *status, const char *recorded)
{
	json_object	*list = api_json_get(r->json, "records"), *o;

	cr_assert(list != NULL && json_object_is_type(list, json_type_array),
	    "no records list in %s", r->body);
	cr_assert(i < json_object_array_length(list), "no record %zu in %s",
	    i, r->body);
	o = json_object_array_get_idx(list, i);
	api_assert_keys(o, "", RECORD_KEYS);
	api_assert_string_at(o, "sessionId", session);
	api_assert_string_at(o, "roundId", round);
	cr_assert_eq(api_json_int(o, "roundNumber"), number);
	api_assert_string_at(o, "startsAt", starts);
	api_assert_string_at(o, "status", status);
	if (recorded == NULL)
		api_assert_null(o, "recordedAt");
	else
		api_assert_string_at(o, "recordedAt", recorded);
}

static size_t
record_count(const struct api_response *r)
{
	json_object	*list = api_json_get(r->json, "records");

	cr_assert(list != NULL && json_object_is_type(list, json_type_array),
	    "no records list in %s", r->body);
	return json_object_array_length(list);
}

static void
my_records(struct api_client *c, const char *course, struct api_response *r)
{
	api_reqf_nobody(c, "GET", r, "/api/students/me/courses/%s/records",
	    course);
}

/* c's records of course into *r: asserts 200, {"records"} and n of them. */
static void
expect_records(struct api_client *c, const char *course,
    struct api_response *r, size_t n)
{
	my_records(c, course, r);
	api_expect_status(r, 200);
	api_assert_keys(r->json, "", "records");
	cr_assert_eq(record_count(r), n, "%s", r->body);
}

Test(records, every_round_of_the_group_oldest_first)
{
	struct api_fixture	 f;
	struct api_client	*other, *late;
	char			 s1[ID], s1r[3][ID], s2[ID], s2r[ID];
	char			 so[ID], sor[ID], other_id[ID], late_id[ID];
	char			 s1_at[32], s1_rounds[3][32], s2_at[32];
	char			 s2_rounds[1][32], so_at[32], so_rounds[1][32];
	char			 p1[32], a2[32], l1[32], ox[32], b1[32];
	char			*group;

	api_fixture_new(&f, 2);
	other = api_other_group_student(&f, other_id);

	/* S1: present (a scan), absent (an override), no record. */
	api_start_session(&f, NULL, s1, s1r[0]);
	scan(&f, f.st[0], s1, s1r[0], p1);
	put(&f, s1, s1r[0], f.ids[1], "excused", b1);
	api_new_round(f.c.professor, &f.r, s1, s1r[1]);
	put(&f, s1, s1r[1], f.ids[0], "absent", a2);
	api_new_round(f.c.professor, &f.r, s1, s1r[2]);
	api_end_session(&f, s1);
	/* The other group's session is none of group 1's business. */
	group = db_text("SELECT group_id::text FROM enrollments WHERE "
	    "student_id = $1", other_id, NULL);
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/groups/%s/sessions", group);
	free(group);
	api_expect_status(&f.r, 201);
	api_copy_id(so, f.r.json, "session.id");
	api_copy_id(sor, f.r.json, "round.id");
	put(&f, so, sor, other_id, "present", ox);
	/* S2, after S1: late; a student who joined in between. */
	late = api_enrolled_student(f.c.professor, &f.r, f.c.group_id, "late",
	    late_id);
	api_start_session(&f, NULL, s2, s2r);
	put(&f, s2, s2r, f.ids[0], "late", l1);
	session_times(f.c.professor, s1, s1_at, s1_rounds, 3);
	session_times(f.c.professor, s2, s2_at, s2_rounds, 1);
	session_times(f.c.professor, so, so_at, so_rounds, 1);

	expect_records(f.st[0], f.c.course_id, &f.r, 4);
	expect_record(&f.r, 0, s1, s1r[0], 1, s1_rounds[0], "present", p1);
	expect_record(&f.r, 1, s1, s1r[1], 2, s1_rounds[1], "absent", a2);
	expect_record(&f.r, 2, s1, s1r[2], 3, s1_rounds[2], "absent", NULL);
	expect_record(&f.r, 3, s2, s2r, 1, s2_rounds[0], "late", l1);

	expect_records(f.st[1], f.c.course_id, &f.r, 4);
	expect_record(&f.r, 0, s1, s1r[0], 1, s1_rounds[0], "excused", b1);
	expect_record(&f.r, 1, s1, s1r[1], 2, s1_rounds[1], "absent", NULL);
	expect_record(&f.r, 3, s2, s2r, 1, s2_rounds[0], "absent", NULL);

	/* Joined after S1: its rounds count as absent, as in the stats. */
	expect_records(late, f.c.course_id, &f.r, 4);
	expect_record(&f.r, 0, s1, s1r[0], 1, s1_rounds[0], "absent", NULL);
	expect_record(&f.r, 2, s1, s1r[2], 3, s1_rounds[2], "absent", NULL);
	expect_record(&f.r, 3, s2, s2r, 1, s2_rounds[0], "absent", NULL);

	expect_records(other, f.c.course_id, &f.r, 1);
	expect_record(&f.r, 0, so, sor, 1, so_rounds[0], "present", ox);

	api_client_free(other);
	api_client_free(late);
	api_fixture_free(&f);
}

Test(records, a_course_without_sessions_has_none)
{
	struct api_fixture	 f;

	api_fixture_new(&f, 1);
	expect_records(f.st[0], f.c.course_id, &f.r, 0);
	api_fixture_free(&f);
}

Test(records, only_the_student_of_the_course)
{
	struct api_fixture	 f, g;
	struct api_client	*anonymous;

	api_fixture_new(&f, 1);
	api_fixture_new(&g, 1);
	/* Another course, an unknown one, a malformed id: 404. */
	my_records(f.st[0], g.c.course_id, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	my_records(f.st[0], UNKNOWN_ID, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	my_records(f.st[0], MALFORMED_ID, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* A professor, even the course's: 403, before the id. */
	my_records(f.c.professor, f.c.course_id, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	my_records(f.c.professor, MALFORMED_ID, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	anonymous = api_client_new();
	my_records(anonymous, f.c.course_id, &f.r);
	api_assert_error(&f.r, 401, "unauthenticated");
	api_reqf_nobody(f.st[0], "POST", &f.r,
	    "/api/students/me/courses/%s/records", f.c.course_id);
	api_assert_error(&f.r, 405, "method_not_allowed");
	api_client_free(anonymous);
	api_fixture_free(&g);
	api_fixture_free(&f);
}

/* --- GET /api/professor/courses/:courseId/export.csv --------------------- */

static void
export(struct api_client *c, const char *course, struct api_response *r)
{
	api_reqf_nobody(c, "GET", r, "/api/professor/courses/%s/export.csv",
	    course);
}

/* Asserts the answer's CSV headers, with the file name. */
static void
expect_csv_headers(const struct api_response *r, const char *filename)
{
	char	*type, *disposition, *want;

	cr_assert_eq(r->status, 200, "export: %ld %s", r->status, r->body);
	type = api_header(r, "Content-Type");
	disposition = api_header(r, "Content-Disposition");
	cr_assert(type != NULL && strcmp(type, "text/csv; charset=utf-8") ==
	    0, "Content-Type: %s", type != NULL ? type : "(none)");
	want = api_printf("attachment; filename=\"%s\"", filename);
	cr_assert(disposition != NULL && strcmp(disposition, want) == 0,
	    "Content-Disposition: %s, wanted %s",
	    disposition != NULL ? disposition : "(none)", want);
	free(want);
	free(type);
	free(disposition);
}

/*
 * Asserts that the body starts with the byte-order mark and that every
 * line ends with CRLF, the last one too: outside quotes, a CR is always
 * followed by a LF and a LF always follows a CR (inside quotes a value's
 * own line breaks stay as they are).
 */
static void
expect_crlf_lines(const char *body)
{
	size_t	 i, len = strlen(body);
	int	 quoted = 0;

	cr_assert(strncmp(body, BOM, 3) == 0, "no byte-order mark");
	cr_assert(len >= 5 && strcmp(body + len - 2, "\r\n") == 0,
	    "the last line does not end with CRLF");
	for (i = 3; i < len; i++) {
		if (body[i] == '"')
			quoted = !quoted;
		if (quoted)
			continue;
		if (body[i] == '\r')
			cr_assert(body[i + 1] == '\n', "a CR alone at %zu", i);
		if (body[i] == '\n')
			cr_assert(body[i - 1] == '\r', "a LF alone at %zu", i);
	}
	cr_assert(!quoted, "a quote left open");
}

/* The body's records, parsed by lib/csv (RFC 4180); *n of them. */
static struct csv_record *
parse_csv(const char *body, size_t *n)
{
	struct csv_reader	 reader;
	struct csv_record	*recs = NULL, rec;
	const char		*why = NULL;
	size_t			 size = 0;
	int			 rc;

	memset(&rec, 0, sizeof(rec));
	*n = 0;
	csv_reader_init(&reader, body, strlen(body));
	while ((rc = csv_read(&reader, &rec, &why)) != 0) {
		cr_assert(rc == 1, "bad CSV at line %lu: %s", rec.line, why);
		if (*n == size) {
			size = size == 0 ? 64 : size * 2;
			recs = realloc(recs, size * sizeof(*recs));
			cr_assert(recs != NULL);
		}
		recs[(*n)++] = rec;
		memset(&rec, 0, sizeof(rec));
	}
	return recs;
}

static void
free_csv(struct csv_record *recs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		csv_record_clear(&recs[i]);
	free(recs);
}

/* A cell as a spreadsheet must get it: the formula guard's ' first. */
static char *
guarded(const char *value)
{
	if (value[0] != '\0' && strchr("=+-@\t\r", value[0]) != NULL)
		return api_printf("'%s", value);
	return api_printf("%s", value);
}

static void
expect_header(const struct csv_record *rec)
{
	static const char *const names[CELLS] = { "course_code", "term",
	    "group", "session_id", "session_started_at", "round_number",
	    "round_started_at", "username", "display_name", "email",
	    "status", "recorded_at", "source", "flags" };
	size_t	 i;

	cr_assert_eq(rec->count, CELLS);
	for (i = 0; i < CELLS; i++)
		cr_assert_str_eq(rec->fields[i], names[i]);
}

/* Asserts every cell of a line. */
static void
expect_line(const struct csv_record *rec, const char *const want[CELLS])
{
	size_t	 i;

	cr_assert_eq(rec->count, CELLS, "line %lu has %zu cells", rec->line,
	    rec->count);
	for (i = 0; i < CELLS; i++)
		cr_assert_str_eq(rec->fields[i], want[i],
		    "line %lu, cell %zu: \"%s\", wanted \"%s\"", rec->line,
		    i + 1, rec->fields[i], want[i]);
}

/* The code =EXP,"1" needs the guard and the quotes. */
#define FIRST_LINE_START BOM HEADER "\r\n\"'=EXP,\"\"1\"\"\","

/* One student of the export world, and what each round recorded. */
#define EXPORT_STUDENTS	10
#define EXPORT_ROUNDS	4	/* S1 r1, S1 r2, S2 r1, S3 r1 */

struct export_student {
	char		 id[ID];
	char		*username, *name, *email;
	const char	*group;		/* its group's name */
	char		 status[EXPORT_ROUNDS][16];
	char		 recorded[EXPORT_ROUNDS][32];
	char		 source[EXPORT_ROUNDS][16];
	char		 flags[EXPORT_ROUNDS][64];
};

/* Display names that a CSV must quote or guard; bytes kept as they are. */
static const char *const export_names[EXPORT_STUDENTS] = {
	ZOE, "Smith, Jo", "Jo \"JJ\" Doe", "Two\nLines", "=1+2",
	"+33 6 12 34 56 78", "-minus", "@at", "\ttab", "\rcr"
};

static int
by_username(const void *a, const void *b)
{
	const struct export_student *const *x = a, *const *y = b;

	return strcmp((*x)->username, (*y)->username);
}

static void
mark(struct export_student *s, size_t round, const char *status,
    const char *recorded, const char *source)
{
	snprintf(s->status[round], sizeof(s->status[round]), "%s", status);
	snprintf(s->recorded[round], sizeof(s->recorded[round]), "%s",
	    recorded);
	snprintf(s->source[round], sizeof(s->source[round]), "%s", source);
}

/* The expected line of student s in a round of a session. */
static void
expected_line(const char *code, const char *term, const char *session,
    const char *started, const char *number, const char *round_started,
    const struct export_student *s, size_t round, char *cells[CELLS])
{
	int	 absent = s->status[round][0] == '\0';

	cells[0] = guarded(code);
	cells[1] = guarded(term);
	cells[2] = guarded(s->group);
	cells[3] = api_printf("%s", session);
	cells[4] = api_printf("%s", started);
	cells[5] = api_printf("%s", number);
	cells[6] = api_printf("%s", round_started);
	cells[7] = guarded(s->username);
	cells[8] = guarded(s->name);
	cells[9] = guarded(s->email);
	cells[10] = api_printf("%s", absent ? "absent" : s->status[round]);
	cells[11] = api_printf("%s", absent ? "" : s->recorded[round]);
	cells[12] = api_printf("%s", absent ? "" : s->source[round]);
	cells[13] = api_printf("%s", absent ? "" : s->flags[round]);
}

static void
free_cells(char *cells[CELLS])
{
	size_t	 i;

	for (i = 0; i < CELLS; i++)
		free(cells[i]);
}

/*
 * Group 1: ten students named as export_names, and one who joined after
 * S1; group 2: one.  S1 (group 1, two rounds): a scan with flags, a
 * late and an absent override, an excused; S2 (group 2): present; S3
 * (group 1, after the newcomer joined): the newcomer present.  The
 * course code needs both the quotes and the guard.
 */
Test(export, one_line_per_round_and_student_cell_by_cell)
{
	struct api_fixture	 f;
	struct api_client	*other, *late;
	struct export_student	 st[EXPORT_STUDENTS + 2];
	struct export_student	*g1[EXPORT_STUDENTS + 1];
	struct export_student	*x = &st[EXPORT_STUDENTS];
	struct export_student	*newcomer = &st[EXPORT_STUDENTS + 1];
	struct csv_record	*recs;
	char			 s1[ID], s1r[2][ID], s2[ID], s2r[ID], s3[ID];
	char			 s3r[ID], at[32], t1[32], t1r[2][32], t2[32];
	char			 t2r[1][32], t3[32], t3r[1][32], *cells[CELLS];
	char			*g1name, *g2name, *group2, *raw;
	const char		*code = "=EXP,\"1\"";
	size_t			 i, n, k, line;

	api_fixture_new(&f, EXPORT_STUDENTS);
	memset(st, 0, sizeof(st));
	api_reqf(f.c.professor, "PATCH", "{\"code\": \"=EXP,\\\"1\\\"\"}",
	    &f.r, "/api/courses/%s", f.c.course_id);
	api_expect_status(&f.r, 200);
	other = api_other_group_student(&f, x->id);
	g1name = db_text("SELECT name FROM groups WHERE id = $1",
	    f.c.group_id, NULL);
	group2 = db_text("SELECT group_id::text FROM enrollments WHERE "
	    "student_id = $1", x->id, NULL);
	g2name = db_text("SELECT name FROM groups WHERE id = $1", group2,
	    NULL);
	for (i = 0; i < EXPORT_STUDENTS; i++) {
		memcpy(st[i].id, f.ids[i], ID);
		free(db_text("UPDATE users SET display_name = $2 WHERE id = $1 "
		    "RETURNING id", st[i].id, export_names[i]));
		st[i].group = g1name;
	}
	x->group = g2name;

	api_start_session(&f, NULL, s1, s1r[0]);
	scan(&f, f.st[0], s1, s1r[0], at);
	mark(&st[0], 0, "present", at, "scan");
	free(db_text("UPDATE attendance_records SET flags = "
	    "'{shared_device,no_device}' WHERE round_id = $1 AND "
	    "student_id = $2 RETURNING id", s1r[0], st[0].id));
	snprintf(st[0].flags[0], sizeof(st[0].flags[0]),
	    "shared_device;no_device");
	put(&f, s1, s1r[0], st[1].id, "late", at);
	mark(&st[1], 0, "late", at, "professor");
	put(&f, s1, s1r[0], st[2].id, "absent", at);
	mark(&st[2], 0, "absent", at, "professor");
	api_new_round(f.c.professor, &f.r, s1, s1r[1]);
	put(&f, s1, s1r[1], st[3].id, "excused", at);
	mark(&st[3], 1, "excused", at, "professor");
	api_end_session(&f, s1);

	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/groups/%s/sessions", group2);
	api_expect_status(&f.r, 201);
	api_copy_id(s2, f.r.json, "session.id");
	api_copy_id(s2r, f.r.json, "round.id");
	put(&f, s2, s2r, x->id, "present", at);
	mark(x, 2, "present", at, "professor");

	late = api_enrolled_student(f.c.professor, &f.r, f.c.group_id, "new",
	    newcomer->id);
	newcomer->group = g1name;
	api_start_session(&f, NULL, s3, s3r);
	put(&f, s3, s3r, newcomer->id, "present", at);
	mark(newcomer, 3, "present", at, "professor");

	for (i = 0; i < EXPORT_STUDENTS + 2; i++) {
		st[i].username = db_text("SELECT username FROM users WHERE "
		    "id = $1", st[i].id, NULL);
		st[i].name = db_text("SELECT display_name FROM users WHERE "
		    "id = $1", st[i].id, NULL);
		st[i].email = db_text("SELECT email FROM users WHERE id = $1",
		    st[i].id, NULL);
	}
	for (i = 0; i < EXPORT_STUDENTS; i++)
		g1[i] = &st[i];
	g1[EXPORT_STUDENTS] = newcomer;
	qsort(g1, EXPORT_STUDENTS + 1, sizeof(g1[0]), by_username);
	session_times(f.c.professor, s1, t1, t1r, 2);
	session_times(f.c.professor, s2, t2, t2r, 1);
	session_times(f.c.professor, s3, t3, t3r, 1);

	export(f.c.professor, f.c.course_id, &f.r);
	expect_csv_headers(&f.r, "_EXP__1_-2026F-attendance.csv");
	expect_crlf_lines(f.r.body);
	/* The bytes of the name, and the quoting of the code. */
	cr_assert(strstr(f.r.body, "," ZOE ",") != NULL,
	    "the UTF-8 of " ZOE " is not intact");
	cr_assert(strncmp(f.r.body, FIRST_LINE_START,
	    strlen(FIRST_LINE_START)) == 0, "the file starts: %.200s",
	    f.r.body);
	raw = api_printf("\"%s\"", "'\rcr");
	cr_assert(strstr(f.r.body, raw) != NULL, "a leading CR: guarded and "
	    "quoted");
	free(raw);

	recs = parse_csv(f.r.body, &n);
	/* S1: 2 rounds x 11; S2: 1 x 1; S3: 1 x 11. */
	cr_assert_eq(n, 1 + 2 * 11 + 1 + 11, "%zu records", n);
	expect_header(&recs[0]);
	line = 1;
	for (k = 0; k < 2; k++)
		for (i = 0; i < EXPORT_STUDENTS + 1; i++) {
			expected_line(code, "2026F", s1, t1, k == 0 ? "1" : "2",
			    t1r[k], g1[i], k, cells);
			expect_line(&recs[line++], (const char *const *)cells);
			free_cells(cells);
		}
	expected_line(code, "2026F", s2, t2, "1", t2r[0], x, 2, cells);
	expect_line(&recs[line++], (const char *const *)cells);
	free_cells(cells);
	for (i = 0; i < EXPORT_STUDENTS + 1; i++) {
		expected_line(code, "2026F", s3, t3, "1", t3r[0], g1[i], 3,
		    cells);
		expect_line(&recs[line++], (const char *const *)cells);
		free_cells(cells);
	}
	free_csv(recs, n);

	for (i = 0; i < EXPORT_STUDENTS + 2; i++) {
		free(st[i].username);
		free(st[i].name);
		free(st[i].email);
	}
	free(g1name);
	free(g2name);
	free(group2);
	api_client_free(other);
	api_client_free(late);
	api_fixture_free(&f);
}

Test(export, a_course_without_sessions_is_the_header_alone)
{
	struct api_fixture	 f;
	char			 course[ID], *code, *name;

	api_fixture_new(&f, 2);
	/* Outside A-Z a-z 0-9 . _ -: one _ for each character. */
	api_create(f.c.professor, "/api/courses", "{\"code\": "
	    "\"\xc3\x87" "A 101/b\", \"name\": \"Accents\", "
	    "\"term\": \"2026 \\\"Fall\\\"\"}", "course.id", course);
	export(f.c.professor, course, &f.r);
	expect_csv_headers(&f.r, "_A_101_b-2026__Fall_-attendance.csv");
	cr_assert_str_eq(f.r.body, BOM HEADER "\r\n");
	/* Students but no session: still the header alone. */
	export(f.c.professor, f.c.course_id, &f.r);
	code = db_text("SELECT code FROM courses WHERE id = $1",
	    f.c.course_id, NULL);
	name = api_printf("%s-2026F-attendance.csv", code);
	expect_csv_headers(&f.r, name);
	cr_assert_str_eq(f.r.body, BOM HEADER "\r\n");
	free(name);
	free(code);
	api_fixture_free(&f);
}

Test(export, only_the_owner)
{
	struct api_fixture	 f;
	struct api_client	*intruder, *anonymous;
	char			 s[ID], r[ID];

	api_fixture_new(&f, 1);
	api_start_session(&f, NULL, s, r);
	intruder = api_intruder();
	export(intruder, f.c.course_id, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	export(f.c.professor, UNKNOWN_ID, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	export(f.c.professor, MALFORMED_ID, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* A student, even one of the course: 403, before the id. */
	export(f.st[0], f.c.course_id, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	export(f.st[0], MALFORMED_ID, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	anonymous = api_client_new();
	export(anonymous, f.c.course_id, &f.r);
	api_assert_error(&f.r, 401, "unauthenticated");
	api_reqf_nobody(f.c.professor, "DELETE", &f.r,
	    "/api/professor/courses/%s/export.csv", f.c.course_id);
	api_assert_error(&f.r, 405, "method_not_allowed");
	api_assert_allow(&f.r, "GET", "DELETE");
	/* The session's own reads stay the owner's too. */
	api_reqf_nobody(intruder, "GET", &f.r, "/api/sessions/%s/records", s);
	api_assert_error(&f.r, 404, "not_found");
	api_client_free(anonymous);
	api_client_free(intruder);
	api_fixture_free(&f);
}

/* --- an override racing a scan ------------------------------------------ */

#define RACES	24

/* Asserts the stored record is exactly the one answer says. */
static void
expect_stored(const char *round, const char *student,
    const struct api_response *answer)
{
	char	*stored, *want;

	stored = db_text("SELECT id || ' ' || status || ' ' || "
	    "at_ts(recorded_at) FROM attendance_records WHERE round_id = $1 "
	    "AND student_id = $2", round, student);
	cr_assert(answer->json != NULL);
	want = api_printf("%s %s %s", api_json_string(answer->json,
	    "record.id"), api_json_string(answer->json, "record.status"),
	    api_json_string(answer->json, "record.recordedAt"));
	cr_assert_str_eq(stored, want, "the stored record is not the last "
	    "writer's");
	free(want);
	free(stored);
}

/*
 * The override (PUT) and the scan at once, many times, each in a new
 * round.  The two take the student's enrollment row in turn, so one of
 * two orders happened, and the stored record is that order's, whole:
 *   scan then PUT: the override replaced the scanned record (no
 *     evidence, no flags left), whose token stays consumed and linked;
 *   PUT then scan: an absent override is replaced by the scan (201);
 *     any other makes the scan already_recorded, its token untouched.
 * Nothing else, and the token invariants hold throughout.
 */
Test(record_race, an_override_racing_a_scan_last_write_wins)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_racer	 rs[2];
	char			 session[ID], round[ID], token[API_TOKEN_SIZE];
	char			 scan_path[160], put_path[200], scan_body[128];
	char			 put_body[64], *source, *n;
	const char		*status;
	int			 i, orders[2] = { 0, 0 };

	api_fixture_new(&f, 1);
	api_start_session(&f, NULL, session, round);
	ev = api_events_subscribe(session);
	for (i = 0; i < RACES; i++) {
		api_new_round(f.c.professor, &f.r, session, round);
		api_events_expect_token(ev, round, token, sizeof(token));
		status = i % 3 == 2 ? "excused" : "absent";
		snprintf(scan_path, sizeof(scan_path),
		    "/api/sessions/%s/rounds/%s/scan", session, round);
		snprintf(scan_body, sizeof(scan_body), "{\"token\": \"%s\"}",
		    token);
		snprintf(put_path, sizeof(put_path),
		    "/api/sessions/%s/rounds/%s/records/%s", session, round,
		    f.ids[0]);
		snprintf(put_body, sizeof(put_body), "{\"status\": \"%s\"}",
		    status);
		memset(rs, 0, sizeof(rs));
		rs[0].client = f.st[0];
		rs[0].method = "POST";
		rs[0].path = scan_path;
		rs[0].body = scan_body;
		rs[1].client = f.c.professor;
		rs[1].method = "PUT";
		rs[1].path = put_path;
		rs[1].body = put_body;
		api_race(rs, 2);

		cr_assert_eq(rs[1].res.status, 200, "the PUT: %ld %s",
		    rs[1].res.status, rs[1].res.body);
		cr_assert_eq(api_db_long("SELECT count(*) FROM "
		    "attendance_records WHERE round_id = $1", round, NULL), 1);
		source = db_text("SELECT source FROM attendance_records WHERE "
		    "round_id = $1 AND student_id = $2", round, f.ids[0]);
		if (strcmp(source, "scan") == 0) {
			/* The PUT came first and the scan replaced it. */
			cr_assert_str_eq(status, "absent",
			    "a scan replaced an %s override", status);
			cr_assert_eq(rs[0].res.status, 201);
			expect_stored(round, f.ids[0], &rs[0].res);
			cr_assert_eq(api_db_long("SELECT count(*) FROM "
			    "attendance_records a JOIN qr_tokens t ON t.id = "
			    "a.qr_token_id WHERE a.round_id = $1 AND "
			    "t.consumed", round, NULL), 1,
			    "the scan's record lacks its token");
			orders[0]++;
		} else {
			cr_assert_str_eq(source, "professor");
			expect_stored(round, f.ids[0], &rs[1].res);
			cr_assert_eq(api_db_long("SELECT count(*) FROM "
			    "attendance_records WHERE round_id = $1 AND "
			    "address IS NULL AND device_hash IS NULL AND "
			    "user_agent IS NULL AND flags = '{}'", round,
			    NULL), 1, "the override kept the scan's evidence");
			n = api_printf("%ld", api_db_long("SELECT count(*) "
			    "FROM qr_tokens WHERE round_id = $1 AND consumed",
			    round, NULL));
			if (rs[0].res.status == 201) {
				/* The scan came first: its token stays. */
				cr_assert_str_eq(n, "1");
				orders[1]++;
			} else {
				api_assert_error(&rs[0].res, 409,
				    "already_recorded");
				cr_assert_str_neq(status, "absent");
				cr_assert_str_eq(n, "0",
				    "a refused scan consumed its token");
				orders[0]++;
			}
			free(n);
		}
		free(source);
		api_assert_session_invariants(session);
		api_response_free(&rs[0].res);
		api_response_free(&rs[1].res);
	}
	cr_log_info("%d races: override first %d, scan first %d", RACES,
	    orders[0], orders[1]);
	api_events_free(ev);
	api_fixture_free(&f);
}
