/*
 * Class sessions and rounds through nginx, as ../shared/spec/API.md
 * writes them: starting (defaults, bounds, one active session per
 * group), listing, rounds and their events, QR refresh, ending with its
 * summary, the professor's override of a record, and (v1.1) the scan
 * mode a session starts with, in every Session.  Each test owns its
 * professor, course, group and students, so the tests run in parallel.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "api_support.h"

#define ID		API_ID_SIZE
#define TOKEN_SIZE	API_TOKEN_SIZE

#define SESSION_KEYS	"id groupId courseId professorId startsAt endsAt " \
			"isActive status qrTtlSeconds lateAfterSeconds " \
			"scanMode"
#define ROUND_KEYS	"id sessionId roundNumber isActive startsAt endsAt"
#define RECORD_KEYS	"id sessionId roundId studentId status recordedAt"
/* For api_assert_session_invariants(): a record a naming the token t. */

/* A random well-formed UUID that names nothing. */
#define UNKNOWN_ID	"0b9e4c39-5a7c-4f55-9d3e-6f1a2b3c4d5e"

TestSuite(sessions, .timeout = 60);

/* A Session of f's group, in scan mode mode. */
static void
assert_session_mode(json_object *s, const struct api_fixture *f, int active,
    int ttl, int late, const char *mode)
{
	api_assert_keys(s, "", SESSION_KEYS);
	api_assert_uuid(s, "id");
	api_assert_string_at(s, "groupId", f->c.group_id);
	api_assert_string_at(s, "courseId", f->c.course_id);
	api_assert_string_at(s, "professorId", f->c.professor_id);
	api_assert_timestamp(s, "startsAt");
	cr_assert_eq(api_json_bool(s, "isActive"), active);
	api_assert_string_at(s, "status", active ? "active" : "ended");
	if (active)
		api_assert_null(s, "endsAt");
	else {
		api_assert_timestamp(s, "endsAt");
		cr_assert(strcmp(api_json_string(s, "endsAt"),
		    api_json_string(s, "startsAt")) >= 0);
	}
	cr_assert_eq(api_json_int(s, "qrTtlSeconds"), ttl);
	cr_assert_eq(api_json_int(s, "lateAfterSeconds"), late);
	api_assert_string_at(s, "scanMode", mode);
}

/* The same in the default mode, single. */
static void
assert_session(json_object *s, const struct api_fixture *f, int active, int ttl,
    int late)
{
	assert_session_mode(s, f, active, ttl, late, "single");
}

static void
assert_round(json_object *r, const char *session, int64_t number, int active)
{
	api_assert_keys(r, "", ROUND_KEYS);
	api_assert_uuid(r, "id");
	api_assert_string_at(r, "sessionId", session);
	api_assert_round_state(r, number, active);
}

/* --- starting ------------------------------------------------------ */

Test(sessions, start_without_a_body_uses_the_defaults)
{
	struct api_fixture	 f;
	char			 session[ID], round[ID];

	api_fixture_new(&f, 0);
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_expect_status(&f.r, 201);
	api_assert_keys(f.r.json, "", "session round");
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 15, 600);
	api_copy_id(session, f.r.json, "session.id");
	assert_round(api_json_get(f.r.json, "round"), session, 1, 1);
	api_copy_id(round, f.r.json, "round.id");
	cr_assert_str_eq(api_json_string(f.r.json, "round.startsAt"),
	    api_json_string(f.r.json, "session.startsAt"));

	/* What was stored: the session, round 1 and its one live token. */
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND group_id = $2 AND status = 'active' AND qr_ttl_seconds = 15 "
	    "AND late_after_seconds = 600", session, f.c.group_id, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_rounds "
	    "WHERE session_id = $1", session, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL "
	    "AND expires_at > now()", round, NULL), 1);
	api_assert_session_invariants(session);
	api_fixture_free(&f);
}

Test(sessions, start_with_empty_object_and_custom_values)
{
	struct api_fixture	 f;
	char			 session[ID], round[ID];

	api_fixture_new(&f, 0);
	api_reqf(f.c.professor, "POST", "{}", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_expect_status(&f.r, 201);
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 15, 600);
	api_copy_id(session, f.r.json, "session.id");
	api_end_session(&f, session);

	api_start_session(&f, "{\"qrTtlSeconds\": 5, \"lateAfterSeconds\": 0}",
	    session, round);
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 5, 0);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND expires_at - created_at "
	    "BETWEEN interval '4.5 s' AND interval '5.5 s'", round, NULL), 1,
	    "round 1's token does not live qrTtlSeconds");
	api_end_session(&f, session);

	api_start_session(&f, "{\"qrTtlSeconds\": 600, "
	    "\"lateAfterSeconds\": 86400}", session, round);
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 600, 86400);
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND qr_ttl_seconds = 600 AND late_after_seconds = 86400",
	    session, NULL), 1);
	api_assert_session_invariants(session);
	api_fixture_free(&f);
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
	struct api_fixture	 f;
	size_t			 i;
	char			 session[ID], round[ID];

	api_fixture_new(&f, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_reqf(f.c.professor, "POST", bad[i], &f.r,
		    "/api/groups/%s/sessions", f.c.group_id);
		cr_assert_eq(f.r.status, 400, "%s: HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
	}
	api_reqf_raw(f.c.professor, "POST", "text/plain", "{}", NULL, &f.r,
	    "/api/groups/%s/sessions", f.c.group_id);
	api_assert_error(&f.r, 415, "unsupported_media_type");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 0,
	    "a refused start created a session");

	/* Nothing was left half-started: a good start still works. */
	api_start_session(&f, "{\"qrTtlSeconds\": 5}", session, round);
	api_fixture_free(&f);
}

/* (v1.1) "single" by default, or "window"; every Session says which. */
Test(sessions, start_takes_the_scan_mode)
{
	struct api_fixture	 f;
	char			 session[ID], window[ID], round[ID], r2[ID];
	json_object		*list;

	api_fixture_new(&f, 0);
	api_start_session(&f, "{\"scanMode\": \"single\"}", session, round);
	assert_session_mode(api_json_get(f.r.json, "session"), &f, 1, 15, 600,
	    "single");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND scan_mode = 'single'", session, NULL), 1);
	api_end_session(&f, session);
	assert_session_mode(api_json_get(f.r.json, "session"), &f, 0, 15, 600,
	    "single");

	api_start_session(&f, "{\"scanMode\": \"window\", "
	    "\"qrTtlSeconds\": 20}", window, round);
	assert_session_mode(api_json_get(f.r.json, "session"), &f, 1, 20, 600,
	    "window");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND scan_mode = 'window'", window, NULL), 1);
	/* Round 1 has its one live token, as in single mode. */
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL "
	    "AND expires_at > now()", round, NULL), 1);
	api_new_round(f.c.professor, &f.r, window, r2);

	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", window);
	api_expect_status(&f.r, 200);
	assert_session_mode(api_json_get(f.r.json, "session"), &f, 1, 20, 600,
	    "window");
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_expect_status(&f.r, 200);
	list = api_json_get(f.r.json, "sessions");
	cr_assert_eq(json_object_array_length(list), 2);
	api_assert_string_at(json_object_array_get_idx(list, 0), "id", window);
	assert_session_mode(json_object_array_get_idx(list, 0), &f, 1, 20, 600,
	    "window");
	assert_session_mode(json_object_array_get_idx(list, 1), &f, 0, 15, 600,
	    "single");
	api_end_session(&f, window);
	assert_session_mode(api_json_get(f.r.json, "session"), &f, 0, 20, 600,
	    "window");
	api_assert_session_invariants(window);

	/* Strings are trimmed, as everywhere. */
	api_start_session(&f, "{\"scanMode\": \" window \"}", session, round);
	assert_session_mode(api_json_get(f.r.json, "session"), &f, 1, 15, 600,
	    "window");
	api_fixture_free(&f);
}

Test(sessions, start_refuses_a_bad_scan_mode)
{
	static const char *const bad[] = {
		"{\"scanMode\": null}",
		"{\"scanMode\": 5}",
		"{\"scanMode\": \"WINDOW\"}",
		"{\"scanMode\": \"Single\"}",
		"{\"scanMode\": \"\"}",
		"{\"scanMode\": \"windowed\"}",
		"{\"scanMode\": true}",
		"{\"scanMode\": [\"window\"]}",
		"{\"scanMode\": {}}",
		"{\"qrTtlSeconds\": 30, \"scanMode\": \"hall\"}",
	};
	struct api_fixture	 f;
	const char		*message;
	size_t			 i;

	api_fixture_new(&f, 0);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_reqf(f.c.professor, "POST", bad[i], &f.r,
		    "/api/groups/%s/sessions", f.c.group_id);
		cr_assert_eq(f.r.status, 400, "%s: HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
		message = api_json_string(f.r.json, "error.message");
		cr_assert(strstr(message, "scanMode") != NULL,
		    "%s: the message does not name scanMode: %s", bad[i],
		    message);
	}
	/* The body is checked before the group is looked for. */
	api_reqf(f.c.professor, "POST", "{\"scanMode\": null}", &f.r,
	    "/api/groups/%s/sessions", UNKNOWN_ID);
	api_assert_error(&f.r, 400, "invalid_request");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 0,
	    "a refused start created a session");
	api_fixture_free(&f);
}

Test(sessions, second_start_is_session_active)
{
	struct api_fixture	 f;
	char			 session[ID], round[ID], again[ID];

	api_fixture_new(&f, 0);
	api_start_session(&f, NULL, session, round);
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 409, "session_active");
	api_reqf(f.c.professor, "POST", "{\"qrTtlSeconds\": 10}", &f.r,
	    "/api/groups/%s/sessions", f.c.group_id);
	api_assert_error(&f.r, 409, "session_active");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 1);

	/* Once it ended, the group may start another. */
	api_end_session(&f, session);
	api_start_session(&f, NULL, again, round);
	cr_assert_str_neq(again, session);
	api_assert_session_invariants(again);
	api_fixture_free(&f);
}

Test(sessions, start_is_for_the_owner_only)
{
	struct api_fixture	 f;
	struct api_client	*other, *anonymous;

	api_fixture_new(&f, 1);
	other = api_intruder();
	api_reqf_nobody(other, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf(other, "POST", "{\"qrTtlSeconds\": 30}", &f.r,
	    "/api/groups/%s/sessions", f.c.group_id);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.st[0], "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 403, "forbidden");
	anonymous = api_client_new();
	api_reqf_nobody(anonymous, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 401, "unauthenticated");
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    "not-a-uuid");
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	/* The course's id is not a group's. */
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/groups/%s/sessions",
	    f.c.course_id);
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1", f.c.group_id, NULL), 0);
	api_client_free(anonymous);
	api_client_free(other);
	api_fixture_free(&f);
}

/* --- reading ------------------------------------------------------- */

Test(sessions, list_is_newest_first)
{
	struct api_fixture	 f;
	struct api_client	*other;
	char			 s[3][ID], round[ID];
	json_object		*list, *item;
	size_t			 i;

	api_fixture_new(&f, 1);
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "sessions");
	cr_assert_eq(json_object_array_length(api_json_get(f.r.json,
	    "sessions")), 0);

	api_start_session(&f, NULL, s[0], round);
	api_end_session(&f, s[0]);
	api_start_session(&f, "{\"qrTtlSeconds\": 60}", s[1], round);
	api_end_session(&f, s[1]);
	api_start_session(&f, "{\"lateAfterSeconds\": 5}", s[2], round);

	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "sessions");
	list = api_json_get(f.r.json, "sessions");
	cr_assert(json_object_is_type(list, json_type_array));
	cr_assert_eq(json_object_array_length(list), 3);
	for (i = 0; i < 3; i++) {
		item = json_object_array_get_idx(list, i);
		api_assert_string_at(item, "id", s[2 - i]);
		if (i > 0)
			cr_assert(strcmp(api_json_string(item, "startsAt"),
			    api_json_string(json_object_array_get_idx(list,
			    i - 1), "startsAt")) <= 0, "not newest first");
	}
	assert_session(json_object_array_get_idx(list, 0), &f, 1, 15, 5);
	assert_session(json_object_array_get_idx(list, 1), &f, 0, 60, 600);
	assert_session(json_object_array_get_idx(list, 2), &f, 0, 15, 600);

	other = api_intruder();
	api_reqf(other, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf(f.st[0], "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_error(&f.r, 403, "forbidden");
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/groups/%s/sessions",
	    "0b9e4c39");
	api_assert_error(&f.r, 404, "not_found");
	api_client_free(other);
	api_fixture_free(&f);
}

Test(sessions, get_returns_the_session_and_its_rounds)
{
	struct api_fixture	 f;
	struct api_client	*other;
	char			 session[ID], round[ID], r2[ID], r3[ID];
	json_object		*rounds, *r;
	size_t			 i;
	int			 seen[4] = { 0 };

	api_fixture_new(&f, 1);
	api_start_session(&f, "{\"qrTtlSeconds\": 45}", session, round);
	api_new_round(f.c.professor, &f.r, session, r2);
	api_new_round(f.c.professor, &f.r, session, r3);

	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "session rounds");
	assert_session(api_json_get(f.r.json, "session"), &f, 1, 45, 600);
	api_assert_string_at(f.r.json, "session.id", session);
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
		api_assert_string_at(r, "id",
		    n == 1 ? round : n == 2 ? r2 : r3);
	}

	other = api_intruder();
	api_reqf(other, "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf(f.st[0], "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_assert_error(&f.r, 403, "forbidden");
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s",
	    UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s",
	    "zzzzzzzz-5a7c-4f55-9d3e-6f1a2b3c4d5e");
	api_assert_error(&f.r, 404, "not_found");
	/* A round's id is not a session's. */
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", round);
	api_assert_error(&f.r, 404, "not_found");
	api_client_free(other);
	api_fixture_free(&f);
}

/* --- rounds and their events ---------------------------------------- */

Test(sessions, new_round_emits_started_then_qr_updated)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], r2[ID];
	char			 token[TOKEN_SIZE], expires[64], starts[64];
	char			*stored;
	json_object		*data;

	api_fixture_new(&f, 0);
	api_start_session(&f, "{\"qrTtlSeconds\": 20}", session, round);
	ev = api_events_subscribe(session);

	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_expect_status(&f.r, 201);
	api_assert_keys(f.r.json, "", "round");
	assert_round(api_json_get(f.r.json, "round"), session, 2, 1);
	api_copy_id(r2, f.r.json, "round.id");
	snprintf(starts, sizeof(starts), "%s",
	    api_json_string(f.r.json, "round.startsAt"));

	data = api_events_expect(ev, "round:started");
	api_assert_keys(data, "", "sessionId roundId roundNumber startsAt");
	api_assert_string_at(data, "sessionId", session);
	api_assert_string_at(data, "roundId", r2);
	cr_assert_eq(api_json_int(data, "roundNumber"), 2);
	api_assert_string_at(data, "startsAt", starts);
	json_object_put(data);
	api_events_expect_qr_updated(ev, session, r2, token, expires,
	    sizeof(expires));
	api_events_expect_none(ev, 300);

	/* The token travels only on the event: not in HTTP, not stored. */
	api_assert_not_in_response(&f.r, token);
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_expect_status(&f.r, 200);
	api_assert_not_in_response(&f.r, token);
	api_assert_token_hashed(token, r2);
	api_assert_token_not_in_db(token);
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
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_expect_status(&f.r, 201);
	assert_round(api_json_get(f.r.json, "round"), session, 3, 1);
	data = api_events_expect(ev, "round:started");
	cr_assert_eq(api_json_int(data, "roundNumber"), 3);
	json_object_put(data);
	api_copy_id(round, f.r.json, "round.id");
	api_events_expect_qr_updated(ev, session, round, token, NULL, 0);
	api_assert_not_in_response(&f.r, token);
	api_assert_token_not_in_db(token);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(sessions, new_round_closes_the_previous_and_kills_its_token)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID];
	char			 old[TOKEN_SIZE], token[TOKEN_SIZE];
	json_object		*rounds, *r;
	size_t			 i;

	api_fixture_new(&f, 2);
	api_start_session(&f, NULL, session, r1);
	ev = api_events_subscribe(session);
	api_fresh_token(&f, ev, session, r1, old);

	api_new_round(f.c.professor, &f.r, session, r2);
	cr_assert_eq(api_json_int(f.r.json, "round.roundNumber"), 2);
	json_object_put(api_events_expect(ev, "round:started"));
	api_events_expect_qr_updated(ev, session, r2, token, NULL, 0);

	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_expect_status(&f.r, 200);
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
	api_scan(f.st[0], session, r1, old, &f.r);
	api_assert_error(&f.r, 409, "round_closed");
	/* And it is no token of round 2. */
	api_scan(f.st[0], session, r2, old, &f.r);
	api_assert_error(&f.r, 403, "invalid_token");
	api_events_expect_none(ev, 300);
	api_scan(f.st[1], session, r2, token, &f.r);
	api_expect_status(&f.r, 201);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(sessions, qr_refresh_sends_a_new_token_only_on_the_event)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], expires[64], evexp[64];
	char			 t1[TOKEN_SIZE], t2[TOKEN_SIZE];

	api_fixture_new(&f, 2);
	api_start_session(&f, "{\"qrTtlSeconds\": 15}", session, round);
	ev = api_events_subscribe(session);
	api_fresh_token(&f, ev, session, round, t1);

	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	api_expect_status(&f.r, 202);
	api_assert_keys(f.r.json, "", "roundId expiresAt");
	api_assert_string_at(f.r.json, "roundId", round);
	api_assert_timestamp(f.r.json, "expiresAt");
	snprintf(expires, sizeof(expires), "%s",
	    api_json_string(f.r.json, "expiresAt"));
	api_events_expect_qr_updated(ev, session, round, t2, evexp,
	    sizeof(evexp));
	cr_assert_str_eq(evexp, expires,
	    "the event's expiresAt is not the response's");
	cr_assert_str_neq(t1, t2, "the refresh did not mint a new token");
	api_assert_not_in_response(&f.r, t2);
	api_assert_not_in_response(&f.r, t1);
	api_events_expect_none(ev, 300);
	api_assert_token_hashed(t2, round);
	api_assert_token_not_in_db(t1);
	api_assert_token_not_in_db(t2);
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens WHERE "
	    "round_id = $1 AND NOT consumed AND superseded_at IS NULL",
	    round, NULL), 1);

	/* The superseded token is used up; the new one works. */
	api_scan(f.st[0], session, round, t1, &f.r);
	api_assert_error(&f.r, 409, "token_used");
	api_scan(f.st[0], session, round, t2, &f.r);
	api_expect_status(&f.r, 201);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(sessions, qr_refresh_refusals)
{
	struct api_fixture	 f, g;
	struct api_client	*other;
	char			 session[ID], r1[ID], r2[ID];
	char			 gs[ID], gr[ID];

	api_fixture_new(&f, 1);
	api_fixture_new(&g, 0);
	api_start_session(&f, NULL, session, r1);
	api_start_session(&g, NULL, gs, gr);
	api_new_round(f.c.professor, &f.r, session, r2);

	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, r1);
	api_assert_error(&f.r, 409, "round_closed");

	other = api_intruder();
	api_reqf_nobody(other, "POST", &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, r2);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.st[0], "POST", &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, r2);
	api_assert_error(&f.r, 403, "forbidden");
	/* Another professor's round under one's own session, and back. */
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, gr);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", gs, gr);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, "r2");
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", "s1", r2);
	api_assert_error(&f.r, 404, "not_found");

	api_end_session(&f, session);
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, r2);
	api_assert_error(&f.r, 409, "session_ended");
	api_reqf_nobody(f.c.professor, "POST", &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, r1);
	api_assert_error(&f.r, 409, "session_ended");
	/* Still someone else's after the end. */
	api_reqf_nobody(other, "POST", &f.r, "/api/sessions/%s/rounds/%s/qr",
	    session, r2);
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens t "
	    "JOIN attendance_rounds r ON r.id = t.round_id "
	    "WHERE r.session_id = $1 AND NOT t.consumed "
	    "AND t.superseded_at IS NULL", session, NULL), 0);
	api_assert_session_invariants(session);
	api_assert_session_invariants(gs);
	api_client_free(other);
	api_fixture_free(&g);
	api_fixture_free(&f);
}

/* --- ending ---------------------------------------------------------- */

Test(sessions, end_reports_the_summary_and_emits_session_ended)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID], ends[64];
	char			 token[TOKEN_SIZE];
	json_object		*data, *rounds;
	size_t			 i;

	api_fixture_new(&f, 3);
	api_start_session(&f, NULL, session, r1);
	ev = api_events_subscribe(session);

	/* Round 1: a scan (present), late and excused overrides. */
	api_fresh_token(&f, ev, session, r1, token);
	api_scan(f.st[0], session, r1, token, &f.r);
	api_expect_status(&f.r, 201);
	api_assert_string_at(f.r.json, "record.status", "present");
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	api_events_expect_qr_updated(ev, session, r1, token, NULL, 0);
	api_put_record(&f, session, r1, f.ids[1], "late");
	api_expect_status(&f.r, 200);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	api_put_record(&f, session, r1, f.ids[2], "excused");
	api_expect_status(&f.r, 200);
	json_object_put(api_events_expect(ev, "attendance:recorded"));

	/* Round 2: an absent override and a scan. */
	api_new_round(f.c.professor, &f.r, session, r2);
	json_object_put(api_events_expect(ev, "round:started"));
	api_events_expect_qr_updated(ev, session, r2, token, NULL, 0);
	api_put_record(&f, session, r2, f.ids[0], "absent");
	api_expect_status(&f.r, 200);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	api_scan(f.st[1], session, r2, token, &f.r);
	api_expect_status(&f.r, 201);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	api_events_expect_qr_updated(ev, session, r2, token, NULL, 0);

	api_reqf_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    session);
	api_expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "", "session summary");
	assert_session(api_json_get(f.r.json, "session"), &f, 0, 15, 600);
	api_assert_string_at(f.r.json, "session.id", session);
	api_assert_keys(f.r.json, "summary",
	    "totalRounds attendanceCount");
	cr_assert_eq(api_json_int(f.r.json, "summary.totalRounds"), 2);
	cr_assert_eq(api_json_int(f.r.json, "summary.attendanceCount"), 3,
	    "attendanceCount counts present and late records only");
	snprintf(ends, sizeof(ends), "%s",
	    api_json_string(f.r.json, "session.endsAt"));

	data = api_events_expect(ev, "session:ended");
	api_assert_keys(data, "", "sessionId endedAt summary");
	api_assert_string_at(data, "sessionId", session);
	api_assert_string_at(data, "endedAt", ends);
	api_assert_keys(data, "summary",
	    "totalRounds attendanceCount");
	cr_assert_eq(api_json_int(data, "summary.totalRounds"), 2);
	cr_assert_eq(api_json_int(data, "summary.attendanceCount"), 3);
	json_object_put(data);
	api_events_expect_none(ev, 300);

	/* Every round closed, every token dead. */
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s", session);
	api_expect_status(&f.r, 200);
	assert_session(api_json_get(f.r.json, "session"), &f, 0, 15, 600);
	rounds = api_json_get(f.r.json, "rounds");
	cr_assert_eq(json_object_array_length(rounds), 2);
	for (i = 0; i < 2; i++)
		cr_assert_eq(api_json_bool(json_object_array_get_idx(rounds, i),
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
	api_scan(f.st[2], session, r2, token, &f.r);
	api_assert_error(&f.r, 409, "session_ended");
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(sessions, an_ended_session_refuses_changes)
{
	struct api_fixture	 f;
	struct api_client	*other;
	char			 session[ID], round[ID];

	api_fixture_new(&f, 1);
	api_start_session(&f, NULL, session, round);
	other = api_intruder();
	api_reqf_nobody(other, "PATCH", &f.r, "/api/sessions/%s/end", session);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.st[0], "PATCH", &f.r, "/api/sessions/%s/end",
	    session);
	api_assert_error(&f.r, 403, "forbidden");
	api_reqf_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    UNKNOWN_ID);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    "session");
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(other, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf_nobody(f.st[0], "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_assert_error(&f.r, 403, "forbidden");
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    "1234");
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions WHERE id = $1 "
	    "AND status = 'active'", session, NULL), 1);

	api_end_session(&f, session);
	api_reqf_nobody(f.c.professor, "PATCH", &f.r, "/api/sessions/%s/end",
	    session);
	api_assert_error(&f.r, 409, "session_ended");
	api_reqf_nobody(f.c.professor, "POST", &f.r, "/api/sessions/%s/rounds",
	    session);
	api_assert_error(&f.r, 409, "session_ended");
	api_reqf_nobody(other, "PATCH", &f.r, "/api/sessions/%s/end", session);
	api_assert_error(&f.r, 404, "not_found");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_rounds "
	    "WHERE session_id = $1", session, NULL), 1,
	    "a round was added to an ended session");
	api_assert_session_invariants(session);
	api_client_free(other);
	api_fixture_free(&f);
}

/* --- the professor's override --------------------------------------- */

Test(sessions, override_creates_and_replaces_records)
{
	static const char *const statuses[] = {
		"late", "excused", "absent", "present",
	};
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], record[ID];
	char			 recorded[64], *username, *name;
	size_t			 i;

	api_fixture_new(&f, 2);
	api_start_session(&f, NULL, session, round);
	ev = api_events_subscribe(session);
	username = api_db_value("SELECT username FROM users WHERE id = $1",
	    f.ids[0], NULL);
	name = api_db_value("SELECT display_name FROM users WHERE id = $1",
	    f.ids[0], NULL);

	for (i = 0; i < sizeof(statuses) / sizeof(statuses[0]); i++) {
		api_put_record(&f, session, round, f.ids[0], statuses[i]);
		api_expect_status(&f.r, 200);
		api_assert_keys(f.r.json, "", "record");
		api_assert_keys(f.r.json, "record", RECORD_KEYS);
		api_copy_id(record, f.r.json, "record.id");
		api_assert_string_at(f.r.json, "record.sessionId", session);
		api_assert_string_at(f.r.json, "record.roundId", round);
		api_assert_string_at(f.r.json, "record.studentId", f.ids[0]);
		api_assert_string_at(f.r.json, "record.status", statuses[i]);
		api_assert_timestamp(f.r.json, "record.recordedAt");
		snprintf(recorded, sizeof(recorded), "%s",
		    api_json_string(f.r.json, "record.recordedAt"));

		api_events_expect_recorded(ev, session, round, f.ids[0],
		    username, name, statuses[i], recorded);

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
	api_events_expect_none(ev, 300);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 1);
	api_assert_session_invariants(session);
	free(username);
	free(name);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(sessions, override_replaces_a_scanned_record)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], round[ID], token[TOKEN_SIZE];
	json_object		*data;

	api_fixture_new(&f, 1);
	api_start_session(&f, NULL, session, round);
	ev = api_events_subscribe(session);
	api_fresh_token(&f, ev, session, round, token);
	api_scan(f.st[0], session, round, token, &f.r);
	api_expect_status(&f.r, 201);
	json_object_put(api_events_expect(ev, "attendance:recorded"));
	api_events_expect_qr_updated(ev, session, round, token, NULL, 0);

	api_put_record(&f, session, round, f.ids[0], "excused");
	api_expect_status(&f.r, 200);
	api_assert_string_at(f.r.json, "record.status", "excused");
	data = api_events_expect(ev, "attendance:recorded");
	api_assert_string_at(data, "status", "excused");
	json_object_put(data);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2", round, f.ids[0],
	    NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2 AND status = 'excused'",
	    round, f.ids[0], NULL), 1);
	api_events_expect_none(ev, 300);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
}

Test(sessions, override_works_on_an_ended_session_without_event)
{
	struct api_fixture	 f;
	struct api_events	*ev;
	char			 session[ID], r1[ID], r2[ID];

	api_fixture_new(&f, 2);
	api_start_session(&f, NULL, session, r1);
	api_new_round(f.c.professor, &f.r, session, r2);
	api_end_session(&f, session);
	ev = api_events_subscribe(session);

	api_put_record(&f, session, r1, f.ids[0], "excused");
	api_expect_status(&f.r, 200);
	api_assert_keys(f.r.json, "record", RECORD_KEYS);
	api_assert_string_at(f.r.json, "record.status", "excused");
	api_assert_string_at(f.r.json, "record.roundId", r1);
	api_put_record(&f, session, r2, f.ids[1], "present");
	api_expect_status(&f.r, 200);
	api_put_record(&f, session, r2, f.ids[1], "late");
	api_expect_status(&f.r, 200);
	api_assert_string_at(f.r.json, "record.status", "late");
	api_events_expect_none(ev, 300);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 2);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE round_id = $1 AND student_id = $2 AND status = 'late'",
	    r2, f.ids[1], NULL), 1);
	api_assert_session_invariants(session);
	api_events_free(ev);
	api_fixture_free(&f);
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
	struct api_fixture	 f, g;
	struct api_client	*other, *outsider, *neighbour;
	char			 session[ID], round[ID], gs[ID], gr[ID];
	char			 outsider_id[ID], neighbour_id[ID], name[80];
	size_t			 i;

	api_fixture_new(&f, 1);
	api_fixture_new(&g, 1);
	api_start_session(&f, NULL, session, round);
	api_start_session(&g, NULL, gs, gr);

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		api_reqf(f.c.professor, "PUT", bad[i], &f.r,
		    "/api/sessions/%s/rounds/%s/records/%s", session, round,
		    f.ids[0]);
		cr_assert_eq(f.r.status, 400, "%s: HTTP %ld %s", bad[i],
		    f.r.status, f.r.body);
		api_assert_error(&f.r, 400, "invalid_request");
	}
	api_reqf_raw(f.c.professor, "PUT", "text/plain",
	    "{\"status\": \"present\"}", NULL, &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round, f.ids[0]);
	api_assert_error(&f.r, 415, "unsupported_media_type");
	/* A body is required: a status must be given. */
	api_reqf_nobody(f.c.professor, "PUT", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_error(&f.r, 400, "invalid_request");
	/* The body is checked before the path's resources. */
	api_reqf(f.c.professor, "PUT", "{\"status\": \"here\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", UNKNOWN_ID, round,
	    f.ids[0]);
	api_assert_error(&f.r, 400, "invalid_request");

	/* Students who are not in the session's group. */
	outsider = api_user_login("student", "outsider", outsider_id, name);
	api_put_record(&f, session, round, outsider_id, "present");
	api_assert_error(&f.r, 404, "not_found");
	neighbour = api_other_group_student(&f, neighbour_id);
	api_put_record(&f, session, round, neighbour_id, "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, session, round, g.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	/* Not a student at all. */
	api_put_record(&f, session, round, f.c.professor_id, "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, session, round, UNKNOWN_ID, "present");
	api_assert_error(&f.r, 404, "not_found");

	/* Unknown, malformed or mismatched ids. */
	api_put_record(&f, UNKNOWN_ID, round, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, session, UNKNOWN_ID, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, "nope", round, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, session, "nope", f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, session, round, "nope", "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, session, gr, f.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");
	api_put_record(&f, gs, gr, g.ids[0], "present");
	api_assert_error(&f.r, 404, "not_found");

	/* Someone else's session, and the wrong role. */
	other = api_intruder();
	api_reqf(other, "PUT", "{\"status\": \"present\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_error(&f.r, 404, "not_found");
	api_reqf(f.st[0], "PUT", "{\"status\": \"present\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_error(&f.r, 403, "forbidden");

	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id IN ($1, $2)", session, gs, NULL), 0,
	    "a refused override wrote a record");
	api_assert_session_invariants(session);
	api_client_free(other);
	api_client_free(outsider);
	api_client_free(neighbour);
	api_fixture_free(&g);
	api_fixture_free(&f);
}

Test(sessions, wrong_methods_are_405_with_allow)
{
	struct api_fixture	 f;
	struct api_client	*anonymous;
	char			 session[ID], round[ID];

	api_fixture_new(&f, 1);
	api_start_session(&f, NULL, session, round);
	api_reqf(f.c.professor, "DELETE", NULL, &f.r, "/api/groups/%s/sessions",
	    f.c.group_id);
	api_assert_allow(&f.r, "GET POST", "DELETE");
	api_reqf(f.c.professor, "PATCH", "{}", &f.r, "/api/sessions/%s",
	    session);
	api_assert_allow(&f.r, "GET", "PATCH");
	api_reqf(f.c.professor, "GET", NULL, &f.r, "/api/sessions/%s/rounds",
	    session);
	api_assert_allow(&f.r, "POST", "GET");
	api_reqf(f.c.professor, "GET", NULL, &f.r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	api_assert_allow(&f.r, "POST", "GET");
	api_reqf(f.c.professor, "POST", NULL, &f.r, "/api/sessions/%s/end",
	    session);
	api_assert_allow(&f.r, "PATCH", "POST");
	api_reqf(f.c.professor, "POST", "{\"status\": \"present\"}", &f.r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round,
	    f.ids[0]);
	api_assert_allow(&f.r, "PUT", "POST");
	/* The route comes before authentication. */
	anonymous = api_client_new();
	api_reqf(anonymous, "GET", NULL, &f.r, "/api/sessions/%s/end", session);
	api_assert_allow(&f.r, "PATCH", "GET");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions "
	    "WHERE group_id = $1 AND status = 'active'", f.c.group_id, NULL),
	    1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records "
	    "WHERE session_id = $1", session, NULL), 0);
	api_client_free(anonymous);
	api_fixture_free(&f);
}
