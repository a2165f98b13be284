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
#include "error.h"
#include "field.h"
#include "http.h"
#include "store.h"

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
	const char	*query;		/* after the '?', or "" */
	const char	*content_type;
	const char	*cookie;
	const char	*origin;	/* copies sent joined, in the arena */
	const char	*remote_addr;
	const char	*user_agent;	/* NULL when absent */
	long		 content_length;	/* -1 when absent */
	int		 body_timeout;	/* seconds the body may take */

	/* Filled by the pipeline before a handler runs. */
	char		 params[REQUEST_PARAMS_MAX][HTTP_UUID_SIZE];
	const char	*raw_params[REQUEST_PARAMS_MAX];	/* into path */
	json_object	*body;		/* the parsed object, or NULL */
	struct field_value fields[FIELD_MAX];	/* by the route's table */
	const struct store_reader *read;	/* the route's, if any */
	char		 user_id[HTTP_UUID_SIZE];	/* "" until known */
	enum request_role role;
	char		 sid_hash[80];	/* hex bytea of the sid's hash */
	int		 oom;		/* an allocation failed: answer 500 */
	int		 dropped;	/* answered with nothing at all */
	int		 streamed;	/* by request_stream_start() */
	size_t		 sent;		/* bytes of a streamed body */

	/* The response. */
	int		 status;
	const char	*headers;	/* extra header lines, arena */
	const char	*location;	/* a redirect's, arena */
	const char	*response;	/* JSON text, or NULL for none */
	const char	*error;		/* an error's contract code, or NULL */
	const char	*message;	/* and its message */
};

/*
 * Reads the parameters of an accepted FastCGI request.  A failed
 * allocation here, or later in request_add_header(), sets req->oom: the
 * answer is then a 500, never a response missing a header.
 */
void	 request_start(struct request *, FCGX_Request *, unsigned long n);

/*
 * Reads the body (up to REQUEST_BODY_MAX) into *body, NUL-terminated, in
 * the arena.  AT_ETOOLARGE when larger; AT_EINVALID when shorter than
 * CONTENT_LENGTH said.  A body that takes longer than body_timeout
 * seconds in all is AT_EINVALID with req->dropped set: the request gets
 * no answer and the worker is free for the next one.
 */
enum at_error	 request_read_body(struct request *, char **body, size_t *len)
		    AT_MUSTCHECK;

/*
 * Checks the ids of the path (raw_params) and copies them, lowercase, to
 * params.  AT_ENOTFOUND when one is not a UUID: an id that cannot exist
 * is an unknown one.  Before any query, after the body's fields.
 */
enum at_error	 request_check_ids(struct request *) AT_MUSTCHECK;

/* Sets a JSON response; json NULL (a failed allocation) is answered 500,
 * except for a 204, which has no body. */
void	 request_reply(struct request *, int status, const char *json);

/*
 * A parameter the web server itself set (REMOTE_USER, or a variable of
 * its authentication module), NULL when absent or sent more than once.
 * Never a request header: those arrive as HTTP_<NAME>, which any client
 * can send.
 */
const char	*request_server_param(struct request *, const char *name);

/* Answers 302 to location (a path of this site, already safe to send);
 * NULL, a failed allocation, is answered 500. */
void	 request_redirect(struct request *, const char *location);

/* Sets an error response; message NULL means the default sentence. */
void	 request_fail(struct request *, enum at_error, const char *message);

/* Appends a header line ("Name: value"). */
void	 request_add_header(struct request *, const char *fmt, ...)
	    __attribute__((format(printf, 2, 3)));

/*
 * A response sent as it is made, for a body too large to hold (the CSV
 * export): request_stream_start() sends the status line, the headers
 * added so far and content_type at once; request_stream_write() sends
 * body bytes (libfcgi passes them on in records as its buffer fills).
 * Nothing sent can be taken back: a failure after the start is
 * request_stream_cut(), which logs why and cuts the connection to the
 * web server before FastCGI's end of request, so that the client sees a
 * failed download (nginx ends the response without its last chunk),
 * never a short one that looks complete.  Both return AT_ENOMEM when an
 * allocation of the request failed before the start (nothing was sent:
 * answer 500), AT_EINTERNAL when the web server is gone (logged).
 * request_finish() then adds nothing.
 */
enum at_error	 request_stream_start(struct request *, int status,
		    const char *content_type) AT_MUSTCHECK;
enum at_error	 request_stream_write(struct request *, const char *data,
		    size_t len) AT_MUSTCHECK;
void		 request_stream_cut(struct request *, enum at_error why);

/* Writes the response and frees everything the request held. */
void	 request_finish(struct request *);

#endif
