/*
 * Scanning through nginx, as ../shared/spec/API.md writes it: every check
 * in the contract's order with its error, success and lateness, the
 * events a scan publishes (and that a failed scan publishes none), and
 * the races: many students on one token, one student against itself.
 * After each test the database holds the contract's invariants: no
 * record without its consumed token and back, at most one live token per
 * round, no raw token anywhere.
 */
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include "api_support.h"

#define ID		API_ID_SIZE
#define TOKEN_SIZE	64
#define FX_STUDENTS	30

#define RECORD_KEYS	"id sessionId roundId studentId status recordedAt"
#define RECORDED_KEYS	"sessionId roundId studentId username displayName " \
			"status recordedAt"

#define RACE_STUDENTS	30
#define RACE_SELF	10
#define WELL_FORMED	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* A random well-formed UUID that names nothing. */
#define UNKNOWN_ID	"0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5e"

TestSuite(scan, .timeout = 90);

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
	char	 body[512];
	int	 n;

	n = snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	cr_assert(n > 0 && (size_t)n < sizeof(body), "token too long");
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

/* Whether a reply (or any element of it) holds needle. */
static int
reply_has(const redisReply *r, const char *needle)
{
	size_t	 i;

	if (r == NULL)
		return 0;
	if ((r->type == REDIS_REPLY_STRING || r->type == REDIS_REPLY_STATUS) &&
	    memmem(r->str, r->len, needle, strlen(needle)) != NULL)
		return 1;
	if (r->type == REDIS_REPLY_ARRAY)
		for (i = 0; i < r->elements; i++)
			if (reply_has(r->element[i], needle))
				return 1;
	return 0;
}

/* No Redis key, nor any value of one, holds the raw token. */
static void
assert_token_not_in_redis(const char *token)
{
	static const char *const reads[][2] = {
		{ "string", "GET %b" },
		{ "list", "LRANGE %b 0 -1" },
		{ "set", "SMEMBERS %b" },
		{ "zset", "ZRANGE %b 0 -1" },
		{ "hash", "HGETALL %b" },
		{ "stream", "XRANGE %b - +" },
	};
	redisContext	*rc;
	redisReply	*keys, *type, *v;
	const char	*socket = getenv("ATTENDANCE_TEST_REDIS_SOCKET");
	size_t		 i, j;

	cr_assert(socket != NULL);
	rc = redisConnectUnix(socket);
	cr_assert(rc != NULL && rc->err == 0, "redis: %s",
	    rc != NULL ? rc->errstr : "out of memory");
	keys = redisCommand(rc, "KEYS *");
	cr_assert(keys != NULL && keys->type == REDIS_REPLY_ARRAY);
	for (i = 0; i < keys->elements; i++) {
		const redisReply	*k = keys->element[i];

		cr_assert(!reply_has(k, token),
		    "a Redis key holds the raw token: %s", k->str);
		type = redisCommand(rc, "TYPE %b", k->str, k->len);
		cr_assert(type != NULL && type->type == REDIS_REPLY_STATUS);
		for (j = 0; j < sizeof(reads) / sizeof(reads[0]); j++) {
			if (strcmp(type->str, reads[j][0]) != 0)
				continue;
			v = redisCommand(rc, reads[j][1], k->str, k->len);
			cr_assert(!reply_has(v, token),
			    "Redis key %s holds the raw token", k->str);
			freeReplyObject(v);
		}
		freeReplyObject(type);
	}
	freeReplyObject(keys);
	redisFree(rc);
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
	assert_token_not_in_redis(token);
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
	    "(SELECT 1 FROM attendance_records a WHERE a.id = t.record_id "
	    "AND a.round_id = t.round_id AND a.student_id = t.consumed_by)",
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

/* Runs an SQL command with one parameter. */
static void
db_exec(const char *sql, const char *param)
{
	free(api_db_value(sql, param, NULL));
}

/* Starts a session of f, subscribes to it and fetches a token. */
static struct api_events *
open_round(struct fx *f, const char *body, char session[ID], char round[ID],
    char token[TOKEN_SIZE])
{
	struct api_events	*ev;

	start_session(f, body, session, round);
	ev = api_events_subscribe(session);
	fresh_token(f, ev, session, round, token);
	return ev;
}

/*
 * Student i of f scans token successfully: checks the 201 record, its
 * events (attendance:recorded then round:qr-updated), and replaces token
 * with the round's next one.  Writes the record's id.
 */
static void
scan_ok(struct fx *f, struct api_events *ev, size_t i, const char *session,
    const char *round, char token[TOKEN_SIZE], const char *status,
    char record[ID])
{
	char		 recorded[64], next[TOKEN_SIZE];
	json_object	*data;

	scan(f->st[i], session, round, token, &f->r);
	expect_status(&f->r, 201);
	api_assert_keys(f->r.json, "", "record");
	api_assert_keys(f->r.json, "record", RECORD_KEYS);
	copy_id(record, f->r.json, "record.id");
	jstr_eq(f->r.json, "record.sessionId", session);
	jstr_eq(f->r.json, "record.roundId", round);
	jstr_eq(f->r.json, "record.studentId", f->ids[i]);
	jstr_eq(f->r.json, "record.status", status);
	api_assert_timestamp(f->r.json, "record.recordedAt");
	snprintf(recorded, sizeof(recorded), "%s",
	    api_json_string(f->r.json, "record.recordedAt"));
	assert_not_in_response(&f->r, token);

	data = expect_event(ev, "attendance:recorded");
	jstr_eq(data, "studentId", f->ids[i]);
	jstr_eq(data, "status", status);
	jstr_eq(data, "recordedAt", recorded);
	json_object_put(data);
	expect_qr_updated(ev, session, round, next, NULL, 0);
	cr_assert_str_neq(next, token, "the scan did not mint a new token");
	assert_not_in_response(&f->r, next);
	snprintf(token, TOKEN_SIZE, "%s", next);
}

/* The round's live token as the database sees it: consumed or not. */
static long
consumed_tokens(const char *round)
{
	return api_db_long("SELECT count(*) FROM qr_tokens WHERE round_id = $1 "
	    "AND consumed", round, NULL);
}

/* Makes the round's live token expired (created earlier, for the CHECK). */
static void
expire_live_token(const char *round)
{
	db_exec("UPDATE qr_tokens SET created_at = now() - interval '1 min', "
	    "expires_at = now() - interval '1 ms' WHERE round_id = $1 "
	    "AND NOT consumed AND superseded_at IS NULL", round);
}

/* --- who may scan ---------------------------------------------------- */

Test(scan, needs_a_logged_in_student)
{
	static const char *const evil[] = {
		"Origin: http://evil.example", NULL
	};
	struct fx		 f;
	struct api_events	*ev;
	struct api_client	*anonymous, *other;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], body[128];

	fx_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	anonymous = api_client_new();
	scan(anonymous, session, round, token, &f.r);
	api_assert_error(&f.r, 401, "unauthenticated");
	/* A foreign Origin is refused before anything else. */
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	req_raw(f.st[0], "POST", "application/json", body, evil, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 403, "csrf_origin");
	req_raw(anonymous, "POST", "application/json", body, evil, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 403, "csrf_origin");
	/* Before the body and the path's resources. */
	req(anonymous, "POST", "{\"token\": 5}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", UNKNOWN_ID, "x");
	api_assert_error(&f.r, 401, "unauthenticated");

	scan(f.c.professor, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	req(f.c.professor, "POST", "{}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", UNKNOWN_ID, UNKNOWN_ID);
	api_assert_error(&f.r, 403, "forbidden");
	other = intruder();
	scan(other, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	api_client_free(other);
	expect_no_event(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);

	/* The token survived them all. */
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	assert_invariants(session);
	api_client_free(anonymous);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, refuses_a_bad_body)
{
	static const char *const bad[] = {
		"{}",
		"{\"token\": 5}",
		"{\"token\": null}",
		"{\"token\": true}",
		"{\"token\": [\"AAAA\"]}",
		"{\"token\": {}}",
		"{\"tokens\": \"AAAA\"}",
		"[]",
		"\"token\"",
		"{\"token\": \"AAAA\"",
		"",
	};
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], *big, *huge;
	size_t			 i;

	fx_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		req(f.st[0], "POST", bad[i], &f.r,
		    "/api/sessions/%s/rounds/%s/scan", session, round);
		cr_assert_eq(f.r.status, 400, "'%s': HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
	}
	req_nobody(f.st[0], "POST", &f.r, "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	api_assert_error(&f.r, 400, "invalid_request");
	/* The body is checked before the path's resources. */
	req(f.st[0], "POST", "{\"token\": 1}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", UNKNOWN_ID, round);
	api_assert_error(&f.r, 400, "invalid_request");
	req_raw(f.st[0], "POST", "text/plain", token, NULL, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 415, "unsupported_media_type");
	/* Over 64 KiB: 413, whatever the token says. */
	big = api_repeat("A", 70000);
	huge = api_printf("{\"token\": \"%s\"}", big);
	req(f.st[0], "POST", huge, &f.r, "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	api_assert_error(&f.r, 413, "payload_too_large");
	free(huge);
	free(big);
	expect_no_event(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, malformed_tokens_are_invalid_token)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], bad[8][TOKEN_SIZE * 2];
	size_t			 i;

	fx_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(bad[0], sizeof(bad[0]), "%s", "");
	snprintf(bad[1], sizeof(bad[1]), "%s", "abc");
	snprintf(bad[2], sizeof(bad[2]), "%sA", token);		/* 44 */
	snprintf(bad[3], sizeof(bad[3]), "%.42s", token);	/* 42 */
	snprintf(bad[4], sizeof(bad[4]), "+%s", token + 1);	/* alphabet */
	snprintf(bad[5], sizeof(bad[5]), "%.42s=", token);
	snprintf(bad[6], sizeof(bad[6]), "%.20s.%s", token, token + 21);
	snprintf(bad[7], sizeof(bad[7]), "%s", "not a token at all");
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		scan(f.st[0], session, round, bad[i], &f.r);
		cr_assert_eq(f.r.status, 403, "'%s': HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 403, "invalid_token");
	}
	expect_no_event(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, unknown_or_mismatched_ids_are_not_found)
{
	struct fx		 f, g;
	struct api_events	*ev, *gev;
	struct api_client	*outsider;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 gs[ID], gr[ID], gtoken[TOKEN_SIZE];
	char			 record[ID], outsider_id[ID], name[80];

	fx_new(&f, 1);
	fx_new(&g, 1);
	ev = open_round(&f, NULL, session, round, token);
	gev = open_round(&g, NULL, gs, gr, gtoken);

	scan(f.st[0], UNKNOWN_ID, round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	scan(f.st[0], session, UNKNOWN_ID, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* A round of another session, under this one; and the reverse. */
	scan(f.st[0], session, gr, gtoken, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	scan(f.st[0], session, gr, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	scan(g.st[0], gs, round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* The session's id where the round's goes. */
	scan(f.st[0], session, session, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* Malformed ids. */
	scan(f.st[0], "not-a-uuid", round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	scan(f.st[0], session, "42", token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	scan(f.st[0], session, "0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5eff",
	    token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* Resources before enrollment. */
	outsider = api_user_login("student", "outsider", outsider_id, name);
	scan(outsider, session, UNKNOWN_ID, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	scan(outsider, UNKNOWN_ID, round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");

	expect_no_event(ev, 300);
	expect_no_event(gev, 1);
	cr_assert_eq(consumed_tokens(round), 0);
	cr_assert_eq(consumed_tokens(gr), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	scan_ok(&g, gev, 0, gs, gr, gtoken, "present", record);
	assert_invariants(session);
	assert_invariants(gs);
	api_client_free(outsider);
	api_events_free(gev);
	api_events_free(ev);
	fx_free(&g);
	fx_free(&f);
}

Test(scan, not_enrolled_in_the_group)
{
	struct fx		 f;
	struct api_events	*ev;
	struct api_client	*outsider, *neighbour;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], outsider_id[ID], neighbour_id[ID];
	char			 name[80];

	fx_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	outsider = api_user_login("student", "outsider", outsider_id, name);
	neighbour = other_group_student(&f, neighbour_id);

	scan(outsider, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	scan(neighbour, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	/* Enrollment comes before the token. */
	scan(neighbour, session, round, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	expect_no_event(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);

	/* And before the state of the session. */
	end_session(&f, session);
	json_object_put(expect_event(ev, "session:ended"));
	scan(neighbour, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	scan(outsider, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE student_id IN ($1, $2)", outsider_id, neighbour_id, NULL),
	    0);
	assert_invariants(session);
	api_client_free(outsider);
	api_client_free(neighbour);
	api_events_free(ev);
	fx_free(&f);
}

/* --- the state checks, in order -------------------------------------- */

Test(scan, session_then_round_then_record_then_token)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID];
	char			 t1[TOKEN_SIZE], token[TOKEN_SIZE], record[ID];

	fx_new(&f, 3);
	ev = open_round(&f, NULL, session, r1, token);
	scan_ok(&f, ev, 0, session, r1, token, "present", record);
	snprintf(t1, sizeof(t1), "%s", token);	/* round 1's live token */

	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");
	json_object_put(expect_event(ev, "round:started"));
	expect_qr_updated(ev, session, r2, token, NULL, 0);

	/* Round closed comes before the record and the token. */
	scan(f.st[0], session, r1, t1, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	scan(f.st[1], session, r1, t1, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	scan(f.st[1], session, r1, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	scan(f.st[1], session, r1, token, &f.r);
	api_assert_error(&f.r, 409, "round_closed");

	/* The record comes before the token, which stays untouched. */
	scan_ok(&f, ev, 0, session, r2, token, "present", record);
	scan(f.st[0], session, r2, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	scan(f.st[0], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	scan(f.st[0], session, r2, t1, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	expect_no_event(ev, 300);
	cr_assert_eq(consumed_tokens(r2), 1);
	scan_ok(&f, ev, 1, session, r2, token, "present", record);

	/* The session ended: that comes before everything else. */
	end_session(&f, session);
	json_object_put(expect_event(ev, "session:ended"));
	scan(f.st[2], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	scan(f.st[2], session, r1, t1, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	scan(f.st[0], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	scan(f.st[2], session, r2, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	expect_no_event(ev, 300);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 3);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, token_unknown_used_superseded_expired)
{
	struct fx		 f, g;
	struct api_events	*ev, *gev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 used[TOKEN_SIZE], old[TOKEN_SIZE], record[ID];
	char			 gs[ID], gr[ID], gtoken[TOKEN_SIZE];

	fx_new(&f, 4);
	fx_new(&g, 0);
	ev = open_round(&f, NULL, session, round, token);
	gev = open_round(&g, NULL, gs, gr, gtoken);

	/* Well formed, but no token of this round. */
	scan(f.st[0], session, round, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	scan(f.st[0], session, round, gtoken, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");

	/* Consumed. */
	snprintf(used, sizeof(used), "%s", token);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	scan(f.st[1], session, round, used, &f.r);
	api_assert_error(&f.r, 409, "token_used");

	/* Superseded by a refresh. */
	snprintf(old, sizeof(old), "%s", token);
	fresh_token(&f, ev, session, round, token);
	scan(f.st[1], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "token_used");

	/* Expired. */
	expire_live_token(round);
	scan(f.st[1], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	scan(f.st[2], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	/* Used (or superseded) comes before expired. */
	db_exec("UPDATE qr_tokens SET created_at = now() - interval '1 min', "
	    "expires_at = now() - interval '1 ms' WHERE round_id = $1 "
	    "AND consumed", round);
	scan(f.st[1], session, round, used, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	expect_no_event(ev, 300);
	cr_assert_eq(consumed_tokens(round), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 1);

	/* A refresh replaces the expired token with one that works. */
	snprintf(old, sizeof(old), "%s", token);
	fresh_token(&f, ev, session, round, token);
	scan(f.st[1], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	scan_ok(&f, ev, 1, session, round, token, "present", record);
	scan_ok(&f, ev, 2, session, round, token, "present", record);
	assert_token_nowhere(used);
	assert_token_nowhere(token);
	assert_invariants(session);
	api_events_free(gev);
	api_events_free(ev);
	fx_free(&g);
	fx_free(&f);
}

/* --- success --------------------------------------------------------- */

Test(scan, success_records_present_and_burns_the_token)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 first[TOKEN_SIZE], record[ID], *stored;

	fx_new(&f, 2);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(first, sizeof(first), "%s", token);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	expect_no_event(ev, 300);

	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records a "
	    "JOIN qr_tokens t ON t.id = a.qr_token_id "
	    "WHERE a.id = $1 AND a.round_id = $2 AND a.student_id = $3 "
	    "AND a.status = 'present' AND t.consumed AND t.consumed_by = $3 "
	    "AND t.round_id = $2", record, round, f.ids[0], NULL), 1,
	    "the record is not tied to the token its student consumed");
	stored = api_db_value("SELECT at_ts(recorded_at) "
	    "FROM attendance_records WHERE id = $1", record, NULL);
	jstr_eq(f.r.json, "record.recordedAt", stored);
	free(stored);
	/* The next token is the round's one live token. */
	assert_token_hashed(token, round);
	assert_token_nowhere(first);
	assert_token_nowhere(token);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, late_after_late_after_seconds_of_the_round)
{
	struct fx		 f;
	struct api_events	*ev;
	struct timespec		 pause = { 0, 50 * 1000 * 1000 };
	char			 session[ID], r1[ID], r2[ID];
	char			 token[TOKEN_SIZE], record[ID];

	fx_new(&f, 3);
	/* lateAfterSeconds 0: anything after the round's start is late. */
	ev = open_round(&f, "{\"lateAfterSeconds\": 0}", session, r1, token);
	nanosleep(&pause, NULL);
	scan_ok(&f, ev, 0, session, r1, token, "late", record);
	end_session(&f, session);
	json_object_put(expect_event(ev, "session:ended"));
	api_events_free(ev);

	/* The default 600 s: on time, until the round started long ago. */
	ev = open_round(&f, NULL, session, r1, token);
	scan_ok(&f, ev, 0, session, r1, token, "present", record);
	db_exec("UPDATE attendance_rounds SET starts_at = starts_at - "
	    "interval '601 s' WHERE id = $1", r1);
	scan_ok(&f, ev, 1, session, r1, token, "late", record);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE id = $1 AND status = 'late'", record, NULL), 1);

	/* Lateness counts from the round's start, not the session's. */
	req_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	expect_status(&f.r, 201);
	copy_id(r2, f.r.json, "round.id");
	json_object_put(expect_event(ev, "round:started"));
	expect_qr_updated(ev, session, r2, token, NULL, 0);
	db_exec("UPDATE sessions SET starts_at = starts_at - "
	    "interval '1 hour' WHERE id = $1", session);
	scan_ok(&f, ev, 2, session, r2, token, "present", record);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, an_absent_override_is_replaced_other_records_are_not)
{
	static const char *const statuses[] = { "present", "late", "excused" };
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID];
	size_t			 i;

	fx_new(&f, 4);
	ev = open_round(&f, NULL, session, round, token);
	for (i = 0; i < 3; i++) {
		put_record(&f, session, round, f.ids[i], statuses[i]);
		expect_status(&f.r, 200);
		json_object_put(expect_event(ev, "attendance:recorded"));
		scan(f.st[i], session, round, token, &f.r);
		api_assert_error(&f.r, 409, "already_recorded");
	}
	req(f.c.professor, "PUT", "{\"status\": \"absent\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[3]);
	expect_status(&f.r, 200);
	json_object_put(expect_event(ev, "attendance:recorded"));
	expect_no_event(ev, 300);
	/* already_recorded left the token live. */
	cr_assert_eq(consumed_tokens(round), 0);
	assert_token_hashed(token, round);

	scan_ok(&f, ev, 3, session, round, token, "present", record);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[3], NULL),
	    1, "the absent record was not replaced");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE id = $1 AND status = 'present' AND qr_token_id IS NOT NULL",
	    record, NULL), 1);
	for (i = 0; i < 3; i++)
		cr_assert_eq(api_db_long("SELECT count(*) "
		    "FROM attendance_records WHERE round_id = $1 "
		    "AND student_id = $2 AND status = $3 "
		    "AND qr_token_id IS NULL", round, f.ids[i], statuses[i],
		    NULL), 1);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

/*
 * A scanned record the professor then marks absent, scanned again: the
 * record is replaced, and each token the student consumed still has its
 * record ("no consumed token without its record").
 */
Test(scan, a_rescan_after_an_absent_override_keeps_the_invariants)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 first[ID], second[ID];

	fx_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	scan_ok(&f, ev, 0, session, round, token, "present", first);
	put_record(&f, session, round, f.ids[0], "absent");
	expect_status(&f.r, 200);
	json_object_put(expect_event(ev, "attendance:recorded"));
	scan_ok(&f, ev, 0, session, round, token, "present", second);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[0], NULL),
	    1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens "
	    "WHERE round_id = $1 AND consumed_by = $2", round, f.ids[0], NULL),
	    2);
	assert_invariants(session);
	api_events_free(ev);
	fx_free(&f);
}

/* --- events ------------------------------------------------------------ */

Test(scan, publishes_recorded_then_the_next_token)
{
	struct fx		 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 next[TOKEN_SIZE], recorded[64], record[ID];
	char			*username, *name;
	json_object		*data;

	fx_new(&f, 3);
	ev = open_round(&f, NULL, session, round, token);
	username = api_db_value("SELECT username FROM users WHERE id = $1",
	    f.ids[0], NULL);
	name = api_db_value("SELECT display_name FROM users WHERE id = $1",
	    f.ids[0], NULL);

	scan(f.st[0], session, round, token, &f.r);
	expect_status(&f.r, 201);
	snprintf(recorded, sizeof(recorded), "%s",
	    api_json_string(f.r.json, "record.recordedAt"));
	data = expect_event(ev, "attendance:recorded");
	api_assert_keys(data, "", RECORDED_KEYS);
	jstr_eq(data, "sessionId", session);
	jstr_eq(data, "roundId", round);
	jstr_eq(data, "studentId", f.ids[0]);
	jstr_eq(data, "username", username);
	jstr_eq(data, "displayName", name);
	jstr_eq(data, "status", "present");
	jstr_eq(data, "recordedAt", recorded);
	json_object_put(data);
	expect_qr_updated(ev, session, round, next, NULL, 0);
	cr_assert_str_neq(next, token);
	assert_not_in_response(&f.r, next);
	expect_no_event(ev, 300);

	/* The next token works for the next student, and so on. */
	scan_ok(&f, ev, 1, session, round, next, "present", record);
	scan_ok(&f, ev, 2, session, round, next, "present", record);
	expect_no_event(ev, 300);
	assert_token_nowhere(token);
	assert_token_nowhere(next);
	assert_invariants(session);
	free(username);
	free(name);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, a_failed_scan_publishes_nothing)
{
	struct fx		 f;
	struct api_events	*ev;
	struct api_client	*outsider;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 used[TOKEN_SIZE], record[ID], id[ID], name[80];

	fx_new(&f, 2);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(used, sizeof(used), "%s", token);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	expect_no_event(ev, 300);

	outsider = api_user_login("student", "outsider", id, name);
	scan(outsider, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	scan(f.st[0], session, round, token, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	scan(f.st[1], session, round, used, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	scan(f.st[1], session, round, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	scan(f.st[1], session, round, "short", &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	expire_live_token(round);
	scan(f.st[1], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	expect_no_event(ev, 300);
	assert_invariants(session);
	api_client_free(outsider);
	api_events_free(ev);
	fx_free(&f);
}

/* --- races ------------------------------------------------------------- */

struct racer {
	struct api_client	*client;
	const char		*path;
	const char		*body;
	pthread_barrier_t	*barrier;
	struct api_response	 res;
};

static void *
racer_run(void *arg)
{
	struct racer	*r = arg;

	(void)pthread_barrier_wait(r->barrier);
	api_request(r->client, "POST", r->path, r->body, &r->res);
	return NULL;
}

/* Sends the n requests at once, each from its own thread and client. */
static void
race(struct racer *rs, size_t n)
{
	pthread_t		 th[RACE_STUDENTS];
	pthread_barrier_t	 barrier;
	size_t			 i;

	cr_assert(n <= RACE_STUDENTS);
	cr_assert(pthread_barrier_init(&barrier, NULL, (unsigned)n) == 0);
	for (i = 0; i < n; i++) {
		memset(&rs[i].res, 0, sizeof(rs[i].res));
		rs[i].barrier = &barrier;
		cr_assert(pthread_create(&th[i], NULL, racer_run, &rs[i]) ==
		    0);
	}
	for (i = 0; i < n; i++)
		cr_assert(pthread_join(th[i], NULL) == 0);
	pthread_barrier_destroy(&barrier);
}

/* How many answered status (and, for an error, code). */
static size_t
race_count(struct racer *rs, size_t n, long status, const char *code)
{
	size_t		 i, k = 0;
	json_object	*c;

	for (i = 0; i < n; i++) {
		if (rs[i].res.status != status)
			continue;
		if (code != NULL) {
			c = rs[i].res.json == NULL ? NULL :
			    api_json_get(rs[i].res.json, "error.code");
			if (c == NULL || !json_object_is_type(c,
			    json_type_string) ||
			    strcmp(json_object_get_string(c), code) != 0)
				continue;
		}
		k++;
	}
	return k;
}

static void
race_print(struct racer *rs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		cr_log_info("racer %zu: HTTP %ld %s", i, rs[i].res.status,
		    rs[i].res.body != NULL ? rs[i].res.body : "");
}

Test(scan, students_racing_one_token_one_wins, .timeout = 120)
{
	struct fx		 f;
	struct api_events	*ev;
	struct racer		 rs[RACE_STUDENTS];
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 next[TOKEN_SIZE], path[256], body[128];
	json_object		*data;
	size_t			 i, won;

	fx_new(&f, RACE_STUDENTS);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	for (i = 0; i < RACE_STUDENTS; i++) {
		rs[i].client = f.st[i];
		rs[i].path = path;
		rs[i].body = body;
	}
	race(rs, RACE_STUDENTS);
	won = race_count(rs, RACE_STUDENTS, 201, NULL);
	if (won != 1 || race_count(rs, RACE_STUDENTS, 409, "token_used") !=
	    RACE_STUDENTS - 1)
		race_print(rs, RACE_STUDENTS);
	cr_assert_eq(won, 1, "%zu scans of one token succeeded", won);
	cr_assert_eq(race_count(rs, RACE_STUDENTS, 409, "token_used"),
	    RACE_STUDENTS - 1);
	for (i = 0; i < RACE_STUDENTS && rs[i].res.status != 201; i++)
		continue;

	/* One record, one consumed token, one pair of events. */
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1", round, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[i], NULL),
	    1, "the record is not the winner's");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND consumed AND consumed_by = $2", round,
	    f.ids[i], NULL), 1);
	cr_assert_eq(consumed_tokens(round), 1);
	data = expect_event(ev, "attendance:recorded");
	jstr_eq(data, "studentId", f.ids[i]);
	json_object_put(data);
	expect_qr_updated(ev, session, round, next, NULL, 0);
	expect_no_event(ev, 300);
	assert_token_hashed(next, round);
	assert_token_nowhere(token);
	assert_token_nowhere(next);
	assert_invariants(session);
	for (i = 0; i < RACE_STUDENTS; i++)
		api_response_free(&rs[i].res);
	api_events_free(ev);
	fx_free(&f);
}

Test(scan, a_student_racing_itself_burns_one_token, .timeout = 120)
{
	struct fx		 f;
	struct api_events	*ev;
	struct racer		 rs[RACE_SELF];
	struct api_client	*clients[RACE_SELF];
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 next[TOKEN_SIZE], path[256], body[128];
	char			 student[ID], username[80], password[96];
	size_t			 i, won;

	fx_new(&f, 0);
	api_user_create("student", "self", student, username);
	snprintf(body, sizeof(body), "{\"student\": \"%s\"}", username);
	req(f.c.professor, "POST", body, &f.r, "/api/groups/%s/enrollments",
	    f.c.group_id);
	expect_status(&f.r, 201);
	snprintf(password, sizeof(password), "pw-%s", username);
	for (i = 0; i < RACE_SELF; i++)
		clients[i] = api_login(username, password);

	ev = open_round(&f, NULL, session, round, token);
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	for (i = 0; i < RACE_SELF; i++) {
		rs[i].client = clients[i];
		rs[i].path = path;
		rs[i].body = body;
	}
	race(rs, RACE_SELF);
	won = race_count(rs, RACE_SELF, 201, NULL);
	if (won != 1 || race_count(rs, RACE_SELF, 409, "already_recorded") !=
	    RACE_SELF - 1)
		race_print(rs, RACE_SELF);
	cr_assert_eq(won, 1, "%zu scans by one student succeeded", won);
	cr_assert_eq(race_count(rs, RACE_SELF, 409, "already_recorded"),
	    RACE_SELF - 1, "the losers are not all already_recorded");

	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND consumed", round, NULL), 1,
	    "a student racing itself burnt more than one token");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND consumed AND consumed_by = $2", round, student,
	    NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, student, NULL),
	    1);
	json_object_put(expect_event(ev, "attendance:recorded"));
	expect_qr_updated(ev, session, round, next, NULL, 0);
	expect_no_event(ev, 300);
	assert_token_nowhere(token);
	assert_token_nowhere(next);
	assert_invariants(session);
	for (i = 0; i < RACE_SELF; i++) {
		api_response_free(&rs[i].res);
		api_client_free(clients[i]);
	}
	api_events_free(ev);
	fx_free(&f);
}
