/*
 * One HTTP request as the worker sees it, and its response.  Everything a
 * request allocates lives in its arena (or is owned by the struct) and
 * dies in request_finish(), the one place per-request memory is freed.
 */
#ifndef ATTENDANCE_REQUEST_H
#define ATTENDANCE_REQUEST_H

#include <fcgiapp.h>
#include <json-c/json.h>

#include "arena.h"
#include "db.h"
#include "error.h"
#include "http.h"

#define REQUEST_BODY_MAX	(64 * 1024)	/* the contract's limit */
#define REQUEST_PARAMS_MAX	3

enum request_role {
	ROLE_NONE = 0,
	ROLE_PROFESSOR,
	ROLE_STUDENT
};

struct request {
	FCGX_Request	*fcgi;
	struct arena	 arena;
	char		 id[17];	/* for the log lines */

	/* From the FastCGI parameters (pointers into libfcgi's storage). */
	const char	*method;
	const char	*path;		/* arena copy, without the query */
	const char	*content_type;
	const char	*cookie;
	const char	*origin;	/* copies sent joined, in the arena */
	const char	*remote_addr;
	long		 content_length;	/* -1 when absent */

	/* Filled by the pipeline before a handler runs. */
	char		 params[REQUEST_PARAMS_MAX][HTTP_UUID_SIZE];
	const char	*raw_params[REQUEST_PARAMS_MAX];	/* into path */
	json_object	*body;		/* the parsed object, or NULL */
	const struct db_statement *statement;	/* the route's, if any */
	char		 user_id[HTTP_UUID_SIZE];
	enum request_role role;
	/* The caller's row, as PostgreSQL gave it (arena copies). */
	const char	*user_email, *user_username, *user_display_name;
	const char	*user_created_at, *user_last_login_at;	/* or NULL */
	char		 sid_hash[80];	/* hex bytea of the sid's hash */

	/* The response. */
	int		 status;
	const char	*headers;	/* extra header lines, arena */
	const char	*response;	/* JSON text, or NULL for none */
	const char	*error;		/* an error's contract code, or NULL */
	const char	*message;	/* and its message */
};

/* Reads the parameters and body of an accepted FastCGI request. */
void	 request_start(struct request *, FCGX_Request *, unsigned long n);

/*
 * Reads the body (up to REQUEST_BODY_MAX) into *body, NUL-terminated, in
 * the arena.  AT_ETOOLARGE when larger; AT_EINVALID when shorter than
 * CONTENT_LENGTH said.
 */
int	 request_read_body(struct request *, char **body, size_t *len)
	    AT_MUSTCHECK;

/*
 * Checks the ids of the path (raw_params) and copies them, lowercase, to
 * params.  AT_ENOTFOUND when one is not a UUID: an id that cannot exist
 * is an unknown one.  Before any query, after the body's fields.
 */
int	 request_check_ids(struct request *) AT_MUSTCHECK;

/* Sets a JSON response. */
void	 request_reply(struct request *, int status, const char *json);

/* Sets an error response; message NULL means the default sentence. */
void	 request_fail(struct request *, int error, const char *message);

/* Appends a header line ("Name: value"). */
void	 request_add_header(struct request *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/* Writes the response and frees everything the request held. */
void	 request_finish(struct request *);

#endif
