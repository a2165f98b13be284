#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "json.h"
#include "util.h"
#include "validate.h"

/*
 * What json-c lets through even with JSON_TOKENER_STRICT: single-quoted
 * keys, NaN and Infinity, raw control characters in strings, and UTF-8
 * its checker does not know is wrong (overlongs, surrogates).
 */
static int
json_strict(const char *text, size_t len)
{
	size_t	 i;
	int	 in_string = 0;

	if (!validate_utf8(text, len))
		return 0;
	for (i = 0; i < len; i++) {
		unsigned char	 c = (unsigned char)text[i];

		if (in_string) {
			if (c < 0x20)
				return 0;
			if (c == '\\')
				i++;
			else if (c == '"')
				in_string = 0;
		} else if (c == '"')
			in_string = 1;
		else if (c == '\'' || c == 'N' || c == 'I')
			return 0;
	}
	return 1;
}

int
json_parse(const char *text, size_t len, json_object **out)
{
	struct json_tokener	*tok;
	json_object		*value = NULL;
	size_t			 end;
	int			 rc = -1;

	*out = NULL;
	if (len > (size_t)INT32_MAX)
		return -1;
	if ((tok = json_tokener_new_ex(JSON_DEPTH_MAX)) == NULL)
		return -1;
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT |
	    JSON_TOKENER_VALIDATE_UTF8);
	if (!json_strict(text, len))
		goto out;
	value = json_tokener_parse_ex(tok, text, (int)len);
	end = json_tokener_get_parse_end(tok);
	/* A number or literal at the end waits for more: end the input. */
	if (value == NULL &&
	    json_tokener_get_error(tok) == json_tokener_continue &&
	    end == len)
		value = json_tokener_parse_ex(tok, "", 1);
	/* Everything must be consumed: "{} x" is not one value. */
	if (value != NULL &&
	    json_tokener_get_error(tok) == json_tokener_success &&
	    end == len) {
		*out = value;
		value = NULL;
		rc = 0;
	}
out:
	json_object_put(value);
	json_tokener_free(tok);
	return rc;
}

int
json_has(json_object *obj, const char *name)
{
	return json_object_object_get_ex(obj, name, NULL);
}

static int
json_field_get(json_object *obj, const char *name, int flags,
    json_object **value, int *present, struct arena *arena,
    const char **why)
{
	int	 there = json_object_object_get_ex(obj, name, value);

	if (present != NULL)
		*present = there;
	if (!there || *value == NULL) {
		*value = NULL;
		if (!there && (flags & JSON_REQUIRED)) {
			*why = arena_printf(arena, "%s is required", name);
			return -1;
		}
		if (there && !(flags & JSON_NULLABLE)) {
			*why = arena_printf(arena, "%s may not be null", name);
			return -1;
		}
	}
	return 0;
}

int
json_field_text(struct arena *arena, json_object *obj, const char *name,
    int flags, size_t max, const char **out, int *present,
    const char **why)
{
	json_object	*value;
	const char	*s, *reason;
	char		*copy;
	size_t		 len;

	*out = NULL;
	if (json_field_get(obj, name, flags, &value, present, arena,
	    why) == -1)
		return -1;
	if (value == NULL)
		return 0;
	if (!json_object_is_type(value, json_type_string)) {
		*why = arena_printf(arena, "%s must be a string", name);
		return -1;
	}
	s = json_object_get_string(value);
	len = (size_t)json_object_get_string_len(value);
	if (strlen(s) != len) {
		*why = arena_printf(arena, "%s holds a NUL character", name);
		return -1;
	}
	if ((copy = arena_strndup(arena, s, len)) == NULL) {
		*why = "out of memory";
		return -1;
	}
	if (flags & JSON_VERBATIM) {
		if (validate_utf8_length(copy) > max) {
			*why = arena_printf(arena, "%s is longer than %zu "
			    "characters", name, max);
			return -1;
		}
		*out = copy;
		return 0;
	}
	util_trim(copy);
	if (((flags & JSON_PARAGRAPH) ? validate_paragraph(copy, max,
	    &reason) : validate_text(copy, max, &reason)) == -1) {
		if (strcmp(reason, "is too long") == 0)
			*why = arena_printf(arena, "%s is longer than %zu "
			    "characters", name, max);
		else
			*why = arena_printf(arena, "%s %s", name, reason);
		return -1;
	}
	*out = copy;
	return 0;
}

int
json_field_int(struct arena *arena, json_object *obj, const char *name,
    int flags, long min, long max, long *out, int *present,
    const char **why)
{
	json_object	*value;
	int64_t		 v;

	if (json_field_get(obj, name, flags, &value, present, arena,
	    why) == -1)
		return -1;
	if (value == NULL)
		return 0;
	if (!json_object_is_type(value, json_type_int)) {
		*why = arena_printf(arena, "%s must be an integer", name);
		return -1;
	}
	errno = 0;
	v = json_object_get_int64(value);
	/* json-c clamps what int64 cannot hold to its bounds. */
	if (errno != 0 || v == INT64_MIN || v == INT64_MAX || v < min ||
	    v > max) {
		*why = arena_printf(arena, "%s must be between %ld and %ld",
		    name, min, max);
		return -1;
	}
	*out = (long)v;
	return 0;
}
