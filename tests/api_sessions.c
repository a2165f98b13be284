/*
 * Class sessions and rounds through nginx, as ../shared/spec/API.md
 * writes them: starting (defaults, bounds, one active session per
 * group), listing, rounds and their events, QR refresh, ending with its
 * summary, and the professor's override of a record.  Each test owns its
 * professor, course, group and students, so the tests run in parallel.
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "api_support.h"

#define ID		API_ID_SIZE
#define TOKEN_SIZE	64
#define FX_STUDENTS	4

#define SESSION_KEYS	"id groupId courseId professorId startsAt endsAt " \
			"isActive status qrTtlSeconds lateAfterSeconds"
#define ROUND_KEYS	"id sessionId roundNumber isActive startsAt endsAt"
#define RECORD_KEYS	"id sessionId roundId studentId status recordedAt"
#define RECORDED_KEYS	"sessionId roundId studentId username displayName " \
			"status recordedAt"

/* A random well-formed UUID that names nothing. */
#define UNKNOWN_ID	"0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5e"

TestSuite(sessions, .timeout = 60);

/* One test's world: a class with students and a response to reuse. */
struct fx {
	struct api_class	 c;
	struct api_client	*st[FX_STUDENTS];
	char			 ids[FX_STUDENTS][ID];
	size_t			 n;
	struct api_response	 r;
};

static void
fx_new(struct fx *f, size_t n)
{
	memset(f, 0, sizeof(*f));
	cr_assert(n <= FX_STUDENTS);
	f->n = n;
	api_class_create(&f->c, n, f->st, f->ids);
}

static void
fx_free(struct fx *f)
{
	size_t	 i;

	for (i = 0; i < f->n; i++)
		api_client_free(f->st[i]);
	api_response_free(&f->r);
	api_class_free(&f->c);
}

/* api_request() on a path built from fmt; *r is freed first. */
static void __attribute__((format(printf, 5, 6)))
req(struct api_client *c, const char *method, const char *body,
    struct api_response *r, const char *fmt, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_response_free(r);
	api_request(c, method, path, body, r);
}

/* The same with no body at all (no content type either). */
static void __attribute__((format(printf, 4, 5)))
req_nobody(struct api_client *c, const char *method, struct api_response *r,
    const char *fmt, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_response_free(r);
	api_request_raw(c, method, path, NULL, NULL, 0, NULL, r);
}

/* api_request_raw() on a path built from fmt; *r is freed first. */
static void __attribute__((format(printf, 7, 8)))
req_raw(struct api_client *c, const char *method, const char *type,
    const char *body, const char *const *headers, struct api_response *r,
    const char *fmt, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_response_free(r);
	api_request_raw(c, method, path, type, body,
	    body != NULL ? strlen(body) : 0, headers, r);
}

static void
expect_status(const struct api_response *r, long status)
{
	cr_assert_eq(r->status, status, "HTTP %ld, wanted %ld: %s", r->status,
	    status, r->body != NULL ? r->body : "");
	cr_assert(r->json != NULL, "no JSON body: %s",
	    r->body != NULL ? r->body : "");
}

static int
jbool(json_object *o, const char *path)
{
	json_object	*v = api_json_get(o, path);

	cr_assert(v != NULL && json_object_is_type(v, json_type_boolean),
	    "%s is not a boolean in %s", path, json_object_to_json_string(o));
	return json_object_get_boolean(v);
}

static void
jstr_eq(json_object *o, const char *path, const char *want)
{
	cr_assert_str_eq(api_json_string(o, path), want, "%s in %s", path,
	    json_object_to_json_string(o));
}

/* A 43-character base64url token. */
static void
assert_token_shape(const char *s)
{
	size_t	 i, n = strlen(s);

	cr_assert_eq(n, 43, "token '%s' is not 43 characters", s);
	for (i = 0; i < n; i++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789-_", s[i]) != NULL,
		    "token '%s' is not base64url", s);
}

static void
copy_id(char dst[ID], json_object *o, const char *path)
{
	api_assert_uuid(o, path);
	snprintf(dst, ID, "%s", api_json_string(o, path));
}

static void
assert_session(json_object *s, const struct fx *f, int active, int ttl,
    int late)
{
	api_assert_keys(s, "", SESSION_KEYS);
	api_assert_uuid(s, "id");
	jstr_eq(s, "groupId", f->c.group_id);
	jstr_eq(s, "courseId", f->c.course_id);
	jstr_eq(s, "professorId", f->c.professor_id);
	api_assert_timestamp(s, "startsAt");
	cr_assert_eq(jbool(s, "isActive"), active);
	jstr_eq(s, "status", active ? "active" : "ended");
	if (active)
		api_assert_null(s, "endsAt");
	else {
		api_assert_timestamp(s, "endsAt");
		cr_assert(strcmp(api_json_string(s, "endsAt"),
		    api_json_string(s, "startsAt")) >= 0);
	}
	cr_assert_eq(api_json_int(s, "qrTtlSeconds"), ttl);
	cr_assert_eq(api_json_int(s, "lateAfterSeconds"), late);
}

static void
assert_round(json_object *r, const char *session, int64_t number, int active)
{
	api_assert_keys(r, "", ROUND_KEYS);
	api_assert_uuid(r, "id");
	jstr_eq(r, "sessionId", session);
	cr_assert_eq(api_json_int(r, "roundNumber"), number);
	cr_assert_eq(jbool(r, "isActive"), active);
	api_assert_timestamp(r, "startsAt");
	if (active)
		api_assert_null(r, "endsAt");
	else
		api_assert_timestamp(r, "endsAt");
}

/* POST /api/groups/:groupId/sessions with body; 201 expected. */
static void
start_session(struct fx *f, const char *body, char session[ID],
    char round[ID])
{
	req(f->c.professor, "POST", body, &f->r, "/api/groups/%s/sessions",
	    f->c.group_id);
	expect_status(&f->r, 201);
	copy_id(session, f->r.json, "session.id");
	copy_id(round, f->r.json, "round.id");
}

static void
end_session(struct fx *f, const char *session)
{
	req_nobody(f->c.professor, "PATCH", &f->r, "/api/sessions/%s/end",
	    session);
	expect_status(&f->r, 200);
}

/* The next event, which must be name, within 2 s; the caller puts it. */
static json_object *
expect_event(struct api_events *ev, const char *name)
{
	char		*got = NULL;
	json_object	*data = NULL;

	cr_assert(api_events_next(ev, 2000, &got, &data) != 0,
	    "no %s event within 2 s", name);
	cr_assert_str_eq(got, name, "event %s, wanted %s", got, name);
	free(got);
	return data;
}

static void
expect_no_event(struct api_events *ev, int ms)
{
	char		*got = NULL;
	json_object	*data = NULL;

	if (api_events_next(ev, ms, &got, &data) != 0)
		cr_assert_fail("unexpected event %s: %s", got,
		    json_object_to_json_string(data));
}

/* A round:qr-updated event for round: checks it, copies its token. */
static void
expect_qr_updated(struct api_events *ev, const char *session,
    const char *round, char token[TOKEN_SIZE], char *expires, size_t size)
{
	json_object	*data = expect_event(ev, "round:qr-updated");

	api_assert_keys(data, "", "sessionId roundId token expiresAt");
	jstr_eq(data, "sessionId", session);
	jstr_eq(data, "roundId", round);
	assert_token_shape(api_json_string(data, "token"));
	api_assert_timestamp(data, "expiresAt");
	snprintf(token, TOKEN_SIZE, "%s", api_json_string(data, "token"));
	if (expires != NULL)
		snprintf(expires, size, "%s", api_json_string(data,
		    "expiresAt"));
	json_object_put(data);
}

/* POST .../qr (202) and the token it sends to the subscriber. */
static void
fresh_token(struct fx *f, struct api_events *ev, const char *session,
    const char *round, char token[TOKEN_SIZE])
{
	req_nobody(f->c.professor, "POST", &f->r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	expect_status(&f->r, 202);
	expect_qr_updated(ev, session, round, token, NULL, 0);
}

static void
scan(struct api_client *c, const char *session, const char *round,
    const char *token, struct api_response *r)
{
	char	 body[128];

	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	req(c, "POST", body, r, "/api/sessions/%s/rounds/%s/scan", session,
	    round);
}

static void
put_record(struct fx *f, const char *session, const char *round,
    const char *student, const char *status)
{
	char	 body[64];

	snprintf(body, sizeof(body), "{\"status\": \"%s\"}", status);
	req(f->c.professor, "PUT", body, &f->r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round, student);
}

/* Neither the body nor the headers of r carry token. */
static void
assert_not_in_response(const struct api_response *r, const char *token)
{
	cr_assert(r->body == NULL || strstr(r->body, token) == NULL,
	    "the raw token is in the response body: %s", r->body);
	cr_assert(r->headers == NULL || strstr(r->headers, token) == NULL,
	    "the raw token is in the response headers");
}

/*
 * No table holds the raw token, as text or (standard base64 of the raw
 * bytes, as query_to_xml() shows a bytea) as bytes.
 */
static void
assert_token_nowhere(const char *token)
{
	char	*tables;

	tables = api_db_value("SELECT coalesce(string_agg(c.relname, ','), '') "
	    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	    "CROSS JOIN LATERAL (SELECT query_to_xml(format("
	    "'SELECT * FROM %I.%I', n.nspname, c.relname), true, false, '')"
	    "::text AS x) q "
	    "WHERE c.relkind IN ('r', 'p') "
	    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
	    "AND n.nspname NOT LIKE 'pg\\_toast%' "
	    "AND n.nspname NOT LIKE 'pg\\_temp%' "
	    "AND (strpos(q.x, $1) > 0 "
	    "OR strpos(q.x, translate($1, '-_', '+/')) > 0)", token, NULL);
	cr_assert_str_eq(tables, "", "the raw token is stored in: %s", tables);
	free(tables);
}

/* qr_tokens holds the token's BLAKE2b-256 hash for round, live. */
static void
assert_token_hashed(const char *token, const char *round)
{
	unsigned char	 digest[32];
	char		 hex[2 * sizeof(digest) + 1];

	cr_assert(sodium_init() >= 0);
	crypto_generichash(digest, sizeof(digest),
	    (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens "
	    "WHERE token_hash = decode($1, 'hex') AND round_id = $2 "
	    "AND NOT consumed AND superseded_at IS NULL", hex, round, NULL), 1,
	    "the round's live token is not stored as its hash");
}

/* The invariants of the contract that must hold for a session. */
static void
assert_invariants(const char *session)
{
	cr_assert_eq(api_db_long("SELECT count(*) FROM (SELECT round_id "
	    "FROM qr_tokens WHERE NOT consumed AND superseded_at IS NULL "
	    "AND expires_at > now() GROUP BY round_id HAVING count(*) > 1) x",
	    NULL), 0, "a round has two live tokens");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records a "
	    "LEFT JOIN qr_tokens t ON t.id = a.qr_token_id "
	    "WHERE a.session_id = $1 AND a.qr_token_id IS NOT NULL "
	    "AND (t.id IS NULL OR NOT t.consumed "
	    "OR t.consumed_by <> a.student_id)", session, NULL), 0,
	    "a record's token is not consumed by its student");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens t "
	    "JOIN attendance_rounds r ON r.id = t.round_id "
	    "WHERE r.session_id = $1 AND t.consumed AND NOT EXISTS "
	    "(SELECT 1 FROM attendance_records a WHERE a.qr_token_id = t.id)",
	    session, NULL), 0, "a consumed token has no record");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions s "
	    "JOIN attendance_rounds r ON r.session_id = s.id "
	    "JOIN qr_tokens t ON t.round_id = r.id "
	    "WHERE s.id = $1 AND (s.status = 'ended' OR r.ends_at IS NOT NULL) "
	    "AND NOT t.consumed AND t.superseded_at IS NULL "
	    "AND t.expires_at > now()", session, NULL), 0,
	    "a closed round still has a live token");
}

/* A logged-in professor who owns nothing of f's. */
static struct api_client *
intruder(void)
{
	char	 id[ID], username[80];

	return api_user_login("professor", "intruder", id, username);
}

/*
 * A new student enrolled, through the API, in a new group of f's course;
 * returns the logged-in client.
 */
static struct api_client *
other_group_student(struct fx *f, char student[ID])
{
	char			 group[ID], username[80], body[128];
	struct api_client	*c;

	snprintf(body, sizeof(body), "{\"name\": \"Other %s\"}",
	    f->c.group_id);
	req(f->c.professor, "POST", body, &f->r, "/api/courses/%s/groups",
	    f->c.course_id);
	expect_status(&f->r, 201);
	copy_id(group, f->r.json, "group.id");
	c = api_user_login("student", "other", student, username);
	snprintf(body, sizeof(body), "{\"student\": \"%s\"}", username);
	req(f->c.professor, "POST", body, &f->r, "/api/groups/%s/enrollments",
	    group);
	expect_status(&f->r, 201);
	return c;
}

/* --- starting ------------------------------------------------------ */

Test(sessions, start_without_a_body_uses_the_defaults)
{
	struct fx	 f;
	char		 session[ID], round[ID];

	fx_new(&f, 0);
	req_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	expect_status(&f.r, 201);
	api_assert_keys(f.r.json, "", "session round");
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 30, 600);
	copy_id(session, f.r.json, "session.id");
	assert_round(api_json_get(f.r.json, "round"), session, 1, 1);
	copy_id(round, f.r.json, "round.id");
	cr_assert_str_eq(api_json_string(f.r.json, "round.startsAt"),
	    api_json_string(f.r.json, "session.startsAt"));

	/* What was stored: the session, round 1 and its one live token. */
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND group_id = $2 AND status = 'active' AND qr_ttl_seconds = 30 "
	    "AND late_after_seconds = 600", session, f.c.group_id, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_rounds "
	    "WHERE session_id = $1", session, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL "
	    "AND expires_at > now()", round, NULL), 1);
	assert_invariants(session);
	fx_free(&f);
}

Test(sessions, start_with_empty_object_and_custom_values)
{
	struct fx	 f;
	char		 session[ID], round[ID];

	fx_new(&f, 0);
	req(f.c.professor, "POST", "{}", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	expect_status(&f.r, 201);
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 30, 600);
	copy_id(session, f.r.json, "session.id");
	end_session(&f, session);

	start_session(&f, "{\"qrTtlSeconds\": 5, \"lateAfterSeconds\": 0}",
	    session, round);
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 5, 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND expires_at - created_at "
	    "BETWEEN interval '4.5 s' AND interval '5.5 s'", round, NULL), 1,
	    "round 1's token does not live qrTtlSeconds");
	end_session(&f, session);

	start_session(&f, "{\"qrTtlSeconds\": 600, "
	    "\"lateAfterSeconds\": 86400}", session, round);
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 600, 86400);
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND qr_ttl_seconds = 600 AND late_after_seconds = 86400",
	    session, NULL), 1);
	assert_invariants(session);
	fx_free(&f);
}

Test(sessions, start_refuses_out_of_bounds_and_wrong_types)
{
	static const char *const bad[] = {
		"{\"qrTtlSeconds\": 4}",
		"{\"qrTtlSeconds\": 601}",
		"{\"qrTtlSeconds\": 0}",
		"{\"qrTtlSeconds\": -30}",
		"{\"lateAfterSeconds\": -1}",
		"{\"lateAfterSeconds\": 86401}",
		"{\"qrTtlSeconds\": \"30\"}",
		"{\"qrTtlSeconds\": true}",
		"{\"qrTtlSeconds\": [30]}",
		"{\"lateAfterSeconds\": \"600\"}",
		"{\"lateAfterSeconds\": {}}",
		"{\"qrTtlSeconds\": 30.5}",
		"{\"qrTtlSeconds\": 99999999999999999999}",
		"[]",
		"\"qrTtlSeconds\"",
		"{\"qrTtlSeconds\": 30",
	};
	struct fx	 f;
	size_t		 i;
	char		 session[ID], round[ID];

	fx_new(&f, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req(f.c.professor, "POST", bad[i], &f.r,
		    "/api/groups/%s/sessions", f.c.group_id);
		cr_assert_eq(f.r.status, 400, "%s: HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
	}
	req_raw(f.c.professor, "POST", "text/plain", "{}", NULL, &f.r,
	    "/api/groups/%s/sessions", f.c.group_id);
	api_assert_error(&f.r, 415, "unsupported_media_type");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 0,
	    "a refused start created a session");

	/* Nothing was left half-started: a good start still works. */
	start_session(&f, "{\"qrTtlSeconds\": 5}", session, round);
	fx_free(&f);
}

Test(sessions, second_start_is_session_active)
{
	struct fx	 f;
	char		 session[ID], round[ID], again[ID];

	fx_new(&f, 0);
	start_session(&f, NULL, session, round);
	req_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 409, "session_active");
	req(f.c.professor, "POST", "{\"qrTtlSeconds\": 10}", &f.r,
	    "/api/groups/%s/sessions", f.c.group_id);
	api_assert_error(&f.r, 409, "session_active");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 1);

	/* Once it ended, the group may start another. */
	end_session(&f, session);
	start_session(&f, NULL, again, round);
	cr_assert_str_neq(again, session);
	assert_invariants(again);
	fx_free(&f);
}

Test(sessions, start_is_for_the_owner_only)
{
	struct fx		 f;
	struct api_client	*other, *anonymous;

	fx_new(&f, 1);
	other = intruder();
	req_nobody(other, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 404, "not_found");
	req(other, "POST", "{\"qrTtlSeconds\": 30}", &f.r,
	    "/api/groups/%s/sessions", f.c.group_id);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.st[0], "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 403, "forbidden");
	anonymous = api_client_new();
	req_nobody(anonymous, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 401, "unauthenticated");
	req_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    "not-a-uuid");
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	/* The course's id is not a group's. */
	req_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.course_id);
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 0);
	api_client_free(anonymous);
	api_client_free(other);
	fx_free(&f);
}

/* --- reading ------------------------------------------------------- */

Test(sessions, list_is_newest_first)
{
	struct fx		 f;
	struct api_client	*other;
	char			 s[3][ID], round[ID];
	json_object		*list, *item;
	size_t			 i;

	fx_new(&f, 1);
	req(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "sessions");
	cr_assert_eq(json_object_array_length(api_json_get(f.r.json,
	    "sessions")), 0);

	start_session(&f, NULL, s[0], round);
	end_session(&f, s[0]);
	start_session(&f, "{\"qrTtlSeconds\": 60}", s[1], round);
	end_session(&f, s[1]);
	start_session(&f, "{\"lateAfterSeconds\": 5}", s[2], round);

	req(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "sessions");
	list = api_json_get(f.r.json, "sessions");
	cr_assert(json_object_is_type(list, json_type_array));
	cr_assert_eq(json_object_array_length(list), 3);
	for (i = 0; i < 3; i++) {
		item = json_object_array_get_idx(list, i);
		jstr_eq(item, "id", s[2 - i]);
		if (i > 0)
			cr_assert(strcmp(api_json_string(item, "startsAt"),
			    api_json_string(json_object_array_get_idx(list,
			    i - 1), "startsAt")) <= 0, "not newest first");
	}
	assert_session(json_object_array_get_idx(list, 0), &f, 1, 30, 5);
	assert_session(json_object_array_get_idx(list, 1), &f, 0, 60, 600);
	assert_session(json_object_array_get_idx(list, 2), &f, 0, 30, 600);

	other = intruder();
	req(other, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 404, "not_found");
	req(f.st[0], "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 403, "forbidden");
	req(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    "0b9e4c39");
	api_assert_error(&f.r, 404, "not_found");
	api_client_free(other);
	fx_free(&f);
}

Test(sessions, get_returns_the_session_and_its_rounds)
{
	struct fx		 f;
	struct api_client	*other;
	char			 session[ID], round[ID], r2[ID], r3[ID];
	json_object		*rounds, *r;
	size_t			 i;
	int			 seen[4] = { 0 };

	fx_new(&f, 1);
	start_session(&f, "{\"qrTtlSeconds\": 45}", session, round);
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r3, f.r.json, "round.id");

	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "session rounds");
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 45, 600);
	jstr_eq(f.r.json, "session.id", session);
	rounds = api_json_get(f.r.json, "rounds");
	cr_assert(json_object_is_type(rounds, json_type_array));
	cr_assert_eq(json_object_array_length(rounds), 3);
	for (i = 0; i < 3; i++) {
		int64_t	 n;

		r = json_object_array_get_idx(rounds, i);
		n = api_json_int(r, "roundNumber");
		cr_assert(n >= 1 && n <= 3 && !seen[n], "round numbers");
		seen[n] = 1;
		assert_round(r, session, n, n == 3);
		jstr_eq(r, "id", n == 1 ? round : n == 2 ? r2 : r3);
	}

	other = intruder();
	req(other, "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_assert_error(&f.r, 404, "not_found");
	req(f.st[0], "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_assert_error(&f.r, 403, "forbidden");
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s",
	    UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s",
	    "zzzzzzzz-5a7c-4f55-9d3e-6f1a2b3c4d5e");
	api_assert_error(&f.r, 404, "not_found");
	/* A round's id is not a session's. */
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", round);
	api_assert_error(&f.r, 404, "not_found");
	api_client_free(other);
	fx_free(&f);
}

/* --- rounds and their events ---------------------------------------- */

Test(sessions, new_round_emits_started_then_qr_updated)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], r2[ID];
	char			 token[TOKEN_SIZE], expires[64], starts[64];
	char			*stored;
	json_object		*data;

	fx_new(&f, 0);
	start_session(&f, "{\"qrTtlSeconds\": 20}", session, round);
	ev = api_events_subscribe(session);

	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	api_assert_keys(f.r.json, "", "round");
	assert_round(api_json_get(f.r.json, "round"), session, 2, 1);
	copy_id(r2, f.r.json, "round.id");
	snprintf(starts, sizeof(starts), "%s",
	    api_json_string(f.r.json, "round.startsAt"));

	data = expect_event(ev, "round:started");
	api_assert_keys(data, "", "sessionId roundId roundNumber startsAt");
	jstr_eq(data, "sessionId", session);
	jstr_eq(data, "roundId", r2);
	cr_assert_eq(api_json_int(data, "roundNumber"), 2);
	jstr_eq(data, "startsAt", starts);
	json_object_put(data);
	expect_qr_updated(ev, session, r2, token, expires, sizeof(expires));
	expect_no_event(ev, 300);

	/* The token travels only on the event: not in HTTP, not stored. */
	assert_not_in_response(&f.r, token);
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	expect_status(&f.r, 200);
	assert_not_in_response(&f.r, token);
	assert_token_hashed(token, r2);
	assert_token_nowhere(token);
	stored = api_db_value("SELECT at_ts(expires_at) FROM qr_tokens "
	    "WHERE round_id = $1 AND NOT consumed AND superseded_at IS NULL",
	    r2, NULL);
	cr_assert_str_eq(stored, expires, "expiresAt is not the token's");
	free(stored);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND expires_at BETWEEN now() + interval '10 s' "
	    "AND now() + interval '21 s'", r2, NULL), 1,
	    "the token does not live qrTtlSeconds");

	/* A third round: its number follows, round 2 closes. */
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	assert_round(api_json_get(f.r.json, "round"), session, 3, 1);
	data = expect_event(ev, "round:started");
	cr_assert_eq(api_json_int(data, "roundNumber"), 3);
	json_object_put(data);
	copy_id(round, f.r.json, "round.id");
	expect_qr_updated(ev, session, round, token, NULL, 0);
	assert_not_in_response(&f.r, token);
	assert_token_nowhere(token);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, new_round_closes_the_previous_and_kills_its_token)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID];
	char			 old[TOKEN_SIZE], token[TOKEN_SIZE];
	json_object		*rounds, *r;
	size_t			 i;

	fx_new(&f, 2);
	start_session(&f, NULL, session, r1);
	ev = api_events_subscribe(session);
	fresh_token(&f, ev, session, r1, old);

	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");
	cr_assert_eq(api_json_int(f.r.json, "round.roundNumber"), 2);
	json_object_put(expect_event(ev, "round:started"));
	expect_qr_updated(ev, session, r2, token, NULL, 0);

	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	expect_status(&f.r, 200);
	rounds = api_json_get(f.r.json, "rounds");
	cr_assert_eq(json_object_array_length(rounds), 2);
	for (i = 0; i < 2; i++) {
		r = json_object_array_get_idx(rounds, i);
		if (api_json_int(r, "roundNumber") == 1) {
			assert_round(r, session, 1, 0);
			cr_assert(strcmp(api_json_string(r, "endsAt"),
			    api_json_string(r, "startsAt")) >= 0);
		} else
			assert_round(r, session, 2, 1);
	}
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL",
	    r1, NULL), 0, "round 1 still has a live token");

	/* Its round closed, the old token is refused as round_closed. */
	scan(f.st[0], session, r1, old, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	/* And it is no token of round 2. */
	scan(f.st[0], session, r2, old, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	expect_no_event(ev, 300);
	scan(f.st[1], session, r2, token, &f.r);
	expect_status(&f.r, 201);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, qr_refresh_sends_a_new_token_only_on_the_event)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], expires[64], evexp[64];
	char			 t1[TOKEN_SIZE], t2[TOKEN_SIZE];

	fx_new(&f, 2);
	start_session(&f, "{\"qrTtlSeconds\": 15}", session, round);
	ev = api_events_subscribe(session);
	fresh_token(&f, ev, session, round, t1);

	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	expect_status(&f.r, 202);
	api_assert_keys(f.r.json, "", "roundId expiresAt");
	jstr_eq(f.r.json, "roundId", round);
	api_assert_timestamp(f.r.json, "expiresAt");
	snprintf(expires, sizeof(expires), "%s",
	    api_json_string(f.r.json, "expiresAt"));
	expect_qr_updated(ev, session, round, t2, evexp, sizeof(evexp));
	cr_assert_str_eq(evexp, expires,
	    "the event's expiresAt is not the response's");
	cr_assert_str_neq(t1, t2, "the refresh did not mint a new token");
	assert_not_in_response(&f.r, t2);
	assert_not_in_response(&f.r, t1);
	expect_no_event(ev, 300);
	assert_token_hashed(t2, round);
	assert_token_nowhere(t1);
	assert_token_nowhere(t2);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL",
	    round, NULL), 1);

	/* The superseded token is used up; the new one works. */
	scan(f.st[0], session, round, t1, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	scan(f.st[0], session, round, t2, &f.r);
	expect_status(&f.r, 201);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, qr_refresh_refusals)
{
	struct fx		 f, g;
	struct api_client	*other;
	char			 session[ID], r1[ID], r2[ID];
	char			 gs[ID], gr[ID];

	fx_new(&f, 1);
	fx_new(&g, 0);
	start_session(&f, NULL, session, r1);
	start_session(&g, NULL, gs, gr);
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");

	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, r1);
	api_assert_error(&f.r, 409, "round_closed");

	other = intruder();
	req_nobody(other, "POST", &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, r2);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.st[0], "POST", &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, r2);
	api_assert_error(&f.r, 403, "forbidden");
	/* Another professor's round under one's own session, and back. */
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, gr);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", gs, gr);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, "r2");
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", "s1", r2);
	api_assert_error(&f.r, 404, "not_found");

	end_session(&f, session);
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, r2);
	api_assert_error(&f.r, 409, "session_ended");
	req_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, r1);
	api_assert_error(&f.r, 409, "session_ended");
	/* Still someone else's after the end. */
	req_nobody(other, "POST", &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, r2);
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens t "
	    "JOIN attendance_rounds r ON r.id = t.round_id "
	    "WHERE r.session_id = $1 AND NOT t.consumed "
	    "AND t.superseded_at IS NULL", session, NULL), 0);
	assert_invariants(session);
	assert_invariants(gs);
	api_client_free(other);
	fx_free(&g);
	fx_free(&f);
}

/* --- ending ---------------------------------------------------------- */

Test(sessions, end_reports_the_summary_and_emits_session_ended)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID], ends[64];
	char			 token[TOKEN_SIZE];
	json_object		*data, *rounds;
	size_t			 i;

	fx_new(&f, 3);
	start_session(&f, NULL, session, r1);
	ev = api_events_subscribe(session);

	/* Round 1: a scan (present), late and excused overrides. */
	fresh_token(&f, ev, session, r1, token);
	scan(f.st[0], session, r1, token, &f.r);
	expect_status(&f.r, 201);
	jstr_eq(f.r.json, "record.status", "present");
	json_object_put(expect_event(ev, "attendance:recorded"));
	expect_qr_updated(ev, session, r1, token, NULL, 0);
	put_record(&f, session, r1, f.ids[1], "late");
	expect_status(&f.r, 200);
	json_object_put(expect_event(ev, "attendance:recorded"));
	put_record(&f, session, r1, f.ids[2], "excused");
	expect_status(&f.r, 200);
	json_object_put(expect_event(ev, "attendance:recorded"));

	/* Round 2: an absent override and a scan. */
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");
	json_object_put(expect_event(ev, "round:started"));
	expect_qr_updated(ev, session, r2, token, NULL, 0);
	put_record(&f, session, r2, f.ids[0], "absent");
	expect_status(&f.r, 200);
	json_object_put(expect_event(ev, "attendance:recorded"));
	scan(f.st[1], session, r2, token, &f.r);
	expect_status(&f.r, 201);
	json_object_put(expect_event(ev, "attendance:recorded"));
	expect_qr_updated(ev, session, r2, token, NULL, 0);

	req_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    session);
	expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "session summary");
	assert_session(api_json_get(f.r.json, "session"), &f, 0, 30, 600);
	jstr_eq(f.r.json, "session.id", session);
	api_assert_keys(f.r.json, "summary",
	    "totalRounds attendanceCount");
	cr_assert_eq(api_json_int(f.r.json, "summary.totalRounds"), 2);
	cr_assert_eq(api_json_int(f.r.json, "summary.attendanceCount"), 3,
	    "attendanceCount counts present and late records only");
	snprintf(ends, sizeof(ends), "%s",
	    api_json_string(f.r.json, "session.endsAt"));

	data = expect_event(ev, "session:ended");
	api_assert_keys(data, "", "sessionId endedAt summary");
	jstr_eq(data, "sessionId", session);
	jstr_eq(data, "endedAt", ends);
	api_assert_keys(data, "summary",
	    "totalRounds attendanceCount");
	cr_assert_eq(api_json_int(data, "summary.totalRounds"), 2);
	cr_assert_eq(api_json_int(data, "summary.attendanceCount"), 3);
	json_object_put(data);
	expect_no_event(ev, 300);

	/* Every round closed, every token dead. */
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	expect_status(&f.r, 200);
	assert_session(api_json_get(f.r.json, "session"), &f, 0, 30, 600);
	rounds = api_json_get(f.r.json, "rounds");
	cr_assert_eq(json_object_array_length(rounds), 2);
	for (i = 0; i < 2; i++)
		cr_assert_eq(jbool(json_object_array_get_idx(rounds, i),
		    "isActive"), 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND status = 'ended' AND NOT is_active AND ends_at IS NOT NULL",
	    session, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_rounds "
	    "WHERE session_id = $1 AND ends_at IS NULL", session, NULL), 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens t "
	    "JOIN attendance_rounds r ON r.id = t.round_id "
	    "WHERE r.session_id = $1 AND NOT t.consumed "
	    "AND t.superseded_at IS NULL", session, NULL), 0);
	/* The last live token is refused as session_ended. */
	scan(f.st[2], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, an_ended_session_refuses_changes)
{
	struct fx		 f;
	struct api_client	*other;
	char			 session[ID], round[ID];

	fx_new(&f, 1);
	start_session(&f, NULL, session, round);
	other = intruder();
	req_nobody(other, "PATCH", &f.r, "/api/sessions/%s/end", session);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.st[0], "PATCH", &f.r, "/api/sessions/%s/end", session);
	api_assert_error(&f.r, 403, "forbidden");
	req_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    "session");
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(other, "POST", &f.r, "/api/sessions/%s/rounds", session);
	api_assert_error(&f.r, 404, "not_found");
	req_nobody(f.st[0], "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_assert_error(&f.r, 403, "forbidden");
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    "1234");
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND status = 'active'", session, NULL), 1);

	end_session(&f, session);
	req_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    session);
	api_assert_error(&f.r, 409, "session_ended");
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_assert_error(&f.r, 409, "session_ended");
	req_nobody(other, "PATCH", &f.r, "/api/sessions/%s/end", session);
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_rounds "
	    "WHERE session_id = $1", session, NULL), 1,
	    "a round was added to an ended session");
	assert_invariants(session);
	api_client_free(other);
	fx_free(&f);
}

/* --- the professor's override --------------------------------------- */

Test(sessions, override_creates_and_replaces_records)
{
	static const char *const statuses[] = {
		"late", "excused", "absent", "present",
	};
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], record[ID];
	char			 recorded[64], *username, *name;
	json_object		*data;
	size_t			 i;

	fx_new(&f, 2);
	start_session(&f, NULL, session, round);
	ev = api_events_subscribe(session);
	username = api_db_value("SELECT username FROM users WHERE id = $1",
	    f.ids[0], NULL);
	name = api_db_value("SELECT display_name FROM users WHERE id = $1",
	    f.ids[0], NULL);

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		put_record(&f, session, round, f.ids[0], statuses[i]);
		expect_status(&f.r, 200);
		api_assert_keys(f.r.json, "", "record");
		api_assert_keys(f.r.json, "record", RECORD_KEYS);
		copy_id(record, f.r.json, "record.id");
		jstr_eq(f.r.json, "record.sessionId", session);
		jstr_eq(f.r.json, "record.roundId", round);
		jstr_eq(f.r.json, "record.studentId", f.ids[0]);
		jstr_eq(f.r.json, "record.status", statuses[i]);
		api_assert_timestamp(f.r.json, "record.recordedAt");
		snprintf(recorded, sizeof(recorded), "%s",
		    api_json_string(f.r.json, "record.recordedAt"));

		data = expect_event(ev, "attendance:recorded");
		api_assert_keys(data, "", RECORDED_KEYS);
		jstr_eq(data, "sessionId", session);
		jstr_eq(data, "roundId", round);
		jstr_eq(data, "studentId", f.ids[0]);
		jstr_eq(data, "username", username);
		jstr_eq(data, "displayName", name);
		jstr_eq(data, "status", statuses[i]);
		jstr_eq(data, "recordedAt", recorded);
		json_object_put(data);

		/* Replaced, never added: one record, with no token. */
		cr_assert_eq(api_db_long("SELECT count(*) "
		    "FROM attendance_records WHERE round_id = $1 "
		    "AND student_id = $2 AND status = $3 "
		    "AND qr_token_id IS NULL", round, f.ids[0], statuses[i],
		    NULL), 1);
		cr_assert_eq(api_db_long("SELECT count(*) "
		    "FROM attendance_records WHERE round_id = $1 "
		    "AND student_id = $2", round, f.ids[0],
		    NULL), 1);
	}
	/* An override publishes the record, and mints nothing. */
	expect_no_event(ev, 300);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 1);
	assert_invariants(session);
	free(username);
	free(name);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, override_replaces_a_scanned_record)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	json_object		*data;

	fx_new(&f, 1);
	start_session(&f, NULL, session, round);
	ev = api_events_subscribe(session);
	fresh_token(&f, ev, session, round, token);
	scan(f.st[0], session, round, token, &f.r);
	expect_status(&f.r, 201);
	json_object_put(expect_event(ev, "attendance:recorded"));
	expect_qr_updated(ev, session, round, token, NULL, 0);

	put_record(&f, session, round, f.ids[0], "excused");
	expect_status(&f.r, 200);
	jstr_eq(f.r.json, "record.status", "excused");
	data = expect_event(ev, "attendance:recorded");
	jstr_eq(data, "status", "excused");
	json_object_put(data);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[0],
	    NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2 AND status = 'excused'",
	    round, f.ids[0], NULL), 1);
	expect_no_event(ev, 300);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, override_works_on_an_ended_session_without_event)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID];

	fx_new(&f, 2);
	start_session(&f, NULL, session, r1);
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");
	end_session(&f, session);
	ev = api_events_subscribe(session);

	put_record(&f, session, r1, f.ids[0], "excused");
	expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "record", RECORD_KEYS);
	jstr_eq(f.r.json, "record.status", "excused");
	jstr_eq(f.r.json, "record.roundId", r1);
	put_record(&f, session, r2, f.ids[1], "present");
	expect_status(&f.r, 200);
	put_record(&f, session, r2, f.ids[1], "late");
	expect_status(&f.r, 200);
	jstr_eq(f.r.json, "record.status", "late");
	expect_no_event(ev, 300);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 2);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2 AND status = 'late'",
	    r2, f.ids[1], NULL), 1);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(sessions, override_refusals)
{
	static const char *const bad[] = {
		"{\"status\": \"here\"}",
		"{\"status\": \"PRESENT\"}",
		"{\"status\": \"\"}",
		"{\"status\": 1}",
		"{\"status\": null}",
		"{\"status\": [\"present\"]}",
		"{}",
		"[\"present\"]",
		"{\"status\": \"present\"",
	};
	struct fx		 f, g;
	struct api_client	*other, *outsider, *neighbour;
	char			 session[ID], round[ID], gs[ID], gr[ID];
	char			 outsider_id[ID], neighbour_id[ID], name[80];
	size_t			 i;

	fx_new(&f, 1);
	fx_new(&g, 1);
	start_session(&f, NULL, session, round);
	start_session(&g, NULL, gs, gr);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req(f.c.professor, "PUT", bad[i], &f.r,
		    "/api/sessions/%s/rounds/%s/records/%s", session, round,
		    f.ids[0]);
		cr_assert_eq(f.r.status, 400, "%s: HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
	}
	req_raw(f.c.professor, "PUT", "text/plain", "{\"status\": \"present\"}",
	    NULL, &f.r, "/api/sessions/%s/rounds/%s/records/%s", session,
	    round, f.ids[0]);
	api_assert_error(&f.r, 415, "unsupported_media_type");
	/* A body is required: a status must be given. */
	req_nobody(f.c.professor, "PUT", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_error(&f.r, 400, "invalid_request");
	/* The body is checked before the path's resources. */
	req(f.c.professor, "PUT", "{\"status\": \"here\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", UNKNOWN_ID, round,
	    f.ids[0]);
	api_assert_error(&f.r, 400, "invalid_request");

	/* Students who are not in the session's group. */
	outsider = api_user_login("student", "outsider", outsider_id, name);
	put_record(&f, session, round, outsider_id, "present");
	api_assert_error(&f.r, 404, "not_found");
	neighbour = other_group_student(&f, neighbour_id);
	put_record(&f, session, round, neighbour_id, "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, session, round, g.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	/* Not a student at all. */
	put_record(&f, session, round, f.c.professor_id, "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, session, round, UNKNOWN_ID, "present");
	api_assert_error(&f.r, 404, "not_found");

	/* Unknown, malformed or mismatched ids. */
	put_record(&f, UNKNOWN_ID, round, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, session, UNKNOWN_ID, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, "nope", round, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, session, "nope", f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, session, round, "nope", "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, session, gr, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	put_record(&f, gs, gr, g.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");

	/* Someone else's session, and the wrong role. */
	other = intruder();
	req(other, "PUT", "{\"status\": \"present\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_error(&f.r, 404, "not_found");
	req(f.st[0], "PUT", "{\"status\": \"present\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_error(&f.r, 403, "forbidden");

	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id IN ($1, $2)", session, gs, NULL), 0,
	    "a refused override wrote a record");
	assert_invariants(session);
	api_client_free(other);
	api_client_free(outsider);
	api_client_free(neighbour);
	fx_free(&g);
	fx_free(&f);
}

/*
 * A 405 whose Allow header lists each of the comma-separated methods and
 * not the one that was refused.
 */
static void
assert_allow(const struct api_response *r, const char *methods,
    const char *refused)
{
	char	*allow, buf[64], *m, *save = NULL;

	api_assert_error(r, 405, "method_not_allowed");
	allow = api_header(r, "Allow");
	cr_assert(allow != NULL, "405 without an Allow header");
	snprintf(buf, sizeof(buf), "%s", methods);
	for (m = strtok_r(buf, ",", &save); m != NULL;
	    m = strtok_r(NULL, ",", &save))
		cr_assert(strstr(allow, m) != NULL, "Allow: %s lacks %s",
		    allow, m);
	cr_assert(strstr(allow, refused) == NULL, "Allow: %s has %s", allow,
	    refused);
	free(allow);
}

Test(sessions, wrong_methods_are_405_with_allow)
{
	struct fx		 f;
	struct api_client	*anonymous;
	char			 session[ID], round[ID];

	fx_new(&f, 1);
	start_session(&f, NULL, session, round);
	req(f.c.professor, "DELETE", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	assert_allow(&f.r, "GET,POST", "DELETE");
	req(f.c.professor, "PATCH", "{}", &f.r, "/api/sessions/%s", session);
	assert_allow(&f.r, "GET", "PATCH");
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s/rounds",
	    session);
	assert_allow(&f.r, "POST", "GET");
	req(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, round);
	assert_allow(&f.r, "POST", "GET");
	req(f.c.professor, "POST", NULL, &f.r, "/api/sessions/%s/end",
	    session);
	assert_allow(&f.r, "PATCH", "POST");
	req(f.c.professor, "POST", "{\"status\": \"present\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	assert_allow(&f.r, "PUT", "POST");
	/* The route comes before authentication. */
	anonymous = api_client_new();
	req(anonymous, "GET", NULL, &f.r, "/api/sessions/%s/end", session);
	assert_allow(&f.r, "PATCH", "GET");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1 AND status = 'active'", f.c.group_id, NULL),
	    1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 0);
	api_client_free(anonymous);
	fx_free(&f);
}
