/*
 * Scanning through nginx, as ../shared/spec/API.md writes it: every check
 * in the contract's order with its error, success and lateness, the
 * events a scan publishes (and that a failed scan publishes none), and
 * the races: many students on one token, one student against itself;
 * and (v1.1) the same in window mode, where a token records everyone who
 * scans it in time and is never consumed, 300 students on one token at
 * once included.  After each test the database holds the contract's
 * invariants: no record without its token, no consumed token without its
 * record, at most one live token per round, no raw token anywhere.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <criterion/criterion.h>
#include <hiredis/hiredis.h>

#include "api_support.h"

#define ID		API_ID_SIZE
#define TOKEN_SIZE	API_TOKEN_SIZE

#define RECORD_KEYS	"id sessionId roundId studentId status recordedAt"
/* For api_assert_session_invariants(): the record a that token t names. */

#define RACE_STUDENTS	30
#define RACE_SELF	10
#define RACE_HALL	300	/* window mode: one token, a hall at once */
#define WINDOW		"{\"scanMode\": \"window\", \"qrTtlSeconds\": 60}"
#define WELL_FORMED	"AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"

/* A random well-formed UUID that names nothing. */
#define UNKNOWN_ID	"0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5e"

TestSuite(scan, .timeout = 90);

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
	size_t		 i, j;

	rc = api_redis_connect();
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

/* Neither a table nor Redis holds the raw token. */
static void
assert_token_nowhere(const char *token)
{
	api_assert_token_not_in_db(token);
	assert_token_not_in_redis(token);
}

/* Runs an SQL command with one parameter. */
static void
db_exec(const char *sql, const char *param)
{
	free(api_db_value(sql, param, NULL));
}

/* Starts a session of f, subscribes to it and fetches a token. */
static struct api_events *
open_round(struct api_fixture *f, const char *body, char session[ID],
    char round[ID], char token[TOKEN_SIZE])
{
	struct api_events	*ev;

	api_start_session(f, body, session, round);
	ev = api_events_subscribe(session);
	api_fresh_token(f, ev, session, round, token);
	return ev;
}

/*
 * Student i of f scans token successfully: checks the 201 record, its
 * events (attendance:recorded then round:qr-updated), and replaces token
 * with the round's next one.  Writes the record's id.
 */
static void
scan_ok(struct api_fixture *f, struct api_events *ev, size_t i,
    const char *session, const char *round, char token[TOKEN_SIZE],
    const char *status, char record[ID])
{
	char		 recorded[64], next[TOKEN_SIZE];
	json_object	*data;

	api_scan(f->st[i], session, round, token, &f->r);
	api_expect_status(&f->r, 201);
	api_assert_keys(f->r.json, "", "record");
	api_assert_keys(f->r.json, "record", RECORD_KEYS);
	api_copy_id(record, f->r.json, "record.id");
	api_assert_string_at(f->r.json, "record.sessionId", session);
	api_assert_string_at(f->r.json, "record.roundId", round);
	api_assert_string_at(f->r.json, "record.studentId", f->ids[i]);
	api_assert_string_at(f->r.json, "record.status", status);
	api_assert_timestamp(f->r.json, "record.recordedAt");
	snprintf(recorded, sizeof(recorded), "%s",
	    api_json_string(f->r.json, "record.recordedAt"));
	api_assert_not_in_response(&f->r, token);

	data = api_events_expect(ev, "attendance:recorded");
	api_assert_string_at(data, "studentId", f->ids[i]);
	api_assert_string_at(data, "status", status);
	api_assert_string_at(data, "recordedAt", recorded);
	json_object_put(data);
	api_events_expect_qr_updated(ev, session, round, next, NULL, 0);
	cr_assert_str_neq(next, token, "the scan did not mint a new token");
	api_assert_not_in_response(&f->r, next);
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
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_client	*anonymous, *other;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], body[128];

	api_fixture_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	anonymous = api_client_new();
	api_scan(anonymous, session, round, token, &f.r);
	api_assert_error(&f.r, 401, "unauthenticated");
	/* A foreign Origin is refused before anything else. */
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	api_reqf_raw(f.st[0], "POST", "application/json", body, evil, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 403, "csrf_origin");
	api_reqf_raw(anonymous, "POST", "application/json", body, evil, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 403, "csrf_origin");
	/* Before the body and the path's resources. */
	api_reqf(anonymous, "POST", "{\"token\": 5}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", UNKNOWN_ID, "x");
	api_assert_error(&f.r, 401, "unauthenticated");

	api_scan(f.c.professor, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	api_reqf(f.c.professor, "POST", "{}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", UNKNOWN_ID, UNKNOWN_ID);
	api_assert_error(&f.r, 403, "forbidden");
	other = api_intruder();
	api_scan(other, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	api_client_free(other);
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);

	/* The token survived them all. */
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_assert_session_invariants(session);
	api_client_free(anonymous);
	api_events_free(ev);
	api_fixture_free(&f);
}

/*
 * The scan looks the login up inside its own statement (one round trip);
 * an unknown or expired sid must still be 401 before anything else,
 * whether the statement runs (good body) or the pipeline stops first
 * (bad body, bad id).
 */
Test(scan, an_unknown_or_expired_login_is_401_in_one_trip)
{
	static const char *const unknown[] = {
		"Cookie: sid=AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA", NULL
	};
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_client	*anonymous;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], body[128];

	api_fixture_new(&f, 2);
	ev = open_round(&f, NULL, session, round, token);
	anonymous = api_client_new();
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	api_reqf_raw(anonymous, "POST", "application/json", body, unknown,
	    &f.r, "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 401, "unauthenticated");
	api_reqf_raw(anonymous, "POST", "application/json", "{\"token\": 5}",
	    unknown, &f.r, "/api/sessions/%s/rounds/%s/scan", session, "x");
	api_assert_error(&f.r, 401, "unauthenticated");
	api_client_free(anonymous);

	cr_assert_eq(api_db_long("WITH s AS (UPDATE auth_sessions SET "
	    "created_at = now() - interval '2 days', "
	    "expires_at = now() - interval '1 second' "
	    "WHERE user_id = $1 RETURNING 1) SELECT count(*) FROM s",
	    f.ids[1], NULL), 1);
	api_scan(f.st[1], session, round, token, &f.r);
	api_assert_error(&f.r, 401, "unauthenticated");
	api_reqf(f.st[1], "POST", "{}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 401, "unauthenticated");
	api_reqf(f.st[1], "POST", body, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, "not-an-id");
	api_assert_error(&f.r, 401, "unauthenticated");
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);

	/* A logged-in student's bad body and bad id are hers to see. */
	api_reqf(f.st[0], "POST", "{}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 400, "invalid_request");
	api_reqf(f.st[0], "POST", body, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, "not-an-id");
	api_assert_error(&f.r, 404, "not_found");
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
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
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], *big, *huge;
	size_t			 i;

	api_fixture_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_reqf(f.st[0], "POST", bad[i], &f.r,
		    "/api/sessions/%s/rounds/%s/scan", session, round);
		cr_assert_eq(f.r.status, 400, "'%s': HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
	}
	api_reqf_nobody(f.st[0], "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 400, "invalid_request");
	/* The body is checked before the path's resources. */
	api_reqf(f.st[0], "POST", "{\"token\": 1}", &f.r,
	    "/api/sessions/%s/rounds/%s/scan", UNKNOWN_ID, round);
	api_assert_error(&f.r, 400, "invalid_request");
	api_reqf_raw(f.st[0], "POST", "text/plain", token, NULL, &f.r,
	    "/api/sessions/%s/rounds/%s/scan", session, round);
	api_assert_error(&f.r, 415, "unsupported_media_type");
	/* Over 64 KiB: 413, whatever the token says. */
	big = api_repeat("A", 70000);
	huge = api_printf("{\"token\": \"%s\"}", big);
	api_reqf(f.st[0], "POST", huge, &f.r, "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	api_assert_error(&f.r, 413, "payload_too_large");
	free(huge);
	free(big);
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, malformed_tokens_are_invalid_token)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], bad[8][TOKEN_SIZE * 2];
	size_t			 i;

	api_fixture_new(&f, 1);
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
		api_scan(f.st[0], session, round, bad[i], &f.r);
		cr_assert_eq(f.r.status, 403, "'%s': HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 403, "invalid_token");
	}
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

/*
 * (issue 16) What a not_enrolled answer says: the code's course and group,
 * as the fixture made them (api_class_create(): "Course <code>", term
 * "2026F", group "G1"); malloc'd.
 */
static char *
not_enrolled_message(const struct api_fixture *f)
{
	char	*code, *want;

	code = api_db_value("SELECT code FROM courses WHERE id = $1",
	    f->c.course_id, NULL);
	cr_assert(code != NULL);
	want = api_printf("not enrolled in %s Course %s (2026F), G1", code,
	    code);
	free(code);
	return want;
}

static void
assert_not_enrolled(const struct api_response *r, const char *want)
{
	api_assert_error(r, 403, "not_enrolled");
	cr_assert_str_eq(api_json_string(api_json_get(r->json, "error"),
	    "message"), want, "body: %s", r->body);
}

/* An answer that names neither f's course nor its group. */
static void
assert_names_no_class(const struct api_response *r,
    const struct api_fixture *f)
{
	char	*code;

	code = api_db_value("SELECT code FROM courses WHERE id = $1",
	    f->c.course_id, NULL);
	cr_assert(code != NULL);
	cr_assert(strstr(r->body, code) == NULL &&
	    strstr(r->body, "G1") == NULL, "names the class: %s", r->body);
	free(code);
}

Test(scan, unknown_or_mismatched_ids_are_not_found)
{
	struct api_fixture	 f, g;
	struct api_events	*ev, *gev;
	struct api_client	*outsider;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 gs[ID], gr[ID], gtoken[TOKEN_SIZE];
	char			 record[ID], outsider_id[ID], name[80];

	api_fixture_new(&f, 1);
	api_fixture_new(&g, 1);
	ev = open_round(&f, NULL, session, round, token);
	gev = open_round(&g, NULL, gs, gr, gtoken);

	api_scan(f.st[0], UNKNOWN_ID, round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	api_scan(f.st[0], session, UNKNOWN_ID, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* A round of another session, under this one; and the reverse. */
	api_scan(f.st[0], session, gr, gtoken, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	api_scan(f.st[0], session, gr, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	api_scan(g.st[0], gs, round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* The session's id where the round's goes. */
	api_scan(f.st[0], session, session, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* Malformed ids. */
	api_scan(f.st[0], "not-a-uuid", round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	api_scan(f.st[0], session, "42", token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	api_scan(f.st[0], session, "0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5eff",
	    token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	/* Resources before enrollment, and the 404 names no class. */
	outsider = api_user_login("student", "outsider", outsider_id, name);
	api_scan(outsider, session, UNKNOWN_ID, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	assert_names_no_class(&f.r, &f);
	api_scan(outsider, UNKNOWN_ID, round, token, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	assert_names_no_class(&f.r, &f);
	api_scan(outsider, session, gr, gtoken, &f.r);
	api_assert_error(&f.r, 404, "not_found");
	assert_names_no_class(&f.r, &f);
	assert_names_no_class(&f.r, &g);

	api_events_expect_none(ev, 300);
	api_events_expect_none(gev, 1);
	cr_assert_eq(consumed_tokens(round), 0);
	cr_assert_eq(consumed_tokens(gr), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	scan_ok(&g, gev, 0, gs, gr, gtoken, "present", record);
	api_assert_session_invariants(session);
	api_assert_session_invariants(gs);
	api_client_free(outsider);
	api_events_free(gev);
	api_events_free(ev);
	api_fixture_free(&g);
	api_fixture_free(&f);
}

Test(scan, not_enrolled_in_the_group)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_client	*outsider, *neighbour;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], outsider_id[ID], neighbour_id[ID];
	char			 name[80], *want;

	api_fixture_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	outsider = api_user_login("student", "outsider", outsider_id, name);
	neighbour = api_other_group_student(&f, neighbour_id);
	want = not_enrolled_message(&f);

	/* (issue 16) The answer names the code's class: the neighbour's
	 * own group is another. */
	api_scan(outsider, session, round, token, &f.r);
	assert_not_enrolled(&f.r, want);
	api_scan(neighbour, session, round, token, &f.r);
	assert_not_enrolled(&f.r, want);
	cr_assert(strstr(f.r.body, "Other") == NULL, "%s", f.r.body);
	/* Enrollment comes before the token. */
	api_scan(neighbour, session, round, WELL_FORMED, &f.r);
	assert_not_enrolled(&f.r, want);
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	scan_ok(&f, ev, 0, session, round, token, "present", record);

	/* And before the state of the session. */
	api_end_session(&f, session);
	json_object_put(api_events_expect(ev, "session:ended"));
	api_scan(neighbour, session, round, token, &f.r);
	assert_not_enrolled(&f.r, want);
	api_scan(outsider, session, round, token, &f.r);
	assert_not_enrolled(&f.r, want);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE student_id IN ($1, $2)", outsider_id, neighbour_id, NULL),
	    0);
	api_assert_session_invariants(session);
	free(want);
	api_client_free(outsider);
	api_client_free(neighbour);
	api_events_free(ev);
	api_fixture_free(&f);
}

/* --- the state checks, in order -------------------------------------- */

Test(scan, session_then_round_then_record_then_token)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID];
	char			 t1[TOKEN_SIZE], token[TOKEN_SIZE], record[ID];

	api_fixture_new(&f, 3);
	ev = open_round(&f, NULL, session, r1, token);
	scan_ok(&f, ev, 0, session, r1, token, "present", record);
	snprintf(t1, sizeof(t1), "%s", token);	/* round 1's live token */

	api_new_round(f.c.professor, &f.r, session, r2);
	json_object_put(api_events_expect(ev, "round:started"));
	api_events_expect_qr_updated(ev, session, r2, token, NULL, 0);

	/* Round closed comes before the record and the token. */
	api_scan(f.st[0], session, r1, t1, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	api_scan(f.st[1], session, r1, t1, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	api_scan(f.st[1], session, r1, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	api_scan(f.st[1], session, r1, token, &f.r);
	api_assert_error(&f.r, 409, "round_closed");

	/* The record comes before the token, which stays untouched. */
	scan_ok(&f, ev, 0, session, r2, token, "present", record);
	api_scan(f.st[0], session, r2, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	api_scan(f.st[0], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	api_scan(f.st[0], session, r2, t1, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(r2), 1);
	scan_ok(&f, ev, 1, session, r2, token, "present", record);

	/* The session ended: that comes before everything else. */
	api_end_session(&f, session);
	json_object_put(api_events_expect(ev, "session:ended"));
	api_scan(f.st[2], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	api_scan(f.st[2], session, r1, t1, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	api_scan(f.st[0], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	api_scan(f.st[2], session, r2, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	api_events_expect_none(ev, 300);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 3);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, token_unknown_used_superseded_expired)
{
	struct api_fixture	 f, g;
	struct api_events	*ev, *gev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 used[TOKEN_SIZE], old[TOKEN_SIZE], record[ID];
	char			 gs[ID], gr[ID], gtoken[TOKEN_SIZE];

	api_fixture_new(&f, 4);
	api_fixture_new(&g, 0);
	ev = open_round(&f, NULL, session, round, token);
	gev = open_round(&g, NULL, gs, gr, gtoken);

	/* Well formed, but no token of this round. */
	api_scan(f.st[0], session, round, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	api_scan(f.st[0], session, round, gtoken, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");

	/* Consumed. */
	snprintf(used, sizeof(used), "%s", token);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_scan(f.st[1], session, round, used, &f.r);
	api_assert_error(&f.r, 409, "token_used");

	/* Superseded by a refresh. */
	snprintf(old, sizeof(old), "%s", token);
	api_fresh_token(&f, ev, session, round, token);
	api_scan(f.st[1], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "token_used");

	/* Expired. */
	expire_live_token(round);
	api_scan(f.st[1], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	api_scan(f.st[2], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	/* Used (or superseded) comes before expired. */
	db_exec("UPDATE qr_tokens SET created_at = now() - interval '1 min', "
	    "expires_at = now() - interval '1 ms' WHERE round_id = $1 "
	    "AND consumed", round);
	api_scan(f.st[1], session, round, used, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 1);

	/* A refresh replaces the expired token with one that works. */
	snprintf(old, sizeof(old), "%s", token);
	api_fresh_token(&f, ev, session, round, token);
	api_scan(f.st[1], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	scan_ok(&f, ev, 1, session, round, token, "present", record);
	scan_ok(&f, ev, 2, session, round, token, "present", record);
	assert_token_nowhere(used);
	assert_token_nowhere(token);
	api_assert_session_invariants(session);
	api_events_free(gev);
	api_events_free(ev);
	api_fixture_free(&g);
	api_fixture_free(&f);
}

/* --- success --------------------------------------------------------- */

Test(scan, success_records_present_and_burns_the_token)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 first[TOKEN_SIZE], record[ID], *stored;

	api_fixture_new(&f, 2);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(first, sizeof(first), "%s", token);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_events_expect_none(ev, 300);

	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records a "
	    "JOIN qr_tokens t ON t.id = a.qr_token_id "
	    "WHERE a.id = $1 AND a.round_id = $2 AND a.student_id = $3 "
	    "AND a.status = 'present' AND t.consumed AND t.consumed_by = $3 "
	    "AND t.round_id = $2", record, round, f.ids[0], NULL), 1,
	    "the record is not tied to the token its student consumed");
	stored = api_db_value("SELECT at_ts(recorded_at) "
	    "FROM attendance_records WHERE id = $1", record, NULL);
	api_assert_string_at(f.r.json, "record.recordedAt", stored);
	free(stored);
	/* The next token is the round's one live token. */
	api_assert_token_hashed(token, round);
	assert_token_nowhere(first);
	assert_token_nowhere(token);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, late_after_late_after_seconds_of_the_round)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct timespec		 pause = { 0, 50 * 1000 * 1000 };
	char			 session[ID], r1[ID], r2[ID];
	char			 token[TOKEN_SIZE], record[ID];

	api_fixture_new(&f, 3);
	/* lateAfterSeconds 0: anything after the round's start is late. */
	ev = open_round(&f, "{\"lateAfterSeconds\": 0}", session, r1, token);
	nanosleep(&pause, NULL);
	scan_ok(&f, ev, 0, session, r1, token, "late", record);
	api_end_session(&f, session);
	json_object_put(api_events_expect(ev, "session:ended"));
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
	api_new_round(f.c.professor, &f.r, session, r2);
	json_object_put(api_events_expect(ev, "round:started"));
	api_events_expect_qr_updated(ev, session, r2, token, NULL, 0);
	db_exec("UPDATE sessions SET starts_at = starts_at - "
	    "interval '1 hour' WHERE id = $1", session);
	scan_ok(&f, ev, 2, session, r2, token, "present", record);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, an_absent_override_is_replaced_other_records_are_not)
{
	static const char *const statuses[] = { "present", "late", "excused" };
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID];
	size_t			 i;

	api_fixture_new(&f, 4);
	ev = open_round(&f, NULL, session, round, token);
	for (i = 0; i < 3; i++) {
		api_put_record(&f, session, round, f.ids[i], statuses[i]);
		api_expect_status(&f.r, 200);
		json_object_put(api_events_expect(ev, "attendance:recorded"));
		api_scan(f.st[i], session, round, token, &f.r);
		api_assert_error(&f.r, 409, "already_recorded");
	}
	api_reqf(f.c.professor, "PUT", "{\"status\": \"absent\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[3]);
	api_expect_status(&f.r, 200);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	api_events_expect_none(ev, 300);
	/* already_recorded left the token live. */
	cr_assert_eq(consumed_tokens(round), 0);
	api_assert_token_hashed(token, round);

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
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

/*
 * A scanned record the professor then marks absent, scanned again: the
 * record is replaced, and each token the student consumed still has its
 * record ("no consumed token without its record").
 */
Test(scan, a_rescan_after_an_absent_override_keeps_the_invariants)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 first[ID], second[ID];

	api_fixture_new(&f, 1);
	ev = open_round(&f, NULL, session, round, token);
	scan_ok(&f, ev, 0, session, round, token, "present", first);
	api_put_record(&f, session, round, f.ids[0], "absent");
	api_expect_status(&f.r, 200);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	scan_ok(&f, ev, 0, session, round, token, "present", second);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[0], NULL),
	    1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens "
	    "WHERE round_id = $1 AND consumed_by = $2", round, f.ids[0], NULL),
	    2);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

/* --- events ------------------------------------------------------------ */

Test(scan, publishes_recorded_then_the_next_token)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 next[TOKEN_SIZE], recorded[64], record[ID];
	char			*username, *name;

	api_fixture_new(&f, 3);
	ev = open_round(&f, NULL, session, round, token);
	username = api_db_value("SELECT username FROM users WHERE id = $1",
	    f.ids[0], NULL);
	name = api_db_value("SELECT display_name FROM users WHERE id = $1",
	    f.ids[0], NULL);

	api_scan(f.st[0], session, round, token, &f.r);
	api_expect_status(&f.r, 201);
	snprintf(recorded, sizeof(recorded), "%s",
	    api_json_string(f.r.json, "record.recordedAt"));
	api_events_expect_recorded(ev, session, round, f.ids[0], username,
	    name, "present", recorded);
	api_events_expect_qr_updated(ev, session, round, next, NULL, 0);
	cr_assert_str_neq(next, token);
	api_assert_not_in_response(&f.r, next);
	api_events_expect_none(ev, 300);

	/* The next token works for the next student, and so on. */
	scan_ok(&f, ev, 1, session, round, next, "present", record);
	scan_ok(&f, ev, 2, session, round, next, "present", record);
	api_events_expect_none(ev, 300);
	assert_token_nowhere(token);
	assert_token_nowhere(next);
	api_assert_session_invariants(session);
	free(username);
	free(name);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, a_failed_scan_publishes_nothing)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_client	*outsider;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 used[TOKEN_SIZE], record[ID], id[ID], name[80];

	api_fixture_new(&f, 2);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(used, sizeof(used), "%s", token);
	scan_ok(&f, ev, 0, session, round, token, "present", record);
	api_events_expect_none(ev, 300);

	outsider = api_user_login("student", "outsider", id, name);
	api_scan(outsider, session, round, token, &f.r);
	api_assert_error(&f.r, 403, "not_enrolled");
	api_scan(f.st[0], session, round, token, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	api_scan(f.st[1], session, round, used, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	api_scan(f.st[1], session, round, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	api_scan(f.st[1], session, round, "short", &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	expire_live_token(round);
	api_scan(f.st[1], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	api_events_expect_none(ev, 300);
	api_assert_session_invariants(session);
	api_client_free(outsider);
	api_events_free(ev);
	api_fixture_free(&f);
}

/* --- races ------------------------------------------------------------- */

/* How many answered status (and, for an error, code). */
static size_t
race_count(struct api_racer *rs, size_t n, long status, const char *code)
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
race_print(struct api_racer *rs, size_t n)
{
	size_t	 i;

	for (i = 0; i < n; i++)
		cr_log_info("racer %zu: HTTP %ld %s", i, rs[i].res.status,
		    rs[i].res.body != NULL ? rs[i].res.body : "");
}

Test(scan, students_racing_one_token_one_wins, .timeout = 120)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_racer	 rs[RACE_STUDENTS];
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 next[TOKEN_SIZE], path[256], body[128];
	json_object		*data;
	size_t			 i, won;

	api_fixture_new(&f, RACE_STUDENTS);
	ev = open_round(&f, NULL, session, round, token);
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	for (i = 0; i < RACE_STUDENTS; i++) {
		rs[i].client = f.st[i];
		rs[i].method = "POST";
		rs[i].path = path;
		rs[i].body = body;
	}
	api_race(rs, RACE_STUDENTS);
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
	data = api_events_expect(ev, "attendance:recorded");
	api_assert_string_at(data, "studentId", f.ids[i]);
	json_object_put(data);
	api_events_expect_qr_updated(ev, session, round, next, NULL, 0);
	api_events_expect_none(ev, 300);
	api_assert_token_hashed(next, round);
	assert_token_nowhere(token);
	assert_token_nowhere(next);
	api_assert_session_invariants(session);
	for (i = 0; i < RACE_STUDENTS; i++)
		api_response_free(&rs[i].res);
	api_events_free(ev);
	api_fixture_free(&f);
}

/*
 * One student racing itself: RACE_SELF logins of one new student scan
 * the first token of a round opened with BODY at once, which must make
 * one 201 and RACE_SELF - 1 already_recorded, and one record.  What
 * each mode then leaves of the tokens and events is the caller's to
 * check; the caller frees self->ev.
 */
struct self_race {
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 student[ID];
	long			 tokens;	/* before the race */
};

static void
race_self(struct api_fixture *f, const char *body_json,
    struct self_race *self)
{
	struct api_racer	 rs[RACE_SELF];
	struct api_client	*clients[RACE_SELF];
	char			 path[256], body[128];
	char			 username[80], password[96];
	size_t			 i, won;

	api_user_create("student", "self", self->student, username);
	snprintf(body, sizeof(body), "{\"student\": \"%s\"}", username);
	api_reqf(f->c.professor, "POST", body, &f->r,
	    "/api/groups/%s/enrollments", f->c.group_id);
	api_expect_status(&f->r, 201);
	snprintf(password, sizeof(password), "pw-%s", username);
	for (i = 0; i < RACE_SELF; i++)
		clients[i] = api_login(username, password);

	self->ev = open_round(f, body_json, self->session, self->round,
	    self->token);
	self->tokens = api_db_long("SELECT count(*) FROM qr_tokens "
	    "WHERE round_id = $1", self->round, NULL);
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    self->session, self->round);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", self->token);
	for (i = 0; i < RACE_SELF; i++) {
		rs[i].client = clients[i];
		rs[i].method = "POST";
		rs[i].path = path;
		rs[i].body = body;
	}
	api_race(rs, RACE_SELF);
	won = race_count(rs, RACE_SELF, 201, NULL);
	if (won != 1 || race_count(rs, RACE_SELF, 409, "already_recorded") !=
	    RACE_SELF - 1)
		race_print(rs, RACE_SELF);
	cr_assert_eq(won, 1, "%zu scans by one student succeeded", won);
	cr_assert_eq(race_count(rs, RACE_SELF, 409, "already_recorded"),
	    RACE_SELF - 1, "the losers are not all already_recorded");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", self->round,
	    self->student, NULL), 1);
	for (i = 0; i < RACE_SELF; i++) {
		api_response_free(&rs[i].res);
		api_client_free(clients[i]);
	}
}

Test(scan, a_student_racing_itself_burns_one_token, .timeout = 120)
{
	struct api_fixture	 f;
	struct self_race	 self;
	char			 next[TOKEN_SIZE];

	api_fixture_new(&f, 0);
	race_self(&f, NULL, &self);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND consumed", self.round, NULL), 1,
	    "a student racing itself burnt more than one token");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND consumed AND consumed_by = $2", self.round,
	    self.student, NULL), 1);
	json_object_put(api_events_expect(self.ev, "attendance:recorded"));
	api_events_expect_qr_updated(self.ev, self.session, self.round, next,
	    NULL, 0);
	api_events_expect_none(self.ev, 300);
	assert_token_nowhere(self.token);
	assert_token_nowhere(next);
	api_assert_session_invariants(self.session);
	api_events_free(self.ev);
	api_fixture_free(&f);
}

/* --- (v1.1) window mode ------------------------------------------------ */

/* The round's live token's id, malloc'd. */
static char *
live_token(const char *round)
{
	char	*id;

	id = api_db_value("SELECT id FROM qr_tokens WHERE round_id = $1 "
	    "AND NOT consumed AND superseded_at IS NULL", round, NULL);
	cr_assert(id != NULL, "round %s has no live token", round);
	return id;
}

/* How many tokens the round was given, live or not. */
static long
round_tokens(const char *round)
{
	return api_db_long("SELECT count(*) FROM qr_tokens WHERE round_id = $1",
	    round, NULL);
}

/*
 * Student i of f scans the window token: the 201 record, its
 * attendance:recorded as the very next event (a round:qr-updated before
 * it fails), and the token still the round's live one.  Writes the
 * record's id.
 */
static void
window_scan_ok(struct api_fixture *f, struct api_events *ev, size_t i,
    const char *session, const char *round, const char *token, char record[ID])
{
	json_object	*data;

	api_scan(f->st[i], session, round, token, &f->r);
	api_expect_status(&f->r, 201);
	api_assert_keys(f->r.json, "", "record");
	api_assert_keys(f->r.json, "record", RECORD_KEYS);
	api_copy_id(record, f->r.json, "record.id");
	api_assert_string_at(f->r.json, "record.sessionId", session);
	api_assert_string_at(f->r.json, "record.roundId", round);
	api_assert_string_at(f->r.json, "record.studentId", f->ids[i]);
	api_assert_string_at(f->r.json, "record.status", "present");
	data = api_events_expect(ev, "attendance:recorded");
	api_assert_string_at(data, "studentId", f->ids[i]);
	json_object_put(data);
	api_assert_token_hashed(token, round);
}

/*
 * The events until none comes for 2 s: exactly n attendance:recorded
 * and nothing else (a window scan mints no round:qr-updated); with ids
 * (n of them), one for each of those students.
 */
static void
expect_recorded_only(struct api_events *ev, size_t n, char (*ids)[ID])
{
	char		*name;
	const char	*student;
	json_object	*data;
	unsigned char	*seen;
	size_t		 got = 0, i;

	seen = calloc(n + 1, 1);
	cr_assert(seen != NULL);
	while (api_events_next(ev, 2000, &name, &data)) {
		cr_assert_str_eq(name, "attendance:recorded",
		    "a window scan published %s: %s", name,
		    json_object_to_json_string(data));
		student = api_json_string(data, "studentId");
		for (i = 0; ids != NULL && i < n; i++)
			if (strcmp(ids[i], student) == 0)
				break;
		cr_assert(ids == NULL || (i < n && !seen[i]),
		    "attendance:recorded of %s: not one of the hall, or twice",
		    student);
		if (ids != NULL)
			seen[i] = 1;
		got++;
		free(name);
		json_object_put(data);
	}
	cr_assert_eq(got, n, "%zu attendance:recorded, wanted %zu", got, n);
	free(seen);
}

Test(scan, window_scans_share_the_token_and_mint_none)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 record[ID], *live, *expires;
	long			 tokens;
	size_t			 i;

	api_fixture_new(&f, 4);
	ev = open_round(&f, WINDOW, session, round, token);
	live = live_token(round);
	expires = api_db_value("SELECT expires_at::text FROM qr_tokens "
	    "WHERE id = $1", live, NULL);
	tokens = round_tokens(round);
	for (i = 0; i < 3; i++)
		window_scan_ok(&f, ev, i, session, round, token, record);
	/* An absent override is replaced as in single mode. */
	api_put_record(&f, session, round, f.ids[3], "absent");
	api_expect_status(&f.r, 200);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	window_scan_ok(&f, ev, 3, session, round, token, record);
	api_events_expect_none(ev, 300);

	cr_assert_eq(round_tokens(round), tokens,
	    "a window scan minted a token");
	cr_assert_eq(consumed_tokens(round), 0,
	    "a window scan consumed its token");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE id = $1 "
	    "AND expires_at::text = $2 AND NOT consumed "
	    "AND consumed_by IS NULL AND record_id IS NULL "
	    "AND superseded_at IS NULL", live, expires,
	    NULL), 1, "the window token changed");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND qr_token_id = $2 AND source = 'scan' "
	    "AND status = 'present'", round, live, NULL), 4,
	    "the records do not all link the token they used");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[3], NULL),
	    1, "the absent record was not replaced");
	assert_token_nowhere(token);
	api_assert_session_invariants(session);
	free(live);
	free(expires);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, window_token_used_only_when_superseded)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], r2[ID];
	char			 token[TOKEN_SIZE], old[TOKEN_SIZE], record[ID];

	api_fixture_new(&f, 4);
	ev = open_round(&f, WINDOW, session, round, token);
	window_scan_ok(&f, ev, 0, session, round, token, record);
	/* Once per round: the token stays as it was. */
	api_scan(f.st[0], session, round, token, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	api_assert_token_hashed(token, round);
	api_scan(f.st[1], session, round, WELL_FORMED, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");

	/* Superseded by the screen's renewal: token_used. */
	snprintf(old, sizeof(old), "%s", token);
	api_fresh_token(&f, ev, session, round, token);
	api_scan(f.st[1], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	api_scan(f.st[0], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	window_scan_ok(&f, ev, 1, session, round, token, record);

	/* Expired: token_expired for everyone until it is renewed; a
	 * superseded token that expired too is token_used. */
	expire_live_token(round);
	api_scan(f.st[2], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	api_scan(f.st[3], session, round, token, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	db_exec("UPDATE qr_tokens SET created_at = now() - interval '1 min', "
	    "expires_at = now() - interval '1 ms' WHERE round_id = $1 "
	    "AND superseded_at IS NOT NULL", round);
	api_scan(f.st[2], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	api_events_expect_none(ev, 300);
	api_fresh_token(&f, ev, session, round, token);
	window_scan_ok(&f, ev, 2, session, round, token, record);
	window_scan_ok(&f, ev, 3, session, round, token, record);

	/* A new round closes this one: its token is dead with it. */
	api_new_round(f.c.professor, &f.r, session, r2);
	json_object_put(api_events_expect(ev, "round:started"));
	snprintf(old, sizeof(old), "%s", token);
	api_events_expect_qr_updated(ev, session, r2, token, NULL, 0);
	api_scan(f.st[0], session, round, old, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	window_scan_ok(&f, ev, 0, session, r2, token, record);
	window_scan_ok(&f, ev, 1, session, r2, token, record);
	api_events_expect_none(ev, 300);

	cr_assert_eq(consumed_tokens(round) + consumed_tokens(r2), 0);
	/* Round 1's four records name the three tokens they used. */
	cr_assert_eq(api_db_long("SELECT count(DISTINCT qr_token_id) "
	    "FROM attendance_records WHERE round_id = $1", round, NULL), 3);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1", r2, NULL), 2);
	api_end_session(&f, session);
	json_object_put(api_events_expect(ev, "session:ended"));
	api_scan(f.st[2], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	api_events_expect_none(ev, 300);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

/* .../qr, and the token and typed code it sends to the subscriber. */
static void
fresh_token_code(struct api_fixture *f, struct api_events *ev,
    const char *session, const char *round, char token[TOKEN_SIZE],
    char code[16])
{
	json_object	*data;

	api_reqf_nobody(f->c.professor, "POST", &f->r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	api_expect_status(&f->r, 202);
	data = api_events_expect(ev, "round:qr-updated");
	api_assert_string_at(data, "roundId", round);
	snprintf(token, TOKEN_SIZE, "%s", api_json_string(data, "token"));
	snprintf(code, 16, "%s", api_json_string(data, "code"));
	cr_assert_eq(strlen(code), 8, "code %s", code);
	json_object_put(data);
}

/* POST /api/scan/code {"code": code} as c into *r (freed first). */
static void
type_code(struct api_client *c, const char *code, struct api_response *r)
{
	char	 body[64];

	snprintf(body, sizeof(body), "{\"code\": \"%s\"}", code);
	api_reqf(c, "POST", body, r, "/api/scan/code");
}

Test(scan, window_typed_code_records_everyone_in_time)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 code[16], old[16], typed[16], record[ID];
	char			*live;
	json_object		*data;
	long			 tokens;
	size_t			 i, k;

	api_fixture_new(&f, 4);
	api_start_session(&f, WINDOW, session, round);
	ev = api_events_subscribe(session);
	fresh_token_code(&f, ev, session, round, token, code);
	live = live_token(round);
	tokens = round_tokens(round);
	for (i = 0; i < 2; i++) {
		/* As a student types it: lower case, with its hyphen. */
		snprintf(typed, sizeof(typed), "%.4s-%.4s", code, code + 4);
		if (i == 1)
			for (k = 0; typed[k] != '\0'; k++)
				if (typed[k] >= 'A' && typed[k] <= 'Z')
					typed[k] = (char)(typed[k] - 'A' + 'a');
		type_code(f.st[i], typed, &f.r);
		api_expect_status(&f.r, 201);
		api_assert_keys(f.r.json, "record", RECORD_KEYS);
		api_assert_string_at(f.r.json, "record.roundId", round);
		api_assert_string_at(f.r.json, "record.studentId", f.ids[i]);
		data = api_events_expect(ev, "attendance:recorded");
		api_assert_string_at(data, "studentId", f.ids[i]);
		json_object_put(data);
	}
	/* The same token's QR works alongside its code. */
	window_scan_ok(&f, ev, 2, session, round, token, record);
	type_code(f.st[0], code, &f.r);
	api_assert_error(&f.r, 409, "already_recorded");
	api_events_expect_none(ev, 300);
	cr_assert_eq(round_tokens(round), tokens,
	    "a typed code minted a token");
	cr_assert_eq(consumed_tokens(round), 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND qr_token_id = $2 AND source = 'code'",
	    round, live, NULL), 2, "the typed codes' records");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND qr_token_id = $2 AND source = 'scan'",
	    round, live, NULL), 1);

	/* Renewed: the old code names a superseded token; then expired. */
	snprintf(old, sizeof(old), "%s", code);
	fresh_token_code(&f, ev, session, round, token, code);
	type_code(f.st[3], old, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	expire_live_token(round);
	type_code(f.st[3], code, &f.r);
	api_assert_error(&f.r, 410, "token_expired");
	api_events_expect_none(ev, 300);
	api_assert_session_invariants(session);
	free(live);
	api_events_free(ev);
	api_fixture_free(&f);
}

/* (issue 16) The typed code's not_enrolled names the code's class too;
 * a professor's 403 and a code that names no token name none. */
Test(scan, typed_code_not_enrolled_names_the_class)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_client	*outsider;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 code[16], id[ID], name[80];
	char			*want;

	api_fixture_new(&f, 1);
	api_start_session(&f, NULL, session, round);
	ev = api_events_subscribe(session);
	fresh_token_code(&f, ev, session, round, token, code);
	outsider = api_user_login("student", "outsider", id, name);
	want = not_enrolled_message(&f);

	type_code(outsider, code, &f.r);
	assert_not_enrolled(&f.r, want);
	type_code(f.c.professor, code, &f.r);
	api_assert_error(&f.r, 403, "forbidden");
	assert_names_no_class(&f.r, &f);
	type_code(outsider, "YYYYYYYY", &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	assert_names_no_class(&f.r, &f);
	api_events_expect_none(ev, 300);
	cr_assert_eq(consumed_tokens(round), 0);
	/* The code still works for the class's own student. */
	type_code(f.st[0], code, &f.r);
	api_expect_status(&f.r, 201);
	api_assert_string_at(f.r.json, "record.studentId", f.ids[0]);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	json_object_put(api_events_expect(ev, "round:qr-updated"));
	api_assert_session_invariants(session);
	free(want);
	api_client_free(outsider);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(scan, window_a_student_racing_itself_burns_no_token, .timeout = 120)
{
	struct api_fixture	 f;
	struct self_race	 self;

	api_fixture_new(&f, 0);
	race_self(&f, WINDOW, &self);
	cr_assert_eq(consumed_tokens(self.round), 0,
	    "a window token was burnt");
	cr_assert_eq(round_tokens(self.round), self.tokens,
	    "a window scan minted one");
	api_assert_token_hashed(self.token, self.round);
	expect_recorded_only(self.ev, 1, NULL);
	api_assert_session_invariants(self.session);
	api_events_free(self.ev);
	api_fixture_free(&f);
}

/*
 * The hall: RACE_HALL students on one window token at the same moment,
 * each from its own connection.  Every one of them is recorded, on that
 * token, which is neither consumed nor followed by another.
 */
Test(scan, window_a_hall_on_one_token, .timeout = 300)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	struct api_racer	*rs;
	struct api_client	**clients;
	char			(*ids)[ID], (*names)[80];
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	char			 path[256], body[128], *list, *password, *live;
	size_t			 i, len, won;
	long			 tokens;
	long long		 ms;
	struct timespec		 t0, t1;

	rs = calloc(RACE_HALL, sizeof(*rs));
	clients = calloc(RACE_HALL, sizeof(*clients));
	ids = calloc(RACE_HALL, sizeof(*ids));
	names = calloc(RACE_HALL, sizeof(*names));
	list = malloc(RACE_HALL * (sizeof(*names) + 3) + 32);
	cr_assert(rs != NULL && clients != NULL && ids != NULL &&
	    names != NULL && list != NULL);

	/* The hall, enrolled in one bulk request. */
	api_fixture_new(&f, 0);
	len = (size_t)sprintf(list, "{\"students\": [");
	for (i = 0; i < RACE_HALL; i++) {
		api_user_create("student", "hall", ids[i], names[i]);
		len += (size_t)sprintf(list + len, "%s\"%s\"", i > 0 ? "," : "",
		    names[i]);
	}
	sprintf(list + len, "]}");
	api_reqf(f.c.professor, "POST", list, &f.r,
	    "/api/groups/%s/enrollments", f.c.group_id);
	api_expect_status(&f.r, 200);
	cr_assert_eq(json_object_array_length(api_json_get(f.r.json,
	    "enrolled")), RACE_HALL);
	for (i = 0; i < RACE_HALL; i++) {
		password = api_printf("pw-%s", names[i]);
		clients[i] = api_login(names[i], password);
		free(password);
	}

	ev = open_round(&f, WINDOW, session, round, token);
	live = live_token(round);
	tokens = round_tokens(round);
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	for (i = 0; i < RACE_HALL; i++) {
		rs[i].client = clients[i];
		rs[i].method = "POST";
		rs[i].path = path;
		rs[i].body = body;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	api_race(rs, RACE_HALL);
	clock_gettime(CLOCK_MONOTONIC, &t1);
	ms = (t1.tv_sec - t0.tv_sec) * 1000LL +
	    (t1.tv_nsec - t0.tv_nsec) / 1000000;
	cr_log_info("%d students on one window token: all answered in %lld ms",
	    RACE_HALL, ms);
	won = race_count(rs, RACE_HALL, 201, NULL);
	if (won != RACE_HALL)
		race_print(rs, RACE_HALL);
	cr_assert_eq(won, RACE_HALL, "%zu of %d scans of one window token "
	    "succeeded", won, RACE_HALL);
	for (i = 0; i < RACE_HALL; i++)
		api_assert_string_at(rs[i].res.json, "record.studentId",
		    ids[i]);

	/* The invariants, in SQL: one record each, all on the one token,
	 * which is not consumed, and no token minted. */
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1", round, NULL), RACE_HALL);
	cr_assert_eq(api_db_long("SELECT count(DISTINCT student_id) "
	    "FROM attendance_records WHERE round_id = $1", round, NULL),
	    RACE_HALL);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND qr_token_id = $2 AND source = 'scan'",
	    round, live, NULL), RACE_HALL,
	    "the records do not all share the token they used");
	cr_assert_eq(consumed_tokens(round), 0,
	    "the window token was consumed");
	cr_assert_eq(round_tokens(round), tokens, "the scans minted tokens");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL "
	    "AND expires_at > now()", round, NULL), 1,
	    "the round has not exactly one live token");
	api_assert_token_hashed(token, round);
	api_assert_session_invariants(session);
	expect_recorded_only(ev, RACE_HALL, ids);
	assert_token_nowhere(token);

	for (i = 0; i < RACE_HALL; i++) {
		api_response_free(&rs[i].res);
		api_client_free(clients[i]);
	}
	free(live);
	free(list);
	free(names);
	free(ids);
	free(clients);
	free(rs);
	api_events_free(ev);
	api_fixture_free(&f);
}
