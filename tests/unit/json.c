/*
 * lib/json.h: request bodies are strict JSON with a depth limit, and the
 * field readers check type, emptiness and length and say why in words.
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "arena.h"
#include "json.h"

static struct arena	 arena;

static void
json_setup(void)
{
	memset(&arena, 0, sizeof(arena));
}

static void
json_teardown(void)
{
	arena_free(&arena);
}

TestSuite(json, .init = json_setup, .fini = json_teardown);

/* json_parse over a literal; the object, or NULL when refused. */
static json_object *
parse(const char *text)
{
	static int	 sentinel;
	json_object	*obj = (json_object *)(void *)&sentinel;

	if (json_parse(text, strlen(text), &obj) == -1) {
		cr_assert_null(obj, "*out set on failure for %s", text);
		return NULL;
	}
	return obj;
}

/* The parsed object of a body the test knows is good. */
static json_object *
body(const char *text)
{
	json_object	*obj = parse(text);

	cr_assert_not_null(obj, "cannot parse %s", text);
	cr_assert(json_object_is_type(obj, json_type_object), "%s", text);
	return obj;
}

static int
accepts(const char *text)
{
	json_object	*obj = parse(text);
	int		 ok = obj != NULL;

	json_object_put(obj);
	return ok;
}

/* n nested arrays, malloc'd. */
static char *
nested(size_t n)
{
	char	*s;

	cr_assert_not_null(s = malloc(2 * n + 1));
	memset(s, '[', n);
	memset(s + n, ']', n);
	s[2 * n] = '\0';
	return s;
}

Test(json, parse_object)
{
	json_object	*obj, *v;

	obj = body("{\"a\": 1, \"b\": [true, null, \"x\"], \"c\": {}}");
	cr_assert_eq(json_object_object_length(obj), 3);
	cr_assert(json_object_object_get_ex(obj, "b", &v));
	cr_assert_eq(json_object_array_length(v), 3);
	json_object_put(obj);
}

Test(json, parse_white_space_around)
{
	cr_assert(accepts(" \t\r\n{}\n"));
	cr_assert(accepts("{ \"a\" : 1 }\r\n"));
}

Test(json, parse_utf8_string)
{
	cr_assert(accepts("{\"a\": \"caf\xc3\xa9 \xe2\x82\xac\"}"));
	cr_assert(accepts("{\"a\": \"\\u00e9\"}"));
}

/* Any JSON value is one; the pipeline then asks for an object. */
Test(json, parse_scalar_values)
{
	cr_assert(accepts("[]"));
	cr_assert(accepts("\"text\""));
	cr_assert(accepts("42"), "a top-level number is a JSON value");
	cr_assert(accepts("true"), "a top-level literal is a JSON value");
}

Test(json, parse_refuses_trailing_garbage)
{
	cr_assert_not(accepts("{} x"));
	cr_assert_not(accepts("{}x"));
	cr_assert_not(accepts("{},"));
	cr_assert_not(accepts("{}]"));
}

Test(json, parse_refuses_two_values)
{
	cr_assert_not(accepts("{}{}"));
	cr_assert_not(accepts("{} {}"));
	cr_assert_not(accepts("[] []"));
	cr_assert_not(accepts("1 2"));
}

Test(json, parse_refuses_incomplete)
{
	cr_assert_not(accepts(""));
	cr_assert_not(accepts("   "));
	cr_assert_not(accepts("{"));
	cr_assert_not(accepts("{\"a\":"));
	cr_assert_not(accepts("{\"a\": \"x}"));
	cr_assert_not(accepts("[1,"));
}

Test(json, parse_refuses_trailing_commas)
{
	cr_assert_not(accepts("{\"a\": 1,}"));
	cr_assert_not(accepts("[1,]"));
}

/* len is what is parsed: bytes after it are not looked at. */
Test(json, parse_uses_len)
{
	static const char	 text[] = "{\"a\":1}garbage";
	json_object		*obj = NULL;

	cr_assert_eq(json_parse(text, 7, &obj), 0);
	cr_assert(json_object_is_type(obj, json_type_object));
	json_object_put(obj);
	cr_assert_eq(json_parse(text, 6, &obj), -1);
	cr_assert_null(obj);
}

Test(json, parse_depth_limit)
{
	char	*ok = nested(JSON_DEPTH_MAX);
	char	*deep = nested(JSON_DEPTH_MAX + 1);
	char	*deeper = nested(1000);

	cr_assert(accepts(ok), "%d levels", JSON_DEPTH_MAX);
	cr_assert_not(accepts(deep), "%d levels", JSON_DEPTH_MAX + 1);
	cr_assert_not(accepts(deeper), "1000 levels");
	free(ok);
	free(deep);
	free(deeper);
}

Test(json, parse_depth_limit_objects)
{
	char	*s, *p;
	size_t	 i, n = 1000;

	cr_assert_not_null(s = malloc(n * 6 + n + 2));
	p = s;
	for (i = 0; i < n; i++) {
		memcpy(p, "{\"a\":", 5);
		p += 5;
	}
	*p++ = '1';
	memset(p, '}', n);
	p[n] = '\0';
	cr_assert_not(accepts(s));
	free(s);
}

Test(json, parse_refuses_invalid_utf8)
{
	cr_assert_not(accepts("{\"a\": \"\xff\"}"));
	cr_assert_not(accepts("{\"a\": \"\xc3\"}"));		/* cut short */
	cr_assert_not(accepts("{\"\xfe\": 1}"));		/* in a key */
	cr_assert_not(accepts("{\"a\": \"\xf8\x88\x80\x80\x80\"}"));
}

/* What lib/validate.h calls UTF-8, json_parse calls UTF-8 too. */
Test(json, parse_refuses_overlong_and_surrogates)
{
	cr_assert_not(accepts("{\"a\": \"\xc0\xaf\"}"), "overlong '/'");
	cr_assert_not(accepts("{\"a\": \"\xe0\x80\xaf\"}"), "overlong");
	cr_assert_not(accepts("{\"a\": \"\xed\xa0\x80\"}"), "U+D800");
	cr_assert_not(accepts("{\"a\": \"\xf4\x90\x80\x80\"}"),
	    "past U+10FFFF");
}

/* json-c's extensions are off: only RFC 8259 gets through. */
Test(json, parse_refuses_single_quotes)
{
	cr_assert_not(accepts("{\"a\": 'x'}"));
	cr_assert_not(accepts("['x']"));
	cr_assert_not(accepts("{'a': 1}"), "a single-quoted key");
}

Test(json, parse_refuses_comments)
{
	cr_assert_not(accepts("{/* c */}"));
	cr_assert_not(accepts("// c\n{}"));
	cr_assert_not(accepts("{} // c"));
	cr_assert_not(accepts("{\"a\": 1 /* c */}"));
}

Test(json, parse_refuses_nan_and_infinity)
{
	cr_assert_not(accepts("NaN"));
	cr_assert_not(accepts("{\"a\": nan}"));
	cr_assert_not(accepts("{\"a\": NaN}"), "NaN");
	cr_assert_not(accepts("[NaN]"), "NaN");
	cr_assert_not(accepts("{\"a\": Infinity}"), "Infinity");
	cr_assert_not(accepts("{\"a\": -Infinity}"), "-Infinity");
}

Test(json, parse_refuses_other_extensions)
{
	cr_assert_not(accepts("{a: 1}"));		/* bare key */
	cr_assert_not(accepts("{\"a\": True}"));
	cr_assert_not(accepts("{\"a\": 0x10}"));
	cr_assert_not(accepts("{\"a\": 01}"));
	cr_assert_not(accepts("{\"a\": +1}"));
	cr_assert_not(accepts("{\"a\": .5}"));
}

/* RFC 8259 section 7: control characters in strings must be escaped. */
Test(json, parse_refuses_raw_control_characters)
{
	cr_assert(accepts("{\"a\": \"tab\\there\"}"));
	cr_assert_not(accepts("{\"a\": \"tab\there\"}"), "raw tab");
	cr_assert_not(accepts("{\"a\": \"line\nbreak\"}"), "raw newline");
	cr_assert_not(accepts("{\"a\": \"bell\a\"}"), "raw BEL");
}

/* json_field_text with the usual out-parameters. */
struct text_read {
	const char	*out;
	const char	*why;
	int		 present;
	int		 rc;
};

static struct text_read
read_text(const char *text, const char *name, int flags, size_t max)
{
	struct text_read	 r;
	json_object		*obj = body(text);

	r.out = "unset";
	r.why = NULL;
	r.present = -1;
	r.rc = json_field_text(&arena, obj, name, flags, max, &r.out,
	    &r.present, &r.why);
	if (r.rc == -1) {
		cr_assert_not_null(r.why, "no reason for %s", text);
		cr_assert_not_null(strstr(r.why, name), "reason \"%s\" does "
		    "not name %s", r.why, name);
	}
	/* The result lives in the arena, not in the JSON object. */
	json_object_put(obj);
	return r;
}

Test(json, text_plain)
{
	struct text_read r = read_text("{\"name\": \"Algebra\"}", "name",
	    JSON_REQUIRED, 200);

	cr_assert_eq(r.rc, 0);
	cr_assert_str_eq(r.out, "Algebra");
	cr_assert_eq(r.present, 1);
}

Test(json, text_required_missing)
{
	struct text_read r = read_text("{\"other\": \"x\"}", "name",
	    JSON_REQUIRED, 200);

	cr_assert_eq(r.rc, -1);
	cr_assert_null(r.out);
	cr_assert_eq(r.present, 0);
	cr_assert_str_eq(r.why, "name is required");
}

Test(json, text_optional_missing)
{
	struct text_read r = read_text("{}", "name", 0, 200);

	cr_assert_eq(r.rc, 0);
	cr_assert_null(r.out);
	cr_assert_eq(r.present, 0);
}

Test(json, text_null_not_nullable)
{
	struct text_read r = read_text("{\"name\": null}", "name", 0, 200);

	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.present, 1);
	cr_assert_str_eq(r.why, "name may not be null");
	r = read_text("{\"name\": null}", "name", JSON_REQUIRED, 200);
	cr_assert_eq(r.rc, -1);
}

Test(json, text_null_nullable)
{
	struct text_read r = read_text("{\"name\": null}", "name",
	    JSON_NULLABLE, 200);

	cr_assert_eq(r.rc, 0);
	cr_assert_null(r.out);
	cr_assert_eq(r.present, 1);
	r = read_text("{\"name\": null}", "name",
	    JSON_REQUIRED | JSON_NULLABLE, 200);
	cr_assert_eq(r.rc, 0);
	cr_assert_null(r.out);
}

Test(json, text_wrong_type)
{
	static const char *const bodies[] = {
		"{\"name\": 1}", "{\"name\": 1.5}", "{\"name\": true}",
		"{\"name\": []}", "{\"name\": {}}", "{\"name\": [\"x\"]}",
	};
	struct text_read	 r;
	size_t			 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		r = read_text(bodies[i], "name", JSON_REQUIRED, 200);
		cr_assert_eq(r.rc, -1, "%s", bodies[i]);
		cr_assert_str_eq(r.why, "name must be a string", "%s",
		    bodies[i]);
	}
}

Test(json, text_trimmed)
{
	struct text_read r = read_text("{\"name\": \" \\t Algebra I \\n \"}",
	    "name", JSON_REQUIRED, 200);

	cr_assert_eq(r.rc, 0);
	cr_assert_str_eq(r.out, "Algebra I");
}

Test(json, text_empty_after_trim)
{
	struct text_read r = read_text("{\"name\": \"   \"}", "name",
	    JSON_REQUIRED, 200);

	cr_assert_eq(r.rc, -1);
	r = read_text("{\"name\": \"\"}", "name", JSON_REQUIRED, 200);
	cr_assert_eq(r.rc, -1);
	r = read_text("{\"name\": \"\"}", "name", JSON_NULLABLE, 200);
	cr_assert_eq(r.rc, -1, "empty is not null");
}

Test(json, text_nul_inside)
{
	struct text_read r = read_text("{\"name\": \"ab\\u0000cd\"}", "name",
	    JSON_REQUIRED, 200);

	cr_assert_eq(r.rc, -1);
	cr_assert_null(r.out);
	cr_assert_str_eq(r.why, "name holds a NUL character");
	r = read_text("{\"password\": \"\\u0000\"}", "password",
	    JSON_REQUIRED | JSON_VERBATIM, 1024);
	cr_assert_eq(r.rc, -1);
}

/* max counts code points, not bytes. */
Test(json, text_length_in_code_points)
{
	struct text_read r;

	/* Three two-byte characters: six bytes. */
	r = read_text("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\"}", "name",
	    JSON_REQUIRED, 3);
	cr_assert_eq(r.rc, 0, "%s", r.why);
	cr_assert_str_eq(r.out, "\xc3\xa9\xc3\xa9\xc3\xa9");
	r = read_text("{\"name\": \"\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\"}",
	    "name", JSON_REQUIRED, 3);
	cr_assert_eq(r.rc, -1);
	cr_assert_str_eq(r.why, "name is longer than 3 characters");
	/* Escapes count once decoded; the emoji is one code point. */
	r = read_text("{\"name\": \"\\u00e9\\ud83d\\ude00x\"}", "name",
	    JSON_REQUIRED, 3);
	cr_assert_eq(r.rc, 0, "%s", r.why);
	r = read_text("{\"name\": \"abcd\"}", "name", JSON_REQUIRED, 3);
	cr_assert_eq(r.rc, -1);
	/* White space trimmed away does not count. */
	r = read_text("{\"name\": \"  abc  \"}", "name", JSON_REQUIRED, 3);
	cr_assert_eq(r.rc, 0, "%s", r.why);
	cr_assert_str_eq(r.out, "abc");
}

Test(json, text_verbatim_keeps_spaces)
{
	struct text_read r = read_text("{\"password\": \"  p w \\t\"}",
	    "password", JSON_REQUIRED | JSON_VERBATIM, 1024);

	cr_assert_eq(r.rc, 0);
	cr_assert_str_eq(r.out, "  p w \t");
	r = read_text("{\"password\": \"\"}", "password",
	    JSON_REQUIRED | JSON_VERBATIM, 1024);
	cr_assert_eq(r.rc, 0, "verbatim may be empty");
	cr_assert_str_eq(r.out, "");
	r = read_text("{\"password\": \"abcde\"}", "password",
	    JSON_REQUIRED | JSON_VERBATIM, 4);
	cr_assert_eq(r.rc, -1);
	cr_assert_str_eq(r.why, "password is longer than 4 characters");
}

Test(json, text_paragraph_allows_newlines)
{
	struct text_read r = read_text("{\"description\": \"one\\ntwo\\r\\n"
	    "three\"}", "description", JSON_PARAGRAPH, 2000);

	cr_assert_eq(r.rc, 0, "%s", r.why);
	cr_assert_str_eq(r.out, "one\ntwo\r\nthree");
}

Test(json, text_plain_refuses_newlines)
{
	struct text_read r = read_text("{\"name\": \"one\\ntwo\"}", "name",
	    JSON_REQUIRED, 200);

	cr_assert_eq(r.rc, -1);
	r = read_text("{\"name\": \"one\\rtwo\"}", "name", JSON_REQUIRED, 200);
	cr_assert_eq(r.rc, -1);
	/* Other control characters, with or without PARAGRAPH. */
	r = read_text("{\"name\": \"a\\u0007b\"}", "name", JSON_REQUIRED,
	    200);
	cr_assert_eq(r.rc, -1);
	r = read_text("{\"name\": \"a\\u001bb\"}", "name", JSON_PARAGRAPH,
	    200);
	cr_assert_eq(r.rc, -1);
	/* A tab is fine. */
	r = read_text("{\"name\": \"a\\tb\"}", "name", JSON_REQUIRED, 200);
	cr_assert_eq(r.rc, 0, "%s", r.why);
}

Test(json, text_present_may_be_null)
{
	json_object	*obj = body("{\"name\": \"x\"}");
	const char	*out = NULL, *why = NULL;

	cr_assert_eq(json_field_text(&arena, obj, "name", JSON_REQUIRED, 10,
	    &out, NULL, &why), 0);
	cr_assert_str_eq(out, "x");
	cr_assert_eq(json_field_text(&arena, obj, "other", JSON_REQUIRED, 10,
	    &out, NULL, &why), -1);
	cr_assert_null(out);
	json_object_put(obj);
}

/* json_field_int with the usual out-parameters. */
struct int_read {
	long		 out;
	const char	*why;
	int		 present;
	int		 rc;
};

static struct int_read
read_int(const char *text, int flags, long min, long max)
{
	struct int_read	 r;
	json_object	*obj = body(text);

	r.out = -12345;
	r.why = NULL;
	r.present = -1;
	r.rc = json_field_int(&arena, obj, "n", flags, min, max, &r.out,
	    &r.present, &r.why);
	if (r.rc == -1) {
		cr_assert_not_null(r.why, "no reason for %s", text);
		cr_assert_eq(r.why[0], 'n', "reason \"%s\"", r.why);
	}
	json_object_put(obj);
	return r;
}

Test(json, int_in_range)
{
	struct int_read r = read_int("{\"n\": 30}", JSON_REQUIRED, 5, 600);

	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.out, 30);
	cr_assert_eq(r.present, 1);
	r = read_int("{\"n\": 5}", JSON_REQUIRED, 5, 600);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.out, 5);
	r = read_int("{\"n\": 600}", JSON_REQUIRED, 5, 600);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.out, 600);
	r = read_int("{\"n\": -3}", JSON_REQUIRED, -10, 10);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.out, -3);
	r = read_int("{\"n\": 0}", JSON_REQUIRED, 0, 86400);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.out, 0);
}

Test(json, int_out_of_range)
{
	struct int_read r = read_int("{\"n\": 4}", JSON_REQUIRED, 5, 600);

	cr_assert_eq(r.rc, -1);
	cr_assert_str_eq(r.why, "n must be between 5 and 600");
	r = read_int("{\"n\": 601}", JSON_REQUIRED, 5, 600);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": -1}", JSON_REQUIRED, 0, 86400);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": 2147483648}", JSON_REQUIRED, 0, 86400);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": -2147483649}", JSON_REQUIRED, 0, 86400);
	cr_assert_eq(r.rc, -1);
}

Test(json, int_refuses_float)
{
	struct int_read r = read_int("{\"n\": 1.5}", JSON_REQUIRED, 0, 600);

	cr_assert_eq(r.rc, -1);
	cr_assert_str_eq(r.why, "n must be an integer");
	r = read_int("{\"n\": 30.0}", JSON_REQUIRED, 0, 600);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": 3e1}", JSON_REQUIRED, 0, 600);
	cr_assert_eq(r.rc, -1);
}

Test(json, int_refuses_other_types)
{
	static const char *const bodies[] = {
		"{\"n\": \"30\"}", "{\"n\": true}", "{\"n\": []}",
		"{\"n\": {}}", "{\"n\": \"\"}",
	};
	struct int_read	 r;
	size_t		 i;

	for (i = 0; i < sizeof(bodies) / sizeof(bodies[0]); i++) {
		r = read_int(bodies[i], JSON_REQUIRED, 0, 600);
		cr_assert_eq(r.rc, -1, "%s", bodies[i]);
		cr_assert_str_eq(r.why, "n must be an integer", "%s",
		    bodies[i]);
	}
}

/* Numbers past what C holds are refused, not wrapped or clamped in. */
Test(json, int_refuses_huge)
{
	struct int_read r = read_int("{\"n\": 1e400}", JSON_REQUIRED, 0, 600);

	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": 99999999999999999999}", JSON_REQUIRED, 0, 600);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": -99999999999999999999}", JSON_REQUIRED, 0, 600);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": 18446744073709551616}", JSON_REQUIRED, -600,
	    600);
	cr_assert_eq(r.rc, -1);
	r = read_int("{\"n\": 99999999999999999999}", JSON_REQUIRED,
	    LONG_MIN, LONG_MAX);
	cr_assert_eq(r.rc, -1, "20 nines read as %ld", r.out);
}

Test(json, int_missing_and_null)
{
	struct int_read r = read_int("{}", JSON_REQUIRED, 0, 600);

	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.present, 0);
	cr_assert_str_eq(r.why, "n is required");
	r = read_int("{}", 0, 0, 600);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.present, 0);
	cr_assert_eq(r.out, -12345, "absent leaves *out alone");
	r = read_int("{\"n\": null}", 0, 0, 600);
	cr_assert_eq(r.rc, -1);
	cr_assert_eq(r.present, 1);
	r = read_int("{\"n\": null}", JSON_NULLABLE, 0, 600);
	cr_assert_eq(r.rc, 0);
	cr_assert_eq(r.present, 1);
}

Test(json, has)
{
	json_object	*obj = body("{\"a\": 1, \"b\": null, \"c\": \"\"}");

	cr_assert(json_has(obj, "a"));
	cr_assert(json_has(obj, "b"), "a null field is there");
	cr_assert(json_has(obj, "c"));
	cr_assert_not(json_has(obj, "d"));
	cr_assert_not(json_has(obj, "A"));
	cr_assert_not(json_has(obj, ""));
	json_object_put(obj);
}
