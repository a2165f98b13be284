#include <sys/socket.h>
#include <sys/time.h>

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "request.h"

static const char *
request_param(struct request *req, const char *name)
{
	return FCGX_GetParam(name, req->fcgi->envp);
}

/*
 * A header sent more than once reaches us as one parameter per copy
 * from nginx before 1.23, and FCGX_GetParam() finds only the first; join
 * them into one list as HTTP (RFC 9110, 5.3), Apache and later nginx do.
 * "Origin: good" then "Origin: evil" is the origin "good, evil", which
 * no allowed origin equals.
 */
static const char *
request_header(struct request *req, const char *name)
{
	const char	*value = NULL;
	char		**p;
	size_t		 len = strlen(name);

	for (p = req->fcgi->envp; p != NULL && *p != NULL; p++) {
		if (strncmp(*p, name, len) != 0 || (*p)[len] != '=')
			continue;
		if (value == NULL)
			value = *p + len + 1;
		else if ((value = arena_printf(&req->arena, "%s, %s", value,
		    *p + len + 1)) == NULL)
			return "";	/* present, and matches nothing */
	}
	return value;
}

void
request_start(struct request *req, FCGX_Request *fcgi, unsigned long n)
{
	static unsigned long	 pid;
	const char		*uri, *query, *length;
	char			*end;

	/* A worker never forks: its pid is asked once, not per request. */
	if (pid == 0)
		pid = (unsigned long)getpid();
	req->fcgi = fcgi;
	snprintf(req->id, sizeof(req->id), "%lx-%lu", pid, n);
	log_set_request_id(req->id);
	req->method = request_param(req, "REQUEST_METHOD");
	if (req->method == NULL)
		req->method = "GET";
	/* REQUEST_URI is the raw path as sent: ids are matched undecoded. */
	uri = request_param(req, "REQUEST_URI");
	if (uri == NULL)
		uri = request_param(req, "DOCUMENT_URI");
	if (uri == NULL)
		uri = "/";
	if ((req->path = arena_strndup(&req->arena, uri,
	    strcspn(uri, "?#"))) == NULL) {
		req->oom = 1;
		req->path = "";
	}
	query = uri + strcspn(uri, "?#");
	req->query = "";
	if (*query == '?' && (req->query = arena_strndup(&req->arena,
	    query + 1, strcspn(query + 1, "#"))) == NULL) {
		req->oom = 1;
		req->query = "";
	}
	req->content_type = request_param(req, "CONTENT_TYPE");
	req->cookie = request_param(req, "HTTP_COOKIE");
	req->origin = request_header(req, "HTTP_ORIGIN");
	req->user_agent = request_param(req, "HTTP_USER_AGENT");
	req->remote_addr = request_param(req, "REMOTE_ADDR");
	if (req->remote_addr == NULL)
		req->remote_addr = "unknown";
	req->content_length = -1;
	length = request_param(req, "CONTENT_LENGTH");
	if (length != NULL && *length != '\0') {
		req->content_length = strtol(length, &end, 10);
		if (*end != '\0' || req->content_length < 0)
			req->content_length = REQUEST_BODY_MAX + 1;
	}
	req->status = 500;
}

static volatile sig_atomic_t	 request_late;

static void
request_alarm(int sig)
{
	(void)sig;
	request_late = 1;
}

/*
 * The body's deadline: mod_proxy_fcgi passes a body through as it
 * arrives (nginx buffers it first), so a client that trickles one would
 * hold this worker, and a few such clients the whole pool.  An interval
 * timer bounds the whole read: SIGALRM, without SA_RESTART, interrupts
 * the read(2) libfcgi is blocked in, and libfcgi then closes the
 * stream.  A signal that comes while no read(2) is blocked (libfcgi
 * between two records) interrupts nothing, so past the deadline it comes
 * again every 100 ms until the read stops.  seconds 0 disarms it.
 */
static void
request_deadline(struct request *req, int seconds)
{
	struct sigaction	 sa;
	struct itimerval	 timer;

	memset(&sa, 0, sizeof(sa));
	sigemptyset(&sa.sa_mask);
	sa.sa_handler = request_alarm;
	if (seconds > 0) {
		request_late = 0;
		(void)sigaction(SIGALRM, &sa, NULL);
	}
	memset(&timer, 0, sizeof(timer));
	timer.it_value.tv_sec = seconds;
	if (seconds > 0)
		timer.it_interval.tv_usec = 100000;
	(void)setitimer(ITIMER_REAL, &timer, NULL);
}

/* FCGX_GetStr() within the body's deadline; -1 (req->dropped) when the
 * deadline passed first. */
static int
request_get(struct request *req, char *buf, int n)
{
	int	 got;

	if (req->body_timeout > 0)
		request_deadline(req, req->body_timeout);
	got = FCGX_GetStr(buf, n, req->fcgi->in);
	if (req->body_timeout > 0) {
		request_deadline(req, 0);
		if (request_late) {
			log_warn("the body took longer than %d s: dropped",
			    req->body_timeout);
			req->dropped = 1;
			return -1;
		}
	}
	return got;
}

enum at_error
request_read_body(struct request *req, char **body, size_t *len)
{
	char	*buf;
	int	 got;

	*body = NULL;
	*len = 0;
	if (req->content_length == 0)
		return AT_OK;
	if (req->content_length > REQUEST_BODY_MAX)
		return AT_ETOOLARGE;
	if (req->content_length < 0) {
		/* No CONTENT_LENGTH (a chunked body through Apache): read to
		 * the end of the stream, one byte past the limit at most. */
		buf = arena_alloc(&req->arena, REQUEST_BODY_MAX + 2);
		if (buf == NULL)
			return AT_ENOMEM;
		if ((got = request_get(req, buf, REQUEST_BODY_MAX + 1)) < 0)
			return AT_EINVALID;
		if (got > REQUEST_BODY_MAX)
			return AT_ETOOLARGE;
		if (got <= 0)
			return AT_OK;
	} else {
		buf = arena_alloc(&req->arena, (size_t)req->content_length + 1);
		if (buf == NULL)
			return AT_ENOMEM;
		got = request_get(req, buf, (int)req->content_length);
		if (got != req->content_length)
			return AT_EINVALID;
	}
	buf[got] = '\0';
	*body = buf;
	*len = (size_t)got;
	return AT_OK;
}

enum at_error
request_check_ids(struct request *req)
{
	char	 segment[HTTP_UUID_SIZE + 1];
	size_t	 i, len;

	for (i = 0; i < REQUEST_PARAMS_MAX && req->raw_params[i] != NULL;
	    i++) {
		len = strcspn(req->raw_params[i], "/");
		if (len >= sizeof(segment))
			return AT_ENOTFOUND;
		memcpy(segment, req->raw_params[i], len);
		segment[len] = '\0';
		if (!http_uuid(segment, req->params[i]))
			return AT_ENOTFOUND;
	}
	return AT_OK;
}

void
request_reply(struct request *req, int status, const char *json)
{
	req->status = status;
	req->response = json;
	if (json == NULL && status != 204)
		req->oom = 1;
}

/*
 * Twice is never: nginx's stock fastcgi_params sends REMOTE_USER as
 * $remote_user, which a client's own "Authorization: Basic" header
 * fills in, and a "fastcgi_param REMOTE_USER $user;" after it sends a
 * second copy, of which FCGX_GetParam() would find the client's.
 */
const char *
request_server_param(struct request *req, const char *name)
{
	const char	*value = NULL;
	char		**p;
	size_t		 len = strlen(name);

	if (http_param_is_header(name))
		return NULL;
	for (p = req->fcgi->envp; p != NULL && *p != NULL; p++) {
		if (strncmp(*p, name, len) != 0 || (*p)[len] != '=')
			continue;
		if (value != NULL) {
			log_warn("%s sent twice: taken as none", name);
			return NULL;
		}
		value = *p + len + 1;
	}
	return value;
}

void
request_redirect(struct request *req, const char *location)
{
	req->status = 302;
	req->response = NULL;
	/* NULL: the caller's allocation of it failed. */
	if (location == NULL || (req->location = arena_strndup(&req->arena,
	    location, strlen(location))) == NULL)
		req->oom = 1;
}

void
request_fail(struct request *req, enum at_error error, const char *message)
{
	req->status = error_http_status(error);
	req->response = NULL;
	req->error = error_code(error);
	/* A bug's details stay in the log, never in the answer. */
	if (message == NULL || req->status == 500)
		message = error_string(error);
	req->message = message;
}

void
request_add_header(struct request *req, const char *fmt, ...)
{
	va_list	 ap;
	char	 line[512];

	va_start(ap, fmt);
	vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	req->headers = arena_printf(&req->arena, "%s%s\r\n",
	    req->headers != NULL ? req->headers : "", line);
	if (req->headers == NULL)
		req->oom = 1;
}

/* The web server closed the connection under a streamed response. */
static enum at_error
request_stream_lost(struct request *req)
{
	log_warn("%s %s: the web server closed the connection after %zu "
	    "bytes of the body", req->method, req->path, req->sent);
	return AT_EINTERNAL;
}

/* {"error": {"code": ..., "message": ...}}, escaped by json-c. */
static const char *
request_error_body(struct request *req)
{
	json_object	*root, *error;
	const char	*text = NULL;

	root = json_object_new_object();
	error = json_object_new_object();
	if (root == NULL || error == NULL) {
		json_object_put(root);
		json_object_put(error);
		return "{\"error\":{\"code\":\"internal\","
		    "\"message\":\"out of memory\"}}";
	}
	json_object_object_add(error, "code",
	    json_object_new_string(req->error));
	json_object_object_add(error, "message",
	    json_object_new_string(req->message));
	json_object_object_add(root, "error", error);
	text = json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN);
	text = arena_strndup(&req->arena, text, strlen(text));
	json_object_put(root);
	return text != NULL ? text : "{}";
}

/* The status line and the headers; content_type NULL for no body. */
static void
request_write_head(struct request *req, const char *content_type)
{
	FCGX_FPrintF(req->fcgi->out, "Status: %d %s\r\n", req->status,
	    http_reason(req->status));
	if (content_type != NULL)
		FCGX_FPrintF(req->fcgi->out, "Content-Type: %s\r\n",
		    content_type);
	FCGX_PutS("Cache-Control: no-store\r\n", req->fcgi->out);
	if (req->location != NULL)
		FCGX_FPrintF(req->fcgi->out, "Location: %s\r\n",
		    req->location);
	if (req->headers != NULL)
		FCGX_PutS(req->headers, req->fcgi->out);
	FCGX_PutS("\r\n", req->fcgi->out);
}

enum at_error
request_stream_start(struct request *req, int status,
    const char *content_type)
{
	if (req->oom)
		return AT_ENOMEM;
	req->status = status;
	req->streamed = 1;
	request_write_head(req, content_type);
	return FCGX_GetError(req->fcgi->out) == 0 ? AT_OK :
	    request_stream_lost(req);
}

enum at_error
request_stream_write(struct request *req, const char *data, size_t len)
{
	/* A line is a PostgreSQL value: 1 GB at most, an int. */
	if (FCGX_PutStr(data, (int)len, req->fcgi->out) != (int)len)
		return request_stream_lost(req);
	req->sent += len;
	return AT_OK;
}

void
request_stream_cut(struct request *req, enum at_error why)
{
	/* A FastCGI record header of version 0: no web server takes it. */
	static const char	 broken[8];
	int			 fd = req->fcgi->ipcFd;

	log_error("%s %s: cut after %zu bytes of the body: %s", req->method,
	    req->path, req->sent, error_string(why));
	/*
	 * A web server without fastcgi_keep_conn takes the end of the
	 * connection for the end of the response (nginx does), so a close
	 * alone would end a short file as a complete one.  What was
	 * written goes out, then a record the web server must refuse (nginx
	 * then closes the client's connection without the chunked body's
	 * last chunk: the download fails), then the connection is shut for
	 * writing, so that libfcgi's end of request never gets through.
	 * libfcgi has no call for any of this; ipcFd is its connection.
	 */
	(void)FCGX_FFlush(req->fcgi->out);
	if (fd < 0)
		return;
	if (write(fd, broken, sizeof(broken)) != (ssize_t)sizeof(broken))
		log_warn("cutting the response: %s", strerror(errno));
	if (shutdown(fd, SHUT_WR) == -1)
		log_warn("shutting the connection: %s", strerror(errno));
}

void
request_finish(struct request *req)
{
	const char	*body;

	if (req->dropped) {
		log_info("%s %s: dropped", req->method, req->path);
		goto out;
	}
	if (req->streamed) {
		log_debug("%s %s: %d, %zu bytes streamed", req->method,
		    req->path, req->status, req->sent);
		goto out;
	}
	if (req->oom) {
		req->headers = NULL;
		req->location = NULL;
		request_fail(req, AT_ENOMEM, NULL);
	}
	body = req->response;
	if (req->error != NULL)
		body = request_error_body(req);
	request_write_head(req, body != NULL ?
	    "application/json; charset=utf-8" : NULL);
	if (body != NULL && req->status != 204)
		FCGX_PutS(body, req->fcgi->out);
	if (req->status >= 500)
		log_error("%s %s: %d %s", req->method, req->path, req->status,
		    req->message != NULL ? req->message : "");
	else
		log_debug("%s %s: %d", req->method, req->path, req->status);
out:

	json_object_put(req->body);
	arena_reset(&req->arena);
	log_set_request_id(NULL);
	/* Keep the arena's first chunk for the next request. */
	{
		struct arena	 keep = req->arena;

		memset(req, 0, sizeof(*req));
		req->arena = keep;
	}
}
