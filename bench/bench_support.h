/*
 * What the load generators in bench/ share: clocks, dying with the
 * program's name, users with login sessions created directly in the
 * database, requests through nginx with libcurl, and a minimal WebSocket
 * client for the professor's socket.  BASE, everywhere, is nginx:
 * http://ADDRESS:PORT, or the path of its unix socket.
 *
 * A bench has nothing to measure without its data, so the database
 * helpers exit on failure instead of returning a status.
 */
#ifndef ATTENDANCE_BENCH_SUPPORT_H
#define ATTENDANCE_BENCH_SUPPORT_H

#include <stddef.h>

#include <curl/curl.h>
#include <libpq-fe.h>

#include "error.h"
#include "token.h"

#define BENCH_ID_SIZE	40	/* a row's id as text, NUL included */

/*
 * What the client side can meet; the server's errors (enum at_error)
 * arrive as HTTP answers, not through this enum.
 */
enum bench_status {
	BENCH_OK = 0,
	BENCH_EBASE,		/* BASE: not http://ADDRESS:PORT nor a path */
	BENCH_ECONNECT,		/* cannot connect to BASE */
	BENCH_ESEND,		/* the WebSocket upgrade could not be sent */
	BENCH_ENOANSWER,	/* no complete answer to the upgrade in time */
	BENCH_EREFUSED,		/* the upgrade was answered, but not with 101 */
	BENCH_ETIMEOUT,		/* no message came in time */
	BENCH_ECLOSED,		/* the server sent a close frame */
	BENCH_ETOOLARGE,	/* a frame larger than any event */
	BENCH_EIO,		/* the socket failed or came to its end */
	BENCH_EABSENT		/* no such string in the JSON text */
};

/* A short sentence for status; static storage. */
const char	*bench_strerror(int status);

/* The program's name in the messages of bench_die() and bench_sql();
 * name must live as long as the program (a string literal). */
void	 bench_set_name(const char *name);

/* Prints "NAME: what" to standard error and exits 1. */
void	 bench_die(const char *what) __attribute__((noreturn));

/* The monotonic clock, in milliseconds. */
double	 bench_now_ms(void);

/* The CPU time this process has used, in seconds. */
double	 bench_cpu_seconds(void);

/* Sorts n values in ascending order (for percentiles). */
void	 bench_sort(double *values, size_t n);

/*
 * A parameterized statement that must succeed; the result is the
 * caller's to PQclear().  Exits with the query and the server's message
 * on failure.
 */
PGresult	*bench_sql(PGconn *db, const char *query, int n,
		    const char *const *params);

/*
 * A user (role "student" or "professor", username and display name name,
 * email name@bench.example.edu) with a login session a day long, created
 * the way the server would (only the BLAKE2b hash of the sid is stored):
 * logging thousands in through Argon2id would measure Argon2id.  The
 * user's id to id, the sid to sid.  Call sodium_init() first.
 */
void	 bench_user_create(PGconn *db, const char *role, const char *name,
	    char id[BENCH_ID_SIZE], char sid[TOKEN_TEXT_SIZE]);

/* A course of the professor's (code, name, term "bench") with one group,
 * "G"; their ids to course_id and group_id. */
void	 bench_course_create(PGconn *db, const char *professor_id,
	    const char *code, const char *name, char course_id[BENCH_ID_SIZE],
	    char group_id[BENCH_ID_SIZE]);

/* Enrolls the student in the course's group. */
void	 bench_enroll(PGconn *db, const char *student_id,
	    const char *course_id, const char *group_id);

/*
 * A device cookie of the server's (a row of devices with the hash of a
 * random did), appended to the cookie text as "; did=DEVICE": a browser
 * keeps the one its first login or scan set, and a scan without one
 * would cost the server a device of its own each time.
 */
void	 bench_device_cookie(PGconn *db, char *cookie, size_t size);

/*
 * The CPU time, in seconds, that the processes of pids (n of them) and
 * their children have used: each one's own and its waited-for children's
 * (/proc/PID/stat utime, stime, cutime, cstime), and that of each living
 * child (a PostgreSQL backend, a FastCGI worker, an nginx worker).  The
 * difference of two readings is what a stack of servers spent between
 * them, a child that exited meanwhile included once its parent reaped
 * it.  Processes that are gone count nothing.
 */
double	 bench_stack_cpu_seconds(const long *pids, size_t n);

/*
 * Copies the string at "object.field" of a JSON text, or at "field" when
 * object is NULL, into out (cut at size).  BENCH_EABSENT, out untouched,
 * when the text is not JSON or has no string there.
 */
int	 bench_json_string(const char *text, const char *object,
	    const char *field, char *out, size_t size);

/* A response body, cut at its buffer's size (the API answers little). */
struct bench_body {
	char	 text[4096];
	size_t	 length;
};

/*
 * Sets curl up for a request of sid (its cookie) to path under base, with
 * a JSON body (json NULL: an empty one) and the answer collected into
 * answer.  json and answer must live until the transfer ends, and so must
 * *headers, which the caller frees with curl_slist_free_all() after it.
 */
CURLcode	 bench_request_setup(CURL *curl, const char *base,
		    const char *method, const char *sid, const char *path,
		    const char *json, struct bench_body *answer,
		    struct curl_slist **headers) AT_MUSTCHECK;

/*
 * One request as bench_request_setup() prepares it, waited for, on curl
 * (whose connection later requests may reuse).  Returns libcurl's
 * result; the HTTP status to *status, 0 if no answer came.  answer may
 * be NULL.
 */
CURLcode	 bench_request(CURL *curl, const char *base, const char *method,
		    const char *sid, const char *path, const char *json,
		    struct bench_body *answer, long *status);

/* A client's WebSocket: what came in and is not yet read.  64 KiB: embed
 * it or allocate it, rather than put it on a thread's stack. */
struct bench_websocket {
	int		 fd;		/* -1 when closed */
	unsigned char	 buffer[65536];
	size_t		 length;
};

/*
 * Opens the relay's socket on a class session, as the professor's
 * screen does (GET /ws through nginx, with base as the Origin, or
 * http://localhost for a socket path, and the sid cookie), by until (ms
 * on bench_now_ms()'s clock).  Whatever follows the 101 stays in the
 * buffer for bench_websocket_next().  On BENCH_EREFUSED the buffer holds
 * the answer, NUL-terminated; on any failure ws->fd is -1.
 */
int	 bench_websocket_open(struct bench_websocket *ws, const char *base,
	    const char *session, const char *sid, double until) AT_MUSTCHECK;

/*
 * The next text frame (the server's frames are not masked) into text,
 * NUL-terminated; a text frame that does not fit is skipped, other data
 * frames too, and pings are answered on the way.  Returns BENCH_OK, or
 * BENCH_ETIMEOUT when until passed first, BENCH_ECLOSED, BENCH_ETOOLARGE
 * or BENCH_EIO.
 */
int	 bench_websocket_next(struct bench_websocket *ws, char *text,
	    size_t size, double until) AT_MUSTCHECK;

/* Closes the socket, if it is open. */
void	 bench_websocket_close(struct bench_websocket *ws);

#endif
