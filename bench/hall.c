/*
 * hall: a lecture hall checking in, simulated against the real stack
 * (issue 16).  STUDENTS enrolled students point their phones' in-page
 * scanner at one professor screen; the screen is a real WebSocket on the
 * relay (GET /ws through nginx), the scans are real POSTs through nginx
 * on keep-alive connections, and what lies between (the projector, the
 * cameras, the decoders, the campus Wi-Fi) is a model with these numbers
 * (docs/decisions.md, "The hall simulation", says where they come from):
 *
 *   -r MS       the screen draws a token this long after its
 *               round:qr-updated arrived (default 20);
 *   -f MS       each camera takes a frame this often (default 33), from a
 *               phase of its own;
 *   -d MIN-MAX  a frame is decoded after a time drawn uniformly for each
 *               frame (default 80-250); one decode at a time per phone, the
 *               next on the first frame after it, as a scanner page does;
 *   -w MIN-MAX  the Wi-Fi's one-way delay, drawn for each way of each
 *               request (default 5-40).
 *
 * A phone posts each NEW code it decodes, one scan at a time, and goes on
 * after token_used, token_expired and invalid_token (the in-page scanner's
 * rule, web/js/scan.js): the newest code decoded while a scan was in
 * flight is posted when its answer comes.  A 201 or already_recorded
 * stops it.  The screen behaves as web/js/live.js: it asks for a token
 * (POST .../qr) once the relay's round:started came or a second after
 * connecting, again when its token has min(2 s, ttl / 4) left (its tick
 * runs every 200 ms) or when an asked-for token is 4 s late, and it hides
 * a token that expired.
 *
 * -m single    the default session: each scan consumes the token and mints
 *              the next one; the hall queues on one code at a time.
 * -m window    {"scanMode":"window"}: everyone scans the same code, which
 *              the screen renews before it expires (contract v1.1).
 *
 * Each of RUNS runs (-n, default 5) is a session of its own on the same
 * class, timed from the first code drawn; after each the records are
 * checked in PostgreSQL: every enrolled student has exactly one, and the
 * tokens agree (single mode: one consumed token per record, each record
 * its own; window mode: none consumed).  -t TTL is the session's
 * qrTtlSeconds (default 15), -l SECONDS the most a run may take (default
 * 300), -s SEED the first run's random seed (default 1).  -p PID,... are
 * the stack's processes (PostgreSQL's postmaster, Redis, nginx's master,
 * the FastCGI workers' parent, the relay): their CPU time during each run,
 * and during an idle second before the first, is reported.
 *
 * -x ATTEMPTS  instead of the hall: what a check-in and a refused attempt
 *              cost, on a single-mode session.  One student consumes the
 *              first token; the second half of the class replays it
 *              ATTEMPTS times, 32 at a time, every answer a 409
 *              token_used.  Then the first half checks in one after the
 *              other, round after round, ATTEMPTS / 5 times (at least
 *              once each), each scan on the token the last one minted (its
 *              round:qr-updated waited for, as scan-loop does).  For each
 *              phase, per scan: the stack's CPU (-p), the WAL PostgreSQL
 *              wrote (pg_current_wal_lsn()) and the transaction ids it
 *              assigned (the snapshot's xmax).
 *
 * usage: hall [-m single|window] [-n RUNS] [-t TTL] [-r MS] [-f MS]
 *     [-d MIN-MAX] [-w MIN-MAX] [-l SECONDS] [-s SEED] [-p PIDS]
 *     BASE CONNINFO STUDENTS
 *        hall -x ATTEMPTS [-p PIDS] BASE CONNINFO STUDENTS
 *
 * BASE is nginx: http://ADDRESS:PORT (an allowed origin), or the path of
 * its unix socket (http://localhost the origin).  Prints "key
 * value..." lines (see report() and cost()).  Exits 0 when every
 * run brought everyone in with exactly one record each and no answer was
 * a 5xx, a transport error or anything a scanner would not expect; 1
 * otherwise; 2 on a usage error.
 */
#include <sys/resource.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "bench_support.h"
#include "token.h"

#define MAX_STUDENTS	2000
#define MAX_PIDS	16
#define MAX_KINDS	32	/* distinct (status, code) answers counted */
#define TICK_MS		200	/* live.js: setInterval(tick, 200) */
#define RENEW_MAX_MS	2000	/* live.js: RENEW_MARGIN_MAX */
#define TOKEN_WAIT_MS	4000	/* live.js: TOKEN_WAIT */
#define FIRST_QR_MS	1000	/* live.js: a second without round:started */
#define RECORDED_WAIT_MS 3000	/* the screen's last count, at most */
#define COST_SLOTS	32	/* -x: refused scans in flight */

enum mode { MODE_SINGLE, MODE_WINDOW };

struct range {
	double	 min, max;
};

struct model {
	double		 redraw;	/* ms from the event to the projector */
	double		 frame;		/* ms between camera frames */
	struct range	 decode;	/* ms from a frame to its text */
	struct range	 wifi;		/* ms, one way */
};

/* An answer's status and error code ("-" for none), and how many came. */
struct kind {
	long	 status;
	char	 code[40];
	long	 count;
};

struct kinds {
	struct kind	 k[MAX_KINDS];
	int		 n;
};

/*
 * A token's way round the hall (ms on bench_now_ms()'s clock): its
 * round:qr-updated arrived, it was drawn, and the scan that consumed it
 * was taken by a camera, decoded, sent, and arrived at nginx.
 */
struct cycle {
	double	 taken, decoded, left, sent;
};

struct token {
	char		 text[TOKEN_TEXT_SIZE];
	double		 arrived, drawn;
	int		 won;		/* a 201 consumed it */
	struct cycle	 winner;
};

struct student {
	char			 id[BENCH_ID_SIZE];
	/* "SID; did=DEVICE", as bench_request_setup() sends it. */
	char			 cookie[2 * TOKEN_TEXT_SIZE + 8];
	CURL			*curl;
	struct curl_slist	*headers;
	struct bench_body	 answer;
	char			 json[32 + TOKEN_TEXT_SIZE];
	double			 phase;	/* the camera's frames: ms */
	/* Tokens (indexes, -1 for none): on the frame being decoded, the
	 * newest decoded, the last scanned. */
	int			 captured, seen, posted;
	/* When (ms) the frame being decoded was taken, and the newest
	 * code's frame was taken and decoded; the last scan's cycle. */
	double			 captured_at, seen_taken_at, seen_at;
	struct cycle		 scan;
	int			 busy;	/* a scan sent, its answer unseen */
	int			 done;
	int			 failed; /* an answer it cannot go on from */
	int			 requests;
	long			 status; /* the last answer's */
	char			 code[40];
	double			 in_at;	/* its phone showed success */
};

enum event_kind {
	EV_DRAW,	/* the projector shows token who (-1: none) */
	EV_CAPTURE,	/* student who's camera takes a frame */
	EV_DECODED,	/* ... and has decoded it */
	EV_SEND,	/* student who's scan reaches the server */
	EV_ANSWER,	/* ... and its answer the phone */
	EV_TICK		/* the screen's timer */
};

struct event {
	double		 at;
	unsigned long	 order;		/* ties: first scheduled, first */
	enum event_kind	 kind;
	int		 who;
};

struct queue {
	struct event	*e;
	size_t		 n, size;
	unsigned long	 order;
};

/* The professor's screen, as web/js/live.js keeps it. */
struct screen {
	int		 held;		/* the token it has (index), -1 */
	int		 shown;		/* the token projected, -1 */
	double		 arrived_at;
	double		 want_qr_at;	/* -1: none wanted */
	int		 qr_in_flight;
	int		 qr_seq;	/* tokens held when .../qr was asked */
	int		 first_start;
	int		 recorded;	/* attendance:recorded of this run */
	double		 all_recorded_at;
	CURL		*curl;
	struct curl_slist *headers;
	struct bench_body answer;
};

/* One run's figures. */
struct run {
	double	 everyone_in;	/* s: the screen's count reached N */
	double	 last_wait;	/* s: the last phone showed success */
	double	 stack_cpu;	/* s of the stack's CPU during the run */
	double	 seconds;	/* wall time of the run, setup excluded */
	int	 checkins, refused, tokens, stuck, requests;
	int	 records_ok;
	double	*waits;		/* s, one per student checked in */
	int	*requests_of;	/* scans of each student */
};

static const char	*base, *conninfo;
static enum mode	 mode = MODE_SINGLE;
static struct model	 model = { 20, 33, { 80, 250 }, { 5, 40 } };
static int		 ttl = 15;
static double		 limit_s = 300;
static long		 pids[MAX_PIDS];
static size_t		 npids;

/* The class, made once, and the run under way. */
static struct student	*students;
static int		 nstudents;
static char		 professor_sid[TOKEN_TEXT_SIZE];
static char		 group_id[BENCH_ID_SIZE];
static char		 session_id[BENCH_ID_SIZE], round_id[BENCH_ID_SIZE];
static struct bench_websocket *ws;
static CURLM		*multi;
static struct queue	 queue;
static struct screen	 screen;
static struct token	*tokens;
static int		 ntokens, tokens_size;
static double		 t0;		/* the first code drawn, ms; 0 before */
static int		 nin;		/* students checked in */
static int		 nover;		/* ... or stopped on an error */
static struct kinds	 answers;	/* the students' answers, all runs */
static long		 bad_answers;	/* 5xx, no answer, unexpected */
static uint64_t		 rng;

/* Single mode: a token's cycle, from its drawing to the next one's, in
 * its parts (ms), pooled over the runs. */
enum part {
	PART_FRAME,	/* drawn -> the winner's camera took it */
	PART_DECODE,	/* -> decoded */
	PART_HELD,	/* -> sent (the phone waited for an answer) */
	PART_UPLINK,	/* -> at nginx */
	PART_SERVER,	/* -> the next token's round:qr-updated came */
	PART_REDRAW,	/* -> the next token drawn */
	PART_TOTAL,
	PARTS
};
static const char *const part_names[PARTS] = {
	"frame_wait", "decode", "held", "uplink", "server", "redraw", "total"
};
static double		*parts[PARTS];
static size_t		 nparts, parts_size;

/* Adds the cycles of this run's tokens, each consumed by a 201 and
 * followed by the token it minted. */
static void
cycles_add(void)
{
	struct token	*t, *n;
	int		 k, p;

	for (k = 0; k + 1 < ntokens; k++) {
		t = &tokens[k];
		n = &tokens[k + 1];
		if (!t->won)
			continue;
		if (nparts == parts_size) {
			parts_size = parts_size > 0 ? 2 * parts_size : 1024;
			for (p = 0; p < PARTS; p++)
				if ((parts[p] = realloc(parts[p], parts_size *
				    sizeof(double))) == NULL)
					bench_die("out of memory");
		}
		parts[PART_FRAME][nparts] = t->winner.taken - t->drawn;
		parts[PART_DECODE][nparts] = t->winner.decoded -
		    t->winner.taken;
		parts[PART_HELD][nparts] = t->winner.left - t->winner.decoded;
		parts[PART_UPLINK][nparts] = t->winner.sent - t->winner.left;
		parts[PART_SERVER][nparts] = n->arrived - t->winner.sent;
		parts[PART_REDRAW][nparts] = n->drawn - n->arrived;
		parts[PART_TOTAL][nparts] = n->drawn - t->drawn;
		nparts++;
	}
}

/* splitmix64: a seeded generator, so that a run can be repeated. */
static double
uniform(double lo, double hi)
{
	uint64_t	 z = (rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	z ^= z >> 31;
	return lo + (hi - lo) * (double)(z >> 11) / 9007199254740992.0;
}

static double
draw(const struct range *r)
{
	return uniform(r->min, r->max);
}

/* --- the event queue: a binary heap by time ------------------------- */

static int
event_before(const struct event *a, const struct event *b)
{
	return a->at < b->at || (a->at == b->at && a->order < b->order);
}

static void
schedule(double at, enum event_kind kind, int who)
{
	struct event	 e = { at, queue.order++, kind, who }, t;
	size_t		 i, up;

	if (queue.n == queue.size) {
		queue.size = queue.size > 0 ? 2 * queue.size : 1024;
		queue.e = realloc(queue.e, queue.size * sizeof(*queue.e));
		if (queue.e == NULL)
			bench_die("out of memory");
	}
	i = queue.n++;
	queue.e[i] = e;
	while (i > 0 && event_before(&queue.e[i], &queue.e[up = (i - 1) / 2])) {
		t = queue.e[up];
		queue.e[up] = queue.e[i];
		queue.e[i] = t;
		i = up;
	}
}

/* The first event due by now, taken out of the queue; 0 if none is. */
static int
next_due(double now, struct event *out)
{
	struct event	 t;
	size_t		 i = 0, c;

	if (queue.n == 0 || queue.e[0].at > now)
		return 0;
	*out = queue.e[0];
	queue.e[0] = queue.e[--queue.n];
	for (;;) {
		c = 2 * i + 1;
		if (c >= queue.n)
			break;
		if (c + 1 < queue.n && event_before(&queue.e[c + 1],
		    &queue.e[c]))
			c++;
		if (!event_before(&queue.e[c], &queue.e[i]))
			break;
		t = queue.e[c];
		queue.e[c] = queue.e[i];
		queue.e[i] = t;
		i = c;
	}
	return 1;
}

/* --- answers ---------------------------------------------------------- */

static void
kinds_add(struct kinds *ks, long status, const char *code, long count)
{
	int	 i;

	for (i = 0; i < ks->n; i++)
		if (ks->k[i].status == status &&
		    strcmp(ks->k[i].code, code) == 0)
			break;
	if (i == ks->n) {
		if (ks->n == MAX_KINDS)
			return;
		ks->k[i].status = status;
		snprintf(ks->k[i].code, sizeof(ks->k[i].code), "%s", code);
		ks->k[i].count = 0;
		ks->n++;
	}
	ks->k[i].count += count;
}

static int
kind_compare(const void *a, const void *b)
{
	const struct kind	*x = a, *y = b;

	if (x->status != y->status)
		return x->status < y->status ? -1 : 1;
	return strcmp(x->code, y->code);
}

static void
kinds_print(struct kinds *ks)
{
	int	 i;

	qsort(ks->k, (size_t)ks->n, sizeof(ks->k[0]), kind_compare);
	for (i = 0; i < ks->n; i++)
		printf("answer %ld %s %ld\n", ks->k[i].status, ks->k[i].code,
		    ks->k[i].count);
}

/* The status of a finished transfer (0: no answer) and its error code. */
static long
answer_of(CURL *curl, CURLcode result, const struct bench_body *body,
    char *code, size_t size)
{
	long	 status = 0;

	if (result == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	if (status == 0)
		snprintf(code, size, "no_answer");
	else if (bench_json_string(body->text, "error", "code", code,
	    size) != 0)
		snprintf(code, size, "-");
	return status;
}

/* --- the class ------------------------------------------------------- */

static void
make_class(void)
{
	PGconn		*db;
	unsigned char	 raw[4];
	char		 stamp[9], name[64], id[BENCH_ID_SIZE];
	char		 course[BENCH_ID_SIZE];
	int		 i;

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(stamp, sizeof(stamp), raw, sizeof(raw));
	if ((db = PQconnectdb(conninfo)) == NULL ||
	    PQstatus(db) != CONNECTION_OK)
		bench_die(PQerrorMessage(db));
	PQclear(bench_sql(db, "BEGIN", 0, NULL));
	snprintf(name, sizeof(name), "hall-prof-%s", stamp);
	bench_user_create(db, "professor", name, id, professor_sid);
	bench_course_create(db, id, name, "Lecture hall", course, group_id);
	for (i = 0; i < nstudents; i++) {
		struct student	*s = &students[i];

		snprintf(name, sizeof(name), "hall-s-%s-%d", stamp, i);
		bench_user_create(db, "student", name, s->id, s->cookie);
		bench_device_cookie(db, s->cookie, sizeof(s->cookie));
		bench_enroll(db, s->id, course, group_id);
		if ((s->curl = curl_easy_init()) == NULL)
			bench_die("out of memory");
	}
	PQclear(bench_sql(db, "COMMIT", 0, NULL));
	PQfinish(db);
}

/*
 * After a run: every enrolled student has exactly one record of the
 * session, and the tokens agree with the mode.  Prints what it found.
 */
static int
check_records(int run)
{
	PGconn		*db;
	PGresult	*res;
	const char	*params[] = { session_id, group_id };
	long		 one, other, records, consumed, own, linked;
	int		 ok;

	if ((db = PQconnectdb(conninfo)) == NULL ||
	    PQstatus(db) != CONNECTION_OK)
		bench_die(PQerrorMessage(db));
	res = bench_sql(db, "SELECT"
	    " count(*) FILTER (WHERE n = 1), count(*) FILTER (WHERE n <> 1),"
	    " (SELECT count(*) FROM attendance_records WHERE session_id = $1),"
	    " (SELECT count(*) FROM qr_tokens t JOIN attendance_rounds r"
	    "   ON r.id = t.round_id WHERE r.session_id = $1 AND t.consumed),"
	    " (SELECT count(DISTINCT qr_token_id) FROM attendance_records"
	    "   WHERE session_id = $1),"
	    " (SELECT count(*) FROM attendance_records a JOIN qr_tokens t"
	    "   ON t.id = a.qr_token_id WHERE a.session_id = $1)"
	    " FROM (SELECT (SELECT count(*) FROM attendance_records a"
	    "   WHERE a.session_id = $1 AND a.student_id = e.student_id) AS n"
	    "  FROM enrollments e WHERE e.group_id = $2) x", 2, params);
	one = atol(PQgetvalue(res, 0, 0));
	other = atol(PQgetvalue(res, 0, 1));
	records = atol(PQgetvalue(res, 0, 2));
	consumed = atol(PQgetvalue(res, 0, 3));
	own = atol(PQgetvalue(res, 0, 4));
	linked = atol(PQgetvalue(res, 0, 5));
	PQclear(res);
	PQfinish(db);
	ok = one == nstudents && other == 0 && records == nstudents &&
	    linked == records && (mode == MODE_SINGLE ?
	    consumed == records && own == records : consumed == 0);
	printf("records %d enrolled %d exactly_one %ld other %ld records %ld"
	    " consumed_tokens %ld tokens_linked %ld distinct_tokens %ld"
	    " ok %s\n", run, nstudents, one, other, records, consumed, linked,
	    own, ok ? "yes" : "no");
	return ok;
}

/* --- the professor's side --------------------------------------------- */

/* A blocking request as the professor, on the screen's handle. */
static long
professor_request(const char *method, const char *path, const char *json)
{
	long	 status;

	if (bench_request(screen.curl, base, method, professor_sid, path,
	    json, &screen.answer, &status) == CURLE_OUT_OF_MEMORY)
		bench_die("out of memory");
	return status;
}

static void
start_session(void)
{
	char	 path[256], json[96];
	int	 rc;

	snprintf(path, sizeof(path), "/api/groups/%s/sessions", group_id);
	if (mode == MODE_WINDOW)
		snprintf(json, sizeof(json),
		    "{\"scanMode\":\"window\",\"qrTtlSeconds\":%d}", ttl);
	else
		snprintf(json, sizeof(json), "{\"qrTtlSeconds\":%d}", ttl);
	if (professor_request("POST", path, json) != 201 ||
	    bench_json_string(screen.answer.text, "session", "id", session_id,
	    sizeof(session_id)) != 0 ||
	    bench_json_string(screen.answer.text, "round", "id", round_id,
	    sizeof(round_id)) != 0) {
		fprintf(stderr, "hall: POST %s %s: %s\n", path, json,
		    screen.answer.text);
		exit(1);
	}
	rc = bench_websocket_open(ws, base, session_id, professor_sid,
	    bench_now_ms() + 10000);
	if (rc != BENCH_OK)
		bench_die(bench_strerror(rc));
}

static void
end_session(void)
{
	char	 path[256];

	snprintf(path, sizeof(path), "/api/sessions/%s/end", session_id);
	if (professor_request("PATCH", path, NULL) != 200)
		fprintf(stderr, "hall: ending the session: %s\n",
		    screen.answer.text);
	bench_websocket_close(ws);
}

/* live.js requestQr(): POST .../qr, without waiting for its answer. */
static void
request_qr(void)
{
	char	 path[256];

	if (screen.qr_in_flight)
		return;
	screen.qr_in_flight = 1;
	screen.qr_seq = ntokens;
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/qr",
	    session_id, round_id);
	if (bench_request_setup(screen.curl, base, "POST", professor_sid,
	    path, NULL, &screen.answer, &screen.headers) != CURLE_OK)
		bench_die("out of memory");
	curl_easy_setopt(screen.curl, CURLOPT_PRIVATE, (char *)NULL);
	if (curl_multi_add_handle(multi, screen.curl) != CURLM_OK)
		bench_die("curl_multi_add_handle failed");
}

static void
qr_answered(CURLcode result)
{
	char	 code[40];
	long	 status;

	status = answer_of(screen.curl, result, &screen.answer, code,
	    sizeof(code));
	curl_multi_remove_handle(multi, screen.curl);
	curl_slist_free_all(screen.headers);
	screen.headers = NULL;
	screen.qr_in_flight = 0;
	if (status == 202) {
		/* The token comes on the socket, often before this. */
		if (ntokens == screen.qr_seq)
			screen.want_qr_at = bench_now_ms() + TOKEN_WAIT_MS;
		return;
	}
	fprintf(stderr, "hall: POST .../qr answered %ld %s\n", status, code);
	bad_answers++;
	screen.want_qr_at = bench_now_ms() + 2000;
}

/* live.js tick(): the countdown's expiry and the renewal. */
static void
tick(double now)
{
	double	 left, margin = ttl * 1000.0 / 4;

	if (margin > RENEW_MAX_MS)
		margin = RENEW_MAX_MS;
	if (screen.held >= 0) {
		left = ttl * 1000.0 - (now - screen.arrived_at);
		if (left <= 0) {
			screen.held = -1;
			schedule(now + model.redraw, EV_DRAW, -1);
		} else if (left <= margin && screen.want_qr_at < 0)
			screen.want_qr_at = now;
	}
	if (screen.want_qr_at >= 0 && now >= screen.want_qr_at &&
	    !screen.qr_in_flight) {
		screen.first_start = 0;
		screen.want_qr_at = now + TOKEN_WAIT_MS;
		request_qr();
	}
}

/* A round:qr-updated of this round: a token, drawn after the redraw. */
static void
token_arrived(const char *token, double now)
{
	if (ntokens == tokens_size) {
		tokens_size = tokens_size > 0 ? 2 * tokens_size : 1024;
		tokens = realloc(tokens, (size_t)tokens_size *
		    sizeof(*tokens));
		if (tokens == NULL)
			bench_die("out of memory");
	}
	memset(&tokens[ntokens], 0, sizeof(tokens[0]));
	snprintf(tokens[ntokens].text, sizeof(tokens[0].text), "%s", token);
	/* Drawn then, by the model; also when the run ends before. */
	tokens[ntokens].arrived = now;
	tokens[ntokens].drawn = now + model.redraw;
	screen.held = ntokens++;
	screen.arrived_at = now;
	screen.want_qr_at = -1;
	schedule(now + model.redraw, EV_DRAW, screen.held);
	tick(now);
}

static void
on_message(const char *text, double now)
{
	json_object	*msg, *data, *v;
	const char	*event = "";

	if ((msg = json_tokener_parse(text)) == NULL)
		return;
	if (json_object_object_get_ex(msg, "event", &v) &&
	    json_object_is_type(v, json_type_string))
		event = json_object_get_string(v);
	if (!json_object_object_get_ex(msg, "data", &data))
		data = NULL;
	if (strcmp(event, "round:started") == 0) {
		if (screen.first_start) {
			screen.first_start = 0;
			screen.want_qr_at = now;
		}
	} else if (strcmp(event, "round:qr-updated") == 0 && data != NULL &&
	    json_object_object_get_ex(data, "roundId", &v) &&
	    strcmp(json_object_get_string(v), round_id) == 0 &&
	    json_object_object_get_ex(data, "token", &v))
		token_arrived(json_object_get_string(v), now);
	else if (strcmp(event, "attendance:recorded") == 0) {
		if (++screen.recorded == nstudents)
			screen.all_recorded_at = now + model.redraw;
	} else if (strcmp(event, "relay:resync") == 0)
		screen.want_qr_at = now;
	json_object_put(msg);
}

/* What the relay sent since the last poll (the socket is readable). */
static void
read_socket(void)
{
	char	 text[4096];
	double	 now = bench_now_ms();
	int	 rc;

	/* One read waits a little for a frame's end; the rest of what came
	 * is in the buffer: until now, none is waited for. */
	rc = bench_websocket_next(ws, text, sizeof(text), now + 5);
	while (rc == BENCH_OK) {
		on_message(text, bench_now_ms());
		rc = bench_websocket_next(ws, text, sizeof(text),
		    bench_now_ms());
	}
	if (rc != BENCH_ETIMEOUT)
		bench_die(bench_strerror(rc));
}

/* --- the students' side ------------------------------------------------ */

/* The phone sends a scan of the newest code it decoded. */
static void
scan(int i, double now)
{
	struct student	*s = &students[i];

	s->posted = s->seen;
	s->scan.taken = s->seen_taken_at;
	s->scan.decoded = s->seen_at;
	s->scan.left = now;
	s->busy = 1;
	s->requests++;
	schedule(now + draw(&model.wifi), EV_SEND, i);
}

static void
send_scan(int i)
{
	struct student	*s = &students[i];
	char		 path[256];

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session_id, round_id);
	snprintf(s->json, sizeof(s->json), "{\"token\":\"%s\"}",
	    tokens[s->posted].text);
	s->scan.sent = bench_now_ms();
	if (bench_request_setup(s->curl, base, "POST", s->cookie, path,
	    s->json, &s->answer, &s->headers) != CURLE_OK)
		bench_die("out of memory");
	curl_easy_setopt(s->curl, CURLOPT_PRIVATE, (char *)s);
	if (curl_multi_add_handle(multi, s->curl) != CURLM_OK)
		bench_die("curl_multi_add_handle failed");
}

/* The server answered a scan: the phone sees it after the Wi-Fi. */
static void
scan_answered(struct student *s, CURLcode result, struct run *r)
{
	char	 code[40];
	long	 status;

	status = answer_of(s->curl, result, &s->answer, code, sizeof(code));
	curl_multi_remove_handle(multi, s->curl);
	curl_slist_free_all(s->headers);
	s->headers = NULL;
	kinds_add(&answers, status, code, 1);
	if (status == 201) {
		r->checkins++;
		tokens[s->posted].won = 1;
		tokens[s->posted].winner = s->scan;
	}
	else if (status == 409 && strcmp(code, "token_used") == 0)
		r->refused++;
	s->status = status;
	snprintf(s->code, sizeof(s->code), "%s", code);
	schedule(bench_now_ms() + draw(&model.wifi), EV_ANSWER,
	    (int)(s - students));
}

/* The phone shows the answer: done, or it goes on scanning. */
static void
answer_seen(int i, double now)
{
	struct student	*s = &students[i];
	long		 status = s->status;
	const char	*code = s->code;

	s->busy = 0;
	if (status == 201 || (status == 409 &&
	    strcmp(code, "already_recorded") == 0)) {
		s->done = 1;
		s->in_at = now;
		nin++;
		nover++;
		return;
	}
	if ((status == 409 && strcmp(code, "token_used") == 0) ||
	    (status == 410 && strcmp(code, "token_expired") == 0) ||
	    (status == 403 && strcmp(code, "invalid_token") == 0)) {
		if (s->seen >= 0 && s->seen != s->posted)
			scan(i, now);
		return;
	}
	/* What the page would show as an error: this phone stops. */
	fprintf(stderr, "hall: a scan answered %ld %s\n", status, code);
	bad_answers++;
	s->done = 1;
	s->failed = 1;
	nover++;
}

/* The camera's next frame: the first on its phase after now. */
static void
next_frame(int i, double now)
{
	struct student	*s = &students[i];
	double		 k = (now - s->phase) / model.frame, at;

	at = s->phase + model.frame * (double)(long long)k;
	while (at < now)
		at += model.frame;
	schedule(at, EV_CAPTURE, i);
}

/*
 * The model's clock: an event happens at its time, however late the loop
 * came to it, and what follows it is scheduled from there; only the
 * requests go at the real time.
 */
static void
run_event(const struct event *e)
{
	struct student	*s = e->who >= 0 ? &students[e->who] : NULL;
	double		 now = e->at;
	int		 i;

	switch (e->kind) {
	case EV_DRAW:
		screen.shown = e->who;
		if (t0 == 0 && e->who >= 0) {
			/* The first code: every camera is running. */
			t0 = now;
			for (i = 0; i < nstudents; i++) {
				students[i].phase = now +
				    uniform(0, model.frame);
				schedule(students[i].phase, EV_CAPTURE, i);
			}
		}
		break;
	case EV_CAPTURE:
		if (s->done)
			break;
		s->captured = screen.shown;
		s->captured_at = now;
		schedule(now + draw(&model.decode), EV_DECODED, e->who);
		break;
	case EV_DECODED:
		if (s->done)
			break;
		if (s->captured >= 0 && s->captured != s->seen) {
			s->seen = s->captured;
			s->seen_taken_at = s->captured_at;
			s->seen_at = now;
		}
		if (!s->busy && s->seen >= 0 && s->seen != s->posted)
			scan(e->who, now);
		next_frame(e->who, now);
		break;
	case EV_SEND:
		send_scan(e->who);
		break;
	case EV_ANSWER:
		answer_seen(e->who, now);
		break;
	case EV_TICK:
		tick(now);
		schedule(now + TICK_MS, EV_TICK, -1);
		break;
	}
}

/* --- a run ------------------------------------------------------------- */

static void
run_reset(void)
{
	int	 i;

	for (i = 0; i < nstudents; i++) {
		struct student	*s = &students[i];

		s->captured = s->seen = s->posted = -1;
		s->busy = s->done = s->failed = s->requests = 0;
		s->in_at = 0;
	}
	queue.n = 0;
	ntokens = 0;
	t0 = 0;
	nin = nover = 0;
	screen.held = screen.shown = -1;
	screen.qr_in_flight = 0;
	screen.recorded = 0;
	screen.all_recorded_at = 0;
}

static void
run_hall(int number, struct run *r)
{
	struct curl_waitfd	 wfd;
	struct event		 e;
	CURLMsg			*msg;
	double			 start, now, cpu, last = 0, timeout;
	char			*private;
	int			 running, left, i, wait_ms;

	run_reset();
	cpu = bench_stack_cpu_seconds(pids, npids);
	start_session();
	start = bench_now_ms();
	/* live.js on open: a token once round:started came, or in 1 s. */
	screen.first_start = 1;
	screen.want_qr_at = start + FIRST_QR_MS;
	schedule(start, EV_TICK, -1);
	for (;;) {
		now = bench_now_ms();
		while (next_due(now, &e))
			run_event(&e);
		if (nover == nstudents) {
			if (last == 0)
				last = now;
			if (screen.recorded >= nin ||
			    now - last > RECORDED_WAIT_MS)
				break;
		}
		if (now - start > limit_s * 1000) {
			fprintf(stderr, "hall: run %d: %d of %d in after %.0f"
			    " s\n", number, nin, nstudents, limit_s);
			break;
		}
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			bench_die("curl_multi_perform failed");
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &private);
			if (private == NULL)
				qr_answered(msg->data.result);
			else
				scan_answered((struct student *)(void *)
				    private, msg->data.result, r);
		}
		/* Rounded up: an event comes up to 1 ms late, rather than
		 * the loop spinning through the last millisecond. */
		timeout = queue.n > 0 ? queue.e[0].at - bench_now_ms() : 100;
		wait_ms = timeout > 0 ? (int)timeout : 0;
		if (wait_ms < timeout)
			wait_ms++;
		wfd.fd = ws->fd;
		wfd.events = CURL_WAIT_POLLIN;
		wfd.revents = 0;
		if (curl_multi_poll(multi, &wfd, 1, wait_ms, NULL) !=
		    CURLM_OK)
			bench_die("curl_multi_poll failed");
		if (wfd.revents & CURL_WAIT_POLLIN)
			read_socket();
	}
	r->seconds = (bench_now_ms() - start) / 1e3;
	/* Scans still in flight (a run given up on) are dropped. */
	for (i = 0; i < nstudents; i++)
		if (students[i].headers != NULL) {
			curl_multi_remove_handle(multi, students[i].curl);
			curl_slist_free_all(students[i].headers);
			students[i].headers = NULL;
		}
	if (screen.headers != NULL) {
		curl_multi_remove_handle(multi, screen.curl);
		curl_slist_free_all(screen.headers);
		screen.headers = NULL;
	}
	r->stack_cpu = bench_stack_cpu_seconds(pids, npids) - cpu;
	end_session();

	r->everyone_in = screen.recorded >= nstudents ?
	    (screen.all_recorded_at - t0) / 1e3 : -1;
	r->tokens = ntokens;
	r->waits = calloc((size_t)nstudents, sizeof(double));
	r->requests_of = calloc((size_t)nstudents, sizeof(int));
	if (r->waits == NULL || r->requests_of == NULL)
		bench_die("out of memory");
	for (i = 0; i < nstudents; i++) {
		struct student	*s = &students[i];

		r->requests += s->requests;
		r->requests_of[i] = s->requests;
		if (s->done && !s->failed) {
			r->waits[i] = (s->in_at - t0) / 1e3;
			if (r->waits[i] > r->last_wait)
				r->last_wait = r->waits[i];
		} else {
			r->waits[i] = -1;
			r->stuck++;
		}
	}
	if (mode == MODE_SINGLE)
		cycles_add();
	r->records_ok = check_records(number);
	printf("run %d everyone_in_s %.2f last_wait_s %.2f checkins %d"
	    " refused %d requests %d tokens %d stuck %d stack_cpu_s %.2f"
	    " seconds %.2f\n", number, r->everyone_in, r->last_wait,
	    r->checkins, r->refused, r->requests, r->tokens, r->stuck,
	    r->stack_cpu, r->seconds);
	fflush(stdout);
}

/* --- the report -------------------------------------------------------- */

static double
percentile(double *v, size_t n, int p)
{
	if (n == 0)
		return -1;
	bench_sort(v, n);
	return v[n * (size_t)p / 100 < n ? n * (size_t)p / 100 : n - 1];
}

/* The stack's CPU over an idle second: what the figures carry anyway. */
static void
report_idle(void)
{
	double	 cpu, start;

	if (npids == 0)
		return;
	start = bench_now_ms();
	cpu = bench_stack_cpu_seconds(pids, npids);
	while (bench_now_ms() - start < 1000)
		poll(NULL, 0, (int)(1000 - (bench_now_ms() - start)) + 1);
	cpu = bench_stack_cpu_seconds(pids, npids) - cpu;
	printf("idle_stack_cpu_percent %.1f\n",
	    100 * cpu / ((bench_now_ms() - start) / 1e3));
}

/* Prints the figures over the runs; returns whether they all held. */
static int
report(struct run *runs, int nruns, double cpu, double seconds)
{
	double	*in, *last, *per, *waits, *reqs, stack = 0, p50;
	size_t	 nw = 0, nr = 0, ni = 0;
	long	 checkins = 0, refused = 0, stuck = 0, drawn = 0;
	int	 i, j, ok = 1;

	in = calloc((size_t)nruns, sizeof(double));
	last = calloc((size_t)nruns, sizeof(double));
	per = calloc((size_t)nruns, sizeof(double));
	waits = calloc((size_t)(nruns * nstudents), sizeof(double));
	reqs = calloc((size_t)(nruns * nstudents), sizeof(double));
	if (in == NULL || last == NULL || per == NULL || waits == NULL ||
	    reqs == NULL)
		bench_die("out of memory");
	for (i = 0; i < nruns; i++) {
		struct run	*r = &runs[i];

		if (r->everyone_in >= 0)
			in[ni++] = r->everyone_in;
		else
			ok = 0;
		last[i] = r->last_wait;
		per[i] = r->checkins > 0 ? 1e3 * r->stack_cpu / r->checkins :
		    -1;
		stack += r->stack_cpu;
		checkins += r->checkins;
		refused += r->refused;
		stuck += r->stuck;
		drawn += r->tokens;
		ok = ok && r->records_ok && r->stuck == 0;
		for (j = 0; j < nstudents; j++) {
			if (r->waits[j] >= 0)
				waits[nw++] = r->waits[j];
			reqs[nr++] = r->requests_of[j];
		}
	}
	/* percentile() sorts: each figure after the one that sorted. */
	p50 = percentile(in, ni, 50);
	printf("everyone_in_s p50 %.2f min %.2f max %.2f\n", p50,
	    ni > 0 ? in[0] : -1, ni > 0 ? in[ni - 1] : -1);
	p50 = percentile(last, (size_t)nruns, 50);
	printf("last_wait_s p50 %.2f min %.2f max %.2f\n", p50, last[0],
	    last[nruns - 1]);
	p50 = percentile(waits, nw, 50);
	printf("wait_s p50 %.2f p99 %.2f\n", p50, percentile(waits, nw,
	    99));
	p50 = percentile(reqs, nr, 50);
	printf("requests_per_student p50 %.0f p99 %.0f max %.0f\n", p50,
	    percentile(reqs, nr, 99), nr > 0 ? reqs[nr - 1] : -1);
	printf("each_run everyone_in_s");
	for (i = 0; i < nruns; i++)
		printf(" %.2f", runs[i].everyone_in);
	printf("\n");
	if (nparts > 0) {
		printf("cycle_ms mean");
		for (i = 0; i < PARTS; i++) {
			for (j = 0, p50 = 0; j < (int)nparts; j++)
				p50 += parts[i][j];
			printf(" %s %.1f", part_names[i], p50 / (double)nparts);
		}
		printf("\ncycle_ms p50");
		for (i = 0; i < PARTS; i++)
			printf(" %s %.1f", part_names[i],
			    percentile(parts[i], nparts, 50));
		printf("\ncycles %zu\n", nparts);
	}
	kinds_print(&answers);
	for (i = 0; i < answers.n; i++)
		if (answers.k[i].status >= 500 || answers.k[i].status == 0)
			ok = 0;
	printf("bad_answers %ld\nstuck %ld\n", bad_answers, stuck);
	printf("tokens_per_run %.0f\n", (double)drawn / nruns);
	if (npids > 0) {
		printf("stack_cpu_ms_per_checkin p50 %.2f\n",
		    percentile(per, (size_t)nruns, 50));
		printf("stack_totals cpu_s %.3f checkins %ld refused %ld\n",
		    stack, checkins, refused);
	}
	printf("cpu_seconds %.2f\ncpu_percent_of_one_core %.0f\n", cpu,
	    seconds > 0 ? 100 * cpu / seconds : 0);
	printf("ok %s\n", ok && bad_answers == 0 ? "yes" : "no");
	for (i = 0; i < nruns; i++) {
		free(runs[i].waits);
		free(runs[i].requests_of);
	}
	free(in);
	free(last);
	free(per);
	free(waits);
	free(reqs);
	return ok && bad_answers == 0;
}

/* --- -x: what a check-in and a refused attempt cost ------------------- */

/* Waits for the next round:qr-updated of the round; its token. */
static void
socket_token(char token[TOKEN_TEXT_SIZE])
{
	json_object	*msg, *data, *v;
	char		 text[4096];
	double		 until = bench_now_ms() + 10000;
	int		 found = 0, rc;

	while (!found) {
		if ((rc = bench_websocket_next(ws, text, sizeof(text),
		    until)) != BENCH_OK)
			bench_die(bench_strerror(rc));
		if ((msg = json_tokener_parse(text)) == NULL)
			continue;
		if (json_object_object_get_ex(msg, "event", &v) &&
		    strcmp(json_object_get_string(v),
		    "round:qr-updated") == 0 &&
		    json_object_object_get_ex(msg, "data", &data) &&
		    json_object_object_get_ex(data, "roundId", &v) &&
		    strcmp(json_object_get_string(v), round_id) == 0 &&
		    json_object_object_get_ex(data, "token", &v)) {
			snprintf(token, TOKEN_TEXT_SIZE, "%s",
			    json_object_get_string(v));
			found = 1;
		}
		json_object_put(msg);
	}
}

/*
 * What the stack and PostgreSQL did over a phase: CPU (-p), the WAL it
 * wrote and the transaction ids it assigned (a transaction that only
 * reads takes none; one that locks a row or writes takes one, and its
 * commit is a WAL record that, under synchronous_commit, waits for the
 * disk).  Read through the snapshot's xmax and the WAL position, which
 * assign nothing themselves.
 */
struct meter {
	double	 cpu, ms, wal, xids;
	char	 lsn[64];
	long	 xmax;
};

static void
meter_read(PGconn *db, char *lsn, size_t size, long *xmax)
{
	PGresult	*res = bench_sql(db, "SELECT pg_current_wal_lsn(),"
	    " pg_snapshot_xmax(pg_current_snapshot())", 0, NULL);

	snprintf(lsn, size, "%s", PQgetvalue(res, 0, 0));
	*xmax = atol(PQgetvalue(res, 0, 1));
	PQclear(res);
}

static void
meter_start(PGconn *db, struct meter *m)
{
	meter_read(db, m->lsn, sizeof(m->lsn), &m->xmax);
	m->cpu = bench_stack_cpu_seconds(pids, npids);
	m->ms = bench_now_ms();
}

static void
meter_stop(PGconn *db, struct meter *m)
{
	PGresult	*res;
	char		 lsn[64];
	const char	*params[] = { lsn, m->lsn };
	long		 xmax;

	m->ms = bench_now_ms() - m->ms;
	m->cpu = bench_stack_cpu_seconds(pids, npids) - m->cpu;
	meter_read(db, lsn, sizeof(lsn), &xmax);
	m->xids = (double)(xmax - m->xmax);
	res = bench_sql(db, "SELECT pg_wal_lsn_diff($1, $2)", 2, params);
	m->wal = atof(PQgetvalue(res, 0, 0));
	PQclear(res);
}

static void
meter_print(const char *name, const struct meter *m, long scans)
{
	printf("%s scans %ld seconds %.2f per_second %.0f stack_cpu_ms %.3f"
	    " wal_bytes %.0f xids %.2f\n", name, scans, m->ms / 1e3,
	    (double)scans / (m->ms / 1e3), 1e3 * m->cpu / (double)scans,
	    m->wal / (double)scans, m->xids / (double)scans);
}

/* Student i scans token and waits for the answer. */
static long
scan_now(int i, const char *token, char *code, size_t size)
{
	struct student	*s = &students[i];
	char		 path[256];
	CURLcode	 rc;

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session_id, round_id);
	snprintf(s->json, sizeof(s->json), "{\"token\":\"%s\"}", token);
	rc = bench_request(s->curl, base, "POST", s->cookie, path, s->json,
	    &s->answer, &s->status);
	return answer_of(s->curl, rc, &s->answer, code, size);
}

/*
 * The refused phase: the students from first on scan the spent token,
 * attempts times in all, COST_SLOTS at a time, each on its keep-alive
 * handle.  Counts the answers; returns how many were token_used.
 */
static long
replay(int first, const char *spent, long attempts)
{
	struct student	*s = NULL;
	CURLMsg		*msg;
	char		 path[256], code[40], *private;
	long		 sent = 0, used = 0, status;
	int		 next = first, slots = COST_SLOTS, inflight = 0;
	int		 running, left;

	if (slots > nstudents - first)
		slots = nstudents - first;
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session_id, round_id);
	for (;;) {
		while (sent < attempts && inflight < slots) {
			/* The next student without a scan in flight. */
			do {
				s = &students[next];
				next = next + 1 < nstudents ? next + 1 : first;
			} while (s->headers != NULL);
			snprintf(s->json, sizeof(s->json),
			    "{\"token\":\"%s\"}", spent);
			if (bench_request_setup(s->curl, base, "POST",
			    s->cookie, path, s->json, &s->answer,
			    &s->headers) != CURLE_OK)
				bench_die("out of memory");
			curl_easy_setopt(s->curl, CURLOPT_PRIVATE, (char *)s);
			if (curl_multi_add_handle(multi, s->curl) != CURLM_OK)
				bench_die("curl_multi_add_handle failed");
			inflight++;
			sent++;
		}
		if (inflight == 0)
			break;
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			bench_die("curl_multi_perform failed");
		while ((msg = curl_multi_info_read(multi, &left)) != NULL) {
			if (msg->msg != CURLMSG_DONE)
				continue;
			curl_easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE,
			    &private);
			s = (struct student *)(void *)private;
			status = answer_of(s->curl, msg->data.result,
			    &s->answer, code, sizeof(code));
			kinds_add(&answers, status, code, 1);
			if (status == 409 && strcmp(code, "token_used") == 0)
				used++;
			curl_multi_remove_handle(multi, s->curl);
			curl_slist_free_all(s->headers);
			s->headers = NULL;
			inflight--;
		}
		if (inflight > 0 && curl_multi_poll(multi, NULL, 0, 1000,
		    NULL) != CURLM_OK)
			bench_die("curl_multi_poll failed");
	}
	return used;
}

static int
cost(long attempts)
{
	PGconn		*db;
	struct meter	 in, out;
	char		 token[TOKEN_TEXT_SIZE], path[256], code[40];
	double		 own, start;
	long		 used, status, checkins = 0, want = attempts / 5;
	int		 half = nstudents / 2, i, ok = 1;

	mode = MODE_SINGLE;
	if ((db = PQconnectdb(conninfo)) == NULL ||
	    PQstatus(db) != CONNECTION_OK)
		bench_die(PQerrorMessage(db));
	own = bench_cpu_seconds();
	start = bench_now_ms();
	start_session();
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/qr",
	    session_id, round_id);
	if (professor_request("POST", path, NULL) != 202)
		bench_die("POST .../qr failed");
	socket_token(token);

	/* The first student consumes the token; the second half of the
	 * class replays it: token_used, every one. */
	if ((status = scan_now(0, token, code, sizeof(code))) != 201)
		bench_die("the first check-in failed");
	kinds_add(&answers, status, code, 1);
	meter_start(db, &out);
	used = replay(half, token, attempts);
	meter_stop(db, &out);
	socket_token(token);

	/* Check-ins, one after the other, each on the token the last one
	 * minted (its round:qr-updated on the professor's socket); the
	 * first half of the class, round after round. */
	if (want < half)
		want = half;
	meter_start(db, &in);
	for (i = 1; checkins < want && ok; i++) {
		if (i == half) {
			snprintf(path, sizeof(path),
			    "/api/sessions/%s/rounds", session_id);
			if (professor_request("POST", path, NULL) != 201 ||
			    bench_json_string(screen.answer.text, "round",
			    "id", round_id, sizeof(round_id)) != 0)
				bench_die("a new round failed");
			socket_token(token);
			i = 0;
		}
		status = scan_now(i, token, code, sizeof(code));
		kinds_add(&answers, status, code, 1);
		if (status != 201) {
			fprintf(stderr, "hall: a check-in answered %ld %s\n",
			    status, code);
			ok = 0;
			break;
		}
		checkins++;
		socket_token(token);
	}
	meter_stop(db, &in);
	end_session();
	PQfinish(db);
	own = bench_cpu_seconds() - own;

	meter_print("checkin", &in, checkins);
	meter_print("refused", &out, attempts);
	printf("refused_over_checkin %.2f\n", in.cpu > 0 ?
	    (out.cpu / (double)attempts) / (in.cpu / (double)checkins) : -1);
	kinds_print(&answers);
	printf("cpu_seconds %.2f\ncpu_percent_of_one_core %.0f\n", own,
	    100 * own / ((bench_now_ms() - start) / 1e3));
	ok = ok && used == attempts;
	printf("ok %s\n", ok ? "yes" : "no");
	return ok;
}

/* --- main -------------------------------------------------------------- */

static int
parse_range(const char *text, struct range *r)
{
	char	*end;

	r->min = strtod(text, &end);
	if (*end != '-')
		return -1;
	r->max = strtod(end + 1, &end);
	return *end == '\0' && r->min >= 0 && r->max >= r->min ? 0 : -1;
}

static int
parse_ms(const char *text, double *ms)
{
	char	*end;

	*ms = strtod(text, &end);
	return *end == '\0' && *ms >= 0 ? 0 : -1;
}

static int
parse_pids(char *text)
{
	char	*p, *end;

	for (p = strtok(text, ","); p != NULL; p = strtok(NULL, ",")) {
		if (npids == MAX_PIDS)
			return -1;
		errno = 0;
		pids[npids] = strtol(p, &end, 10);
		if (errno != 0 || *end != '\0' || pids[npids] <= 0)
			return -1;
		npids++;
	}
	return 0;
}

int
main(int argc, char **argv)
{
	struct rlimit	 nofile;
	struct run	*runs;
	double		 cpu, seconds = 0;
	long		 attempts = 0;
	unsigned long	 seed = 1;
	int		 nruns = 5, ch, i, ok;

	bench_set_name("hall");
	while ((ch = getopt(argc, argv, "d:f:l:m:n:p:r:s:t:w:x:")) != -1) {
		switch (ch) {
		case 'd':
			if (parse_range(optarg, &model.decode) != 0)
				goto usage;
			break;
		case 'f':
			if (parse_ms(optarg, &model.frame) != 0 ||
			    model.frame <= 0)
				goto usage;
			break;
		case 'l':
			if (parse_ms(optarg, &limit_s) != 0 || limit_s <= 0)
				goto usage;
			break;
		case 'm':
			if (strcmp(optarg, "single") == 0)
				mode = MODE_SINGLE;
			else if (strcmp(optarg, "window") == 0)
				mode = MODE_WINDOW;
			else
				goto usage;
			break;
		case 'n':
			if ((nruns = atoi(optarg)) < 1 || nruns > 100)
				goto usage;
			break;
		case 'p':
			if (parse_pids(optarg) != 0)
				goto usage;
			break;
		case 'r':
			if (parse_ms(optarg, &model.redraw) != 0)
				goto usage;
			break;
		case 's':
			seed = strtoul(optarg, NULL, 10);
			break;
		case 't':
			if ((ttl = atoi(optarg)) < 5 || ttl > 600)
				goto usage;
			break;
		case 'w':
			if (parse_range(optarg, &model.wifi) != 0)
				goto usage;
			break;
		case 'x':
			if ((attempts = atol(optarg)) < 1)
				goto usage;
			break;
		default:
			goto usage;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc != 3)
		goto usage;
	base = argv[0];
	conninfo = argv[1];
	nstudents = atoi(argv[2]);
	if (nstudents < 2 || nstudents > MAX_STUDENTS ||
	    (strncmp(base, "http://", 7) != 0 && base[0] != '/'))
		goto usage;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_ALL) != 0)
		bench_die("cannot initialise libsodium or libcurl");
	/* A connection per phone at most, and the database's. */
	if (getrlimit(RLIMIT_NOFILE, &nofile) == 0 &&
	    nofile.rlim_cur < (rlim_t)nstudents + 64) {
		nofile.rlim_cur = nofile.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &nofile) != 0 ||
		    nofile.rlim_cur < (rlim_t)nstudents + 64)
			bench_die("too few file descriptors for the hall");
	}
	students = calloc((size_t)nstudents, sizeof(*students));
	ws = calloc(1, sizeof(*ws));
	runs = calloc((size_t)nruns, sizeof(*runs));
	if (students == NULL || ws == NULL || runs == NULL ||
	    (multi = curl_multi_init()) == NULL ||
	    (screen.curl = curl_easy_init()) == NULL)
		bench_die("out of memory");
	ws->fd = -1;
	/* Every phone keeps its connection: the pool holds them all. */
	curl_multi_setopt(multi, CURLMOPT_MAXCONNECTS, (long)nstudents + 16);
	make_class();

	if (attempts > 0)
		ok = cost(attempts);
	else {
		printf("mode %s\nstudents %d\nruns %d\nttl_seconds %d\n",
		    mode == MODE_WINDOW ? "window" : "single", nstudents,
		    nruns, ttl);
		printf("model redraw_ms %g frame_ms %g decode_ms %g-%g"
		    " wifi_ms %g-%g\n", model.redraw, model.frame,
		    model.decode.min, model.decode.max, model.wifi.min,
		    model.wifi.max);
		report_idle();
		cpu = bench_cpu_seconds();
		for (i = 0; i < nruns; i++) {
			rng = seed + (unsigned long)i;
			run_hall(i + 1, &runs[i]);
			seconds += runs[i].seconds;
		}
		ok = report(runs, nruns, bench_cpu_seconds() - cpu, seconds);
	}
	for (i = 0; i < nstudents; i++)
		curl_easy_cleanup(students[i].curl);
	curl_easy_cleanup(screen.curl);
	curl_multi_cleanup(multi);
	free(students);
	free(ws);
	free(runs);
	free(tokens);
	free(queue.e);
	for (i = 0; i < PARTS; i++)
		free(parts[i]);
	curl_global_cleanup();
	return ok ? 0 : 1;
usage:
	fprintf(stderr, "usage: hall [-m single|window] [-n RUNS] [-t TTL]"
	    " [-r MS] [-f MS] [-d MIN-MAX]\n"
	    "            [-w MIN-MAX] [-l SECONDS] [-s SEED] [-p PIDS] BASE"
	    " CONNINFO STUDENTS\n"
	    "       hall -x ATTEMPTS [-p PIDS] BASE CONNINFO STUDENTS\n");
	return 2;
}
