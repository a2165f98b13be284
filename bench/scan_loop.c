/*
 * scan-loop: the classroom loop, the real workload.  C classrooms run at
 * once, each a class session of its own with S enrolled students and its
 * own professor WebSocket (GET /ws through nginx, to the relay); in each,
 * as soon as the professor's socket brings a token, the next student
 * scans it through nginx.  After each S scans the professor starts a new
 * round.  Prints scans/s and the latency from sending a scan to receiving
 * the round:qr-updated it caused, which is what the professor's screen
 * waits for.
 *
 * Students' login sessions are created directly in the database, the way
 * the server would (a BLAKE2b hash of a random sid): logging thousands of
 * students in through Argon2id would measure Argon2id.
 *
 * usage: scan-loop [-e] [-d SECONDS] BASE CONNINFO CLASSROOMS STUDENTS
 *     SCANS-PER-CLASSROOM
 *
 * BASE is nginx: http://HOST:PORT, or the path of its unix socket.
 * -e  end each classroom's session at the end, and print one line per
 *     classroom: "ended SESSION-ID PROFESSOR-SID".
 * -d  the fault-test mode: run for SECONDS (or until SCANS), and instead
 *     of stopping at the first failure, count every answer and recover
 *     the way a professor screen does (ask for a fresh code with .../qr,
 *     also on relay:resync).  Prints "http STATUS COUNT" and
 *     "curl_error CODE COUNT" lines for every request made.  SIGTERM
 *     ends the run early, with the same report: a test waits for what
 *     it checks, then stops the loop.
 */
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "bench_support.h"
#include "token.h"

#define HTTP_CODES	600
#define CURL_CODES	100

struct classroom {
	char		 professor_sid[TOKEN_TEXT_SIZE];
	char		 group_id[BENCH_ID_SIZE];
	char		 session_id[BENCH_ID_SIZE];
	char		 round_id[BENCH_ID_SIZE];
	char		 token[TOKEN_TEXT_SIZE];
	/* "SID; did=DEVICE": each student's login and phone (a browser
	 * keeps the device cookie its first login or scan set). */
	char		 (*student_sids)[2 * TOKEN_TEXT_SIZE + 8];
	int		 students;
	int		 scans;
	double		*latencies;	/* ms, one per successful scan */
	int		 done;		/* scans whose next token came */
	int		 accepted;	/* scans answered 201 */
	int		 failed;
	int		 resyncs;	/* relay:resync received */
	long		 http[HTTP_CODES];	/* answers by status */
	long		 curl_errors[CURL_CODES];
	CURL		*professor, *student;
	struct bench_websocket ws;	/* the professor's */
};

static const char	*base, *conninfo;

static int		 end_sessions;
static double		 deadline;	/* -d: ms on the monotonic clock */
static atomic_int	 terminated;	/* -d: SIGTERM came */

static int
tolerant(void)
{
	return deadline > 0;
}

static int
time_is_up(void)
{
	return tolerant() && (atomic_load(&terminated) ||
	    bench_now_ms() >= deadline);
}

/* -d: waits for SIGTERM, which every other thread blocks. */
static void *
terminate_wait(void *arg)
{
	sigset_t	*set = arg;
	int		 sig;

	if (sigwait(set, &sig) == 0)
		atomic_store(&terminated, 1);
	return NULL;
}

/*
 * POSTs (or PATCHes) as sid, counting the answer in the classroom;
 * returns the status, 0 if no answer came.
 */
static long
request(struct classroom *c, CURL *curl, const char *method, const char *sid,
    const char *path, const char *json, struct bench_body *answer)
{
	CURLcode	 rc;
	long		 code;

	rc = bench_request(curl, base, method, sid, path, json, answer, &code);
	if (rc == CURLE_OK) {
		if (code > 0 && code < HTTP_CODES)
			c->http[code]++;
	} else
		c->curl_errors[rc < CURL_CODES ? rc : CURL_CODES - 1]++;
	return code;
}

static long
post(struct classroom *c, CURL *curl, const char *sid, const char *path,
    const char *json, struct bench_body *answer)
{
	return request(c, curl, "POST", sid, path, json, answer);
}

enum wait_result { WAIT_TOKEN, WAIT_RESYNC, WAIT_TIMEOUT, WAIT_CLOSED };

/*
 * Waits for the round:qr-updated of the classroom's round (and, when
 * expires is not NULL, of the token that expires then); sets the
 * classroom's token.  Others are stale: a worker that died after it
 * published, before it answered, leaves events nobody waits for.
 */
static enum wait_result
wait_token(struct classroom *c, int timeout_ms, const char *expires)
{
	char		 text[4096], event[64], round[BENCH_ID_SIZE], at[64];
	json_object	*msg, *data, *v;
	double		 until = bench_now_ms() + timeout_ms;
	int		 rc;

	for (;;) {
		if (bench_now_ms() >= until)
			return WAIT_TIMEOUT;
		rc = bench_websocket_next(&c->ws, text, sizeof(text), until);
		if (rc == BENCH_ETIMEOUT)
			return WAIT_TIMEOUT;
		if (rc != BENCH_OK)
			return WAIT_CLOSED;
		if ((msg = json_tokener_parse(text)) == NULL)
			continue;
		event[0] = '\0';
		if (json_object_object_get_ex(msg, "event", &v))
			snprintf(event, sizeof(event), "%s",
			    json_object_get_string(v));
		if (strcmp(event, "round:qr-updated") == 0 &&
		    json_object_object_get_ex(msg, "data", &data)) {
			json_object_object_get_ex(data, "roundId", &v);
			snprintf(round, sizeof(round), "%s",
			    json_object_get_string(v));
			json_object_object_get_ex(data, "expiresAt", &v);
			snprintf(at, sizeof(at), "%s",
			    json_object_get_string(v));
			if (strcmp(round, c->round_id) == 0 &&
			    (expires == NULL || strcmp(at, expires) == 0)) {
				json_object_object_get_ex(data, "token", &v);
				snprintf(c->token, sizeof(c->token), "%s",
				    json_object_get_string(v));
				json_object_put(msg);
				return WAIT_TOKEN;
			}
		}
		json_object_put(msg);
		if (strcmp(event, "relay:resync") == 0) {
			c->resyncs++;
			return WAIT_RESYNC;
		}
	}
}

/*
 * The professor asks for a fresh code, as the screen does on connect and
 * on relay:resync, and waits for it; a closed round (the answer to a new
 * round was lost) means a new round.
 */
static enum wait_result
refresh_token(struct classroom *c, int timeout_ms)
{
	struct bench_body	 answer;
	char			 path[256], expires[64];
	long			 code;

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/qr",
	    c->session_id, c->round_id);
	code = post(c, c->professor, c->professor_sid, path, NULL, &answer);
	if (code == 202 && bench_json_string(answer.text, NULL, "expiresAt",
	    expires, sizeof(expires)) == 0)
		return wait_token(c, timeout_ms, expires);
	if (code == 409) {
		snprintf(path, sizeof(path), "/api/sessions/%s/rounds",
		    c->session_id);
		if (post(c, c->professor, c->professor_sid, path, NULL,
		    &answer) == 201 && bench_json_string(answer.text, "round",
		    "id", c->round_id, sizeof(c->round_id)) == 0)
			return wait_token(c, timeout_ms, NULL);
	}
	return WAIT_TIMEOUT;
}

/*
 * Gets the classroom a token after a failure (-d): asks for a fresh code
 * until one arrives, again after a relay:resync since the code asked for
 * before it may have been lost.  Returns -1 when time is up or the socket
 * closed.
 */
static int
recover_token(struct classroom *c)
{
	while (!time_is_up()) {
		switch (refresh_token(c, 1000)) {
		case WAIT_TOKEN:
			return 0;
		case WAIT_CLOSED:
			return -1;
		default:
			usleep(100000);
		}
	}
	return -1;
}

/* Waits for the token a request caused; in -d mode recovers from a lost
 * event or a resync. */
static int
next_token(struct classroom *c)
{
	enum wait_result	 w = wait_token(c, tolerant() ? 1000 : 10000,
	    NULL);

	if (w == WAIT_TOKEN)
		return 0;
	if (!tolerant())
		bench_die(w == WAIT_CLOSED ? "the professor socket closed" :
		    "no token came");
	return w == WAIT_CLOSED ? -1 : recover_token(c);
}

/* Everyone has had a turn: the professor starts a new round (again, in
 * -d mode, until it is answered). */
static int
new_round(struct classroom *c)
{
	struct bench_body	 answer;
	char			 path[256];

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds", c->session_id);
	while (post(c, c->professor, c->professor_sid, path, NULL,
	    &answer) != 201) {
		if (!tolerant())
			bench_die("a new round failed");
		if (time_is_up())
			return -1;
		usleep(100000);
	}
	bench_json_string(answer.text, "round", "id", c->round_id,
	    sizeof(c->round_id));
	return next_token(c);
}

static int
start_session(struct classroom *c)
{
	struct bench_body	 answer;
	char			 path[256];
	int			 rc;

	snprintf(path, sizeof(path), "/api/groups/%s/sessions", c->group_id);
	if (post(c, c->professor, c->professor_sid, path,
	    "{\"qrTtlSeconds\":600}", &answer) != 201 ||
	    bench_json_string(answer.text, "session", "id", c->session_id,
	    sizeof(c->session_id)) != 0 ||
	    bench_json_string(answer.text, "round", "id", c->round_id,
	    sizeof(c->round_id)) != 0)
		return -1;
	/* The session's first token went out before the socket opened: ask
	 * for a fresh one, as the screen does when it connects. */
	rc = bench_websocket_open(&c->ws, base, c->session_id,
	    c->professor_sid, bench_now_ms() + 10000);
	if (rc == BENCH_EBASE)
		bench_die(bench_strerror(rc));
	if (rc != BENCH_OK)
		return -1;
	return refresh_token(c, 10000) == WAIT_TOKEN ? 0 : -1;
}

static void *
classroom_run(void *arg)
{
	struct classroom	*c = arg;
	char			 path[256], body[128];
	int			 i;

	c->ws.fd = -1;
	c->professor = curl_easy_init();
	c->student = curl_easy_init();
	if (c->professor == NULL || c->student == NULL)
		bench_die("out of memory");
	if (start_session(c) != 0)
		bench_die("cannot start the class session and its socket");

	for (i = 0; i < c->scans && !time_is_up(); i++) {
		int	 s = i % c->students;
		long	 code;
		double	 sent;

		if (s == 0 && i > 0 && new_round(c) != 0)
			break;
		snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
		    c->session_id, c->round_id);
		snprintf(body, sizeof(body), "{\"token\":\"%s\"}", c->token);
		sent = bench_now_ms();
		code = post(c, c->student, c->student_sids[s], path, body,
		    NULL);
		if (code == 201)
			c->accepted++;
		else {
			c->failed++;
			if (!tolerant()) {
				fprintf(stderr, "scan-loop: a scan answered "
				    "%ld\n", code);
				break;
			}
			if (recover_token(c) != 0)
				break;
			continue;
		}
		if (next_token(c) != 0)
			break;
		c->latencies[c->done++] = bench_now_ms() - sent;
	}
	if (end_sessions) {
		snprintf(path, sizeof(path), "/api/sessions/%s/end",
		    c->session_id);
		if (request(c, c->professor, "PATCH", c->professor_sid, path,
		    NULL, NULL) != 200)
			bench_die("ending a session failed");
	}
	bench_websocket_close(&c->ws);
	curl_easy_cleanup(c->professor);
	curl_easy_cleanup(c->student);
	return NULL;
}

/* C classrooms of S enrolled students each, with their login sessions. */
static void
make_classrooms(struct classroom *rooms, int nrooms, int nstudents,
    int nscans)
{
	PGconn		*db;
	char		 name[64], id[BENCH_ID_SIZE], course[BENCH_ID_SIZE];
	long		 stamp = (long)time(NULL);
	int		 r, s;

	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		bench_die(PQerrorMessage(db));
	PQclear(bench_sql(db, "BEGIN", 0, NULL));
	for (r = 0; r < nrooms; r++) {
		struct classroom	*c = &rooms[r];

		c->students = nstudents;
		c->scans = nscans;
		c->latencies = calloc((size_t)nscans, sizeof(double));
		c->student_sids = calloc((size_t)nstudents,
		    sizeof(*c->student_sids));
		if (c->latencies == NULL || c->student_sids == NULL)
			bench_die("out of memory");
		snprintf(name, sizeof(name), "bench-prof-%d-%ld", r, stamp);
		bench_user_create(db, "professor", name, id, c->professor_sid);
		bench_course_create(db, id, name, "Bench", course, c->group_id);
		for (s = 0; s < nstudents; s++) {
			snprintf(name, sizeof(name), "bench-s-%d-%d-%ld", r, s,
			    stamp);
			bench_user_create(db, "student", name, id,
			    c->student_sids[s]);
			bench_device_cookie(db, c->student_sids[s],
			    sizeof(c->student_sids[s]));
			bench_enroll(db, id, course, c->group_id);
		}
	}
	PQclear(bench_sql(db, "COMMIT", 0, NULL));
	PQfinish(db);
}

/* cpu: what this process used during the loop, setup excluded. */
static void
report(struct classroom *rooms, int nrooms, int nstudents, double elapsed,
    double cpu)
{
	double		*all;
	long		 http[HTTP_CODES] = { 0 };
	long		 curl_errors[CURL_CODES] = { 0 };
	int		 r, i, total = 0, failed = 0, accepted = 0, resyncs = 0;

	for (r = 0; r < nrooms; r++)
		total += rooms[r].done;
	if ((all = calloc((size_t)total + 1, sizeof(double))) == NULL)
		bench_die("out of memory");
	total = 0;
	for (r = 0; r < nrooms; r++) {
		memcpy(all + total, rooms[r].latencies,
		    (size_t)rooms[r].done * sizeof(double));
		total += rooms[r].done;
		failed += rooms[r].failed;
		accepted += rooms[r].accepted;
		resyncs += rooms[r].resyncs;
		for (i = 0; i < HTTP_CODES; i++)
			http[i] += rooms[r].http[i];
		for (i = 0; i < CURL_CODES; i++)
			curl_errors[i] += rooms[r].curl_errors[i];
	}
	bench_sort(all, (size_t)total);
	printf("classrooms %d\nstudents %d\nscans %d\nfailed %d\n"
	    "seconds %.2f\n", nrooms, nstudents, total, failed, elapsed);
	printf("scans_per_second %.0f\n", total / elapsed);
	if (total > 0)
		printf("latency_ms p50 %.2f p95 %.2f p99 %.2f max %.2f\n",
		    all[total / 2], all[total * 95 / 100],
		    all[total * 99 / 100], all[total - 1]);
	printf("cpu_seconds %.2f\ncpu_percent_of_one_core %.0f\n",
	    cpu, 100.0 * cpu / elapsed);
	if (tolerant()) {
		printf("scans_accepted %d\nresyncs %d\n", accepted, resyncs);
		for (i = 0; i < HTTP_CODES; i++)
			if (http[i] > 0)
				printf("http %d %ld\n", i, http[i]);
		for (i = 0; i < CURL_CODES; i++)
			if (curl_errors[i] > 0)
				printf("curl_error %d %ld\n", i,
				    curl_errors[i]);
	}
	if (end_sessions)
		for (r = 0; r < nrooms; r++)
			printf("ended %s %s\n", rooms[r].session_id,
			    rooms[r].professor_sid);
	free(all);
}

int
main(int argc, char **argv)
{
	struct classroom	*rooms;
	pthread_t		*threads, waiter;
	sigset_t		 term;
	double			 start, cpu, seconds = 0;
	int			 nrooms, nstudents, nscans, r, ch, failed = 0;

	while ((ch = getopt(argc, argv, "d:e")) != -1) {
		switch (ch) {
		case 'd':
			seconds = atof(optarg);
			break;
		case 'e':
			end_sessions = 1;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 5)
		goto usage;
	base = argv[0];
	conninfo = argv[1];
	nrooms = atoi(argv[2]);
	nstudents = atoi(argv[3]);
	nscans = atoi(argv[4]);
	bench_set_name("scan-loop");
	if (sodium_init() < 0 || nrooms < 1 || nstudents < 1 || nscans < 1)
		goto usage;
	curl_global_init(CURL_GLOBAL_ALL);
	rooms = calloc((size_t)nrooms, sizeof(*rooms));
	threads = calloc((size_t)nrooms, sizeof(*threads));
	if (rooms == NULL || threads == NULL)
		bench_die("out of memory");
	make_classrooms(rooms, nrooms, nstudents, nscans);

	start = bench_now_ms();
	cpu = bench_cpu_seconds();
	if (seconds > 0) {
		deadline = start + seconds * 1e3;
		sigemptyset(&term);
		sigaddset(&term, SIGTERM);
		if (pthread_sigmask(SIG_BLOCK, &term, NULL) != 0 ||
		    pthread_create(&waiter, NULL, terminate_wait, &term) != 0 ||
		    pthread_detach(waiter) != 0)
			bench_die("cannot wait for SIGTERM");
	}
	for (r = 0; r < nrooms; r++)
		if (pthread_create(&threads[r], NULL, classroom_run,
		    &rooms[r]) != 0)
			bench_die("cannot start a thread");
	for (r = 0; r < nrooms; r++)
		pthread_join(threads[r], NULL);
	report(rooms, nrooms, nstudents, (bench_now_ms() - start) / 1e3,
	    bench_cpu_seconds() - cpu);
	for (r = 0; r < nrooms; r++) {
		failed += rooms[r].failed;
		free(rooms[r].latencies);
		free(rooms[r].student_sids);
	}
	free(rooms);
	free(threads);
	curl_global_cleanup();
	return failed > 0 && !tolerant() ? 1 : 0;
usage:
	fprintf(stderr, "usage: scan-loop [-e] [-d SECONDS] BASE CONNINFO "
	    "CLASSROOMS STUDENTS SCANS-PER-CLASSROOM\n");
	return 2;
}
