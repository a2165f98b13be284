/*
 * libFuzzer target: json_parse on any bytes, then json_field_text and
 * json_field_int on every key of what it returns, with the flag sets the
 * handlers use.  Invariants: success means a value (never NULL, never
 * with bytes left over); a text read gives NULL or a string within its
 * bounds (trimmed and not empty unless verbatim); an int read stays in
 * [min, max]; a refusal always says why.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "arena.h"
#include "json.h"
#include "validate.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static const int text_flags[] = {
	0, JSON_REQUIRED, JSON_NULLABLE, JSON_PARAGRAPH,
	JSON_VERBATIM | JSON_REQUIRED, JSON_REQUIRED | JSON_NULLABLE
};

static void
fuzz_text(struct arena *arena, json_object *obj, const char *key, int flags)
{
	const char	*out = NULL, *why = NULL;
	int		 present = -1;
	size_t		 len;

	if (json_field_text(arena, obj, key, flags, 16, &out, &present,
	    &why) == -1) {
		assert(why != NULL && out == NULL);
		return;
	}
	assert(present == json_has(obj, key));
	if (out == NULL)
		return;
	assert(validate_utf8_length(out) <= 16);
	if (flags & JSON_VERBATIM)
		return;
	len = strlen(out);
	assert(len > 0);
	assert(out[0] != ' ' && out[len - 1] != ' ');
}

static void
fuzz_int(struct arena *arena, json_object *obj, const char *key, int flags)
{
	const char	*why = NULL;
	long		 out = -12345;
	int		 present = -1;

	if (json_field_int(arena, obj, key, flags, -5, 1000, &out, &present,
	    &why) == -1) {
		assert(why != NULL);
		return;
	}
	assert(present == json_has(obj, key));
	assert(out == -12345 || (out >= -5 && out <= 1000));
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct arena	 arena = { NULL, 0 };
	json_object	*value = NULL;
	size_t		 i;

	if (json_parse((const char *)data, size, &value) == -1) {
		assert(value == NULL);
		return 0;
	}
	assert(value != NULL);
	if (json_object_is_type(value, json_type_object)) {
		json_object_object_foreach(value, key, v) {
			(void)v;
			for (i = 0; i < sizeof(text_flags) /
			    sizeof(text_flags[0]); i++)
				fuzz_text(&arena, value, key, text_flags[i]);
			fuzz_int(&arena, value, key, 0);
			fuzz_int(&arena, value, key, JSON_NULLABLE);
		}
		/* An absent key: required is refused, optional is NULL. */
		fuzz_text(&arena, value, "\001absent", JSON_REQUIRED);
		fuzz_text(&arena, value, "\001absent", 0);
		fuzz_int(&arena, value, "\001absent", JSON_REQUIRED);
	}
	json_object_put(value);
	arena_free(&arena);
	return 0;
}
