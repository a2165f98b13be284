/*
 * The helpers of api_support.h: libcurl over nginx's unix socket, json-c
 * for the bodies, libpq for the fixtures, hiredis for the events.
 * Criterion runs every test in a process of its own, so the per-process
 * state here (the database connection) belongs to one test.
 */
#include <ctype.h>
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <curl/curl.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

#include "api_support.h"
#include "events.h"

#define API_BASE_URL		"http://localhost"
#define API_TIMEOUT_SECONDS	30L
#define API_HEADERS_MAX		16
#define API_TOKEN_WAIT_MS	2000

struct api_client {
	CURL	*curl;
	char	 error[CURL_ERROR_SIZE];
};

struct api_buf {
	char	*data;
	size_t	 len;
};

struct api_events {
	redisContext	*redis;
};

static PGconn	*api_conn;
static int	 api_initialized;

static void
api_cleanup(void)
{
	PQfinish(api_conn);
	api_conn = NULL;
	curl_global_cleanup();
}

/* Once per test process: libcurl, libsodium, and their cleanup. */
static void
api_init(void)
{
	if (api_initialized)
		return;
	cr_assert(curl_global_init(CURL_GLOBAL_DEFAULT) == CURLE_OK);
	cr_assert(sodium_init() >= 0, "sodium_init failed");
	cr_assert(atexit(api_cleanup) == 0);
	api_initialized = 1;
}

static const char *
api_env(const char *name)
{
	const char	*v = getenv(name);

	cr_assert(v != NULL && *v != '\0', "%s is not set: run the suite "
	    "through tests/api/api.sh (make check)", name);
	return v;
}

static long long
api_now_ms(void)
{
	struct timespec	 ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (long long)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
api_printf(const char *fmt, ...)
{
	char	*s;
	va_list	 ap;
	int	 n;

	va_start(ap, fmt);
	n = vasprintf(&s, fmt, ap);
	va_end(ap);
	cr_assert(n >= 0, "vasprintf failed");
	return s;
}

void
api_unique(const char *prefix, char *out, size_t size)
{
	static unsigned	 counter;

	api_init();
	snprintf(out, size, "%.32s-%ld-%u-%04x", prefix, (long)getpid(),
	    counter++, (unsigned)randombytes_uniform(0x10000));
}

char *
api_repeat(const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*out = malloc(len * n + 1);

	cr_assert(out != NULL);
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

void
api_uppercase(char *s)
{
	for (; *s != '\0'; s++)
		*s = (char)toupper((unsigned char)*s);
}

/* --- HTTP ----------------------------------------------------------- */

#define API_SETOPT(c, opt, val) \
	cr_assert(curl_easy_setopt((c), (opt), (val)) == CURLE_OK, #opt)

static size_t	api_on_body(char *, size_t, size_t, void *);
static size_t	api_on_header(char *, size_t, size_t, void *);

/*
 * The options every request of the client shares.  The handle is never
 * reset (curl_easy_reset() would leak the cookie file list and could stop
 * the cookie engine): api_request_raw() sets every option that varies.
 */
struct api_client *
api_client_new(void)
{
	struct api_client	*c;

	api_init();
	c = calloc(1, sizeof(*c));
	cr_assert(c != NULL);
	c->curl = curl_easy_init();
	cr_assert(c->curl != NULL, "curl_easy_init failed");
	/* The in-memory cookie engine of this handle: the client's jar. */
	API_SETOPT(c->curl, CURLOPT_COOKIEFILE, "");
	API_SETOPT(c->curl, CURLOPT_UNIX_SOCKET_PATH,
	    api_env("ATTENDANCE_TEST_HTTP_SOCKET"));
	API_SETOPT(c->curl, CURLOPT_NOSIGNAL, 1L);
	API_SETOPT(c->curl, CURLOPT_TIMEOUT, API_TIMEOUT_SECONDS);
	API_SETOPT(c->curl, CURLOPT_ERRORBUFFER, c->error);
	API_SETOPT(c->curl, CURLOPT_WRITEFUNCTION, api_on_body);
	API_SETOPT(c->curl, CURLOPT_HEADERFUNCTION, api_on_header);
	return c;
}

void
api_client_free(struct api_client *c)
{
	if (c == NULL)
		return;
	curl_easy_cleanup(c->curl);
	free(c);
}

static void
api_buf_append(struct api_buf *b, const char *data, size_t len)
{
	char	*grown;

	grown = realloc(b->data, b->len + len + 1);
	cr_assert(grown != NULL);
	memcpy(grown + b->len, data, len);
	b->len += len;
	grown[b->len] = '\0';
	b->data = grown;
}

static size_t
api_on_body(char *data, size_t size, size_t nmemb, void *arg)
{
	api_buf_append(arg, data, size * nmemb);
	return size * nmemb;
}

static size_t
api_on_header(char *data, size_t size, size_t nmemb, void *arg)
{
	struct api_buf	*b = arg;
	size_t		 len = size * nmemb;

	/* A new status line (after a 100 Continue): a new header block. */
	if (len >= 5 && strncmp(data, "HTTP/", 5) == 0)
		b->len = 0;
	api_buf_append(b, data, len);
	return len;
}

static json_object *
api_parse(const char *text, size_t len)
{
	json_tokener	*tok;
	json_object	*obj;

	if (len == 0)
		return NULL;
	tok = json_tokener_new();
	cr_assert(tok != NULL);
	obj = json_tokener_parse_ex(tok, text, (int)len);
	if (json_tokener_get_error(tok) != json_tokener_success ||
	    json_tokener_get_parse_end(tok) != len) {
		json_object_put(obj);
		obj = NULL;
	}
	json_tokener_free(tok);
	return obj;
}

void
api_request_raw(struct api_client *c, const char *method, const char *path,
    const char *content_type, const char *body, size_t body_len,
    const char *const *headers, struct api_response *out)
{
	struct curl_slist	*list = NULL, *grown;
	struct api_buf		 head = { NULL, 0 }, resp = { NULL, 0 };
	char			*url = NULL, *line = NULL;
	CURLcode		 rc;
	size_t			 i;

	memset(out, 0, sizeof(*out));
	url = api_printf("%s%s", API_BASE_URL, path);
	API_SETOPT(c->curl, CURLOPT_URL, url);
	API_SETOPT(c->curl, CURLOPT_WRITEDATA, &resp);
	API_SETOPT(c->curl, CURLOPT_HEADERDATA, &head);

	/* Only what the caller asks for: no Expect, no default type. */
	list = curl_slist_append(list, "Expect:");
	cr_assert(list != NULL);
	line = content_type != NULL ?
	    api_printf("Content-Type: %s", content_type) :
	    api_printf("Content-Type:");
	grown = curl_slist_append(list, line);
	cr_assert(grown != NULL);
	list = grown;
	for (i = 0; headers != NULL && headers[i] != NULL; i++) {
		grown = curl_slist_append(list, headers[i]);
		cr_assert(grown != NULL);
		list = grown;
	}
	API_SETOPT(c->curl, CURLOPT_HTTPHEADER, list);

	/* A plain GET (HTTPGET last: setting POSTFIELDS makes a POST; it
	 * also clears NOBODY), then what differs. */
	API_SETOPT(c->curl, CURLOPT_POSTFIELDS, NULL);
	API_SETOPT(c->curl, CURLOPT_POSTFIELDSIZE_LARGE, (curl_off_t)-1);
	API_SETOPT(c->curl, CURLOPT_CUSTOMREQUEST, NULL);
	API_SETOPT(c->curl, CURLOPT_HTTPGET, 1L);
	if (strcmp(method, "HEAD") == 0)
		API_SETOPT(c->curl, CURLOPT_NOBODY, 1L);
	else if (strcmp(method, "GET") != 0 || body != NULL) {
		API_SETOPT(c->curl, CURLOPT_CUSTOMREQUEST, method);
		if (body != NULL) {
			API_SETOPT(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)body_len);
			API_SETOPT(c->curl, CURLOPT_POSTFIELDS, body);
		} else if (strcmp(method, "POST") == 0 ||
		    strcmp(method, "PUT") == 0 ||
		    strcmp(method, "PATCH") == 0) {
			API_SETOPT(c->curl, CURLOPT_POSTFIELDSIZE_LARGE,
			    (curl_off_t)0);
			API_SETOPT(c->curl, CURLOPT_POSTFIELDS, "");
		}
	}

	c->error[0] = '\0';
	rc = curl_easy_perform(c->curl);
	cr_assert(rc == CURLE_OK, "%s %s: %s (%s)", method, path,
	    curl_easy_strerror(rc), c->error);
	cr_assert(curl_easy_getinfo(c->curl, CURLINFO_RESPONSE_CODE,
	    &out->status) == CURLE_OK);
	if (head.data == NULL)
		api_buf_append(&head, "", 0);
	if (resp.data == NULL)
		api_buf_append(&resp, "", 0);
	out->headers = head.data;
	out->body = resp.data;
	out->json = api_parse(resp.data, resp.len);

	/* The handle must not keep pointers to what is freed here. */
	API_SETOPT(c->curl, CURLOPT_HTTPHEADER, NULL);
	API_SETOPT(c->curl, CURLOPT_POSTFIELDS, NULL);
	API_SETOPT(c->curl, CURLOPT_WRITEDATA, NULL);
	API_SETOPT(c->curl, CURLOPT_HEADERDATA, NULL);
	curl_slist_free_all(list);
	free(line);
	free(url);
}

void
api_request(struct api_client *c, const char *method, const char *path,
    const char *body, struct api_response *out)
{
	const char	*headers[2] = { NULL, NULL };
	char		*origin = NULL;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		origin = api_printf("Origin: %s",
		    api_env("ATTENDANCE_TEST_ORIGIN"));
		headers[0] = origin;
	}
	api_request_raw(c, method, path,
	    body != NULL ? "application/json" : NULL, body,
	    body != NULL ? strlen(body) : 0, headers, out);
	free(origin);
}

void
api_response_free(struct api_response *r)
{
	if (r == NULL)
		return;
	free(r->headers);
	free(r->body);
	json_object_put(r->json);
	memset(r, 0, sizeof(*r));
}

char *
api_header(const struct api_response *r, const char *name)
{
	const char	*p = r->headers, *eol, *v;
	size_t		 namelen = strlen(name), len;
	char		*value;

	while (p != NULL && *p != '\0') {
		eol = strstr(p, "\r\n");
		if (eol == NULL)
			eol = p + strlen(p);
		if ((size_t)(eol - p) > namelen && p[namelen] == ':' &&
		    strncasecmp(p, name, namelen) == 0) {
			v = p + namelen + 1;
			while (v < eol && (*v == ' ' || *v == '\t'))
				v++;
			len = (size_t)(eol - v);
			while (len > 0 && (v[len - 1] == ' ' ||
			    v[len - 1] == '\t'))
				len--;
			value = strndup(v, len);
			cr_assert(value != NULL);
			return value;
		}
		p = *eol != '\0' ? eol + 2 : eol;
	}
	return NULL;
}

void
api_assert_error(const struct api_response *r, long status,
    const char *code)
{
	json_object	*err;

	cr_assert_eq(r->status, status, "status %ld, expected %ld (%s): %s",
	    r->status, status, code, r->body);
	cr_assert(r->json != NULL && json_object_is_type(r->json,
	    json_type_object), "error body is not a JSON object: %s",
	    r->body);
	cr_assert_eq(json_object_object_length(r->json), 1,
	    "error body has other members: %s", r->body);
	err = api_json_get(r->json, "error");
	cr_assert(err != NULL && json_object_is_type(err, json_type_object),
	    "no error object: %s", r->body);
	cr_assert_str_eq(api_json_string(err, "code"), code, "body: %s",
	    r->body);
	cr_assert(strlen(api_json_string(err, "message")) > 0,
	    "empty message: %s", r->body);
}

void
api_reqf(struct api_client *c, const char *method, const char *body,
    struct api_response *r, const char *fmt, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_response_free(r);
	api_request(c, method, path, body, r);
}

void
api_reqf_nobody(struct api_client *c, const char *method,
    struct api_response *r, const char *fmt, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_response_free(r);
	api_request_raw(c, method, path, NULL, NULL, 0, NULL, r);
}

void
api_reqf_raw(struct api_client *c, const char *method, const char *type,
    const char *body, const char *const *headers, struct api_response *r,
    const char *fmt, ...)
{
	char	 path[512];
	va_list	 ap;

	va_start(ap, fmt);
	vsnprintf(path, sizeof(path), fmt, ap);
	va_end(ap);
	api_response_free(r);
	api_request_raw(c, method, path, type, body,
	    body != NULL ? strlen(body) : 0, headers, r);
}

void
api_expect_status(const struct api_response *r, long status)
{
	cr_assert_eq(r->status, status, "HTTP %ld, wanted %ld: %s", r->status,
	    status, r->body != NULL ? r->body : "");
	cr_assert(r->json != NULL, "no JSON body: %s",
	    r->body != NULL ? r->body : "");
}

void
api_expect_error(struct api_client *c, const char *method, const char *path,
    const char *body, long status, const char *code)
{
	struct api_response	 r;

	api_request(c, method, path, body, &r);
	cr_assert_eq(r.status, status, "%s %s %s: %ld, expected %ld %s: %s",
	    method, path, body != NULL ? body : "", r.status, status, code,
	    r.body);
	api_assert_error(&r, status, code);
	api_response_free(&r);
}

void
api_expect_item_error(struct api_client *c, const char *path,
    const char *patch_body, long status, const char *code)
{
	api_expect_error(c, "GET", path, NULL, status, code);
	api_expect_error(c, "PATCH", path, patch_body, status, code);
	api_expect_error(c, "DELETE", path, NULL, status, code);
}

void
api_assert_allow(const struct api_response *r, const char *methods,
    const char *refused)
{
	char		*allow, tok[16];
	const char	*p = methods;
	size_t		 len;

	api_assert_error(r, 405, "method_not_allowed");
	allow = api_header(r, "Allow");
	cr_assert(allow != NULL, "405 without Allow: %s", r->headers);
	while (*p != '\0') {
		len = strcspn(p, " ");
		cr_assert(len < sizeof(tok));
		memcpy(tok, p, len);
		tok[len] = '\0';
		cr_assert(strstr(allow, tok) != NULL, "Allow: %s lacks %s",
		    allow, tok);
		p += len;
		while (*p == ' ')
			p++;
	}
	cr_assert(strstr(allow, refused) == NULL, "Allow: %s lists %s",
	    allow, refused);
	free(allow);
}

/* --- JSON ----------------------------------------------------------- */

/*
 * Walks a dotted path; *found says whether the last member exists (its
 * value may be NULL for a JSON null).
 */
static json_object *
api_json_walk(json_object *obj, const char *path, int *found)
{
	char		 part[128];
	const char	*p = path, *dot;
	size_t		 len;
	json_object	*cur = obj, *next;
	char		*end;
	long		 idx;

	*found = 1;
	if (*p == '\0')
		return obj;
	while (*found) {
		dot = strchr(p, '.');
		len = dot != NULL ? (size_t)(dot - p) : strlen(p);
		cr_assert(len < sizeof(part), "path part too long: %s", path);
		memcpy(part, p, len);
		part[len] = '\0';
		next = NULL;
		if (json_object_is_type(cur, json_type_object))
			*found = json_object_object_get_ex(cur, part, &next);
		else if (json_object_is_type(cur, json_type_array)) {
			idx = strtol(part, &end, 10);
			*found = *end == '\0' && end != part && idx >= 0 &&
			    (size_t)idx < json_object_array_length(cur);
			if (*found)
				next = json_object_array_get_idx(cur,
				    (size_t)idx);
		} else
			*found = 0;
		if (!*found || dot == NULL)
			return *found ? next : NULL;
		cur = next;
		p = dot + 1;
	}
	return NULL;
}

json_object *
api_json_get(json_object *obj, const char *path)
{
	int	 found;

	return api_json_walk(obj, path, &found);
}

int
api_json_has(json_object *obj, const char *path)
{
	int	 found;

	(void)api_json_walk(obj, path, &found);
	return found;
}

const char *
api_json_string(json_object *obj, const char *path)
{
	json_object	*v = api_json_get(obj, path);

	cr_assert(v != NULL && json_object_is_type(v, json_type_string),
	    "%s is not a string in %s", path,
	    obj != NULL ? json_object_to_json_string(obj) : "(null)");
	return json_object_get_string(v);
}

long long
api_json_int(json_object *obj, const char *path)
{
	json_object	*v = api_json_get(obj, path);

	cr_assert(v != NULL && json_object_is_type(v, json_type_int),
	    "%s is not an integer in %s", path,
	    obj != NULL ? json_object_to_json_string(obj) : "(null)");
	return (long long)json_object_get_int64(v);
}

int
api_json_bool(json_object *obj, const char *path)
{
	json_object	*v = api_json_get(obj, path);

	cr_assert(v != NULL && json_object_is_type(v, json_type_boolean),
	    "%s is not a boolean in %s", path,
	    json_object_to_json_string(obj));
	return json_object_get_boolean(v);
}

void
api_assert_string_at(json_object *obj, const char *path, const char *want)
{
	cr_assert_str_eq(api_json_string(obj, path), want, "%s in %s", path,
	    json_object_to_json_string(obj));
}

void
api_assert_null(json_object *obj, const char *path)
{
	int		 found;
	json_object	*v = api_json_walk(obj, path, &found);

	cr_assert(found && v == NULL, "%s is not null (%s) in %s", path,
	    found ? json_object_to_json_string(v) : "missing",
	    obj != NULL ? json_object_to_json_string(obj) : "(null)");
}

void
api_assert_keys(json_object *obj, const char *path, const char *keys)
{
	json_object	*v = api_json_get(obj, path);
	const char	*p = keys;
	char		 key[64];
	size_t		 len, n = 0;

	cr_assert(v != NULL && json_object_is_type(v, json_type_object),
	    "%s is not an object in %s", *path != '\0' ? path : "body",
	    obj != NULL ? json_object_to_json_string(obj) : "(null)");
	while (*p != '\0') {
		while (*p == ' ')
			p++;
		len = strcspn(p, " ");
		if (len == 0)
			break;
		cr_assert(len < sizeof(key));
		memcpy(key, p, len);
		key[len] = '\0';
		cr_assert(json_object_object_get_ex(v, key, NULL),
		    "%s has no member %s: %s", *path != '\0' ? path : "body",
		    key, json_object_to_json_string(v));
		n++;
		p += len;
	}
	cr_assert_eq((size_t)json_object_object_length(v), n,
	    "%s has members other than {%s}: %s",
	    *path != '\0' ? path : "body", keys,
	    json_object_to_json_string(v));
}

/* Whether s matches pattern: '9' a digit, 'x' a lowercase hex digit,
 * anything else itself. */
static int
api_shape(const char *s, const char *pattern)
{
	for (; *pattern != '\0'; s++, pattern++) {
		if (*pattern == '9') {
			if (!isdigit((unsigned char)*s))
				return 0;
		} else if (*pattern == 'x') {
			if (!isdigit((unsigned char)*s) &&
			    !(*s >= 'a' && *s <= 'f'))
				return 0;
		} else if (*s != *pattern)
			return 0;
	}
	return *s == '\0';
}

void
api_assert_uuid(json_object *obj, const char *path)
{
	const char	*s = api_json_string(obj, path);

	cr_assert(api_shape(s, "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx"),
	    "%s is not a lowercase UUID: %s", path, s);
}

void
api_assert_timestamp(json_object *obj, const char *path)
{
	const char	*s = api_json_string(obj, path);

	cr_assert(api_shape(s, "9999-99-99T99:99:99.999Z"),
	    "%s is not an RFC 3339 UTC timestamp with milliseconds: %s",
	    path, s);
}

void
api_copy_id(char dst[API_ID_SIZE], json_object *obj, const char *path)
{
	api_assert_uuid(obj, path);
	snprintf(dst, API_ID_SIZE, "%s", api_json_string(obj, path));
}

/* --- fixtures ------------------------------------------------------- */

PGconn *
api_db(void)
{
	api_init();
	if (api_conn == NULL) {
		api_conn = PQconnectdb(api_env("ATTENDANCE_TEST_DATABASE"));
		cr_assert(api_conn != NULL &&
		    PQstatus(api_conn) == CONNECTION_OK, "database: %s",
		    PQerrorMessage(api_conn));
		PQsetNoticeProcessor(api_conn, NULL, NULL);
	}
	return api_conn;
}

#define API_PARAMS_MAX	16

static PGresult *
api_db_vexec(const char *sql, va_list ap)
{
	const char	*params[API_PARAMS_MAX], *p;
	int		 n = 0;
	PGresult	*res;

	while ((p = va_arg(ap, const char *)) != NULL) {
		cr_assert(n < API_PARAMS_MAX, "too many parameters");
		params[n++] = p;
	}
	res = PQexecParams(api_db(), sql, n, NULL, params, NULL, NULL, 0);
	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
	    PQresultErrorMessage(res));
	return res;
}

char *
api_db_value(const char *sql, ...)
{
	PGresult	*res;
	char		*value = NULL;
	va_list		 ap;

	va_start(ap, sql);
	res = api_db_vexec(sql, ap);
	va_end(ap);
	if (PQntuples(res) > 0 && PQnfields(res) > 0 &&
	    !PQgetisnull(res, 0, 0)) {
		value = strdup(PQgetvalue(res, 0, 0));
		cr_assert(value != NULL);
	}
	PQclear(res);
	return value;
}

long
api_db_long(const char *sql, ...)
{
	PGresult	*res;
	char		*end;
	long		 n;
	va_list		 ap;

	va_start(ap, sql);
	res = api_db_vexec(sql, ap);
	va_end(ap);
	cr_assert(PQntuples(res) > 0 && PQnfields(res) > 0 &&
	    !PQgetisnull(res, 0, 0), "%s: no value", sql);
	n = strtol(PQgetvalue(res, 0, 0), &end, 10);
	cr_assert(*end == '\0', "%s: not a number: %s", sql,
	    PQgetvalue(res, 0, 0));
	PQclear(res);
	return n;
}

void
api_user_create(const char *role, const char *prefix, char id[API_ID_SIZE],
    char username[80])
{
	char		 hash[crypto_pwhash_STRBYTES];
	char		*password, *email, *display;
	const char	*params[5];
	PGresult	*res;

	api_unique(prefix, username, 80);
	password = api_printf("pw-%s", username);
	email = api_printf("%s@example.edu", username);
	display = api_printf("Test %s", username);
	cr_assert(crypto_pwhash_str(hash, password, strlen(password),
	    crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN) == 0,
	    "crypto_pwhash_str failed");
	params[0] = role;
	params[1] = email;
	params[2] = username;
	params[3] = display;
	params[4] = hash;
	res = PQexecParams(api_db(), "INSERT INTO users (role, email, "
	    "username, display_name, password_hash) "
	    "VALUES ($1, $2, $3, $4, $5) RETURNING id", 5, NULL, params,
	    NULL, NULL, 0);
	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK, "insert user: %s",
	    PQresultErrorMessage(res));
	snprintf(id, API_ID_SIZE, "%s", PQgetvalue(res, 0, 0));
	PQclear(res);
	free(display);
	free(email);
	free(password);
}

struct api_client *
api_login(const char *username, const char *password)
{
	struct api_client	*c = api_client_new();
	struct api_response	 r;
	json_object		*body = json_object_new_object();

	cr_assert(body != NULL);
	json_object_object_add(body, "login", json_object_new_string(username));
	json_object_object_add(body, "password",
	    json_object_new_string(password));
	api_request(c, "POST", "/api/auth/login",
	    json_object_to_json_string_ext(body, JSON_C_TO_STRING_PLAIN), &r);
	cr_assert_eq(r.status, 200, "login %s: %ld %s", username, r.status,
	    r.body);
	api_response_free(&r);
	json_object_put(body);
	return c;
}

struct api_client *
api_user_login(const char *role, const char *prefix, char id[API_ID_SIZE],
    char username[80])
{
	struct api_client	*c;
	char			*password;

	api_user_create(role, prefix, id, username);
	password = api_printf("pw-%s", username);
	c = api_login(username, password);
	free(password);
	return c;
}

struct api_client *
api_intruder(void)
{
	char	 id[API_ID_SIZE], username[80];

	return api_user_login("professor", "intruder", id, username);
}

struct api_client *
api_enrolled_student(struct api_client *professor, struct api_response *r,
    const char *group, const char *prefix, char id[API_ID_SIZE])
{
	struct api_client	*c;
	char			 username[80], body[128];

	c = api_user_login("student", prefix, id, username);
	snprintf(body, sizeof(body), "{\"student\": \"%s\"}", username);
	api_reqf(professor, "POST", body, r, "/api/groups/%s/enrollments",
	    group);
	api_expect_status(r, 201);
	return c;
}

struct api_race_thread {
	struct api_racer	*racer;
	pthread_barrier_t	*barrier;
};

static void *
api_racer_run(void *arg)
{
	struct api_race_thread	*t = arg;

	(void)pthread_barrier_wait(t->barrier);
	api_request(t->racer->client, t->racer->method, t->racer->path,
	    t->racer->body, &t->racer->res);
	return NULL;
}

void
api_race(struct api_racer *rs, size_t n)
{
	pthread_t		*th;
	struct api_race_thread	*ts;
	pthread_barrier_t	 barrier;
	size_t			 i;

	th = calloc(n, sizeof(*th));
	ts = calloc(n, sizeof(*ts));
	cr_assert(th != NULL && ts != NULL);
	cr_assert(pthread_barrier_init(&barrier, NULL, (unsigned)n) == 0);
	for (i = 0; i < n; i++) {
		memset(&rs[i].res, 0, sizeof(rs[i].res));
		ts[i].racer = &rs[i];
		ts[i].barrier = &barrier;
		cr_assert(pthread_create(&th[i], NULL, api_racer_run,
		    &ts[i]) == 0);
	}
	for (i = 0; i < n; i++)
		cr_assert(pthread_join(th[i], NULL) == 0);
	pthread_barrier_destroy(&barrier);
	free(ts);
	free(th);
}

void
api_create(struct api_client *c, const char *path, const char *body,
    const char *member, char id[API_ID_SIZE])
{
	struct api_response	 r;

	api_request(c, "POST", path, body, &r);
	cr_assert_eq(r.status, 201, "POST %s %s: %ld %s", path, body,
	    r.status, r.body);
	snprintf(id, API_ID_SIZE, "%s", api_json_string(r.json, member));
	api_response_free(&r);
}

void
api_class_create(struct api_class *cls, size_t nstudents,
    struct api_client **students, char (*student_ids)[API_ID_SIZE])
{
	char		 username[80], id[API_ID_SIZE], code[64];
	char		*path, *body, *password;
	size_t		 i;

	memset(cls, 0, sizeof(*cls));
	cls->professor = api_user_login("professor", "prof",
	    cls->professor_id, username);
	api_unique("C", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"Course %s\","
	    "\"term\":\"2026F\"}", code, code);
	api_create(cls->professor, "/api/courses", body, "course.id",
	    cls->course_id);
	free(body);
	path = api_printf("/api/courses/%s/groups", cls->course_id);
	api_create(cls->professor, path, "{\"name\":\"G1\"}", "group.id",
	    cls->group_id);
	free(path);

	path = api_printf("/api/groups/%s/enrollments", cls->group_id);
	for (i = 0; i < nstudents; i++) {
		api_user_create("student", "stu", id, username);
		body = api_printf("{\"student\":\"%s\"}", username);
		api_create(cls->professor, path, body, "enrollment.studentId",
		    id);
		free(body);
		if (student_ids != NULL)
			memcpy(student_ids[i], id, API_ID_SIZE);
		if (students != NULL) {
			password = api_printf("pw-%s", username);
			students[i] = api_login(username, password);
			free(password);
		}
	}
	free(path);
}

void
api_class_free(struct api_class *cls)
{
	if (cls == NULL)
		return;
	api_client_free(cls->professor);
	cls->professor = NULL;
}

void
api_fixture_new(struct api_fixture *f, size_t n)
{
	memset(f, 0, sizeof(*f));
	cr_assert(n <= API_FIXTURE_STUDENTS);
	f->n = n;
	api_class_create(&f->c, n, f->st, f->ids);
}

void
api_fixture_free(struct api_fixture *f)
{
	size_t	 i;

	if (f == NULL)
		return;
	for (i = 0; i < f->n; i++)
		api_client_free(f->st[i]);
	api_response_free(&f->r);
	api_class_free(&f->c);
}

void
api_start_session(struct api_fixture *f, const char *body,
    char session[API_ID_SIZE], char round[API_ID_SIZE])
{
	api_reqf(f->c.professor, "POST", body, &f->r,
	    "/api/groups/%s/sessions", f->c.group_id);
	api_expect_status(&f->r, 201);
	api_copy_id(session, f->r.json, "session.id");
	api_copy_id(round, f->r.json, "round.id");
}

void
api_end_session(struct api_fixture *f, const char *session)
{
	api_reqf_nobody(f->c.professor, "PATCH", &f->r,
	    "/api/sessions/%s/end", session);
	api_expect_status(&f->r, 200);
}

void
api_put_record(struct api_fixture *f, const char *session,
    const char *round, const char *student, const char *status)
{
	char	 body[64];

	snprintf(body, sizeof(body), "{\"status\": \"%s\"}", status);
	api_reqf(f->c.professor, "PUT", body, &f->r,
	    "/api/sessions/%s/rounds/%s/records/%s", session, round, student);
}

struct api_client *
api_other_group_student(struct api_fixture *f, char student[API_ID_SIZE])
{
	char	 group[API_ID_SIZE], body[128];

	snprintf(body, sizeof(body), "{\"name\": \"Other %s\"}",
	    f->c.group_id);
	api_reqf(f->c.professor, "POST", body, &f->r,
	    "/api/courses/%s/groups", f->c.course_id);
	api_expect_status(&f->r, 201);
	api_copy_id(group, f->r.json, "group.id");
	return api_enrolled_student(f->c.professor, &f->r, group, "other",
	    student);
}

void
api_new_round(struct api_client *professor, struct api_response *r,
    const char *session, char round[API_ID_SIZE])
{
	api_reqf_nobody(professor, "POST", r, "/api/sessions/%s/rounds",
	    session);
	api_expect_status(r, 201);
	api_copy_id(round, r->json, "round.id");
}

void
api_assert_round_state(json_object *round, long long number, int active)
{
	cr_assert_eq(api_json_int(round, "roundNumber"), number);
	cr_assert_eq(api_json_bool(round, "isActive"), active);
	api_assert_timestamp(round, "startsAt");
	if (active)
		api_assert_null(round, "endsAt");
	else
		api_assert_timestamp(round, "endsAt");
}

void
api_scan(struct api_client *c, const char *session, const char *round,
    const char *token, struct api_response *r)
{
	char	 body[512];
	int	 n;

	n = snprintf(body, sizeof(body), "{\"token\": \"%s\"}", token);
	cr_assert(n > 0 && (size_t)n < sizeof(body), "token too long");
	api_reqf(c, "POST", body, r, "/api/sessions/%s/rounds/%s/scan",
	    session, round);
}

/* --- events --------------------------------------------------------- */

struct redisContext *
api_redis_connect(void)
{
	struct events_auth	 auth;
	redisContext		*rc;
	FILE			*fp;
	const char		*why;
	char			 password[128];

	rc = redisConnectUnix(api_env("ATTENDANCE_TEST_REDIS_SOCKET"));
	cr_assert(rc != NULL && rc->err == 0, "redis: %s",
	    rc != NULL ? rc->errstr : "out of memory");
	fp = fopen(api_env("ATTENDANCE_TEST_REDIS_PASSWORD_FILE"), "r");
	cr_assert(fp != NULL && fgets(password, sizeof(password), fp) != NULL,
	    "ATTENDANCE_TEST_REDIS_PASSWORD_FILE");
	fclose(fp);
	password[strcspn(password, "\n")] = '\0';
	auth.user = "admin";
	auth.password = password;
	cr_assert(events_authenticate(rc, &auth, &why) == 0, "redis: %s", why);
	return rc;
}

struct api_events *
api_events_subscribe(const char *session_id)
{
	struct api_events	*ev;
	redisReply		*reply;

	api_init();
	ev = calloc(1, sizeof(*ev));
	cr_assert(ev != NULL);
	ev->redis = api_redis_connect();
	reply = redisCommand(ev->redis, "SUBSCRIBE attendance:session:%s",
	    session_id);
	cr_assert(reply != NULL, "SUBSCRIBE: %s", ev->redis->errstr);
	cr_assert(reply->type == REDIS_REPLY_ARRAY && reply->elements == 3 &&
	    reply->element[0]->type == REDIS_REPLY_STRING &&
	    strcmp(reply->element[0]->str, "subscribe") == 0,
	    "SUBSCRIBE was not confirmed");
	freeReplyObject(reply);
	return ev;
}

void
api_events_free(struct api_events *ev)
{
	if (ev == NULL)
		return;
	redisFree(ev->redis);
	free(ev);
}

/* A published message's event, or 0 for any other reply. */
static int
api_events_decode(redisReply *reply, char **name, json_object **data)
{
	json_object	*msg, *d = NULL;
	const char	*event;

	if (reply->type != REDIS_REPLY_ARRAY || reply->elements != 3 ||
	    reply->element[0]->type != REDIS_REPLY_STRING ||
	    strcmp(reply->element[0]->str, "message") != 0)
		return 0;
	cr_assert(reply->element[2]->type == REDIS_REPLY_STRING);
	msg = api_parse(reply->element[2]->str, reply->element[2]->len);
	cr_assert(msg != NULL && json_object_is_type(msg, json_type_object),
	    "event is not a JSON object: %s", reply->element[2]->str);
	event = api_json_string(msg, "event");
	cr_assert(json_object_object_get_ex(msg, "data", &d),
	    "event without data: %s", reply->element[2]->str);
	*name = strdup(event);
	cr_assert(*name != NULL);
	*data = json_object_get(d);
	json_object_put(msg);
	return 1;
}

int
api_events_next(struct api_events *ev, int timeout_ms, char **name,
    json_object **data)
{
	long long	 deadline = api_now_ms() + timeout_ms, left;
	void		*reply;
	struct pollfd	 pfd;
	int		 got = 0, n;

	*name = NULL;
	*data = NULL;
	for (;;) {
		reply = NULL;
		/* Replies already read come first: no wait for those. */
		cr_assert(redisReaderGetReply(ev->redis->reader, &reply) ==
		    REDIS_OK, "redis: protocol error");
		if (reply != NULL) {
			got = api_events_decode(reply, name, data);
			freeReplyObject(reply);
			if (got)
				break;
			continue;
		}
		left = deadline - api_now_ms();
		if (left <= 0)
			break;
		pfd.fd = ev->redis->fd;
		pfd.events = POLLIN;
		pfd.revents = 0;
		n = poll(&pfd, 1, (int)left);
		cr_assert(n >= 0 || errno == EINTR, "poll: %s",
		    strerror(errno));
		if (n > 0)
			cr_assert(redisBufferRead(ev->redis) == REDIS_OK,
			    "redis: %s", ev->redis->errstr);
	}
	return got;
}

void
api_events_expect_token(struct api_events *ev, const char *round_id,
    char *token, size_t size)
{
	long long	 deadline = api_now_ms() + API_TOKEN_WAIT_MS, left;
	char		*name;
	json_object	*data;
	int		 found = 0;

	while (!found) {
		left = deadline - api_now_ms();
		cr_assert(left > 0 && api_events_next(ev, (int)left, &name,
		    &data), "no round:qr-updated for round %s within %d ms",
		    round_id, API_TOKEN_WAIT_MS);
		if (strcmp(name, "round:qr-updated") == 0 &&
		    strcmp(api_json_string(data, "roundId"), round_id) == 0) {
			cr_assert(strlen(api_json_string(data, "token")) < size,
			    "token too long");
			snprintf(token, size, "%s",
			    api_json_string(data, "token"));
			found = 1;
		}
		free(name);
		json_object_put(data);
	}
}

json_object *
api_events_expect(struct api_events *ev, const char *name)
{
	char		*got = NULL;
	json_object	*data = NULL;

	cr_assert(api_events_next(ev, 2000, &got, &data) != 0,
	    "no %s event within 2 s", name);
	cr_assert_str_eq(got, name, "event %s, wanted %s", got, name);
	free(got);
	return data;
}

void
api_events_expect_none(struct api_events *ev, int ms)
{
	char		*got = NULL;
	json_object	*data = NULL;

	if (api_events_next(ev, ms, &got, &data) != 0)
		cr_assert_fail("unexpected event %s: %s", got,
		    json_object_to_json_string(data));
}

void
api_events_expect_qr_updated(struct api_events *ev, const char *session,
    const char *round, char token[API_TOKEN_SIZE], char *expires,
    size_t size)
{
	json_object	*data = api_events_expect(ev, "round:qr-updated");

	api_assert_keys(data, "", "sessionId roundId token code expiresAt");
	api_assert_string_at(data, "sessionId", session);
	api_assert_string_at(data, "roundId", round);
	api_assert_token_shape(api_json_string(data, "token"));
	api_assert_timestamp(data, "expiresAt");
	snprintf(token, API_TOKEN_SIZE, "%s", api_json_string(data, "token"));
	if (expires != NULL)
		snprintf(expires, size, "%s", api_json_string(data,
		    "expiresAt"));
	json_object_put(data);
}

void
api_fresh_token(struct api_fixture *f, struct api_events *ev,
    const char *session, const char *round, char token[API_TOKEN_SIZE])
{
	api_reqf_nobody(f->c.professor, "POST", &f->r,
	    "/api/sessions/%s/rounds/%s/qr", session, round);
	api_expect_status(&f->r, 202);
	api_events_expect_qr_updated(ev, session, round, token, NULL, 0);
}

void
api_events_expect_recorded(struct api_events *ev, const char *session,
    const char *round, const char *student, const char *username,
    const char *name, const char *status, const char *recorded)
{
	json_object	*data = api_events_expect(ev, "attendance:recorded");

	api_assert_keys(data, "", API_RECORDED_KEYS);
	api_assert_string_at(data, "sessionId", session);
	api_assert_string_at(data, "roundId", round);
	api_assert_string_at(data, "studentId", student);
	api_assert_string_at(data, "username", username);
	api_assert_string_at(data, "displayName", name);
	api_assert_string_at(data, "status", status);
	api_assert_string_at(data, "recordedAt", recorded);
	cr_assert(json_object_is_type(api_json_get(data, "flags"),
	    json_type_array), "attendance:recorded.flags is not a list");
	json_object_put(data);
}

/* --- raw tokens ----------------------------------------------------- */

void
api_assert_token_shape(const char *s)
{
	size_t	 i, n = strlen(s);

	cr_assert_eq(n, 43, "token '%s' is not 43 characters", s);
	for (i = 0; i < n; i++)
		cr_assert(strchr("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnop"
		    "qrstuvwxyz0123456789-_", s[i]) != NULL,
		    "token '%s' is not base64url", s);
}

void
api_assert_not_in_response(const struct api_response *r, const char *token)
{
	cr_assert(r->body == NULL || strstr(r->body, token) == NULL,
	    "the raw token is in the response body: %s", r->body);
	cr_assert(r->headers == NULL || strstr(r->headers, token) == NULL,
	    "the raw token is in the response headers");
}

void
api_assert_token_not_in_db(const char *token)
{
	char	*tables;

	tables = api_db_value("SELECT coalesce(string_agg(c.relname, ','), '') "
	    "FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
	    "CROSS JOIN LATERAL (SELECT query_to_xml(format("
	    "'SELECT * FROM %I.%I', n.nspname, c.relname), true, false, '')"
	    "::text AS x) q "
	    "WHERE c.relkind IN ('r', 'p') "
	    "AND n.nspname NOT IN ('pg_catalog', 'information_schema') "
	    "AND n.nspname NOT LIKE 'pg\\_toast%' "
	    "AND n.nspname NOT LIKE 'pg\\_temp%' "
	    "AND (strpos(q.x, $1) > 0 "
	    "OR strpos(q.x, translate($1, '-_', '+/')) > 0)", token, NULL);
	cr_assert_str_eq(tables, "", "the raw token is stored in: %s", tables);
	free(tables);
}

void
api_assert_token_hashed(const char *token, const char *round)
{
	unsigned char	 digest[32];
	char		 hex[2 * sizeof(digest) + 1];

	cr_assert(sodium_init() >= 0);
	crypto_generichash(digest, sizeof(digest),
	    (const unsigned char *)token, strlen(token), NULL, 0);
	sodium_bin2hex(hex, sizeof(hex), digest, sizeof(digest));
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens "
	    "WHERE token_hash = decode($1, 'hex') AND round_id = $2 "
	    "AND NOT consumed AND superseded_at IS NULL", hex, round, NULL), 1,
	    "the round's live token is not stored as its hash");
}

void
api_assert_session_invariants(const char *session)
{
	cr_assert_eq(api_db_long("SELECT count(*) FROM (SELECT round_id "
	    "FROM qr_tokens WHERE NOT consumed AND superseded_at IS NULL "
	    "AND expires_at > now() GROUP BY round_id HAVING count(*) > 1) x",
	    NULL), 0, "a round has two live tokens");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records a "
	    "JOIN sessions s ON s.id = a.session_id "
	    "LEFT JOIN qr_tokens t ON t.id = a.qr_token_id "
	    "WHERE a.session_id = $1 AND a.qr_token_id IS NOT NULL "
	    "AND s.scan_mode = 'single' AND (t.id IS NULL OR NOT t.consumed "
	    "OR t.consumed_by <> a.student_id)", session, NULL), 0,
	    "a record's token is not consumed by its student");
	cr_assert_eq(api_db_long("SELECT count(*) FROM attendance_records a "
	    "WHERE a.session_id = $1 AND a.source IN ('scan', 'code') "
	    "AND a.qr_token_id IS NULL", session, NULL), 0,
	    "a scanned record has no token");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens t "
	    "JOIN attendance_rounds r ON r.id = t.round_id "
	    "JOIN sessions s ON s.id = r.session_id "
	    "WHERE s.id = $1 AND s.scan_mode = 'window' AND t.consumed",
	    session, NULL), 0, "a window token was consumed");
	cr_assert_eq(api_db_long("SELECT count(*) FROM qr_tokens t "
	    "JOIN attendance_rounds r ON r.id = t.round_id "
	    "WHERE r.session_id = $1 AND t.consumed AND NOT EXISTS "
	    "(SELECT 1 FROM attendance_records a WHERE a.id = t.record_id "
	    "AND a.round_id = t.round_id AND a.student_id = t.consumed_by)",
	    session, NULL), 0, "a consumed token has no record");
	cr_assert_eq(api_db_long("SELECT count(*) FROM sessions s "
	    "JOIN attendance_rounds r ON r.session_id = s.id "
	    "JOIN qr_tokens t ON t.round_id = r.id "
	    "WHERE s.id = $1 AND (s.status = 'ended' OR r.ends_at IS NOT NULL) "
	    "AND NOT t.consumed AND t.superseded_at IS NULL "
	    "AND t.expires_at > now()", session, NULL), 0,
	    "a closed round still has a live token");
}
