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
 *     "curl_error CODE COUNT" lines for every request made.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <errno.h>
#include <poll.h>
#include <pthread.h>
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
#define HTTP_CODES	600
#define CURL_CODES	100

/* The professor's socket: what came in and is not yet read. */
struct websocket {
	int		 fd;
	unsigned char	 buffer[65536];
	size_t		 length;
};

struct classroom {
	char		 professor_sid[TOKEN_TEXT_SIZE];
	char		 group_id[ID_SIZE];
	char		 session_id[ID_SIZE];
	char		 round_id[ID_SIZE];
	char		 token[TOKEN_TEXT_SIZE];
	char		 (*student_sids)[TOKEN_TEXT_SIZE];
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
	struct websocket ws;
};

static const char	*base, *conninfo;
static char		 origin[256];
static int		 end_sessions;
static double		 deadline;	/* -d: ms on the monotonic clock */

static double
cpu_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

static void
die(const char *what)
{
	fprintf(stderr, "scan-loop: %s\n", what);
	exit(1);
}

static int
tolerant(void)
{
	return deadline > 0;
}

static int
time_is_up(void)
{
	return tolerant() && now_ms() >= deadline;
}

static PGresult *
sql(PGconn *db, const char *query, int n, const char *const *params)
{
	PGresult	*res = PQexecParams(db, query, n, NULL, params, NULL,
	    NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: %s", query, PQresultErrorMessage(res));
		exit(1);
	}
	return res;
}

/* A user with a login session; its sid goes to sid. */
static void
make_user(PGconn *db, const char *role, const char *name, char *id,
    char sid[TOKEN_TEXT_SIZE])
{
	char		 hash[TOKEN_HASH_HEX_SIZE], email[128];
	const char	*params[3];
	PGresult	*res;

	snprintf(email, sizeof(email), "%s@bench.example.edu", name);
	params[0] = role;
	params[1] = name;
	params[2] = email;
	res = sql(db, "INSERT INTO users (role, username, email, display_name,"
	    " password_hash) VALUES ($1, $2, $3, $2, '$argon2id$bench')"
	    " RETURNING id", 3, params);
	snprintf(id, ID_SIZE, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	token_mint(sid, hash);
	params[0] = hash;
	params[1] = id;
	PQclear(sql(db, "INSERT INTO auth_sessions (token_hash, user_id,"
	    " expires_at) VALUES ($1::bytea, $2, now() + interval '1 day')",
	    2, params));
}

/* Collects a response body, up to its buffer's size. */
struct body {
	char	 text[4096];
	size_t	 length;
};

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

/* POSTs (or PATCHes) as sid; returns the status, 0 if no answer came. */
static long
request(struct classroom *c, CURL *curl, const char *method, const char *sid,
    const char *path, const char *json, struct body *answer)
{
	char			 url[256], cookie[128];
	struct curl_slist	*headers = NULL;
	struct body		 ignored;
	CURLcode		 rc;
	long			 code = 0;

	if (answer == NULL)
		answer = &ignored;
	answer->length = 0;
	answer->text[0] = '\0';
	if (base[0] == '/') {
		snprintf(url, sizeof(url), "http://localhost%s", path);
		curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, base);
	} else
		snprintf(url, sizeof(url), "%s%s", base, path);
	snprintf(cookie, sizeof(cookie), "sid=%s", sid);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json != NULL ? json : "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	rc = curl_easy_perform(curl);
	if (rc == CURLE_OK) {
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
		if (code > 0 && code < HTTP_CODES)
			c->http[code]++;
	} else
		c->curl_errors[rc < CURL_CODES ? rc : CURL_CODES - 1]++;
	curl_slist_free_all(headers);
	return code;
}

static long
post(struct classroom *c, CURL *curl, const char *sid, const char *path,
    const char *json, struct body *answer)
{
	return request(c, curl, "POST", sid, path, json, answer);
}

/* Copies the string at "object.field" of a JSON text, or at "field" when
 * object is NULL. */
static int
json_string(const char *text, const char *object, const char *field,
    char *out, size_t size)
{
	json_object	*root, *o, *v;
	int		 rc = -1;

	if ((root = json_tokener_parse(text)) == NULL)
		return -1;
	o = root;
	if ((object == NULL || json_object_object_get_ex(root, object, &o)) &&
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
		p += n;
		length -= (size_t)n;
	}
	return 0;
}

static int
websocket_dial(void)
{
	int	 fd;

	if (base[0] == '/') {
		struct sockaddr_un	 sun = { .sun_family = AF_UNIX };

		snprintf(sun.sun_path, sizeof(sun.sun_path), "%s", base);
		if ((fd = socket(AF_UNIX, SOCK_STREAM, 0)) < 0)
			return -1;
		if (connect(fd, (struct sockaddr *)&sun, sizeof(sun)) < 0)
			goto fail;
	} else {
		struct sockaddr_in	 sin = { .sin_family = AF_INET };
		char			 host[64];
		int			 port, one = 1;

		if (sscanf(base, "http://%63[^:]:%d", host, &port) != 2 ||
		    inet_pton(AF_INET, host, &sin.sin_addr) != 1)
			die("BASE must be http://ADDRESS:PORT or a socket path");
		sin.sin_port = htons((uint16_t)port);
		if ((fd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
			return -1;
		setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
		if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0)
			goto fail;
	}
	return fd;
fail:
	close(fd);
	return -1;
}

/*
 * Opens the professor's socket on the classroom's session: the HTTP
 * upgrade, then whatever follows the 101 stays in the buffer.
 */
static int
websocket_open(struct classroom *c)
{
	struct websocket	*ws = &c->ws;
	char			 upgrade[1024], *end;
	ssize_t			 n;

	if ((ws->fd = websocket_dial()) < 0)
		return -1;
	snprintf(upgrade, sizeof(upgrade),
	    "GET /ws?sessionId=%s HTTP/1.1\r\n"
	    "Host: localhost\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Origin: %s\r\n"
	    "Cookie: sid=%s\r\n\r\n", c->session_id, origin,
	    c->professor_sid);
	if (write_all(ws->fd, upgrade, strlen(upgrade)) != 0)
		return -1;
	ws->length = 0;
	for (;;) {
		n = read(ws->fd, ws->buffer + ws->length,
		    sizeof(ws->buffer) - 1 - ws->length);
		if (n <= 0)
			return -1;
		ws->length += (size_t)n;
		ws->buffer[ws->length] = '\0';
		if ((end = strstr((char *)ws->buffer, "\r\n\r\n")) != NULL)
			break;
	}
	if (strncmp((char *)ws->buffer, "HTTP/1.1 101", 12) != 0)
		return -1;
	end += 4;
	ws->length -= (size_t)(end - (char *)ws->buffer);
	memmove(ws->buffer, end, ws->length);
	return 0;
}

static void
websocket_close(struct websocket *ws)
{
	if (ws->fd >= 0)
		close(ws->fd);
	ws->fd = -1;
}

/* A masked control frame (client frames are masked, RFC 6455 5.3). */
static int
websocket_send_control(struct websocket *ws, int opcode,
    const unsigned char *payload, size_t length)
{
	unsigned char	 frame[2 + 4 + 125];
	size_t		 i;

	if (length > 125)
		return -1;
	frame[0] = (unsigned char)(0x80 | opcode);
	frame[1] = (unsigned char)(0x80 | length);
	memset(frame + 2, 0, 4);	/* a zero mask leaves the payload */
	for (i = 0; i < length; i++)
		frame[6 + i] = payload[i];
	return write_all(ws->fd, frame, 6 + length);
}

/*
 * The next text frame, NUL-terminated in text; answers pings on the way.
 * Returns 1 with a message, 0 when timeout_ms passed, -1 when the socket
 * closed or failed.
 */
static int
websocket_next(struct websocket *ws, char *text, size_t size,
    int timeout_ms)
{
	double		 until = now_ms() + timeout_ms;

	for (;;) {
		size_t	 header = 2, length;
		int	 opcode;

		if (ws->length >= 2) {
			opcode = ws->buffer[0] & 0x0f;
			length = ws->buffer[1] & 0x7f;
			if (length == 126) {
				header = 4;
				length = ws->length >= 4 ?
				    (size_t)ws->buffer[2] << 8 | ws->buffer[3] :
				    0;
			} else if (length == 127)
				return -1;	/* no event is that large */
			if (ws->length >= header + length &&
			    ws->length >= header) {
				unsigned char	*payload = ws->buffer + header;
				int		 rc = 0;

				if (opcode == 0x1 && length < size) {
					memcpy(text, payload, length);
					text[length] = '\0';
					rc = 1;
				} else if (opcode == 0x8)
					rc = -1;
				else if (opcode == 0x9 &&
				    websocket_send_control(ws, 0xa, payload,
				    length) != 0)
					rc = -1;
				ws->length -= header + length;
				memmove(ws->buffer, ws->buffer + header +
				    length, ws->length);
				if (rc != 0)
					return rc;
				continue;
			}
		}
		{
			struct pollfd	 pfd = { .fd = ws->fd, .events = POLLIN };
			double		 left = until - now_ms();
			ssize_t		 n;

			if (left <= 0)
				return 0;
			if (poll(&pfd, 1, (int)left + 1) == 0)
				return 0;
			n = read(ws->fd, ws->buffer + ws->length,
			    sizeof(ws->buffer) - ws->length);
			if (n <= 0)
				return -1;
			ws->length += (size_t)n;
		}
	}
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
	char		 text[4096], event[64], round[ID_SIZE], at[64];
	json_object	*msg, *data, *v;
	double		 until = now_ms() + timeout_ms;
	int		 rc;

	for (;;) {
		double	 left = until - now_ms();

		if (left <= 0)
			return WAIT_TIMEOUT;
		rc = websocket_next(&c->ws, text, sizeof(text), (int)left);
		if (rc == 0)
			return WAIT_TIMEOUT;
		if (rc < 0)
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
	struct body	 answer;
	char		 path[256], expires[64];
	long		 code;

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/qr",
	    c->session_id, c->round_id);
	code = post(c, c->professor, c->professor_sid, path, NULL, &answer);
	if (code == 202 && json_string(answer.text, NULL, "expiresAt",
	    expires, sizeof(expires)) == 0)
		return wait_token(c, timeout_ms, expires);
	if (code == 409) {
		snprintf(path, sizeof(path), "/api/sessions/%s/rounds",
		    c->session_id);
		if (post(c, c->professor, c->professor_sid, path, NULL,
		    &answer) == 201 && json_string(answer.text, "round", "id",
		    c->round_id, sizeof(c->round_id)) == 0)
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
		die(w == WAIT_CLOSED ? "the professor socket closed" :
		    "no token came");
	return w == WAIT_CLOSED ? -1 : recover_token(c);
}

/* Everyone has had a turn: the professor starts a new round (again, in
 * -d mode, until it is answered). */
static int
new_round(struct classroom *c)
{
	struct body	 answer;
	char		 path[256];

	snprintf(path, sizeof(path), "/api/sessions/%s/rounds", c->session_id);
	while (post(c, c->professor, c->professor_sid, path, NULL,
	    &answer) != 201) {
		if (!tolerant())
			die("a new round failed");
		if (time_is_up())
			return -1;
		usleep(100000);
	}
	json_string(answer.text, "round", "id", c->round_id,
	    sizeof(c->round_id));
	return next_token(c);
}

static int
start_session(struct classroom *c)
{
	struct body	 answer;
	char		 path[256];

	snprintf(path, sizeof(path), "/api/groups/%s/sessions", c->group_id);
	if (post(c, c->professor, c->professor_sid, path,
	    "{\"qrTtlSeconds\":600}", &answer) != 201 ||
	    json_string(answer.text, "session", "id", c->session_id,
	    sizeof(c->session_id)) != 0 ||
	    json_string(answer.text, "round", "id", c->round_id,
	    sizeof(c->round_id)) != 0)
		return -1;
	/* The session's first token went out before the socket opened: ask
	 * for a fresh one, as the screen does when it connects. */
	if (websocket_open(c) != 0)
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
		die("out of memory");
	if (start_session(c) != 0)
		die("cannot start the class session and its socket");

	for (i = 0; i < c->scans && !time_is_up(); i++) {
		int	 s = i % c->students;
		long	 code;
		double	 sent;

		if (s == 0 && i > 0 && new_round(c) != 0)
			break;
		snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
		    c->session_id, c->round_id);
		snprintf(body, sizeof(body), "{\"token\":\"%s\"}", c->token);
		sent = now_ms();
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
		c->latencies[c->done++] = now_ms() - sent;
	}
	if (end_sessions) {
		snprintf(path, sizeof(path), "/api/sessions/%s/end",
		    c->session_id);
		if (request(c, c->professor, "PATCH", c->professor_sid, path,
		    NULL, NULL) != 200)
			die("ending a session failed");
	}
	websocket_close(&c->ws);
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
	char		 name[64], id[ID_SIZE], course[ID_SIZE];
	const char	*params[3];
	PGresult	*res;
	long		 stamp = (long)time(NULL);
	int		 r, s;

	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		die(PQerrorMessage(db));
	PQclear(sql(db, "BEGIN", 0, NULL));
	for (r = 0; r < nrooms; r++) {
		struct classroom	*c = &rooms[r];

		c->students = nstudents;
		c->scans = nscans;
		c->latencies = calloc((size_t)nscans, sizeof(double));
		c->student_sids = calloc((size_t)nstudents,
		    sizeof(*c->student_sids));
		if (c->latencies == NULL || c->student_sids == NULL)
			die("out of memory");
		snprintf(name, sizeof(name), "bench-prof-%d-%ld", r, stamp);
		make_user(db, "professor", name, id, c->professor_sid);
		params[0] = id;
		params[1] = name;
		res = sql(db, "WITH c AS (INSERT INTO courses (professor_id,"
		    " code, name, term) VALUES ($1, $2, 'Bench', 'bench')"
		    " RETURNING id) INSERT INTO groups (course_id, name)"
		    " SELECT id, 'G' FROM c RETURNING course_id, id", 2,
		    params);
		snprintf(course, sizeof(course), "%s", PQgetvalue(res, 0, 0));
		snprintf(c->group_id, sizeof(c->group_id), "%s",
		    PQgetvalue(res, 0, 1));
		PQclear(res);
		for (s = 0; s < nstudents; s++) {
			snprintf(name, sizeof(name), "bench-s-%d-%d-%ld", r, s,
			    stamp);
			make_user(db, "student", name, id,
			    c->student_sids[s]);
			params[0] = id;
			params[1] = course;
			params[2] = c->group_id;
			PQclear(sql(db, "INSERT INTO enrollments (student_id,"
			    " course_id, group_id) VALUES ($1, $2, $3)", 3,
			    params));
		}
	}
	PQclear(sql(db, "COMMIT", 0, NULL));
	PQfinish(db);
}

static int
compare(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* cpu: what this process used during the loop, setup excluded. */
static void
report(struct classroom *rooms, int nrooms, int nstudents, double elapsed,
    double cpu)
{
	double		*all;
	long		 http[HTTP_CODES] = { 0 }, curl_errors[CURL_CODES] = { 0 };
	int		 r, i, total = 0, failed = 0, accepted = 0, resyncs = 0;

	for (r = 0; r < nrooms; r++)
		total += rooms[r].done;
	if ((all = calloc((size_t)total + 1, sizeof(double))) == NULL)
		die("out of memory");
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
	qsort(all, (size_t)total, sizeof(double), compare);
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
	pthread_t		*threads;
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
	if (sodium_init() < 0 || nrooms < 1 || nstudents < 1 || nscans < 1)
		goto usage;
	snprintf(origin, sizeof(origin), "%s",
	    base[0] == '/' ? "http://localhost" : base);
	curl_global_init(CURL_GLOBAL_ALL);
	rooms = calloc((size_t)nrooms, sizeof(*rooms));
	threads = calloc((size_t)nrooms, sizeof(*threads));
	if (rooms == NULL || threads == NULL)
		die("out of memory");
	make_classrooms(rooms, nrooms, nstudents, nscans);

	start = now_ms();
	cpu = cpu_seconds();
	if (seconds > 0)
		deadline = start + seconds * 1e3;
	for (r = 0; r < nrooms; r++)
		if (pthread_create(&threads[r], NULL, classroom_run,
		    &rooms[r]) != 0)
			die("cannot start a thread");
	for (r = 0; r < nrooms; r++)
		pthread_join(threads[r], NULL);
	report(rooms, nrooms, nstudents, (now_ms() - start) / 1e3,
	    cpu_seconds() - cpu);
	for (r = 0; r < nrooms; r++)
		failed += rooms[r].failed;
	return failed > 0 && !tolerant() ? 1 : 0;
usage:
	fprintf(stderr, "usage: scan-loop [-e] [-d SECONDS] BASE CONNINFO "
	    "CLASSROOMS STUDENTS SCANS-PER-CLASSROOM\n");
	return 2;
}
