/*
 * What the load generators in bench/ share; see bench_support.h.
 */
#include <sys/socket.h>
#include <sys/un.h>

#include <netinet/in.h>
#include <netinet/tcp.h>
#include <arpa/inet.h>

#include <dirent.h>
#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "bench_support.h"

static const char	*bench_name = "bench";

const char *
bench_strerror(int status)
{
	switch (status) {
	case BENCH_OK:
		return "success";
	case BENCH_EBASE:
		return "BASE must be http://ADDRESS:PORT or a socket path";
	case BENCH_ECONNECT:
		return "cannot connect to BASE";
	case BENCH_ESEND:
		return "cannot send the WebSocket upgrade";
	case BENCH_ENOANSWER:
		return "no answer to the WebSocket upgrade";
	case BENCH_EREFUSED:
		return "the WebSocket upgrade was refused";
	case BENCH_ETIMEOUT:
		return "no WebSocket message in time";
	case BENCH_ECLOSED:
		return "the relay closed the WebSocket";
	case BENCH_ETOOLARGE:
		return "a WebSocket frame larger than any event";
	case BENCH_EIO:
		return "the WebSocket failed";
	case BENCH_EABSENT:
		return "no such string in the JSON text";
	}
	return "unknown error";
}

void
bench_set_name(const char *name)
{
	bench_name = name;
}

void
bench_die(const char *what)
{
	fprintf(stderr, "%s: %s\n", bench_name, what);
	exit(1);
}

double
bench_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec * 1e3 + (double)ts.tv_nsec / 1e6;
}

double
bench_cpu_seconds(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
bench_compare(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

void
bench_sort(double *values, size_t n)
{
	qsort(values, n, sizeof(double), bench_compare);
}

PGresult *
bench_sql(PGconn *db, const char *query, int n, const char *const *params)
{
	PGresult	*res = PQexecParams(db, query, n, NULL, params, NULL,
	    NULL, 0);

	if (PQresultStatus(res) != PGRES_TUPLES_OK &&
	    PQresultStatus(res) != PGRES_COMMAND_OK) {
		fprintf(stderr, "%s: %s: %s", bench_name, query,
		    PQresultErrorMessage(res));
		exit(1);
	}
	return res;
}

void
bench_user_create(PGconn *db, const char *role, const char *name,
    char id[BENCH_ID_SIZE], char sid[TOKEN_TEXT_SIZE])
{
	char		 hash[TOKEN_HASH_HEX_SIZE], email[128];
	const char	*params[] = { role, name, email, hash };
	PGresult	*res;

	snprintf(email, sizeof(email), "%s@bench.example.edu", name);
	token_mint(sid, hash);
	res = bench_sql(db, "WITH u AS (INSERT INTO users (role, username,"
	    " email, display_name, password_hash) VALUES ($1, $2, $3, $2,"
	    " '$argon2id$bench') RETURNING id),"
	    " a AS (INSERT INTO auth_sessions (token_hash, user_id,"
	    "  expires_at) SELECT $4::bytea, id, now() + interval '1 day'"
	    "  FROM u)"
	    " SELECT id FROM u", 4, params);
	snprintf(id, BENCH_ID_SIZE, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
}

void
bench_course_create(PGconn *db, const char *professor_id, const char *code,
    const char *name, char course_id[BENCH_ID_SIZE],
    char group_id[BENCH_ID_SIZE])
{
	const char	*params[] = { professor_id, code, name };
	PGresult	*res;

	res = bench_sql(db, "WITH c AS (INSERT INTO courses (professor_id,"
	    " code, name, term) VALUES ($1, $2, $3, 'bench') RETURNING id)"
	    " INSERT INTO groups (course_id, name) SELECT id, 'G' FROM c"
	    " RETURNING course_id, id", 3, params);
	snprintf(course_id, BENCH_ID_SIZE, "%s", PQgetvalue(res, 0, 0));
	snprintf(group_id, BENCH_ID_SIZE, "%s", PQgetvalue(res, 0, 1));
	PQclear(res);
}

void
bench_enroll(PGconn *db, const char *student_id, const char *course_id,
    const char *group_id)
{
	const char	*params[] = { student_id, course_id, group_id };

	PQclear(bench_sql(db, "INSERT INTO enrollments (student_id,"
	    " course_id, group_id) VALUES ($1, $2, $3)", 3, params));
}

void
bench_device_cookie(PGconn *db, char *cookie, size_t size)
{
	char		 did[TOKEN_TEXT_SIZE], hash[TOKEN_HASH_HEX_SIZE];
	const char	*params[1] = { hash };
	size_t		 len = strlen(cookie);

	token_mint(did, hash);
	PQclear(bench_sql(db, "INSERT INTO devices (token_hash) "
	    "VALUES ($1::bytea)", 1, params));
	snprintf(cookie + len, size - len, "; did=%s", did);
}

/*
 * Fields 4 (ppid) and 14 to 17 (utime, stime, cutime, cstime, in clock
 * ticks) of /proc/PID/stat; the name, field 2, is in parentheses and may
 * hold spaces or parentheses itself: the fields start after the last ')'.
 */
static int
bench_proc_stat(const char *pid, long *ppid, double ticks[4])
{
	char	 path[64], text[1024], *p;
	FILE	*f;
	size_t	 n;

	snprintf(path, sizeof(path), "/proc/%s/stat", pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	n = fread(text, 1, sizeof(text) - 1, f);
	fclose(f);
	text[n] = '\0';
	if ((p = strrchr(text, ')')) == NULL ||
	    sscanf(p + 1, " %*c %ld %*s %*s %*s %*s %*s %*s %*s %*s %*s"
	    " %lf %lf %lf %lf", ppid, &ticks[0], &ticks[1], &ticks[2],
	    &ticks[3]) != 5)
		return -1;
	return 0;
}

double
bench_stack_cpu_seconds(const long *pids, size_t n)
{
	struct dirent	*e;
	DIR		*proc;
	char		 name[32];
	double		 ticks[4], total = 0;
	long		 ppid, hz = sysconf(_SC_CLK_TCK);
	size_t		 i;

	for (i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%ld", pids[i]);
		if (bench_proc_stat(name, &ppid, ticks) == 0)
			total += ticks[0] + ticks[1] + ticks[2] + ticks[3];
	}
	if ((proc = opendir("/proc")) == NULL)
		bench_die("cannot read /proc");
	while ((e = readdir(proc)) != NULL) {
		if (e->d_name[0] < '1' || e->d_name[0] > '9' ||
		    bench_proc_stat(e->d_name, &ppid, ticks) != 0)
			continue;
		for (i = 0; i < n; i++)
			if (ppid == pids[i])
				total += ticks[0] + ticks[1];
	}
	closedir(proc);
	return total / (double)(hz > 0 ? hz : 100);
}

int
bench_json_string(const char *text, const char *object, const char *field,
    char *out, size_t size)
{
	json_object	*root, *o, *v;
	int		 rc = BENCH_EABSENT;

	if ((root = json_tokener_parse(text)) == NULL)
		return BENCH_EABSENT;
	o = root;
	if ((object == NULL || json_object_object_get_ex(root, object, &o)) &&
	    json_object_object_get_ex(o, field, &v) &&
	    json_object_is_type(v, json_type_string)) {
		snprintf(out, size, "%s", json_object_get_string(v));
		rc = BENCH_OK;
	}
	json_object_put(root);
	return rc;
}

/* libcurl's write callback: keeps what fits, takes (and drops) the rest. */
static size_t
bench_collect(char *data, size_t size, size_t n, void *arg)
{
	struct bench_body	*b = arg;
	size_t			 take = size * n;

	if (take > sizeof(b->text) - 1 - b->length)
		take = sizeof(b->text) - 1 - b->length;
	memcpy(b->text + b->length, data, take);
	b->length += take;
	b->text[b->length] = '\0';
	return size * n;
}

CURLcode
bench_request_setup(CURL *curl, const char *base, const char *method,
    const char *sid, const char *path, const char *json,
    struct bench_body *answer, struct curl_slist **headers)
{
	char	 url[512], cookie[128];

	answer->length = 0;
	answer->text[0] = '\0';
	*headers = curl_slist_append(NULL, "Content-Type: application/json");
	if (*headers == NULL)
		return CURLE_OUT_OF_MEMORY;
	if (base[0] == '/') {
		snprintf(url, sizeof(url), "http://localhost%s", path);
		curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, base);
	} else
		snprintf(url, sizeof(url), "%s%s", base, path);
	/* libcurl copies the URL and the cookie, not the body. */
	snprintf(cookie, sizeof(cookie), "sid=%s", sid);
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, method);
	curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, *headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, json != NULL ? json : "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, bench_collect);
	curl_easy_setopt(curl, CURLOPT_WRITEDATA, answer);
	/* Threads: no signals for timeouts (libcurl's advice). */
	curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
	curl_easy_setopt(curl, CURLOPT_TIMEOUT, 30L);
	return CURLE_OK;
}

CURLcode
bench_request(CURL *curl, const char *base, const char *method,
    const char *sid, const char *path, const char *json,
    struct bench_body *answer, long *status)
{
	struct curl_slist	*headers = NULL;
	struct bench_body	 ignored;
	CURLcode		 rc;

	*status = 0;
	if (answer == NULL)
		answer = &ignored;
	rc = bench_request_setup(curl, base, method, sid, path, json, answer,
	    &headers);
	if (rc == CURLE_OK && (rc = curl_easy_perform(curl)) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, status);
	curl_slist_free_all(headers);
	return rc;
}

static int
bench_write_all(int fd, const void *data, size_t length)
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

/* Connects ws to base; the Host header's value for it to host. */
static int
bench_websocket_dial(struct bench_websocket *ws, const char *base, char *host,
    size_t size)
{
	struct sockaddr_un	 sun = { .sun_family = AF_UNIX };
	struct sockaddr_in	 sin = { .sin_family = AF_INET };
	struct sockaddr		*sa;
	socklen_t		 salen;
	char			 address[64];
	int			 port, one = 1;

	if (base[0] == '/') {
		if (strlen(base) >= sizeof(sun.sun_path))
			return BENCH_EBASE;
		memcpy(sun.sun_path, base, strlen(base) + 1);
		snprintf(host, size, "localhost");
		sa = (struct sockaddr *)&sun;
		salen = sizeof(sun);
	} else {
		if (sscanf(base, "http://%63[^:]:%d", address, &port) != 2 ||
		    port < 1 || port > 65535 ||
		    inet_pton(AF_INET, address, &sin.sin_addr) != 1)
			return BENCH_EBASE;
		sin.sin_port = htons((uint16_t)port);
		snprintf(host, size, "%s:%d", address, port);
		sa = (struct sockaddr *)&sin;
		salen = sizeof(sin);
	}
	if ((ws->fd = socket(sa->sa_family, SOCK_STREAM, 0)) < 0)
		return BENCH_ECONNECT;
	/* The upgrade and the pongs are small writes: no Nagle delay. */
	if (sa->sa_family == AF_INET)
		setsockopt(ws->fd, IPPROTO_TCP, TCP_NODELAY, &one,
		    sizeof(one));
	if (connect(ws->fd, sa, salen) < 0) {
		bench_websocket_close(ws);
		return BENCH_ECONNECT;
	}
	return BENCH_OK;
}

/*
 * Reads what has come, waiting by until.  The buffer stays
 * NUL-terminated, for the upgrade's strstr().
 */
static int
bench_websocket_read(struct bench_websocket *ws, double until)
{
	struct pollfd	 pfd = { .fd = ws->fd, .events = POLLIN };
	double		 left;
	ssize_t		 n;

	if (ws->length >= sizeof(ws->buffer) - 1)
		return BENCH_ETOOLARGE;
	for (;;) {
		if ((left = until - bench_now_ms()) <= 0)
			return BENCH_ETIMEOUT;
		if ((n = poll(&pfd, 1, (int)left + 1)) > 0)
			break;
		if (n == 0)
			return BENCH_ETIMEOUT;
		if (errno != EINTR)
			return BENCH_EIO;
	}
	n = read(ws->fd, ws->buffer + ws->length,
	    sizeof(ws->buffer) - 1 - ws->length);
	if (n <= 0)
		return BENCH_EIO;
	ws->length += (size_t)n;
	ws->buffer[ws->length] = '\0';
	return BENCH_OK;
}

int
bench_websocket_open(struct bench_websocket *ws, const char *base,
    const char *session, const char *sid, double until)
{
	char	 host[96], upgrade[1024], *end;
	int	 rc;

	ws->fd = -1;
	ws->length = 0;
	ws->buffer[0] = '\0';
	rc = bench_websocket_dial(ws, base, host, sizeof(host));
	if (rc != BENCH_OK)
		return rc;
	snprintf(upgrade, sizeof(upgrade),
	    "GET /ws?sessionId=%s HTTP/1.1\r\n"
	    "Host: %s\r\n"
	    "Upgrade: websocket\r\n"
	    "Connection: Upgrade\r\n"
	    "Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
	    "Sec-WebSocket-Version: 13\r\n"
	    "Origin: %s\r\n"
	    "Cookie: sid=%s\r\n\r\n", session, host,
	    base[0] == '/' ? "http://localhost" : base, sid);
	if (bench_write_all(ws->fd, upgrade, strlen(upgrade)) != 0) {
		rc = BENCH_ESEND;
		goto fail;
	}
	while ((end = strstr((char *)ws->buffer, "\r\n\r\n")) == NULL)
		if (bench_websocket_read(ws, until) != BENCH_OK) {
			rc = BENCH_ENOANSWER;
			goto fail;
		}
	if (strncmp((char *)ws->buffer, "HTTP/1.1 101", 12) != 0) {
		rc = BENCH_EREFUSED;
		goto fail;
	}
	end += 4;
	ws->length -= (size_t)(end - (char *)ws->buffer);
	memmove(ws->buffer, end, ws->length);
	return BENCH_OK;
fail:
	bench_websocket_close(ws);
	return rc;
}

/* A masked control frame (client frames are masked, RFC 6455 5.3). */
static int
bench_websocket_control(struct bench_websocket *ws, int opcode,
    const unsigned char *payload, size_t length)
{
	unsigned char	 frame[2 + 4 + 125];

	if (length > 125)
		return -1;
	frame[0] = (unsigned char)(0x80 | opcode);
	frame[1] = (unsigned char)(0x80 | length);
	memset(frame + 2, 0, 4);	/* a zero mask leaves the payload */
	memcpy(frame + 6, payload, length);
	return bench_write_all(ws->fd, frame, 6 + length);
}

int
bench_websocket_next(struct bench_websocket *ws, char *text, size_t size,
    double until)
{
	unsigned char	*payload;
	size_t		 header, length;
	int		 opcode, found, rc;

	for (;;) {
		header = 2;
		length = ws->length >= 2 ? ws->buffer[1] & 0x7f : 0;
		if (length == 126) {
			header = 4;
			length = ws->length >= 4 ?
			    (size_t)ws->buffer[2] << 8 | ws->buffer[3] : 0;
		} else if (length == 127)
			return BENCH_ETOOLARGE;	/* no event is that large */
		if (ws->length < header || ws->length < header + length) {
			if ((rc = bench_websocket_read(ws, until)) != BENCH_OK)
				return rc;
			continue;
		}
		opcode = ws->buffer[0] & 0x0f;
		payload = ws->buffer + header;
		found = 0;
		if (opcode == 0x8)
			return BENCH_ECLOSED;
		if (opcode == 0x1 && length < size) {
			memcpy(text, payload, length);
			text[length] = '\0';
			found = 1;
		} else if (opcode == 0x9 &&
		    bench_websocket_control(ws, 0xa, payload, length) != 0)
			return BENCH_EIO;
		ws->length -= header + length;
		memmove(ws->buffer, ws->buffer + header + length, ws->length);
		if (found)
			return BENCH_OK;
	}
}

void
bench_websocket_close(struct bench_websocket *ws)
{
	if (ws->fd >= 0)
		close(ws->fd);
	ws->fd = -1;
}
