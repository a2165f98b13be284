/*
 * scan-loop: the classroom loop, the real workload.  C classrooms run at
 * once, each a class session of its own with S enrolled students; in each,
 * as soon as the professor's channel brings a token, the next student
 * scans it through nginx.  Prints scans/s and the latency from sending a
 * scan to receiving the round:qr-updated it caused (what the professor's
 * screen waits for).
 *
 * Students' login sessions are created directly in the database, the way
 * the server would (a BLAKE2b hash of a random sid): logging thousands of
 * students in through Argon2id would measure Argon2id.
 *
 * usage: scan-loop HTTP-SOCKET|BASE-URL REDIS-SOCKET CONNINFO CLASSROOMS STUDENTS
 *     SCANS-PER-CLASSROOM
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <json-c/json.h>
#include <libpq-fe.h>
#include <sodium.h>

#include "token.h"

struct classroom {
	int		 index;
	char		 professor_sid[TOKEN_TEXT_SIZE];
	char		 group_id[40];
	char		 session_id[40];
	char		 (*student_sids)[TOKEN_TEXT_SIZE];
	int		 students;
	int		 scans;
	double		*latencies;	/* ms, one per scan */
	int		 done, failed;
};

static const char	*http_socket, *redis_socket, *conninfo;

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
	const char	*params[4];
	PGresult	*res;

	snprintf(email, sizeof(email), "%s@bench.example.edu", name);
	params[0] = role;
	params[1] = name;
	params[2] = email;
	res = sql(db, "INSERT INTO users (role, username, email, display_name,"
	    " password_hash) VALUES ($1, $2, $3, $2, '$argon2id$bench')"
	    " RETURNING id", 3, params);
	snprintf(id, 40, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	token_mint(sid, hash);
	params[0] = hash;
	params[1] = id;
	PQclear(sql(db, "INSERT INTO auth_sessions (token_hash, user_id,"
	    " expires_at) VALUES ($1::bytea, $2, now() + interval '1 day')",
	    2, params));
}

static size_t
collect(char *data, size_t size, size_t n, void *arg)
{
	json_object	**out = arg;
	(void)out;
	return size * n;
}

static long
post(CURL *curl, const char *sid, const char *path, const char *body)
{
	char			 url[256], cookie[128];
	struct curl_slist	*headers = NULL;
	long			 code = 0;

	/* HTTP-SOCKET is nginx's unix socket, or a base URL. */
	if (strncmp(http_socket, "http", 4) == 0)
		snprintf(url, sizeof(url), "%s%s", http_socket, path);
	else {
		snprintf(url, sizeof(url), "http://localhost%s", path);
		curl_easy_setopt(curl, CURLOPT_UNIX_SOCKET_PATH, http_socket);
	}
	snprintf(cookie, sizeof(cookie), "sid=%s", sid);
	headers = curl_slist_append(headers, "Content-Type: application/json");
	curl_easy_setopt(curl, CURLOPT_URL, url);
	curl_easy_setopt(curl, CURLOPT_COOKIE, cookie);
	curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers);
	curl_easy_setopt(curl, CURLOPT_POSTFIELDS, body != NULL ? body : "");
	curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, collect);
	if (curl_easy_perform(curl) == CURLE_OK)
		curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
	curl_slist_free_all(headers);
	return code;
}

/* Waits for the next round:qr-updated of the channel; copies token and
 * round id. */
static int
next_token(redisContext *redis, char *token, char *round)
{
	redisReply	*reply;
	json_object	*msg, *data, *v;
	int		 found = 0;

	while (!found) {
		if (redisGetReply(redis, (void **)&reply) != REDIS_OK)
			return -1;
		if (reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
		    strcmp(reply->element[0]->str, "message") == 0 &&
		    (msg = json_tokener_parse(reply->element[2]->str)) != NULL) {
			if (json_object_object_get_ex(msg, "event", &v) &&
			    strcmp(json_object_get_string(v),
			    "round:qr-updated") == 0 &&
			    json_object_object_get_ex(msg, "data", &data)) {
				json_object_object_get_ex(data, "token", &v);
				snprintf(token, TOKEN_TEXT_SIZE, "%s",
				    json_object_get_string(v));
				json_object_object_get_ex(data, "roundId", &v);
				snprintf(round, 40, "%s",
				    json_object_get_string(v));
				found = 1;
			}
			json_object_put(msg);
		}
		freeReplyObject(reply);
	}
	return 0;
}

static void *
classroom_run(void *arg)
{
	struct classroom	*c = arg;
	redisContext		*redis;
	redisReply		*reply;
	CURL			*prof, *student;
	char			 path[256], body[128], token[TOKEN_TEXT_SIZE];
	char			 round[40];
	double			 sent;
	int			 i;

	redis = redisConnectUnix(redis_socket);
	prof = curl_easy_init();
	student = curl_easy_init();
	if (redis == NULL || redis->err || prof == NULL || student == NULL)
		die("cannot connect");
	/* The session id is only known after the start: subscribe to the
	 * group's next session by starting, then subscribing, then asking
	 * for a fresh token (what a professor screen does on connect). */
	snprintf(path, sizeof(path), "/api/groups/%s/sessions", c->group_id);
	if (post(prof, c->professor_sid, path, "{\"qrTtlSeconds\":600}") !=
	    201)
		die("session start failed");
	{
		PGconn		*db = PQconnectdb(conninfo);
		const char	*params[1] = { c->group_id };
		PGresult	*res = sql(db, "SELECT s.id, r.id FROM sessions s"
		    " JOIN attendance_rounds r ON r.session_id = s.id"
		    " WHERE s.group_id = $1 AND s.status = 'active'", 1,
		    params);

		snprintf(c->session_id, sizeof(c->session_id), "%s",
		    PQgetvalue(res, 0, 0));
		snprintf(round, sizeof(round), "%s", PQgetvalue(res, 0, 1));
		PQclear(res);
		PQfinish(db);
	}
	reply = redisCommand(redis, "SUBSCRIBE attendance:session:%s",
	    c->session_id);
	freeReplyObject(reply);
	snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/qr",
	    c->session_id, round);
	if (post(prof, c->professor_sid, path, NULL) != 202)
		die("qr refresh failed");
	if (next_token(redis, token, round) != 0)
		die("no token");

	for (i = 0; i < c->scans; i++) {
		int	 s = i % c->students;
		long	 code;

		if (s == 0 && i > 0) {
			/* Everyone has scanned: a new round. */
			snprintf(path, sizeof(path), "/api/sessions/%s/rounds",
			    c->session_id);
			if (post(prof, c->professor_sid, path, NULL) != 201)
				die("new round failed");
			if (next_token(redis, token, round) != 0)
				die("no token");
		}
		snprintf(path, sizeof(path), "/api/sessions/%s/rounds/%s/scan",
		    c->session_id, round);
		snprintf(body, sizeof(body), "{\"token\":\"%s\"}", token);
		sent = now_ms();
		code = post(student, c->student_sids[s], path, body);
		if (code != 201) {
			c->failed++;
			fprintf(stderr, "scan answered %ld\n", code);
			break;
		}
		if (next_token(redis, token, round) != 0)
			die("no token");
		c->latencies[c->done++] = now_ms() - sent;
	}
	curl_easy_cleanup(prof);
	curl_easy_cleanup(student);
	redisFree(redis);
	return NULL;
}

static int
compare(const void *a, const void *b)
{
	double	 x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

int
main(int argc, char **argv)
{
	struct classroom	*rooms;
	pthread_t		*threads;
	PGconn			*db;
	double			 start, elapsed, *all;
	char			 name[64], id[40], course[40];
	int			 nrooms, nstudents, nscans, r, s, total = 0;
	struct timespec		 cpu;

	if (argc != 7)
		die("usage: scan-loop HTTP-SOCKET REDIS-SOCKET CONNINFO "
		    "CLASSROOMS STUDENTS SCANS-PER-CLASSROOM");
	http_socket = argv[1];
	redis_socket = argv[2];
	conninfo = argv[3];
	nrooms = atoi(argv[4]);
	nstudents = atoi(argv[5]);
	nscans = atoi(argv[6]);
	if (sodium_init() < 0 || nrooms < 1 || nstudents < 1 || nscans < 1)
		die("bad arguments");
	curl_global_init(CURL_GLOBAL_ALL);
	db = PQconnectdb(conninfo);
	if (PQstatus(db) != CONNECTION_OK)
		die(PQerrorMessage(db));
	rooms = calloc((size_t)nrooms, sizeof(*rooms));
	threads = calloc((size_t)nrooms, sizeof(*threads));
	for (r = 0; r < nrooms; r++) {
		struct classroom	*c = &rooms[r];
		const char		*params[3];
		PGresult		*res;

		c->index = r;
		c->students = nstudents;
		c->scans = nscans;
		c->latencies = calloc((size_t)nscans, sizeof(double));
		c->student_sids = calloc((size_t)nstudents,
		    sizeof(*c->student_sids));
		snprintf(name, sizeof(name), "bench-prof-%d-%ld", r,
		    (long)time(NULL));
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
			    (long)time(NULL));
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
	PQfinish(db);

	start = now_ms();
	for (r = 0; r < nrooms; r++)
		pthread_create(&threads[r], NULL, classroom_run, &rooms[r]);
	for (r = 0; r < nrooms; r++)
		pthread_join(threads[r], NULL);
	elapsed = (now_ms() - start) / 1e3;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &cpu);

	all = calloc((size_t)(nrooms * nscans), sizeof(double));
	for (r = 0; r < nrooms; r++) {
		memcpy(all + total, rooms[r].latencies,
		    (size_t)rooms[r].done * sizeof(double));
		total += rooms[r].done;
		if (rooms[r].failed)
			die("a scan failed");
	}
	qsort(all, (size_t)total, sizeof(double), compare);
	printf("classrooms %d, students %d, scans %d in %.2f s\n", nrooms,
	    nstudents, total, elapsed);
	printf("scans/s %.0f\n", total / elapsed);
	printf("scan -> round:qr-updated ms: p50 %.2f p95 %.2f p99 %.2f "
	    "max %.2f\n", all[total / 2], all[total * 95 / 100],
	    all[total * 99 / 100], all[total - 1]);
	printf("load generator CPU %.2f s (%.0f%% of one core)\n",
	    (double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9,
	    100.0 * ((double)cpu.tv_sec + (double)cpu.tv_nsec / 1e9) /
	    elapsed);
	return 0;
}
