/*
 * lib/http.h: the sid cookie, the CSRF Origin check, the JSON content
 * type, UUIDs in paths and the reason phrases of the status line.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "error.h"
#include "http.h"

/* The value of cookie name in header, or NULL; in a static buffer. */
static const char *
cookie(const char *header, const char *name)
{
	static char	 buf[64];

	memset(buf, 'X', sizeof(buf));
	if (http_cookie_value(header, name, buf, sizeof(buf)) == -1)
		return NULL;
	return buf;
}

Test(http, cookie_single)
{
	cr_assert_str_eq(cookie("sid=abc", "sid"), "abc");
}

Test(http, cookie_several_pairs)
{
	const char	*h = "theme=dark; sid=abc-_123; lang=fr";

	cr_assert_str_eq(cookie(h, "sid"), "abc-_123");
	cr_assert_str_eq(cookie(h, "theme"), "dark");
	cr_assert_str_eq(cookie(h, "lang"), "fr");
}

Test(http, cookie_white_space)
{
	cr_assert_str_eq(cookie("  a=1 ;  sid=abc  ;\tb=2", "sid"), "abc");
	cr_assert_str_eq(cookie("a=1;sid=abc", "sid"), "abc");
	cr_assert_str_eq(cookie("a=1;\tsid=abc\t", "sid"), "abc");
}

Test(http, cookie_quoted_value)
{
	cr_assert_str_eq(cookie("sid=\"abc\"", "sid"), "abc");
	cr_assert_str_eq(cookie("a=1; sid=\"abc\"; b=2", "sid"), "abc");
}

/* A name that contains the one we look for is another cookie. */
Test(http, cookie_name_is_not_a_prefix_or_suffix)
{
	cr_assert_str_eq(cookie("xsid=1; sid=2", "sid"), "2");
	cr_assert_str_eq(cookie("sidx=1; sid=2", "sid"), "2");
	cr_assert_str_eq(cookie("sid2=1; sid=2; asid=3", "sid"), "2");
	cr_assert_null(cookie("xsid=1", "sid"));
	cr_assert_null(cookie("sidx=1", "sid"));
	cr_assert_null(cookie("s=1; id=2", "sid"));
}

/* A value that mentions the name is not the name either. */
Test(http, cookie_name_inside_a_value)
{
	cr_assert_null(cookie("a=sid=1", "sid"));
	cr_assert_str_eq(cookie("a=sid=1; sid=2", "sid"), "2");
}

Test(http, cookie_missing)
{
	cr_assert_null(cookie("", "sid"));
	cr_assert_null(cookie("a=1; b=2", "sid"));
	cr_assert_null(cookie(";;; ", "sid"));
	cr_assert_null(cookie("sid", "sid"));
}

Test(http, cookie_empty_value)
{
	cr_assert_null(cookie("sid=", "sid"));
	cr_assert_null(cookie("sid=; a=1", "sid"));
	cr_assert_null(cookie("sid=\"\"", "sid"));
	cr_assert_null(cookie("sid=   ; a=1", "sid"));
}

Test(http, cookie_too_long_for_the_buffer)
{
	char	 out[4];

	memset(out, 'X', sizeof(out));
	cr_assert_eq(http_cookie_value("sid=abc", "sid", out, sizeof(out)), 0);
	cr_assert_str_eq(out, "abc");
	/* One more character does not fit with its NUL. */
	cr_assert_eq(http_cookie_value("sid=abcd", "sid", out, sizeof(out)),
	    -1);
	cr_assert_eq(http_cookie_value("sid=\"abcd\"", "sid", out,
	    sizeof(out)), -1);
}

Test(http, cookie_null_header)
{
	char	 out[16];

	cr_assert_eq(http_cookie_value(NULL, "sid", out, sizeof(out)), -1);
}

Test(http, origin_exact)
{
	cr_assert(http_origin_allowed("http://localhost:8080",
	    "http://localhost:8080"));
	cr_assert_not(http_origin_allowed("http://localhost:8080",
	    "http://localhost:8081"));
	cr_assert_not(http_origin_allowed("http://localhost:8080",
	    "http://localhost"));
	cr_assert_not(http_origin_allowed("https://example.org",
	    "http://example.org"));
}

Test(http, origin_case_insensitive)
{
	cr_assert(http_origin_allowed("https://Example.ORG",
	    "HTTPS://example.org"));
}

Test(http, origin_trailing_slash)
{
	cr_assert(http_origin_allowed("https://example.org/",
	    "https://example.org"));
	cr_assert(http_origin_allowed("https://example.org",
	    "https://example.org/"));
	cr_assert(http_origin_allowed("https://example.org/",
	    "https://example.org/"));
	/* A path is not a trailing slash. */
	cr_assert_not(http_origin_allowed("https://example.org",
	    "https://example.org/x"));
}

Test(http, origin_several_allowed)
{
	const char	*spaces = "https://a.example  https://b.example\t"
	    "http://localhost:8080";
	const char	*commas = "https://a.example,https://b.example, "
	    "http://localhost:8080";

	cr_assert(http_origin_allowed(spaces, "https://a.example"));
	cr_assert(http_origin_allowed(spaces, "https://b.example"));
	cr_assert(http_origin_allowed(spaces, "http://localhost:8080"));
	cr_assert_not(http_origin_allowed(spaces, "https://c.example"));
	cr_assert(http_origin_allowed(commas, "https://a.example"));
	cr_assert(http_origin_allowed(commas, "https://b.example"));
	cr_assert(http_origin_allowed(commas, "http://localhost:8080"));
	cr_assert_not(http_origin_allowed(commas, "https://c.example"));
	/* Two allowed origins glued together are neither. */
	cr_assert_not(http_origin_allowed(commas,
	    "https://a.example,https://b.example"));
}

Test(http, origin_empty_list)
{
	cr_assert_not(http_origin_allowed("", "http://localhost"));
	cr_assert_not(http_origin_allowed("  , ,", "http://localhost"));
	cr_assert_not(http_origin_allowed("", ""));
}

/* A prefix or a suffix of an allowed origin is another site. */
Test(http, origin_prefix_does_not_match)
{
	cr_assert_not(http_origin_allowed("http://localhost",
	    "http://localhost.evil"));
	cr_assert_not(http_origin_allowed("http://localhost",
	    "http://localhost.evil/"));
	cr_assert_not(http_origin_allowed("http://localhost",
	    "http://localhost:1"));
	cr_assert_not(http_origin_allowed("http://localhost.evil",
	    "http://localhost"));
	cr_assert_not(http_origin_allowed("https://example.org",
	    "https://evil-example.org"));
	cr_assert_not(http_origin_allowed("http://localhost", "http://local"));
}

/* Sandboxed documents send "Origin: null": never an allowed origin. */
Test(http, origin_null)
{
	cr_assert_not(http_origin_allowed("http://localhost", "null"));
	cr_assert_not(http_origin_allowed("http://localhost https://a.example",
	    "null"));
	cr_assert_not(http_origin_allowed("http://localhost", ""));
	cr_assert_not(http_origin_allowed("http://localhost", "/"));
}

Test(http, is_json_yes)
{
	cr_assert(http_is_json("application/json"));
	cr_assert(http_is_json("application/json; charset=utf-8"));
	cr_assert(http_is_json("application/json;charset=UTF-8"));
	cr_assert(http_is_json("Application/JSON"));
	cr_assert(http_is_json("APPLICATION/JSON; charset=utf-8"));
	cr_assert(http_is_json(" application/json ; charset=utf-8"));
}

Test(http, is_json_no)
{
	cr_assert_not(http_is_json("application/jsonp"));
	cr_assert_not(http_is_json("application/json-patch+json"));
	cr_assert_not(http_is_json("application/json5"));
	cr_assert_not(http_is_json("text/plain"));
	cr_assert_not(http_is_json("text/json"));
	cr_assert_not(http_is_json("application/x-www-form-urlencoded"));
	cr_assert_not(http_is_json("multipart/form-data; boundary=x"));
	cr_assert_not(http_is_json("application/"));
	cr_assert_not(http_is_json("application"));
	cr_assert_not(http_is_json(""));
	cr_assert_not(http_is_json(NULL));
}

Test(http, uuid_lowercase)
{
	char	 out[HTTP_UUID_SIZE];

	memset(out, 'X', sizeof(out));
	cr_assert(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f6789", out));
	cr_assert_str_eq(out, "0123abcd-4567-89ef-0a1b-2c3d4e5f6789");
}

Test(http, uuid_uppercase_is_lowercased)
{
	char	 out[HTTP_UUID_SIZE];

	memset(out, 'X', sizeof(out));
	cr_assert(http_uuid("0123ABCD-4567-89EF-0A1B-2C3D4E5F6789", out));
	cr_assert_str_eq(out, "0123abcd-4567-89ef-0a1b-2c3d4e5f6789");
	memset(out, 'X', sizeof(out));
	cr_assert(http_uuid("AbCdEf01-2345-6789-aBcD-eF0123456789", out));
	cr_assert_str_eq(out, "abcdef01-2345-6789-abcd-ef0123456789");
}

Test(http, uuid_out_may_be_null)
{
	cr_assert(http_uuid("00000000-0000-0000-0000-000000000000", NULL));
	cr_assert_not(http_uuid("00000000-0000-0000-0000-00000000000", NULL));
}

Test(http, uuid_wrong_length)
{
	char	 out[HTTP_UUID_SIZE];

	cr_assert_not(http_uuid("", out));
	cr_assert_not(http_uuid("0123abcd", out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f678", out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f67890",
	    out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b", out));
}

Test(http, uuid_missing_dashes)
{
	char	 out[HTTP_UUID_SIZE];

	cr_assert_not(http_uuid("0123abcd45678-9ef0a-1b2c-3d4e5f6789", out));
	cr_assert_not(http_uuid("0123abcd445670089ef00a1b02c3d4e5f6789",
	    out));
	cr_assert_not(http_uuid("0123abcd4567-89ef-0a1b-2c3d4e5f6789", out));
	cr_assert_not(http_uuid("0123abcd456789ef0a1b2c3d4e5f6789", out));
	/* Dashes in the wrong places. */
	cr_assert_not(http_uuid("0123abc-d4567-89ef-0a1b-2c3d4e5f6789", out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b2-c3d4e5f6789", out));
	cr_assert_not(http_uuid("0123abcd_4567_89ef_0a1b_2c3d4e5f6789", out));
}

Test(http, uuid_non_hex)
{
	char	 out[HTTP_UUID_SIZE];

	cr_assert_not(http_uuid("0123abcg-4567-89ef-0a1b-2c3d4e5f6789", out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f678G", out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f678 ", out));
	cr_assert_not(http_uuid(" 123abcd-4567-89ef-0a1b-2c3d4e5f6789", out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f678-", out));
	cr_assert_not(http_uuid("{0123abcd-4567-89ef-0a1b-2c3d4e5f67}",
	    out));
}

Test(http, uuid_trailing_characters)
{
	char	 out[HTTP_UUID_SIZE];

	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f6789x",
	    out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f6789/",
	    out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f6789 ",
	    out));
	cr_assert_not(http_uuid("0123abcd-4567-89ef-0a1b-2c3d4e5f6789"
	    "-0123", out));
}

Test(http, reason_phrases)
{
	static const struct {
		int		 status;
		const char	*reason;
	} table[] = {
		{ 200, "OK" },
		{ 201, "Created" },
		{ 202, "Accepted" },
		{ 204, "No Content" },
		{ 400, "Bad Request" },
		{ 401, "Unauthorized" },
		{ 403, "Forbidden" },
		{ 404, "Not Found" },
		{ 405, "Method Not Allowed" },
		{ 409, "Conflict" },
		{ 410, "Gone" },
		{ 413, "Payload Too Large" },
		{ 415, "Unsupported Media Type" },
		{ 429, "Too Many Requests" },
		{ 500, "Internal Server Error" },
		{ 503, "Service Unavailable" },
	};
	size_t	 i;

	for (i = 0; i < sizeof(table) / sizeof(table[0]); i++)
		cr_assert_str_eq(http_reason(table[i].status), table[i].reason,
		    "http_reason(%d)", table[i].status);
}

/* Every status of the error table has its own phrase. */
Test(http, reason_of_every_error_status)
{
	int	 err;

	for (err = AT_OK; err < AT_ERROR_COUNT; err++)
		cr_assert_str_neq(http_reason(error_http_status(err)),
		    "Unknown", "no reason phrase for %d (%s)",
		    error_http_status(err), error_code(err));
}

Test(http, reason_unknown)
{
	cr_assert_str_eq(http_reason(0), "Unknown");
	cr_assert_str_eq(http_reason(418), "Unknown");
	cr_assert_str_eq(http_reason(-1), "Unknown");
}
