/*
 * hot-token: the hot token race.  N students (default 300), all enrolled
 * in one group, scan the same live token at the same moment; the contract
 * wants exactly one 201 and N - 1 409 token_used.  Prints the answers by
 * status and code, the time each loser waited for its 409, and the CPU
 * this program used while they raced (so that it is seen not to be the
 * bottleneck).
 *
 * The users, their login sessions, the course, the group and the
 * enrollments are created directly in the database, the way the server
 * would (a BLAKE2b hash of a random sid: see bench_user_create()); the
 * class session is started through the API, and the token comes the only
 * way a raw token travels: on the professor's WebSocket (GET /ws through
 * nginx), after POST .../qr.  Then every scan is added to one libcurl
 * multi handle before the first curl_multi_perform(), each on its own
 * connection, and they all go at once.
 *
 * usage: hot-token BASE CONNINFO [STUDENTS]
 *
 * BASE is nginx, http://ADDRESS:PORT; it must be an allowed origin.
 * Prints "key value..." lines:
 *   students 300
 *   answer 201 - 1
 *   answer 409 token_used 299
 *   winner_ms 5.10
 *   losers_ms p50 20.12 p99 41.03 max 41.50
 *   seconds 0.05
 *   cpu_seconds 0.02
 *   cpu_percent_of_one_core 40
 * Exits 0 when the answers are exactly one 201 and STUDENTS - 1 409
 * token_used, 1 otherwise or when anything else fails, 2 on a usage
 * error.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "bench_support.h"
#include "token.h"

#define MAX_STUDENTS	1000	/* a socket each, under the usual 1024 */
#define MAX_KINDS	32	/* distinct (status, code) answers counted */
#define WAIT_MS		10000

/* One student's scan. */
struct shot {
	CURL			*curl;
	struct curl_slist	*headers;
	char			 sid[TOKEN_TEXT_SIZE];
	char			 json[32 + TOKEN_TEXT_SIZE];
	struct bench_body	 answer;
	long			 status;
	double			 ms;
};

struct kind {
	long	 status;
	char	 code[40];
	int	 count;
};

static const char	*base, *conninfo;

/*
 * The professor (sid to professor_sid), a course and a group, and the
 * students enrolled in it with their sids in shots; the group to group.
 */
static void
make_class(struct shot *shots, int n, char professor_sid[TOKEN_TEXT_SIZE],
    char group[BENCH_ID_SIZE])
{
	PGconn		*db;
	unsigned char	 raw[4];
	char		 stamp[9], name[64];
	char		 id[BENCH_ID_SIZE], course[BENCH_ID_SIZE];
	int		 i;

	/* Names unique across runs on the same database. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(stamp, sizeof(stamp), raw, sizeof(raw));
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		bench_die(PQerrorMessage(db));
	PQclear(bench_sql(db, "BEGIN", 0, NULL));
	snprintf(name, sizeof(name), "hot-prof-%s", stamp);
	bench_user_create(db, "professor", name, id, professor_sid);
	bench_course_create(db, id, name, "Hot token", course, group);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "hot-s-%s-%d", stamp, i);
		bench_user_create(db, "student", name, id, shots[i].sid);
		bench_enroll(db, id, course, group);
	}
	PQclear(bench_sql(db, "COMMIT", 0, NULL));
	PQfinish(db);
}

/*
 * One request on a connection of its own, waited for; returns the
 * status, 0 if no answer came.
 */
static long
request(const char *method, const char *sid, const char *path,
    const char *json, struct bench_body *answer)
{
	CURL	*curl;
	long	 status;

	if ((curl = curl_easy_init()) == NULL)
		bench_die("out of memory");
	if (bench_request(curl, base, method, sid, path, json, answer,
	    &status) == CURLE_OUT_OF_MEMORY)
		bench_die("out of memory");
	curl_easy_cleanup(curl);
	return status;
}

/*
 * Skips events up to a round:qr-updated of round, within timeout_ms; its
 * token to token.  Returns 0, or -1 if none came.
 */
static int
websocket_token(struct bench_websocket *ws, const char *round,
    char token[TOKEN_TEXT_SIZE], int timeout_ms)
{
	json_object	*msg, *data, *v;
	char		 text[4096];
	double		 until = bench_now_ms() + timeout_ms;
	int		 found = 0, rc;

	while (!found) {
		rc = bench_websocket_next(ws, text, sizeof(text), until);
		if (rc == BENCH_ECLOSED || rc == BENCH_ETOOLARGE)
			bench_die(bench_strerror(rc));
		if (rc != BENCH_OK)
			return -1;
		if ((msg = json_tokener_parse(text)) == NULL)
			continue;
		if (json_object_object_get_ex(msg, "event", &v) &&
		    strcmp(json_object_get_string(v),
		    "round:qr-updated") == 0 &&
		    json_object_object_get_ex(msg, "data", &data) &&
		    json_object_object_get_ex(data, "roundId", &v) &&
		    strcmp(json_object_get_string(v), round) == 0 &&
		    json_object_object_get_ex(data, "token", &v)) {
			snprintf(token, TOKEN_TEXT_SIZE, "%s",
			    json_object_get_string(v));
			found = 1;
		}
		json_object_put(msg);
	}
	return 0;
}

/*
 * The live token of the round, as a professor screen gets it after
 * connecting: POST .../qr, then its round:qr-updated.  Asked again if
 * the event does not come (the relay may subscribe to the session's
 * channel a moment after the upgrade).
 */
static void
live_token(struct bench_websocket *ws, const char *sid, const char *session,
    const char *round, char token[TOKEN_TEXT_SIZE])
{
	struct bench_body	 answer;
	char			 path[256];
	int			 tries;

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/qr",
	    session, round);
	for (tries = 0; tries < 5; tries++) {
		if (request("POST", sid, path, NULL, &answer) != 202) {
			fprintf(stderr, "hot-token: POST %s: %s\n", path,
			    answer.text);
			exit(1);
		}
		if (websocket_token(ws, round, token, WAIT_MS / 5) == 0)
			return;
	}
	bench_die("no round:qr-updated on the professor's WebSocket");
}

/*
 * Every scan of token on path, each student on a connection of its own,
 * all added before the first curl_multi_perform(); sets each shot's
 * status, answer and time (libcurl's total time of the transfer), the
 * race's wall time and this process's CPU time during it.
 */
static void
race(struct shot *shots, int n, const char *path, const char *token,
    double *seconds, double *cpu)
{
	CURLM		*multi;
	CURLMsg		*msg;
	struct shot	*s;
	curl_off_t	 us;
	double		 start, cpu_start;
	char		*private;
	int		 i, running, left;

	if ((multi = curl_multi_init()) == NULL)
		bench_die("out of memory");
	for (i = 0; i < n; i++) {
		s = &shots[i];
		if ((s->curl = curl_easy_init()) == NULL)
			bench_die("out of memory");
		snprintf(s->json, sizeof(s->json), "{\"token\":\"%s\"}",
		    token);
		if (bench_request_setup(s->curl, base, "POST", s->sid, path,
		    s->json, &s->answer, &s->headers) != CURLE_OK)
			bench_die("out of memory");
		curl_easy_setopt(s->curl, CURLOPT_PRIVATE, (char *)s);
		if (curl_multi_add_handle(multi, s->curl) != CURLM_OK)
			bench_die("curl_multi_add_handle failed");
	}
	start = bench_now_ms();
	cpu_start = bench_cpu_seconds();
	do {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			bench_die("curl_multi_perform failed");
		if (running > 0 && curl_multi_poll(multi, NULL, 0, 1000,
		    NULL) != CURLM_OK)
			bench_die("curl_multi_poll failed");
	} while (running > 0);
	*seconds = (bench_now_ms() - start) / 1e3;
	*cpu = bench_cpu_seconds() - cpu_start;
	while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
		if (msg->msg != CURLMSG_DONE)
			continue;
		curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
		    &private);
		s = (struct shot *)(void *)private;
		if (msg->data.result == CURLE_OK)
			curl_easy_getinfo(s->curl, CURLINFO_RESPONSE_CODE,
			    &s->status);
		if (curl_easy_getinfo(s->curl, CURLINFO_TOTAL_TIME_T, &us) ==
		    CURLE_OK)
			s->ms = (double)us / 1e3;
	}
	for (i = 0; i < n; i++) {
		curl_multi_remove_handle(multi, shots[i].curl);
		curl_easy_cleanup(shots[i].curl);
		curl_slist_free_all(shots[i].headers);
	}
	curl_multi_cleanup(multi);
}

static int
compare_kinds(const void *a, const void *b)
{
	const struct kind	*x = a, *y = b;

	if (x->status != y->status)
		return x->status < y->status ? -1 : 1;
	return strcmp(x->code, y->code);
}

/* Prints the answers by kind and the times; returns whether they are
 * one 201 and n - 1 409 token_used. */
static int
report(struct shot *shots, int n, double seconds, double cpu)
{
	struct kind	 kinds[MAX_KINDS];
	double		*losers;
	char		 code[40];
	int		 i, k, nkinds = 0, nlosers = 0, winner = -1;

	if ((losers = calloc((size_t)n, sizeof(double))) == NULL)
		bench_die("out of memory");
	for (i = 0; i < n; i++) {
		if (shots[i].status == 0)
			snprintf(code, sizeof(code), "no_answer");
		else if (bench_json_string(shots[i].answer.text, "error",
		    "code", code, sizeof(code)) != 0)
			snprintf(code, sizeof(code), "-");
		for (k = 0; k < nkinds; k++)
			if (kinds[k].status == shots[i].status &&
			    strcmp(kinds[k].code, code) == 0)
				break;
		if (k == nkinds && nkinds < MAX_KINDS) {
			kinds[k].status = shots[i].status;
			snprintf(kinds[k].code, sizeof(kinds[k].code), "%s",
			    code);
			kinds[k].count = 0;
			nkinds++;
		}
		if (k < nkinds)
			kinds[k].count++;
		if (shots[i].status == 201)
			winner = i;
		else
			losers[nlosers++] = shots[i].ms;
	}
	bench_sort(losers, (size_t)nlosers);
	qsort(kinds, (size_t)nkinds, sizeof(kinds[0]), compare_kinds);
	printf("students %d\n", n);
	for (k = 0; k < nkinds; k++)
		printf("answer %ld %s %d\n", kinds[k].status, kinds[k].code,
		    kinds[k].count);
	if (winner >= 0)
		printf("winner_ms %.2f\n", shots[winner].ms);
	if (nlosers > 0)
		printf("losers_ms p50 %.2f p99 %.2f max %.2f\n",
		    losers[nlosers / 2], losers[nlosers * 99 / 100],
		    losers[nlosers - 1]);
	printf("seconds %.3f\ncpu_seconds %.3f\n"
	    "cpu_percent_of_one_core %.0f\n", seconds, cpu,
	    100.0 * cpu / seconds);
	free(losers);
	for (k = 0; k < nkinds; k++)
		if (!(kinds[k].status == 201 && kinds[k].count == 1) &&
		    !(kinds[k].status == 409 &&
		    strcmp(kinds[k].code, "token_used") == 0 &&
		    kinds[k].count == n - 1))
			return 0;
	return nkinds == 2;
}

int
main(int argc, char **argv)
{
	struct shot		*shots;
	struct bench_websocket	*ws;
	struct bench_body	 answer;
	char			 professor_sid[TOKEN_TEXT_SIZE];
	char			 group[BENCH_ID_SIZE], session[BENCH_ID_SIZE];
	char			 round[BENCH_ID_SIZE], token[TOKEN_TEXT_SIZE];
	char			 path[256];
	double			 seconds, cpu;
	int			 n = 300, ok, rc;

	bench_set_name("hot-token");
	if (argc < 3 || argc > 4)
		goto usage;
	base = argv[1];
	conninfo = argv[2];
	if (argc == 4)
		n = atoi(argv[3]);
	if (n < 2 || n > MAX_STUDENTS || strncmp(base, "http://", 7) != 0)
		goto usage;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_ALL) != 0)
		bench_die("cannot initialise libsodium or libcurl");
	shots = calloc((size_t)n, sizeof(*shots));
	ws = calloc(1, sizeof(*ws));
	if (shots == NULL || ws == NULL)
		bench_die("out of memory");
	make_class(shots, n, professor_sid, group);

	snprintf(path, sizeof(path), "/api/groups/%s/sessions", group);
	if (request("POST", professor_sid, path, "{\"qrTtlSeconds\":600}",
	    &answer) != 201 || bench_json_string(answer.text, "session", "id",
	    session, sizeof(session)) != 0 || bench_json_string(answer.text,
	    "round", "id", round, sizeof(round)) != 0) {
		fprintf(stderr, "hot-token: POST %s: %s\n", path,
		    answer.text);
		return 1;
	}
	switch (rc = bench_websocket_open(ws, base, session, professor_sid,
	    bench_now_ms() + WAIT_MS)) {
	case BENCH_OK:
		break;
	case BENCH_EBASE:
		bench_die("BASE must be http://ADDRESS:PORT");
	case BENCH_EREFUSED:
		fprintf(stderr, "hot-token: the upgrade answered %.40s\n",
		    (char *)ws->buffer);
		return 1;
	default:
		bench_die(bench_strerror(rc));
	}
	live_token(ws, professor_sid, session, round, token);

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	race(shots, n, path, token, &seconds, &cpu);
	ok = report(shots, n, seconds, cpu);

	snprintf(path, sizeof(path), "/api/sessions/%s/end", session);
	if (request("PATCH", professor_sid, path, NULL, &answer) != 200)
		fprintf(stderr, "hot-token: ending the session: %s\n",
		    answer.text);
	bench_websocket_close(ws);
	free(ws);
	free(shots);
	curl_global_cleanup();
	if (!ok)
		fprintf(stderr, "hot-token: expected one 201 and %d 409 "
		    "token_used\n", n - 1);
	return ok ? 0 : 1;
usage:
	fprintf(stderr, "usage: hot-token BASE CONNINFO [STUDENTS]\n");
	return 2;
}
