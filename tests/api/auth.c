/*
 * Login, logout and the session cookie ("auth"), failed-login throttling
 * ("throttle", and "throttle_address", which tests/api/api.sh runs alone
 * with a per-address limit of 20), and what every request goes through
 * before its handler ("http"): routing, 405 + Allow, CSRF Origin, body
 * limits and parsing, roles, the order of those checks, content types,
 * health.  Everything through nginx, as in ../shared/spec/API.md.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include <criterion/criterion.h>
#include <sodium.h>

#include "api_support.h"

#define USER_KEYS	"id role email username displayName createdAt " \
			"lastLoginAt"
#define JSON_TYPE	"application/json; charset=utf-8"
#define EVIL_ORIGIN	"Origin: http://evil.example"
#define SID_MAX_AGE	"Max-Age=1209600"

/* --- helpers --------------------------------------------------------- */

static char *
login_body(const char *login, const char *password)
{
	return api_printf("{\"login\":\"%s\",\"password\":\"%s\"}", login,
	    password);
}

/* POST /api/auth/login as c (a fresh client when c is NULL). */
static void
login(struct api_client *c, const char *name, const char *password,
    struct api_response *r)
{
	struct api_client	*own = NULL;
	char			*body = login_body(name, password);

	if (c == NULL)
		c = own = api_client_new();
	api_request(c, "POST", "/api/auth/login", body, r);
	api_client_free(own);
	free(body);
}

/* Like api_expect_error() with a content type, body and headers of choice. */
static void
expect_error_raw(struct api_client *c, const char *method,
    const char *path, const char *type, const char *body, size_t len,
    const char *const *headers, long status, const char *code)
{
	struct api_response	 r;

	api_request_raw(c, method, path, type, body, len, headers, &r);
	cr_assert_eq(r.status, status, "%s %s (%s): %ld, expected %ld %s: %s",
	    method, path, type != NULL ? type : "no type", r.status, status,
	    code, r.body);
	api_assert_error(&r, status, code);
	api_response_free(&r);
}

static void
assert_json_type(const struct api_response *r)
{
	char	*type = api_header(r, "Content-Type");

	cr_assert(type != NULL, "no Content-Type (%ld)", r->status);
	cr_assert(strcasecmp(type, JSON_TYPE) == 0,
	    "Content-Type %s, expected " JSON_TYPE " (%ld)", type, r->status);
	free(type);
}

static void
assert_user(json_object *obj, const char *path, const char *id,
    const char *role, const char *username)
{
	char	 p[64], *email;

	api_assert_keys(obj, path, USER_KEYS);
	snprintf(p, sizeof(p), "%s.id", path);
	cr_assert_str_eq(api_json_string(obj, p), id);
	snprintf(p, sizeof(p), "%s.role", path);
	cr_assert_str_eq(api_json_string(obj, p), role);
	snprintf(p, sizeof(p), "%s.username", path);
	cr_assert_str_eq(api_json_string(obj, p), username);
	email = api_printf("%s@example.edu", username);
	snprintf(p, sizeof(p), "%s.email", path);
	cr_assert_str_eq(api_json_string(obj, p), email);
	free(email);
	snprintf(p, sizeof(p), "%s.displayName", path);
	cr_assert(strstr(api_json_string(obj, p), username) != NULL);
	snprintf(p, sizeof(p), "%s.createdAt", path);
	api_assert_timestamp(obj, p);
}

/* Whether a Set-Cookie value has attribute attr (case-insensitive). */
static int
cookie_has(const char *set_cookie, const char *attr)
{
	const char	*p = strchr(set_cookie, ';');
	size_t		 len;

	while (p != NULL && *p != '\0') {
		while (*p == ';' || *p == ' ')
			p++;
		len = strcspn(p, ";");
		while (len > 0 && p[len - 1] == ' ')
			len--;
		if (len == strlen(attr) && strncasecmp(p, attr, len) == 0)
			return 1;
		p = strchr(p, ';');
	}
	return 0;
}

/* The sid value of a response's Set-Cookie, malloc'd; asserts one. */
static char *
cookie_sid(const struct api_response *r)
{
	char	*set = api_header(r, "Set-Cookie"), *value;

	cr_assert(set != NULL, "no Set-Cookie: %s", r->headers);
	cr_assert(strncmp(set, "sid=", 4) == 0, "Set-Cookie: %s", set);
	value = strndup(set + 4, strcspn(set + 4, ";"));
	cr_assert(value != NULL);
	free(set);
	return value;
}

/* A client that sends only this Cookie header (no jar of its own). */
static void
me_with_cookie(const char *cookie, struct api_response *r)
{
	struct api_client	*c = api_client_new();
	char			*header = api_printf("Cookie: %s", cookie);
	const char		*headers[] = { header, NULL };

	api_request_raw(c, "GET", "/api/auth/me", NULL, NULL, 0, headers, r);
	free(header);
	api_client_free(c);
}

static long
retry_after(const struct api_response *r)
{
	char	*v = api_header(r, "Retry-After"), *end;
	long	 n;

	cr_assert(v != NULL, "429 without Retry-After: %s", r->headers);
	n = strtol(v, &end, 10);
	cr_assert(*end == '\0' && end != v, "Retry-After: %s", v);
	free(v);
	return n;
}

static void
sleep_ms(long ms)
{
	struct timespec	 ts;

	ts.tv_sec = ms / 1000;
	ts.tv_nsec = (ms % 1000) * 1000000;
	while (nanosleep(&ts, &ts) == -1)
		continue;
}

/* --- auth ------------------------------------------------------------ */

Test(auth, login_by_username_returns_user)
{
	char			 id[API_ID_SIZE], user[80], *pw;
	struct api_response	 r;

	api_user_create("student", "au", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	assert_json_type(&r);
	api_assert_keys(r.json, "", "user");
	assert_user(r.json, "user", id, "student", user);
	api_assert_timestamp(r.json, "user.lastLoginAt");
	cr_assert(strstr(r.body, "$argon2") == NULL, "hash in %s", r.body);
	cr_assert(strcasestr(r.body, "password") == NULL, "%s", r.body);
	api_response_free(&r);
	free(pw);
}

Test(auth, login_professor_role)
{
	char			 id[API_ID_SIZE], user[80], *pw;
	struct api_response	 r;

	api_user_create("professor", "ap", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	assert_user(r.json, "user", id, "professor", user);
	api_response_free(&r);
	free(pw);
}

Test(auth, login_by_email_and_any_case)
{
	char			 id[API_ID_SIZE], user[80], *pw, *email, *up;
	struct api_response	 r;

	api_user_create("student", "ae", id, user);
	pw = api_printf("pw-%s", user);
	email = api_printf("%s@example.edu", user);
	login(NULL, email, pw, &r);
	cr_assert_eq(r.status, 200, "by email: %ld %s", r.status, r.body);
	assert_user(r.json, "user", id, "student", user);
	api_response_free(&r);

	api_uppercase(email);
	login(NULL, email, pw, &r);
	cr_assert_eq(r.status, 200, "by EMAIL: %ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "user.id"), id);
	api_response_free(&r);

	up = strdup(user);
	cr_assert(up != NULL);
	api_uppercase(up);
	login(NULL, up, pw, &r);
	cr_assert_eq(r.status, 200, "by USERNAME: %ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "user.id"), id);
	/* The account's own spelling, not the one typed. */
	cr_assert_str_eq(api_json_string(r.json, "user.username"), user);
	api_response_free(&r);
	free(up);
	free(email);
	free(pw);
}

Test(auth, login_name_is_trimmed)
{
	char			 id[API_ID_SIZE], user[80], *pw, *padded;
	struct api_response	 r;

	api_user_create("student", "at", id, user);
	pw = api_printf("pw-%s", user);
	padded = api_printf("  %s  ", user);
	login(NULL, padded, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "user.id"), id);
	api_response_free(&r);
	free(padded);
	free(pw);
}

Test(auth, sid_cookie_attributes)
{
	char			 id[API_ID_SIZE], user[80], *pw, *set, *sid;
	struct api_response	 r;
	size_t			 i;

	api_user_create("student", "ac", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	set = api_header(&r, "Set-Cookie");
	cr_assert(set != NULL, "no Set-Cookie: %s", r.headers);
	cr_assert(cookie_has(set, "HttpOnly"), "Set-Cookie: %s", set);
	cr_assert(cookie_has(set, "SameSite=Lax"), "Set-Cookie: %s", set);
	cr_assert(cookie_has(set, "Path=/"), "Set-Cookie: %s", set);
	cr_assert(cookie_has(set, SID_MAX_AGE), "Set-Cookie: %s", set);
	/* cookie_secure is false in the test configuration. */
	cr_assert(!cookie_has(set, "Secure"), "Set-Cookie: %s", set);
	sid = cookie_sid(&r);
	/* At least 128 bits, in base64url: 22 characters or more. */
	cr_assert_geq(strlen(sid), 22, "sid too short: %s", sid);
	for (i = 0; sid[i] != '\0'; i++)
		cr_assert(isalnum((unsigned char)sid[i]) || sid[i] == '-' ||
		    sid[i] == '_', "sid is not base64url: %s", sid);
	api_response_free(&r);
	free(sid);
	free(set);
	free(pw);
}

Test(auth, sid_is_random_per_login)
{
	char			 id[API_ID_SIZE], user[80], *pw, *a, *b;
	struct api_response	 r;

	api_user_create("student", "ar", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200);
	a = cookie_sid(&r);
	api_response_free(&r);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200);
	b = cookie_sid(&r);
	api_response_free(&r);
	cr_assert_str_neq(a, b, "two logins got the same sid");
	free(a);
	free(b);
	free(pw);
}

Test(auth, database_stores_only_a_hash_of_sid)
{
	char			 id[API_ID_SIZE], user[80], *pw, *sid;
	char			 hex[2 * 64 + 1];
	unsigned char		 raw[64];
	size_t			 rawlen;
	struct api_response	 r;

	api_user_create("student", "ah", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	sid = cookie_sid(&r);
	api_response_free(&r);

	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions "
	    "WHERE user_id = $1", id, NULL), 1);
	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions a "
	    "WHERE strpos(a::text, $1) > 0", sid, NULL), 0,
	    "the sid cookie is stored in auth_sessions");
	cr_assert_eq(api_db_long("SELECT count(*) FROM users u "
	    "WHERE strpos(u::text, $1) > 0", sid, NULL), 0);
	/* Nor its bytes. */
	cr_assert(sodium_base642bin(raw, sizeof(raw), sid, strlen(sid), NULL,
	    &rawlen, NULL, sodium_base64_VARIANT_URLSAFE_NO_PADDING) == 0,
	    "sid is not unpadded base64url: %s", sid);
	sodium_bin2hex(hex, sizeof(hex), raw, rawlen);
	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions "
	    "WHERE strpos(encode(token_hash, 'hex'), $1) > 0", hex, NULL), 0,
	    "the raw sid bytes are stored in auth_sessions");
	free(sid);
	free(pw);
}

Test(auth, login_sets_last_login_at)
{
	char			 id[API_ID_SIZE], user[80], *pw, *v;
	struct api_response	 r;

	api_user_create("student", "al", id, user);
	v = api_db_value("SELECT last_login_at FROM users WHERE id = $1",
	    id, NULL);
	cr_assert_null(v, "a new user has last_login_at %s", v);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_assert_timestamp(r.json, "user.lastLoginAt");
	api_response_free(&r);
	cr_assert_eq(api_db_long("SELECT count(*) FROM users WHERE id = $1 "
	    "AND last_login_at > now() - interval '1 minute'", id, NULL), 1,
	    "last_login_at not set");
	free(pw);
}

Test(auth, wrong_password_and_unknown_user_look_the_same)
{
	char			 id[API_ID_SIZE], user[80], nobody[80];
	struct api_response	 a, b;
	char			*set;

	api_user_create("student", "aw", id, user);
	api_unique("nobody", nobody, sizeof(nobody));
	login(NULL, user, "wrong-password", &a);
	login(NULL, nobody, "wrong-password", &b);
	api_assert_error(&a, 401, "invalid_credentials");
	api_assert_error(&b, 401, "invalid_credentials");
	cr_assert_str_eq(a.body, b.body, "the answers differ");
	set = api_header(&a, "Set-Cookie");
	cr_assert_null(set, "Set-Cookie on a failed login: %s", set);
	cr_assert_eq(api_db_long("SELECT count(*) FROM users WHERE id = $1 "
	    "AND last_login_at IS NULL", id, NULL), 1);
	api_response_free(&a);
	api_response_free(&b);
}

Test(auth, login_body_is_checked)
{
	struct api_client	*c = api_client_new();

	api_expect_error(c, "POST", "/api/auth/login", NULL, 400,
	    "invalid_request");
	api_expect_error(c, "POST", "/api/auth/login", "{}", 400,
	    "invalid_request");
	api_expect_error(c, "POST", "/api/auth/login", "{\"login\":\"x\"}", 400,
	    "invalid_request");
	api_expect_error(c, "POST", "/api/auth/login", "{\"password\":\"x\"}",
	    400, "invalid_request");
	api_expect_error(c, "POST", "/api/auth/login",
	    "{\"login\":5,\"password\":\"x\"}", 400, "invalid_request");
	api_expect_error(c, "POST", "/api/auth/login",
	    "{\"login\":\"x\",\"password\":[\"x\"]}", 400, "invalid_request");
	api_client_free(c);
}

Test(auth, me_with_cookie)
{
	char			 id[API_ID_SIZE], user[80];
	struct api_client	*c = api_user_login("student", "am", id, user);
	struct api_response	 r;

	api_request(c, "GET", "/api/auth/me", NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	assert_json_type(&r);
	api_assert_keys(r.json, "", "user");
	assert_user(r.json, "user", id, "student", user);
	api_assert_timestamp(r.json, "user.lastLoginAt");
	cr_assert(strstr(r.body, "$argon2") == NULL, "hash in %s", r.body);
	api_response_free(&r);
	api_client_free(c);
}

Test(auth, me_without_cookie_is_401)
{
	struct api_client	*c = api_client_new();

	api_expect_error(c, "GET", "/api/auth/me", NULL, 401,
	    "unauthenticated");
	api_client_free(c);
}

/*
 * GET /api/auth/me is one round trip (its statement looks the login up):
 * a body it cannot read is still 401 before 415 for someone not logged
 * in, and 415 for someone who is.
 */
Test(auth, me_checks_the_login_before_the_body)
{
	char			 id[API_ID_SIZE], user[80];
	struct api_client	*c = api_user_login("student", "mb", id, user);
	struct api_client	*anon = api_client_new();

	expect_error_raw(anon, "GET", "/api/auth/me", "text/plain", "x", 1,
	    NULL, 401, "unauthenticated");
	expect_error_raw(anon, "GET", "/api/auth/me", "application/json",
	    "[1]", 3, NULL, 401, "unauthenticated");
	expect_error_raw(c, "GET", "/api/auth/me", "text/plain", "x", 1,
	    NULL, 415, "unsupported_media_type");
	expect_error_raw(c, "GET", "/api/auth/me", "application/json", "[1]",
	    3, NULL, 400, "invalid_request");
	api_client_free(anon);
	api_client_free(c);
}

Test(auth, me_with_garbage_sid_is_401)
{
	struct api_response	 r;
	char			*cookie, *longsid;
	char			 sid[64];
	unsigned char		 raw[32];

	me_with_cookie("sid=garbage", &r);
	api_assert_error(&r, 401, "unauthenticated");
	api_response_free(&r);
	/* Well formed, never issued. */
	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(sid, sizeof(sid), raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	cookie = api_printf("sid=%s", sid);
	me_with_cookie(cookie, &r);
	api_assert_error(&r, 401, "unauthenticated");
	api_response_free(&r);
	free(cookie);
	longsid = api_repeat("A", 3000);
	cookie = api_printf("sid=%s", longsid);
	me_with_cookie(cookie, &r);
	api_assert_error(&r, 401, "unauthenticated");
	api_response_free(&r);
	free(cookie);
	free(longsid);
	me_with_cookie("other=1; sid=", &r);
	api_assert_error(&r, 401, "unauthenticated");
	api_response_free(&r);
}

Test(auth, logout_ends_the_session)
{
	char			 id[API_ID_SIZE], user[80], *pw, *sid, *set;
	char			*cookie;
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	api_user_create("student", "ao", id, user);
	pw = api_printf("pw-%s", user);
	login(c, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	sid = cookie_sid(&r);
	api_response_free(&r);

	api_request(c, "POST", "/api/auth/logout", NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	cr_assert_str_eq(r.body, "", "204 with a body");
	set = api_header(&r, "Set-Cookie");
	cr_assert(set != NULL, "logout does not clear the cookie: %s",
	    r.headers);
	cr_assert(strncmp(set, "sid=", 4) == 0 && cookie_has(set,
	    "Max-Age=0"), "Set-Cookie: %s", set);
	cr_assert(set[4] == ';' || set[4] == '\0',
	    "the cleared cookie keeps a value: %s", set);
	cr_assert(cookie_has(set, "Path=/"), "Set-Cookie: %s", set);
	free(set);
	api_response_free(&r);

	api_expect_error(c, "GET", "/api/auth/me", NULL, 401,
	    "unauthenticated");
	cookie = api_printf("sid=%s", sid);
	me_with_cookie(cookie, &r);
	api_assert_error(&r, 401, "unauthenticated");
	api_response_free(&r);
	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions "
	    "WHERE user_id = $1", id, NULL), 0, "the session row is left");
	free(cookie);
	free(sid);
	free(pw);
	api_client_free(c);
}

Test(auth, logout_ends_only_that_session)
{
	char			 id[API_ID_SIZE], user[80], *pw;
	struct api_client	*a, *b;
	struct api_response	 r;

	api_user_create("student", "ax", id, user);
	pw = api_printf("pw-%s", user);
	a = api_login(user, pw);
	b = api_login(user, pw);
	api_request(a, "POST", "/api/auth/logout", NULL, &r);
	cr_assert_eq(r.status, 204, "%ld %s", r.status, r.body);
	api_response_free(&r);
	api_request(b, "GET", "/api/auth/me", NULL, &r);
	cr_assert_eq(r.status, 200, "the other session ended: %ld %s",
	    r.status, r.body);
	api_response_free(&r);
	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions "
	    "WHERE user_id = $1", id, NULL), 1);
	api_client_free(a);
	api_client_free(b);
	free(pw);
}

Test(auth, logout_without_cookie_is_401)
{
	struct api_client	*c = api_client_new();

	api_expect_error(c, "POST", "/api/auth/logout", NULL, 401,
	    "unauthenticated");
	expect_error_raw(c, "POST", "/api/auth/logout", NULL, NULL, 0,
	    (const char *const[]){ "Cookie: sid=garbage", NULL }, 401,
	    "unauthenticated");
	api_client_free(c);
}

Test(auth, expired_session_is_401)
{
	char			 id[API_ID_SIZE], user[80];
	struct api_client	*c = api_user_login("student", "ay", id, user);

	cr_assert_eq(api_db_long("WITH u AS (UPDATE auth_sessions SET "
	    "created_at = now() - interval '2 days', "
	    "expires_at = now() - interval '1 second' "
	    "WHERE user_id = $1 RETURNING 1) SELECT count(*) FROM u", id,
	    NULL), 1);
	api_expect_error(c, "GET", "/api/auth/me", NULL, 401,
	    "unauthenticated");
	api_client_free(c);
}

/* --- throttle (window 3 s, 5 failures per name) ---------------------- */

/* n failed logins for name, each 401 invalid_credentials. */
static void
fail_logins(const char *name, int n)
{
	struct api_response	 r;
	int			 i;

	for (i = 0; i < n; i++) {
		login(NULL, name, "wrong-password", &r);
		api_assert_error(&r, 401, "invalid_credentials");
		api_response_free(&r);
	}
}

/* Asserts 429 rate_limited with Retry-After 1..3 and no cookie; returns
 * Retry-After. */
static long
assert_throttled(const struct api_response *r)
{
	char	*set;
	long	 after;

	api_assert_error(r, 429, "rate_limited");
	after = retry_after(r);
	cr_assert(after >= 1 && after <= 3, "Retry-After: %ld, window 3 s",
	    after);
	set = api_header(r, "Set-Cookie");
	cr_assert_null(set, "Set-Cookie on a refused login: %s", set);
	return after;
}

Test(throttle, five_failures_lock_the_name)
{
	char			 id[API_ID_SIZE], user[80], *pw;
	struct api_response	 r;
	long			 after;

	api_user_create("student", "th", id, user);
	pw = api_printf("pw-%s", user);
	fail_logins(user, 5);
	login(NULL, user, pw, &r);
	after = assert_throttled(&r);
	api_response_free(&r);
	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions "
	    "WHERE user_id = $1", id, NULL), 0);

	sleep_ms(after * 1000 + 300);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "after Retry-After: %ld %s", r.status,
	    r.body);
	api_response_free(&r);
	free(pw);
}

Test(throttle, four_failures_do_not)
{
	char			 id[API_ID_SIZE], user[80], *pw;
	struct api_response	 r;

	api_user_create("student", "t4", id, user);
	pw = api_printf("pw-%s", user);
	fail_logins(user, 4);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_response_free(&r);
	free(pw);
}

Test(throttle, name_counts_without_regard_to_case)
{
	char			 id[API_ID_SIZE], user[80], *pw, *up;
	struct api_response	 r;

	api_user_create("student", "tc", id, user);
	pw = api_printf("pw-%s", user);
	up = strdup(user);
	cr_assert(up != NULL);
	api_uppercase(up);
	fail_logins(user, 3);
	fail_logins(up, 2);
	login(NULL, user, pw, &r);
	assert_throttled(&r);
	api_response_free(&r);
	free(up);
	free(pw);
}

Test(throttle, unknown_names_are_throttled_alike)
{
	char			 nobody[80];
	struct api_response	 r;

	api_unique("ghost", nobody, sizeof(nobody));
	fail_logins(nobody, 5);
	login(NULL, nobody, "anything", &r);
	assert_throttled(&r);
	api_response_free(&r);
}

Test(throttle, other_names_are_not_locked)
{
	char			 a[API_ID_SIZE], ua[80], b[API_ID_SIZE];
	char			 ub[80], *pa, *pb;
	struct api_response	 r;

	api_user_create("student", "ta", a, ua);
	api_user_create("student", "tb", b, ub);
	pa = api_printf("pw-%s", ua);
	pb = api_printf("pw-%s", ub);
	fail_logins(ua, 5);
	login(NULL, ua, pa, &r);
	assert_throttled(&r);
	api_response_free(&r);
	login(NULL, ub, pb, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_response_free(&r);
	free(pa);
	free(pb);
}

/* --- throttle_address (tests/api/api.sh: alone, limit 20 per address) ---- */

Test(throttle_address, failures_from_one_address_lock_everyone)
{
	const char		*env = getenv("ATTENDANCE_TEST_ADDRESS_LIMIT");
	char			 id[API_ID_SIZE], user[80], *pw;
	struct api_response	 r;
	long			 limit, after;
	int			 i;

	if (env == NULL || (limit = strtol(env, NULL, 10)) < 2)
		cr_skip_test("needs the per-address pass of tests/api/api.sh "
		    "(ATTENDANCE_TEST_ADDRESS_LIMIT)");
	/* The failures of the suites before this pass (same address) leave
	 * the 3 s window first. */
	sleep_ms(3500);
	/* Each name fails once, far below the per-name limit; users are
	 * cheap, so all the failures fall within the window. */
	for (i = 0; i < limit - 1; i++) {
		api_user_create("student", "tx", id, user);
		fail_logins(user, 1);
	}
	/* One below the limit: a right password still works. */
	api_user_create("student", "tok", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "%ld failures: %ld %s", limit - 1,
	    r.status, r.body);
	api_response_free(&r);
	free(pw);

	api_user_create("student", "tx", id, user);
	fail_logins(user, 1);
	api_user_create("student", "tnew", id, user);
	pw = api_printf("pw-%s", user);
	login(NULL, user, pw, &r);
	after = assert_throttled(&r);
	api_response_free(&r);

	sleep_ms(after * 1000 + 300);
	login(NULL, user, pw, &r);
	cr_assert_eq(r.status, 200, "after Retry-After: %ld %s", r.status,
	    r.body);
	api_response_free(&r);
	free(pw);
}

/* --- http: what every request goes through --------------------------- */

static const char *const evil[] = { EVIL_ORIGIN, NULL };

/* A professor (logged in) with a course. */
static struct api_client *
professor_with_course(char course[API_ID_SIZE])
{
	char			 id[API_ID_SIZE], user[80], code[64], *body;
	struct api_client	*c;
	struct api_response	 r;

	c = api_user_login("professor", "hp", id, user);
	api_unique("H", code, sizeof(code));
	body = api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\"}",
	    code);
	api_request(c, "POST", "/api/courses", body, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	snprintf(course, API_ID_SIZE, "%s", api_json_string(r.json,
	    "course.id"));
	api_response_free(&r);
	free(body);
	return c;
}

/* A valid course body with a unique code. */
static char *
course_body(void)
{
	char	 code[64];

	api_unique("B", code, sizeof(code));
	return api_printf("{\"code\":\"%s\",\"name\":\"N\",\"term\":\"T\"}",
	    code);
}

Test(http, unknown_route_is_404)
{
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	api_request(c, "GET", "/api/nope", NULL, &r);
	api_assert_error(&r, 404, "not_found");
	api_assert_keys(r.json, "error", "code message");
	assert_json_type(&r);
	api_response_free(&r);
	api_expect_error(c, "POST", "/api/nope", "{}", 404, "not_found");
	api_expect_error(c, "GET", "/api/courses/00000000-0000-4000-8000-"
	    "000000000000/nope", NULL, 404, "not_found");
	api_expect_error(c, "GET", "/api/auth", NULL, 404, "not_found");
	api_expect_error(c, "GET", "/api/auth/me/more", NULL, 404, "not_found");
	api_client_free(c);
}

Test(http, wrong_method_is_405_with_allow)
{
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	api_request(c, "DELETE", "/api/auth/me", NULL, &r);
	api_assert_allow(&r, "GET", "DELETE");
	api_response_free(&r);

	api_request(c, "PUT", "/api/courses", "{}", &r);
	api_assert_allow(&r, "GET POST", "PUT");
	api_response_free(&r);

	api_request(c, "GET", "/api/auth/login", NULL, &r);
	api_assert_allow(&r, "POST", "GET");
	api_response_free(&r);

	api_request(c, "PUT", "/api/courses/00000000-0000-4000-8000-"
	    "000000000000", "{}", &r);
	api_assert_allow(&r, "GET PATCH DELETE", "PUT");
	api_response_free(&r);
	api_client_free(c);
}

Test(http, route_is_checked_before_csrf_and_auth)
{
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	api_request_raw(c, "PUT", "/api/courses", "application/json", "{}",
	    2, evil, &r);
	api_assert_allow(&r, "GET POST", "PUT");
	api_response_free(&r);
	expect_error_raw(c, "POST", "/api/nope", "application/json", "{}", 2,
	    evil, 404, "not_found");
	api_client_free(c);
}

Test(http, malformed_uuid_in_path_is_404)
{
	static const char *const paths[] = {
		"/api/courses/not-a-uuid",
		"/api/courses/123",
		"/api/courses/0000000g-0000-4000-8000-000000000000",
		"/api/courses/00000000-0000-4000-8000-0000000000000",
		"/api/courses/00000000000040008000000000000000",
		"/api/courses/x/groups",
		"/api/groups/zzzzzzzz-zzzz-zzzz-zzzz-zzzzzzzzzzzz",
		"/api/groups/1/enrollments",
		"/api/sessions/abc",
		"/api/professor/courses/abc/stats",
		NULL
	};
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	char			*path;
	size_t			 i;

	for (i = 0; paths[i] != NULL; i++) {
		struct api_response	 r;

		api_request(c, "GET", paths[i], NULL, &r);
		cr_assert_eq(r.status, 404, "GET %s: %ld %s", paths[i],
		    r.status, r.body);
		api_assert_error(&r, 404, "not_found");
		api_response_free(&r);
	}
	api_expect_error(c, "PATCH", "/api/courses/not-a-uuid",
	    "{\"name\":\"x\"}", 404, "not_found");
	api_expect_error(c, "DELETE", "/api/groups/not-a-uuid", NULL, 404,
	    "not_found");
	api_expect_error(c, "PUT", "/api/sessions/abc/rounds/def/records/ghi",
	    "{\"status\":\"present\"}", 404, "not_found");
	path = api_printf("/api/groups/%s/enrollments/not-a-uuid", course);
	api_expect_error(c, "DELETE", path, NULL, 404, "not_found");
	free(path);
	/* Well formed and unknown. */
	api_expect_error(c, "GET", "/api/courses/00000000-0000-4000-8000-"
	    "000000000000", NULL, 404, "not_found");
	api_client_free(c);
}

Test(http, foreign_origin_is_refused_before_auth)
{
	char			 id[API_ID_SIZE], user[80], *pw, *body, *set;
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	/* No cookie: csrf_origin, not unauthenticated. */
	body = course_body();
	expect_error_raw(c, "POST", "/api/courses", "application/json", body,
	    strlen(body), evil, 403, "csrf_origin");
	free(body);
	expect_error_raw(c, "POST", "/api/courses", "text/plain", "x", 1,
	    evil, 403, "csrf_origin");
	/* Even a login with the right password. */
	api_user_create("student", "hc", id, user);
	pw = api_printf("pw-%s", user);
	body = login_body(user, pw);
	api_request_raw(c, "POST", "/api/auth/login", "application/json",
	    body, strlen(body), evil, &r);
	api_assert_error(&r, 403, "csrf_origin");
	set = api_header(&r, "Set-Cookie");
	cr_assert_null(set, "Set-Cookie: %s", set);
	api_response_free(&r);
	expect_error_raw(c, "POST", "/api/auth/login", "application/json",
	    body, strlen(body), (const char *const[]){ "Origin: null", NULL },
	    403, "csrf_origin");
	cr_assert_eq(api_db_long("SELECT count(*) FROM auth_sessions "
	    "WHERE user_id = $1", id, NULL), 0);
	free(body);
	free(pw);
	api_client_free(c);
}

Test(http, foreign_origin_is_refused_on_every_change)
{
	char			 course[API_ID_SIZE], *path;
	struct api_client	*c = professor_with_course(course);
	struct api_response	 r;

	path = api_printf("/api/courses/%s", course);
	expect_error_raw(c, "PATCH", path, "application/json",
	    "{\"name\":\"Evil\"}", 15, evil, 403, "csrf_origin");
	expect_error_raw(c, "DELETE", path, NULL, NULL, 0, evil, 403,
	    "csrf_origin");
	expect_error_raw(c, "POST", "/api/auth/logout", NULL, NULL, 0, evil,
	    403, "csrf_origin");
	expect_error_raw(c, "PUT", "/api/sessions/00000000-0000-4000-8000-"
	    "000000000000/rounds/00000000-0000-4000-8000-000000000000/"
	    "records/00000000-0000-4000-8000-000000000000",
	    "application/json", "{\"status\":\"present\"}", 20, evil, 403,
	    "csrf_origin");
	/* Nothing happened. */
	api_request(c, "GET", path, NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "course.name"), "N");
	api_response_free(&r);
	free(path);
	api_client_free(c);
}

Test(http, allowed_or_missing_origin_is_accepted)
{
	char			 id[API_ID_SIZE], user[80], *pw, *body;
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	api_user_create("professor", "ho", id, user);
	pw = api_printf("pw-%s", user);
	body = login_body(user, pw);
	api_request_raw(c, "POST", "/api/auth/login", "application/json",
	    body, strlen(body), (const char *const[]){
	    "Origin: http://localhost", NULL }, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_response_free(&r);
	free(body);
	/* No Origin at all (not a browser): not refused. */
	body = course_body();
	api_request_raw(c, "POST", "/api/courses", "application/json", body,
	    strlen(body), NULL, &r);
	cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
	api_response_free(&r);
	free(body);
	free(pw);
	api_client_free(c);
}

Test(http, foreign_origin_on_get_is_not_refused)
{
	char			 id[API_ID_SIZE], user[80];
	struct api_client	*c = api_user_login("student", "hg", id, user);
	struct api_response	 r;

	api_request_raw(c, "GET", "/api/auth/me", NULL, NULL, 0, evil, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_response_free(&r);
	api_client_free(c);
}

/* A course body of exactly size bytes (the description pads it). */
static char *
course_body_of_size(size_t size)
{
	static const char	 head[] = "{\"code\":\"c\",\"name\":\"n\","
	    "\"term\":\"t\",\"description\":\"";
	char			*body = malloc(size + 1);

	cr_assert(body != NULL && size > sizeof(head) + 2);
	memcpy(body, head, sizeof(head) - 1);
	memset(body + sizeof(head) - 1, 'a', size - (sizeof(head) - 1) - 2);
	memcpy(body + size - 2, "\"}", 2);
	body[size] = '\0';
	return body;
}

Test(http, body_over_64k_is_413)
{
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	struct api_response	 r;
	char			*body;

	body = course_body_of_size(65537);
	api_request(c, "POST", "/api/courses", body, &r);
	assert_json_type(&r);
	api_assert_error(&r, 413, "payload_too_large");
	api_response_free(&r);
	free(body);
	body = course_body_of_size(300000);
	api_expect_error(c, "POST", "/api/courses", body, 413,
	    "payload_too_large");
	free(body);
	api_client_free(c);
}

Test(http, body_of_64k_is_read)
{
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	char			*body = course_body_of_size(65536);

	/* Within the limit: refused for its description, not its size. */
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	api_client_free(c);
}

Test(http, body_size_is_checked_after_route_and_csrf)
{
	struct api_client	*c = api_client_new();
	char			*body = course_body_of_size(70000);
	size_t			 len = strlen(body);

	api_expect_error(c, "POST", "/api/nope", body, 404, "not_found");
	api_expect_error(c, "PUT", "/api/courses", body, 405,
	    "method_not_allowed");
	expect_error_raw(c, "POST", "/api/courses", "application/json", body,
	    len, evil, 403, "csrf_origin");
	free(body);
	api_client_free(c);
}

Test(http, body_size_is_checked_after_auth_and_role)
{
	char			 id[API_ID_SIZE], user[80];
	struct api_client	*anon = api_client_new();
	struct api_client	*student;
	char			*body = course_body_of_size(70000);

	api_expect_error(anon, "POST", "/api/courses", body, 401,
	    "unauthenticated");
	student = api_user_login("student", "hs", id, user);
	api_expect_error(student, "POST", "/api/courses", body, 403,
	    "forbidden");
	free(body);
	api_client_free(student);
	api_client_free(anon);
}

Test(http, non_json_body_is_415)
{
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	char			*body = course_body();
	size_t			 len = strlen(body);

	expect_error_raw(c, "POST", "/api/courses", "text/plain", body, len,
	    NULL, 415, "unsupported_media_type");
	expect_error_raw(c, "POST", "/api/courses",
	    "application/x-www-form-urlencoded", "code=a&name=b&term=c", 20,
	    NULL, 415, "unsupported_media_type");
	expect_error_raw(c, "POST", "/api/courses", NULL, body, len, NULL,
	    415, "unsupported_media_type");
	expect_error_raw(c, "POST", "/api/courses", "application/jsonx", body,
	    len, NULL, 415, "unsupported_media_type");
	free(body);
	api_client_free(c);
}

Test(http, json_content_type_variants_are_accepted)
{
	static const char *const types[] = {
		"application/json; charset=utf-8",
		"application/json;charset=UTF-8",
		"Application/JSON",
		NULL
	};
	char			 course[API_ID_SIZE], *body;
	struct api_client	*c = professor_with_course(course);
	struct api_response	 r;
	size_t			 i;

	for (i = 0; types[i] != NULL; i++) {
		body = course_body();
		api_request_raw(c, "POST", "/api/courses", types[i], body,
		    strlen(body), NULL, &r);
		cr_assert_eq(r.status, 201, "%s: %ld %s", types[i], r.status,
		    r.body);
		api_response_free(&r);
		free(body);
	}
	api_client_free(c);
}

Test(http, malformed_json_is_400)
{
	static const char *const bodies[] = {
		"{\"code\":",
		"{\"code\":\"a\",\"name\":\"b\",\"term\":\"c\",}",
		"{'code':'a','name':'b','term':'c'}",
		"{\"code\":\"a\",\"name\":\"b\",\"term\":\"c\"} x",
		"{\"code\":\"a\",\"name\":\"b\",\"term\":\"c\"}{}",
		"{code:\"a\",name:\"b\",term:\"c\"}",
		"[{\"code\":\"a\",\"name\":\"b\",\"term\":\"c\"}]",
		"[]",
		"\"code\"",
		"42",
		"null",
		"",
		"   ",
		NULL
	};
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	size_t			 i;

	for (i = 0; bodies[i] != NULL; i++) {
		struct api_response	 r;

		api_request(c, "POST", "/api/courses", bodies[i], &r);
		cr_assert_eq(r.status, 400, "body <%s>: %ld %s", bodies[i],
		    r.status, r.body);
		api_assert_error(&r, 400, "invalid_request");
		api_response_free(&r);
	}
	api_client_free(c);
}

Test(http, deep_nesting_is_400_and_harmless)
{
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	char			*open = api_repeat("[", 1000);
	char			*close = api_repeat("]", 1000);
	char			*objs = api_repeat("{\"a\":", 1000);
	char			*ends = api_repeat("}", 1000);
	char			*body;

	body = api_printf("{\"code\":%s%s,\"name\":\"n\",\"term\":\"t\"}",
	    open, close);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	body = api_printf("%s1%s", objs, ends);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	/* Unbalanced, deeper still. */
	body = api_repeat("[", 60000);
	api_expect_error(c, "POST", "/api/courses", body, 400,
	    "invalid_request");
	free(body);
	/* The workers are still there. */
	body = course_body();
	{
		struct api_response	 r;

		api_request(c, "POST", "/api/courses", body, &r);
		cr_assert_eq(r.status, 201, "%ld %s", r.status, r.body);
		api_response_free(&r);
	}
	free(body);
	free(open);
	free(close);
	free(objs);
	free(ends);
	api_client_free(c);
}

Test(http, invalid_utf8_is_400)
{
	static const char *const bodies[] = {
		"{\"code\":\"\xff\xfe\",\"name\":\"n\",\"term\":\"t\"}",
		"{\"code\":\"a\",\"name\":\"\xc0\xaf\",\"term\":\"t\"}",
		"{\"code\":\"a\",\"name\":\"n\",\"term\":\"\xe2\x82\"}",
		"{\"code\":\"a\",\"name\":\"n\",\"term\":\"\xed\xa0\x80\"}",
		NULL
	};
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	size_t			 i;

	for (i = 0; bodies[i] != NULL; i++) {
		struct api_response	 r;

		api_request(c, "POST", "/api/courses", bodies[i], &r);
		cr_assert_eq(r.status, 400, "body %zu: %ld %s", i, r.status,
		    r.body);
		api_assert_error(&r, 400, "invalid_request");
		api_response_free(&r);
	}
	api_client_free(c);
}

Test(http, nul_in_string_is_400)
{
	static const char	 raw[] = "{\"code\":\"a\0b\",\"name\":\"n\","
	    "\"term\":\"t\"}";
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);

	api_expect_error(c, "POST", "/api/courses",
	    "{\"code\":\"a\\u0000b\",\"name\":\"n\",\"term\":\"t\"}", 400,
	    "invalid_request");
	api_expect_error(c, "POST", "/api/courses",
	    "{\"code\":\"a\",\"name\":\"\\u0000\",\"term\":\"t\"}", 400,
	    "invalid_request");
	/* A raw NUL byte in the body. */
	expect_error_raw(c, "POST", "/api/courses", "application/json", raw,
	    sizeof(raw) - 1, NULL, 400, "invalid_request");
	api_client_free(c);
}

Test(http, wrong_field_type_is_400)
{
	static const char *const bodies[] = {
		"{\"code\":5,\"name\":\"n\",\"term\":\"t\"}",
		"{\"code\":\"c\",\"name\":true,\"term\":\"t\"}",
		"{\"code\":\"c\",\"name\":\"n\",\"term\":null}",
		"{\"code\":\"c\",\"name\":\"n\",\"term\":[\"t\"]}",
		"{\"code\":{},\"name\":\"n\",\"term\":\"t\"}",
		"{\"code\":\"c\",\"name\":\"n\",\"term\":\"t\","
		    "\"description\":5}",
		NULL
	};
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	size_t			 i;

	for (i = 0; bodies[i] != NULL; i++) {
		struct api_response	 r;

		api_request(c, "POST", "/api/courses", bodies[i], &r);
		cr_assert_eq(r.status, 400, "body %s: %ld %s", bodies[i],
		    r.status, r.body);
		api_assert_error(&r, 400, "invalid_request");
		api_response_free(&r);
	}
	api_client_free(c);
}

Test(http, wrong_role_is_403)
{
	char			 id[API_ID_SIZE], user[80], course[API_ID_SIZE];
	char			*path, *body;
	struct api_client	*prof = professor_with_course(course);
	struct api_client	*student = api_user_login("student", "hr", id,
				    user);

	body = course_body();
	api_expect_error(student, "POST", "/api/courses", body, 403,
	    "forbidden");
	free(body);
	path = api_printf("/api/courses/%s", course);
	api_expect_item_error(student, path, "{\"name\":\"x\"}", 403,
	    "forbidden");
	free(path);
	path = api_printf("/api/professor/courses/%s/stats", course);
	api_expect_error(student, "GET", path, NULL, 403, "forbidden");
	free(path);
	/* A professor on a student route. */
	api_expect_error(prof, "GET", "/api/students/me/stats", NULL, 403,
	    "forbidden");
	api_expect_error(prof, "POST", "/api/sessions/00000000-0000-4000-8000-"
	    "000000000000/rounds/00000000-0000-4000-8000-000000000000/scan",
	    "{\"token\":\"x\"}", 403, "forbidden");
	api_client_free(student);
	api_client_free(prof);
}

Test(http, order_auth_then_role_then_body_then_resource)
{
	char			 id[API_ID_SIZE], user[80], course[API_ID_SIZE];
	struct api_client	*anon = api_client_new();
	struct api_client	*prof = professor_with_course(course);
	struct api_client	*student = api_user_login("student", "hq", id,
				    user);
	static const char	 unknown[] = "/api/courses/00000000-0000-4000-"
	    "8000-000000000000/groups";

	/* No cookie: 401 whatever the body. */
	api_expect_error(anon, "POST", "/api/courses", "{\"code\":", 401,
	    "unauthenticated");
	expect_error_raw(anon, "POST", "/api/courses", "text/plain", "x", 1,
	    NULL, 401, "unauthenticated");
	/* A student on a professor route: 403 whatever the body. */
	api_expect_error(student, "POST", "/api/courses", "{\"code\":", 403,
	    "forbidden");
	api_expect_error(student, "POST", "/api/courses", "[]", 403,
	    "forbidden");
	expect_error_raw(student, "POST", "/api/courses", "text/plain", "x",
	    1, NULL, 403, "forbidden");
	/* The body before the resources of the path. */
	api_expect_error(prof, "POST", unknown, "{\"name\":", 400,
	    "invalid_request");
	expect_error_raw(prof, "POST", unknown, "text/plain", "x", 1, NULL,
	    415, "unsupported_media_type");
	api_expect_error(prof, "POST", unknown, "{\"name\":\"G\"}", 404,
	    "not_found");
	api_client_free(student);
	api_client_free(prof);
	api_client_free(anon);
}

Test(http, responses_are_json_utf8)
{
	char			 course[API_ID_SIZE];
	struct api_client	*c = professor_with_course(course);
	struct api_client	*anon = api_client_new();
	struct api_response	 r;
	char			*body = course_body();

	api_request(c, "POST", "/api/courses", body, &r);
	cr_assert_eq(r.status, 201);
	assert_json_type(&r);
	api_response_free(&r);
	api_request(c, "GET", "/api/courses", NULL, &r);
	cr_assert_eq(r.status, 200);
	assert_json_type(&r);
	api_response_free(&r);
	api_request(anon, "GET", "/api/auth/me", NULL, &r);
	cr_assert_eq(r.status, 401);
	assert_json_type(&r);
	api_response_free(&r);
	api_request(c, "POST", "/api/courses", "{", &r);
	cr_assert_eq(r.status, 400);
	assert_json_type(&r);
	api_response_free(&r);
	free(body);
	api_client_free(anon);
	api_client_free(c);
}

Test(http, health)
{
	struct api_client	*c = api_client_new();
	struct api_response	 r;

	api_request(c, "GET", "/api/health", NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	assert_json_type(&r);
	api_assert_keys(r.json, "", "status database redis");
	cr_assert_str_eq(api_json_string(r.json, "status"), "ok");
	cr_assert_str_eq(api_json_string(r.json, "database"), "ok");
	cr_assert_str_eq(api_json_string(r.json, "redis"), "ok");
	api_response_free(&r);
	api_client_free(c);
}

Test(http, query_string_does_not_change_the_route)
{
	char			 id[API_ID_SIZE], user[80];
	struct api_client	*c = api_user_login("student", "hy", id, user);
	struct api_response	 r;

	api_request(c, "GET", "/api/health?probe=1", NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	api_response_free(&r);
	api_request(c, "GET", "/api/auth/me?x=1&y", NULL, &r);
	cr_assert_eq(r.status, 200, "%ld %s", r.status, r.body);
	cr_assert_str_eq(api_json_string(r.json, "user.id"), id);
	api_response_free(&r);
	api_client_free(c);
}
