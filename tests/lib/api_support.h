/*
 * Helpers for the suites that drive the whole stack through nginx (HTTP
 * over nginx's unix socket, so no port is shared): a client with its own
 * cookie jar, fixtures written straight to PostgreSQL (Argon2id logins
 * for thousands of users would be slow by design), and a Redis subscriber
 * for the events.  Each helper fails the current test when its own setup
 * fails.
 *
 * Environment (set by tests/api/api.sh):
 *   ATTENDANCE_TEST_HTTP_SOCKET   nginx's unix socket
 *   ATTENDANCE_TEST_DATABASE      conninfo of the stack's database
 *   ATTENDANCE_TEST_REDIS_SOCKET  Redis's unix socket
 *   ATTENDANCE_TEST_REDIS_PASSWORD_FILE  its admin user's password
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

/*
 * api_request() and api_request_raw() on a path built from fmt (cut at
 * 511 bytes).  *r is freed with api_response_free() first, so one
 * response can be reused; it then holds the answer, to free the same way.
 * api_reqf_nobody() sends no body and no content type; api_reqf_raw()
 * sends body (NULL for none) as type with headers, and no Origin.
 */
void	 api_reqf(struct api_client *, const char *method, const char *body,
	    struct api_response *r, const char *fmt, ...)
	    __attribute__((format(printf, 5, 6)));
void	 api_reqf_nobody(struct api_client *, const char *method,
	    struct api_response *r, const char *fmt, ...)
	    __attribute__((format(printf, 4, 5)));
void	 api_reqf_raw(struct api_client *, const char *method,
	    const char *type, const char *body, const char *const *headers,
	    struct api_response *r, const char *fmt, ...)
	    __attribute__((format(printf, 7, 8)));

/* Asserts the status and that the body is JSON. */
void	 api_expect_status(const struct api_response *, long status);
/* Sends a request (api_request()) and asserts the contract's error. */
void	 api_expect_error(struct api_client *, const char *method,
	    const char *path, const char *body, long status, const char *code);
/* api_expect_error() for GET, PATCH with patch_body, then DELETE path. */
void	 api_expect_item_error(struct api_client *, const char *path,
	    const char *patch_body, long status, const char *code);
/*
 * Asserts a 405 method_not_allowed whose Allow header lists each of
 * methods (space-separated) and not the method that was refused.
 */
void	 api_assert_allow(const struct api_response *, const char *methods,
	    const char *refused);

/* A member by dotted path ("user.id", "rounds.0.id"), or NULL (also for a
 * JSON null: json-c represents null as NULL). */
json_object	*api_json_get(json_object *, const char *path);
/* Its string value (asserts it is a string). */
const char	*api_json_string(json_object *, const char *path);
/* 1 when the member exists, even with a null value. */
int		 api_json_has(json_object *, const char *path);
/* Its integer value (asserts it is an integer). */
long long	 api_json_int(json_object *, const char *path);
/* Its boolean value (asserts it is a boolean). */
int		 api_json_bool(json_object *, const char *path);
/* Asserts the member is the string want. */
void		 api_assert_string_at(json_object *, const char *path,
		    const char *want);
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
/* Asserts the member is a lowercase UUID and copies it to dst. */
void		 api_copy_id(char dst[API_ID_SIZE], json_object *,
		    const char *path);

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
/* Uppercases s (ASCII) in place. */
void	 api_uppercase(char *s);

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

/* A logged-in professor who owns nothing; free with api_client_free(). */
struct api_client	*api_intruder(void);

/*
 * A new student (api_user_login() with prefix) that professor enrolls in
 * group through POST /api/groups/:id/enrollments into *r (freed first,
 * then the caller's; asserts 201); its id written to id.  Returns its
 * logged-in client; free with api_client_free().
 */
struct api_client	*api_enrolled_student(struct api_client *professor,
			    struct api_response *r, const char *group,
			    const char *prefix, char id[API_ID_SIZE]);

/*
 * Requests sent at once: each racer's from its own thread and client,
 * released together by a barrier; method, path and body (NULL for none)
 * as api_request() takes them, the answer into res (the caller frees it
 * with api_response_free()).
 */
struct api_racer {
	struct api_client	*client;
	const char		*method;
	const char		*path;
	const char		*body;
	struct api_response	 res;
};
void	 api_race(struct api_racer *, size_t n);

/* POSTs body to path as c, asserts 201 and copies member of the answer. */
void	 api_create(struct api_client *, const char *path, const char *body,
	    const char *member, char id[API_ID_SIZE]);

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
 * One test's world: a class (api_class_create()) with n students (at
 * most API_FIXTURE_STUDENTS), logged in (st[i], ids[i]), and a response
 * to reuse (r).  The caller owns the struct (on its stack, say);
 * api_fixture_free() frees what it holds: the students' clients, the
 * response and the class.
 */
#define API_FIXTURE_STUDENTS	30

struct api_fixture {
	struct api_class	 c;
	struct api_client	*st[API_FIXTURE_STUDENTS];
	char			 ids[API_FIXTURE_STUDENTS][API_ID_SIZE];
	size_t			 n;
	struct api_response	 r;
};
void	 api_fixture_new(struct api_fixture *, size_t n);
void	 api_fixture_free(struct api_fixture *);

/*
 * As f's professor, each into f->r (freed first, freed by
 * api_fixture_free()): POST /api/groups/:groupId/sessions with body (may
 * be NULL), asserts 201 and copies the session's and round's ids;
 * PATCH /api/sessions/:id/end, asserts 200; PUT a round's record of
 * student to status, not checked.
 */
void	 api_start_session(struct api_fixture *f, const char *body,
	    char session[API_ID_SIZE], char round[API_ID_SIZE]);
void	 api_end_session(struct api_fixture *f, const char *session);
void	 api_put_record(struct api_fixture *f, const char *session,
	    const char *round, const char *student, const char *status);

/* POST /api/sessions/:id/rounds as professor into *r (freed first, then
 * the caller's); asserts 201 and copies the new round's id. */
void	 api_new_round(struct api_client *professor, struct api_response *r,
	    const char *session, char round[API_ID_SIZE]);

/*
 * Asserts what a Round and a round of the stats share: roundNumber,
 * isActive, startsAt, and endsAt null exactly while active.
 */
void	 api_assert_round_state(json_object *round, long long number,
	    int active);

/*
 * A new student enrolled, through the API, in a new group of f's course,
 * its id written to student; returns its logged-in client (free with
 * api_client_free()).
 */
struct api_client	*api_other_group_student(struct api_fixture *f,
			    char student[API_ID_SIZE]);

/*
 * POST /api/sessions/:id/rounds/:roundId/scan {"token": token} as c into
 * *r (freed first, then the caller's); the answer is not checked.
 */
void	 api_scan(struct api_client *, const char *session,
	    const char *round, const char *token, struct api_response *r);

/*
 * Redis: subscribes to a class session's channel
 * ("attendance:session:<id>") before acting; returns once Redis has
 * confirmed the subscription.
 */
/* A connection to the test's Redis as its admin user (every channel and
 * key), for what the tests look at there. */
struct redisContext	*api_redis_connect(void);

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

/*
 * The next event within 2 s must be name: returns its data, owned by the
 * caller (json_object_put()).  api_events_expect_none() asserts that no
 * event comes within ms.
 */
json_object	*api_events_expect(struct api_events *, const char *name);
void		 api_events_expect_none(struct api_events *, int ms);

/*
 * The next event must be round:qr-updated for session and round, with
 * exactly its members, a well-formed token and an expiry: the token is
 * copied to token, the expiry to expires (size bytes) unless NULL.
 */
#define API_TOKEN_SIZE	64

void	 api_events_expect_qr_updated(struct api_events *,
	    const char *session, const char *round,
	    char token[API_TOKEN_SIZE], char *expires, size_t size);

/*
 * The next event must be attendance:recorded with exactly the contract's
 * members and these values: the record of student (with its username
 * and display name) in session and round, its status and recordedAt.
 */
#define API_RECORDED_KEYS	"sessionId roundId studentId username " \
				"displayName status recordedAt flags"

void	 api_events_expect_recorded(struct api_events *, const char *session,
	    const char *round, const char *student, const char *username,
	    const char *name, const char *status, const char *recorded);

/*
 * POST /api/sessions/:id/rounds/:roundId/qr as f's professor (asserts
 * 202, the answer in f->r) and the token it sends to the subscriber.
 */
void	 api_fresh_token(struct api_fixture *f, struct api_events *,
	    const char *session, const char *round,
	    char token[API_TOKEN_SIZE]);

/* Asserts s is a 43-character base64url token. */
void	 api_assert_token_shape(const char *s);
/* Asserts that neither the body nor the headers of r carry token. */
void	 api_assert_not_in_response(const struct api_response *,
	    const char *token);
/*
 * Asserts that no table holds the raw token, as text or (standard base64
 * of the raw bytes, as query_to_xml() shows a bytea) as bytes.
 */
void	 api_assert_token_not_in_db(const char *token);
/* Asserts qr_tokens holds the token's BLAKE2b-256 hash for round, live. */
void	 api_assert_token_hashed(const char *token, const char *round);
/*
 * The contract's invariants for a session: at most one live token per
 * round; every scanned record (QR or typed code) has its token; in
 * single mode a record's token consumed by its student, in window mode
 * no token consumed; every consumed token linked to the record of its
 * round and student; no live token in a closed round.
 */
void	 api_assert_session_invariants(const char *session);

#endif
