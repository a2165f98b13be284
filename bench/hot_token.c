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
 * would (a BLAKE2b hash of a random sid, as bench/scan_loop.c does); the
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
#include <sys/socket.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "token.h"

#define ID_SIZE		40
#define MAX_STUDENTS	1000	/* a socket each, under the usual 1024 */
#define MAX_KINDS	32	/* distinct (status, code) answers counted */
#define WAIT_MS		10000

/* A response body, up to its buffer's size. */
struct body {
	char	 text[2048];
	size_t	 length;
};

/* One student's scan. */
struct shot {
	CURL			*curl;
	struct curl_slist	*headers;
	char			 sid[TOKEN_TEXT_SIZE];
	char			 cookie[8 + TOKEN_TEXT_SIZE];
	char			 json[32 + TOKEN_TEXT_SIZE];
	struct body		 answer;
	long			 status;
	double			 ms;
};

struct kind {
	long	 status;
	char	 code[40];
	int	 count;
};

static const char	*base, *conninfo;

static void
die(const char *what)
{
	fprintf(stderr, "hot-token: %s\n", what);
	exit(1);
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static double
cpu_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static PGresult *
sql(PGconn *db, const char *query, int n, const char *const *params)
{
	PGresult	*res = PQexecParams(db, query, n, NULL, params, NULL,
	    NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "hot-token: %s: %s", query,
		    PQresultErrorMessage(res));
		exit(1);
	}
	return res;
}

/*
 * The professor (sid to professor_sid), a course and a group, and the
 * students enrolled in it with their sids in shots; the group to group.
 */
static void
make_class(struct shot *shots, int n, char professor_sid[TOKEN_TEXT_SIZE],
    char group[ID_SIZE])
{
	PGconn		*db;
	PGresult	*res;
	unsigned char	 raw[4];
	char		 stamp[9], name[64], email[128];
	char		 course[ID_SIZE], hash[TOKEN_HASH_HEX_SIZE];
	const char	*params[5];
	int		 i;

	/* Names unique across runs on the same database. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2hex(stamp, sizeof(stamp), raw, sizeof(raw));
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		die(PQerrorMessage(db));
	PQclear(sql(db, "BEGIN", 0, NULL));
	snprintf(name, sizeof(name), "hot-prof-%s", stamp);
	snprintf(email, sizeof(email), "%s@bench.example.edu", name);
	token_mint(professor_sid, hash);
	params[0] = name;
	params[1] = email;
	params[2] = hash;
	res = sql(db, "WITH u AS (INSERT INTO users (role, username, email,"
	    " display_name, password_hash) VALUES ('professor', $1, $2, $1,"
	    " '$argon2id$bench') RETURNING id),"
	    " a AS (INSERT INTO auth_sessions (token_hash, user_id, expires_at)"
	    "  SELECT $3::bytea, id, now() + interval '1 day' FROM u),"
	    " c AS (INSERT INTO courses (professor_id, code, name, term)"
	    "  SELECT id, $1, 'Hot token', 'bench' FROM u RETURNING id)"
	    " INSERT INTO groups (course_id, name) SELECT id, 'G' FROM c"
	    " RETURNING course_id, id", 3, params);
	snprintf(course, sizeof(course), "%s", PQgetvalue(res, 0, 0));
	snprintf(group, ID_SIZE, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "hot-s-%s-%d", stamp, i);
		snprintf(email, sizeof(email), "%s@bench.example.edu", name);
		token_mint(shots[i].sid, hash);
		params[0] = name;
		params[1] = email;
		params[2] = hash;
		params[3] = course;
		params[4] = group;
		PQclear(sql(db, "WITH u AS (INSERT INTO users (role, username,"
		    " email, display_name, password_hash) VALUES ('student',"
		    " $1, $2, $1, '$argon2id$bench') RETURNING id),"
		    " a AS (INSERT INTO auth_sessions (token_hash, user_id,"
		    "  expires_at) SELECT $3::bytea, id,"
		    "  now() + interval '1 day' FROM u)"
		    " INSERT INTO enrollments (student_id, course_id, group_id)"
		    " SELECT id, $4, $5 FROM u", 5, params));
	}
	PQclear(sql(db, "COMMIT", 0, NULL));
	PQfinish(db);
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	struct body	*b = arg;
	size_t		 take = size * n;

	if (take > sizeof(b->text) - 1 - b->length)
		take = sizeof(b->text) - 1 - b->length;
	memcpy(b->text + b->length, data, take);
	b->length += take;
	b->text[b->length] = '\0';
	return size * n;
}

/*
 * Prepares curl for a request of sid to path with a JSON body (or none);
 * headers must be freed by the caller after the transfer.
 */
static struct curl_slist *
request_setup(CURL *curl, const char *method, const char *sid,
    const char *path, const char *json, char *cookie, size_t cookie_size,
    struct body *answer)
{
	char			 url[512];
	struct curl_slist	*headers;

	snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(cookie, cookie_size, "sid=%s", sid);
	headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (headers == NULL)
		die("out of memory");
	answer->length = 0;
	answer->text[0] = '\0';
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json != NULL ? json : "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	return headers;
}

/* One request, waited for; returns the status, 0 if no answer came. */
static long
request(const char *method, const char *sid, const char *path,
    const char *json, struct body *answer)
{
	CURL			*curl;
	struct curl_slist	*headers;
	char			 cookie[8 + TOKEN_TEXT_SIZE];
	long			 status = 0;

	if ((curl = curl_easy_init()) == NULL)
		die("out of memory");
	headers = request_setup(curl, method, sid, path, json, cookie,
	    sizeof(cookie), answer);
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &status);
	curl_slist_free_all(headers);
	curl_easy_cleanup(curl);
	return status;
}

/* Copies the string at "object.field" of a JSON text; -1 if absent. */
static int
json_string(const char *text, const char *object, const char *field,
    char *out, size_t size)
{
	json_object	*root, *o, *v;
	int		 rc = -1;

	if ((root = json_tokener_parse(text)) == NULL)
		return -1;
	if (json_object_object_get_ex(root, object, &o) &&
	    json_object_object_get_ex(o, field, &v) &&
	    json_object_is_type(v, json_type_string)) {
		snprintf(out, size, "%s", json_object_get_string(v));
		rc = 0;
	}
	json_object_put(root);
	return rc;
}

static int
write_all(int fd, const void *data, size_t length)
{
	const char	*p = data;
	ssize_t		 n;

	while (length > 0) {
		if ((n = write(fd, p, length)) < 0) {
			if (errno == EINTR)
				continue;
			return -1;
		}
		p += (size_t)n;
		length -= (size_t)n;
	}
	return 0;
}

/* The professor's socket: what came in and is not read yet. */
struct websocket {
	int		 fd;
	unsigned char	 buffer[65536];
	size_t		 length;
};

/* Reads more of the socket, waiting until the monotonic time until. */
static int
websocket_read(struct websocket *ws, double until)
{
	struct pollfd	 pfd = { .fd = ws->fd, .events = POLLIN };
	double		 left = until - now_ms();
	ssize_t		 n;

	if (left <= 0 || ws->length >= sizeof(ws->buffer) - 1 ||
	    poll(&pfd, 1, (int)left + 1) <= 0)
		return -1;
	n = read(ws->fd, ws->buffer + ws->length,
	    sizeof(ws->buffer) - 1 - ws->length);
	if (n <= 0)
		return -1;
	ws->length += (size_t)n;
	ws->buffer[ws->length] = '\0';
	return 0;
}

/*
 * The professor's WebSocket on the session, through nginx: the upgrade
 * with an allowed Origin and the sid cookie; what follows the 101 stays
 * in the buffer.
 */
static void
websocket_open(struct websocket *ws, const char *sid, const char *session)
{
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	char			 host[64], upgrade[1024], *end;
	double			 until = now_ms() + WAIT_MS;
	int			 port, one = 1;

	if (sscanf(base, "http://%63[^:]:%d", host, &port) != 2 ||
	    inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		die("BASE must be http://ADDRESS:PORT");
	sin.sin_port = htons((uint16_t)port);
	if ((ws->fd = socket(AF_INET, SOCK_STREAM, 0)) < 0 ||
	    connect(ws->fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
		die("cannot connect to BASE");
	setsockopt(ws->fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	snprintf(upgrade, sizeof(upgrade),
	    "GET /ws?sessionId=%s HTTP/1.1\r\n"
	    "Host: %s:%d\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Origin: %s\r\n"
	    "Cookie: sid=%s\r\n\r\n", session, host, port, base, sid);
	if (write_all(ws->fd, upgrade, strlen(upgrade)) != 0)
		die("cannot send the WebSocket upgrade");
	ws->length = 0;
	ws->buffer[0] = '\0';
	while ((end = strstr((char *)ws->buffer, "\r\n\r\n")) == NULL)
		if (websocket_read(ws, until) != 0)
			die("no answer to the WebSocket upgrade");
	if (strncmp((char *)ws->buffer, "HTTP/1.1 101", 12) != 0) {
		fprintf(stderr, "hot-token: the upgrade answered %.40s\n",
		    (char *)ws->buffer);
		exit(1);
	}
	end += 4;
	ws->length -= (size_t)(end - (char *)ws->buffer);
	memmove(ws->buffer, end, ws->length);
}

/*
 * The next text frame (server frames are not masked) into text, by the
 * monotonic time until: 0, or -1 if none came.  Control frames are
 * skipped (a ping needs no answer in the seconds this program lives); a
 * close is the end.
 */
static int
websocket_next(struct websocket *ws, char *text, size_t size, double until)
{
	size_t	 header, length;
	int	 opcode;

	for (;;) {
		header = 2;
		length = ws->length >= 2 ? ws->buffer[1] & 0x7f : 0;
		if (length == 126) {
			header = 4;
			length = ws->length >= 4 ?
			    (size_t)ws->buffer[2] << 8 | ws->buffer[3] : 0;
		} else if (length == 127)
			die("a WebSocket frame larger than any event");
		if (ws->length >= header && ws->length >= header + length) {
			opcode = ws->buffer[0] & 0x0f;
			if (opcode == 0x8)
				die("the relay closed the WebSocket");
			if (opcode == 0x1)
				snprintf(text, size, "%.*s", (int)length,
				    (char *)ws->buffer + header);
			ws->length -= header + length;
			memmove(ws->buffer, ws->buffer + header + length,
			    ws->length);
			if (opcode == 0x1)
				return 0;
			continue;
		}
		if (websocket_read(ws, until) != 0)
			return -1;
	}
}

/*
 * Skips events up to a round:qr-updated of round, within timeout_ms; its
 * token to token.  Returns 0, or -1 if none came.
 */
static int
websocket_token(struct websocket *ws, const char *round,
    char token[TOKEN_TEXT_SIZE], int timeout_ms)
{
	json_object	*msg, *data, *v;
	char		 text[4096];
	double		 until = now_ms() + timeout_ms;
	int		 found = 0;

	while (!found) {
		if (websocket_next(ws, text, sizeof(text), until) != 0)
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
live_token(struct websocket *ws, const char *sid, const char *session,
    const char *round, char token[TOKEN_TEXT_SIZE])
{
	struct body	 answer;
	char		 path[256];
	int		 tries;

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
	die("no round:qr-updated on the professor's WebSocket");
}

static int
compare(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
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
		die("out of memory");
	for (i = 0; i < n; i++) {
		s = &shots[i];
		if ((s->curl = curl_easy_init()) == NULL)
			die("out of memory");
		snprintf(s->json, sizeof(s->json), "{\"token\":\"%s\"}",
		    token);
		s->headers = request_setup(s->curl, "POST", s->sid, path,
		    s->json, s->cookie, sizeof(s->cookie), &s->answer);
		curl_easy_setopt(s->curl, CURLOPT_PRIVATE, (char *)s);
		if (curl_multi_add_handle(multi, s->curl) != CURLM_OK)
			die("curl_multi_add_handle failed");
	}
	start = now_ms();
	cpu_start = cpu_seconds();
	do {
		if (curl_multi_perform(multi, &running) != CURLM_OK)
			die("curl_multi_perform failed");
		if (running > 0 && curl_multi_poll(multi, NULL, 0, 1000,
		    NULL) != CURLM_OK)
			die("curl_multi_poll failed");
	} while (running > 0);
	*seconds = (now_ms() - start) / 1e3;
	*cpu = cpu_seconds() - cpu_start;
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
		die("out of memory");
	for (i = 0; i < n; i++) {
		if (shots[i].status == 0)
			snprintf(code, sizeof(code), "no_answer");
		else if (json_string(shots[i].answer.text, "error", "code",
		    code, sizeof(code)) != 0)
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
	qsort(losers, (size_t)nlosers, sizeof(double), compare);
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
	struct websocket	*ws;
	struct body		 answer;
	char			 professor_sid[TOKEN_TEXT_SIZE];
	char			 group[ID_SIZE], session[ID_SIZE];
	char			 round[ID_SIZE], token[TOKEN_TEXT_SIZE];
	char			 path[256];
	double			 seconds, cpu;
	int			 n = 300, ok;

	if (argc < 3 || argc > 4)
		goto usage;
	base = argv[1];
	conninfo = argv[2];
	if (argc == 4)
		n = atoi(argv[3]);
	if (n < 2 || n > MAX_STUDENTS || strncmp(base, "http://", 7) != 0)
		goto usage;
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_ALL) != 0)
		die("cannot initialise libsodium or libcurl");
	shots = calloc((size_t)n, sizeof(*shots));
	ws = calloc(1, sizeof(*ws));
	if (shots == NULL || ws == NULL)
		die("out of memory");
	make_class(shots, n, professor_sid, group);

	snprintf(path, sizeof(path), "/api/groups/%s/sessions", group);
	if (request("POST", professor_sid, path, "{\"qrTtlSeconds\":600}",
	    &answer) != 201 || json_string(answer.text, "session", "id",
	    session, sizeof(session)) != 0 || json_string(answer.text,
	    "round", "id", round, sizeof(round)) != 0) {
		fprintf(stderr, "hot-token: POST %s: %s\n", path,
		    answer.text);
		return 1;
	}
	websocket_open(ws, professor_sid, session);
	live_token(ws, professor_sid, session, round, token);

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
	    session, round);
	race(shots, n, path, token, &seconds, &cpu);
	ok = report(shots, n, seconds, cpu);

	snprintf(path, sizeof(path), "/api/sessions/%s/end", session);
	if (request("PATCH", professor_sid, path, NULL, &answer) != 200)
		fprintf(stderr, "hot-token: ending the session: %s\n",
		    answer.text);
	close(ws->fd);
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
