/*
 * lib/field.h: a body checked against a route's field table, in table
 * order, the first wrong field answered in words; each kind's bounds, the
 * required and nullable rules, and "unless" for the bulk forms.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "arena.h"
#include "field.h"
#include "json.h"

static struct arena	 arena;
static json_object	*body;

static void
field_setup(void)
{
	memset(&arena, 0, sizeof(arena));
	body = NULL;
}

static void
field_teardown(void)
{
	json_object_put(body);
	arena_free(&arena);
}

TestSuite(field, .init = field_setup, .fini = field_teardown);

static const char *const colours[] = { "red", "green", NULL };

static const struct field table[] = {
	{ "name", FIELD_TEXT, FIELD_REQUIRED, 0, 5, NULL, NULL, NULL },
	{ "note", FIELD_PARAGRAPH, FIELD_NULLABLE, 0, 20, NULL, NULL, NULL },
	{ "secret", FIELD_SECRET, 0, 0, 8, NULL, NULL, NULL },
	{ "count", FIELD_INT, 0, 1, 10, NULL, NULL, NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct field kinds[] = {
	{ "colour", FIELD_CHOICE, FIELD_REQUIRED, 0, 16, colours, NULL,
	    "colour must be red or green" },
	{ "token", FIELD_STRING, FIELD_REQUIRED, 0, 0, NULL, NULL,
	    "token must be a string" },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

static const struct field bulk[] = {
	{ "many", FIELD_STRINGS, 0, 0, 3, NULL, NULL, NULL },
	{ "one", FIELD_TEXT, FIELD_REQUIRED, 0, 10, NULL, "many", NULL },
	{ NULL, 0, 0, 0, 0, NULL, NULL, NULL }
};

/* Checks text (NULL: no body) against t; the reason, or NULL when it
 * passes. */
static const char *
check(const struct field *t, const char *text, struct field_value *v)
{
	const char	*why = NULL;

	json_object_put(body);
	body = NULL;
	if (text != NULL)
		cr_assert_eq(json_parse(text, strlen(text), &body), 0, "%s",
		    text);
	if (field_check(&arena, body, t, v, &why) == 0)
		return NULL;
	cr_assert_not_null(why, "refused without a reason: %s", text);
	return why;
}

Test(field, values_by_index)
{
	struct field_value	 v[FIELD_MAX];

	cr_assert_null(check(table, "{\"name\":\" Ada \",\"note\":\"a\\nb\","
	    "\"secret\":\" pw \",\"count\":3}", v));
	cr_assert_str_eq(v[0].text, "Ada");
	cr_assert_str_eq(v[1].text, "a\nb");
	cr_assert_str_eq(v[2].text, " pw ", "a secret is kept as given");
	cr_assert(v[3].present);
	cr_assert_eq(v[3].number, 3);
	/* Absent and null read as NULL; present says which was which. */
	cr_assert_null(check(table, "{\"name\":\"x\",\"note\":null}", v));
	cr_assert(v[1].present);
	cr_assert_null(v[1].text);
	cr_assert(!v[2].present);
	cr_assert_null(v[2].text);
	cr_assert(!v[3].present);
}

Test(field, required_and_bounds)
{
	struct field_value	 v[FIELD_MAX];

	cr_assert_str_eq(check(table, NULL, v), "name is required");
	cr_assert_str_eq(check(table, "{}", v), "name is required");
	cr_assert_str_eq(check(table, "{\"name\":null}", v),
	    "name may not be null");
	cr_assert_str_eq(check(table, "{\"name\":\"toolong\"}", v),
	    "name is longer than 5 characters");
	cr_assert_str_eq(check(table, "{\"name\":1}", v),
	    "name must be a string");
	cr_assert_str_eq(check(table, "{\"name\":\"a\",\"count\":0}", v),
	    "count must be between 1 and 10");
	cr_assert_str_eq(check(table, "{\"name\":\"a\",\"count\":null}", v),
	    "count may not be null");
	cr_assert_str_eq(check(table, "{\"name\":\"a\",\"secret\":"
	    "\"123456789\"}", v), "secret is longer than 8 characters");
	/* In table order: the first wrong field is the one named. */
	cr_assert_str_eq(check(table, "{\"count\":99}", v),
	    "name is required");
}

Test(field, choice_and_string)
{
	struct field_value	 v[FIELD_MAX];

	cr_assert_null(check(kinds, "{\"colour\":\" red \",\"token\":\"t\"}",
	    v));
	cr_assert_str_eq(v[0].text, "red");
	cr_assert_str_eq(v[1].text, "t");
	cr_assert_str_eq(check(kinds, "{\"colour\":\"blue\"}", v),
	    "colour must be red or green");
	cr_assert_str_eq(check(kinds, "{\"colour\":\"red\"}", v),
	    "token must be a string");
	cr_assert_str_eq(check(kinds, "{\"colour\":\"red\",\"token\":7}", v),
	    "token must be a string");
	/* A string holding NUL reads as "", which matches nothing. */
	cr_assert_null(check(kinds, "{\"colour\":\"red\",\"token\":"
	    "\"a\\u0000b\"}", v));
	cr_assert_str_eq(v[1].text, "");
}

Test(field, strings_and_unless)
{
	struct field_value	 v[FIELD_MAX];

	cr_assert_null(check(bulk, "{\"many\":[\"a\",\"b\"]}", v));
	cr_assert(v[0].present);
	cr_assert_eq(v[0].count, 2);
	cr_assert_str_eq(v[0].texts[1], "b");
	cr_assert_null(v[0].texts[2]);
	/* With "many" there, "one" is not read, required or not. */
	cr_assert(!v[1].present);
	cr_assert_null(check(bulk, "{\"many\":[],\"one\":5}", v));
	cr_assert_eq(v[0].count, 0);
	/* Without it, "one" is required. */
	cr_assert_str_eq(check(bulk, "{}", v), "one is required");
	cr_assert_null(check(bulk, "{\"one\":\"x\"}", v));
	cr_assert(!v[0].present);
	cr_assert_str_eq(v[1].text, "x");
	cr_assert_str_eq(check(bulk, "{\"many\":\"a\"}", v),
	    "many must be an array of strings");
	cr_assert_str_eq(check(bulk, "{\"many\":[\"a\",1]}", v),
	    "many must be an array of strings");
	cr_assert_str_eq(check(bulk, "{\"many\":[\"a\\u0000\"]}", v),
	    "many must be an array of strings");
	cr_assert_str_eq(check(bulk, "{\"many\":[\"a\",\"b\",\"c\",\"d\"]}",
	    v), "many holds more than 3 entries");
}
