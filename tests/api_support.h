/*
 * Helpers for the suites that drive the whole stack through nginx (HTTP
 * over nginx's unix socket, so no port is shared): a client with its own
 * cookie jar, fixtures written straight to PostgreSQL (Argon2id logins
 * for thousands of users would be slow by design), and a Redis subscriber
 * for the events.  Each helper fails the current test when its own setup
 * fails.
 *
 * Environment (set by tests/api.sh):
 *   ATTENDANCE_TEST_HTTP_SOCKET   nginx's unix socket
 *   ATTENDANCE_TEST_DATABASE      conninfo of the stack's database
 *   ATTENDANCE_TEST_REDIS_SOCKET  Redis's unix socket
 *   ATTENDANCE_TEST_ORIGIN        an allowed origin ("http://localhost")
 */
#ifndef ATTENDANCE_TESTS_API_SUPPORT_H
#define ATTENDANCE_TESTS_API_SUPPORT_H

#include <stddef.h>

#include <json-c/json.h>
#include <libpq-fe.h>

#define API_ID_SIZE	37

struct api_response {
	long		 status;
	char		*headers;	/* raw header block, malloc'd */
	char		*body;		/* malloc'd, NUL-terminated */
	json_object	*json;		/* parsed body, or NULL */
};

struct api_client;

/* A client with an empty cookie jar; free with api_client_free(). */
struct api_client	*api_client_new(void);
void			 api_client_free(struct api_client *);

/*
 * Sends a request through nginx.  body (may be NULL) goes as
 * application/json; a POST, PUT or PATCH without a body is sent with
 * Content-Length: 0 and no Content-Type.  Every method but GET and HEAD
 * carries Origin: $ATTENDANCE_TEST_ORIGIN, as a browser's would.  The
 * client's cookie jar is sent and updated.  *out is cleared first; free
 * with api_response_free().
 */
void	 api_request(struct api_client *, const char *method,
	    const char *path, const char *body, struct api_response *out);

/*
 * The general form: content_type (NULL for none), a body of body_len
 * bytes (body may hold NUL bytes; NULL for none, then a POST, PUT or
 * PATCH carries Content-Length: 0), extra headers ("Name: value",
 * NULL-terminated list, may be NULL).  No Origin is added: only the
 * headers given (and the cookie jar's) are sent.
 */
void	 api_request_raw(struct api_client *, const char *method,
	    const char *path, const char *content_type, const char *body,
	    size_t body_len, const char *const *headers,
	    struct api_response *out);

void	 api_response_free(struct api_response *);

/* The value of a response header (case-insensitive name), malloc'd, or
 * NULL when absent. */
char	*api_header(const struct api_response *, const char *name);

/* Asserts status and the contract's error body {"error":{"code",...}}. */
void	 api_assert_error(const struct api_response *, long status,
	    const char *code);

/* A member by dotted path ("user.id", "rounds.0.id"), or NULL (also for a
 * JSON null: json-c represents null as NULL). */
json_object	*api_json_get(json_object *, const char *path);
/* Its string value (asserts it is a string). */
const char	*api_json_string(json_object *, const char *path);
/* 1 when the member exists, even with a null value. */
int		 api_json_has(json_object *, const char *path);
/* Its integer value (asserts it is an integer). */
long long	 api_json_int(json_object *, const char *path);
/* Asserts the member exists and is null. */
void		 api_assert_null(json_object *, const char *path);
/*
 * Asserts the member ("" for obj itself) is an object with exactly these
 * members (keys: space-separated, any order).
 */
void		 api_assert_keys(json_object *, const char *path,
		    const char *keys);
/* Asserts the member is a lowercase UUID string. */
void		 api_assert_uuid(json_object *, const char *path);
/* Asserts the member is a timestamp "2026-11-24T08:00:00.123Z". */
void		 api_assert_timestamp(json_object *, const char *path);

/* A malloc'd formatted string (asserts on failure); free() it. */
char	*api_printf(const char *fmt, ...)
	    __attribute__((format(printf, 1, 2)));
/*
 * A name unique in the stack (prefix, the pid, a counter and random
 * bits), at most 63 characters of [A-Za-z0-9._-], for course codes,
 * group names and the like.
 */
void	 api_unique(const char *prefix, char *out, size_t size);
/* s repeated n times, malloc'd; free() it. */
char	*api_repeat(const char *s, size_t n);

/* The stack's database (one connection per test process). */
PGconn	*api_db(void);
/*
 * Runs sql with text parameters (a NULL-terminated list after sql) and
 * fails the test unless it succeeds.  api_db_value() returns the first
 * column of the first row, malloc'd, or NULL when there is no row or the
 * value is SQL NULL; api_db_long() that value as a number (asserts one).
 */
char	*api_db_value(const char *sql, ...);
long	 api_db_long(const char *sql, ...);

/*
 * A new user with a unique username (api_unique(prefix)), the email
 * username@example.edu, and the password "pw-" + username; id and
 * username written out.  role is "professor" or "student".  The Argon2id
 * hash is made with libsodium's minimum limits, so a fixture costs
 * microseconds to create and to log in, and hashes verify as any other.
 */
void	 api_user_create(const char *role, const char *prefix,
	    char id[API_ID_SIZE], char username[80]);

/* Logs a client in through POST /api/auth/login; asserts 200. */
struct api_client	*api_login(const char *username, const char *password);

/* api_user_create() then api_login(). */
struct api_client	*api_user_login(const char *role, const char *prefix,
			    char id[API_ID_SIZE], char username[80]);

/*
 * A professor (logged in) with a course made through the API (unique
 * code, term "2026F") and one group ("G1"), and n students enrolled in it
 * through POST /api/groups/:id/enrollments and logged in (clients[i],
 * ids[i]); arrays sized by the caller.  students may be NULL (then they
 * are not logged in), student_ids too.  The caller frees students[i] with
 * api_client_free(); api_class_free() frees the professor's client.
 */
struct api_class {
	struct api_client	*professor;
	char			 professor_id[API_ID_SIZE];
	char			 course_id[API_ID_SIZE];
	char			 group_id[API_ID_SIZE];
};
void	 api_class_create(struct api_class *, size_t nstudents,
	    struct api_client **students, char (*student_ids)[API_ID_SIZE]);
void	 api_class_free(struct api_class *);

/*
 * Redis: subscribes to a class session's channel
 * ("attendance:session:<id>") before acting; returns once Redis has
 * confirmed the subscription.
 */
struct api_events;
struct api_events	*api_events_subscribe(const char *session_id);
/*
 * The next event within timeout_ms: its name and data (owned by the
 * caller, json_object_put), or 0 when none came.
 */
int	 api_events_next(struct api_events *, int timeout_ms, char **name,
	    json_object **data);
void	 api_events_free(struct api_events *);

/*
 * The raw token of the next round:qr-updated event of round_id read from
 * the subscriber (events of other kinds or rounds before it are skipped
 * and lost); asserts one arrives within 2 s and fits in size.
 */
void	 api_events_expect_token(struct api_events *, const char *round_id,
	    char *token, size_t size);

#endif
