#include <stdio.h>
#include <string.h>

#include "cidr.h"
#include "field.h"
#include "json.h"

/* The json.h reader of a text kind. */
static int
field_text(struct arena *arena, json_object *obj, const struct field *f,
    struct field_value *v, const char **why)
{
	int	 flags = f->flags;

	if (f->kind == FIELD_PARAGRAPH)
		flags |= JSON_PARAGRAPH;
	else if (f->kind == FIELD_SECRET)
		flags |= JSON_VERBATIM;
	return json_field_text(arena, obj, f->name, flags, (size_t)f->max,
	    &v->text, NULL, why);
}

static int
field_choice(struct arena *arena, json_object *obj, const struct field *f,
    struct field_value *v, const char **why)
{
	const char *const	*c;

	if (field_text(arena, obj, f, v, why) == -1)
		return -1;
	if (v->text == NULL)
		return 0;
	for (c = f->choices; *c != NULL; c++)
		if (strcmp(v->text, *c) == 0)
			return 0;
	*why = f->message;
	return -1;
}

static int
field_string(struct arena *arena, json_object *obj, const struct field *f,
    struct field_value *v, const char **why)
{
	json_object	*value;

	if (!json_object_object_get_ex(obj, f->name, &value) ||
	    !json_object_is_type(value, json_type_string)) {
		if (!v->present && !(f->flags & FIELD_REQUIRED))
			return 0;
		*why = f->message != NULL ? f->message :
		    arena_printf(arena, "%s must be a string", f->name);
		return -1;
	}
	v->text = json_object_get_string(value);
	if (strlen(v->text) != (size_t)json_object_get_string_len(value))
		v->text = "";
	return 0;
}

static int
field_strings(struct arena *arena, json_object *obj, const struct field *f,
    struct field_value *v, const char **why)
{
	json_object	*list, *item;
	const char	**texts;
	size_t		 i, n;

	if (!json_object_object_get_ex(obj, f->name, &list))
		return 0;
	if (!json_object_is_type(list, json_type_array))
		goto wrong;
	if ((n = json_object_array_length(list)) > (size_t)f->max) {
		*why = arena_printf(arena, "%s holds more than %ld entries",
		    f->name, f->max);
		return -1;
	}
	if ((texts = arena_alloc(arena, (n + 1) * sizeof(*texts))) == NULL) {
		*why = "out of memory";
		return -1;
	}
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(list, i);
		if (!json_object_is_type(item, json_type_string) ||
		    strlen(texts[i] = json_object_get_string(item)) !=
		    (size_t)json_object_get_string_len(item))
			goto wrong;
	}
	texts[n] = NULL;
	v->texts = texts;
	v->count = n;
	return 0;
wrong:
	*why = f->message != NULL ? f->message :
	    arena_printf(arena, "%s must be an array of strings", f->name);
	return -1;
}

static int
field_networks(struct arena *arena, json_object *obj, const struct field *f,
    struct field_value *v, const char **why)
{
	json_object	*list, *item;
	struct cidr	 net;
	const char	*reason;
	char		(*kept)[CIDR_TEXT_SIZE], *array;
	size_t		 i, j, n, used = 0, len = 1, size;

	if (!json_object_object_get_ex(obj, f->name, &list))
		return 0;
	if (list == NULL && (f->flags & FIELD_NULLABLE))
		return 0;
	if (!json_object_is_type(list, json_type_array) ||
	    (n = json_object_array_length(list)) == 0 || n > (size_t)f->max) {
		*why = arena_printf(arena, "%s must be %sa list of 1 to %ld "
		    "networks (CIDRs such as 10.20.0.0/16)", f->name,
		    (f->flags & FIELD_NULLABLE) ? "null or " : "", f->max);
		return -1;
	}
	if ((kept = arena_alloc(arena, n * sizeof(*kept))) == NULL)
		goto oom;
	for (i = 0; i < n; i++) {
		item = json_object_array_get_idx(list, i);
		if (!json_object_is_type(item, json_type_string) ||
		    strlen(json_object_get_string(item)) !=
		    (size_t)json_object_get_string_len(item)) {
			*why = arena_printf(arena, "%s[%zu] must be a string",
			    f->name, i);
			return -1;
		}
		if (cidr_parse(json_object_get_string(item), &net, &reason) !=
		    AT_OK) {
			*why = arena_printf(arena, "%s[%zu] '%.60s' %s",
			    f->name, i, json_object_get_string(item), reason);
			return -1;
		}
		cidr_format(&net, kept[used]);
		/* A repeat (in canonical form) is left out. */
		for (j = 0; j < used; j++)
			if (strcmp(kept[j], kept[used]) == 0)
				break;
		if (j == used)
			len += strlen(kept[used++]) + 1;
	}
	if ((array = arena_alloc(arena, len + 1)) == NULL)
		goto oom;
	array[0] = '{';
	size = len + 1;
	for (i = 0, len = 1; i < used; i++)
		len += (size_t)snprintf(array + len, size - len, "%s%s",
		    i > 0 ? "," : "", kept[i]);
	snprintf(array + len, size - len, "}");
	v->text = array;
	v->count = used;
	return 0;
oom:
	*why = "out of memory";
	return -1;
}

int
field_check(struct arena *arena, json_object *obj, const struct field *table,
    struct field_value *values, const char **why)
{
	const struct field	*f;
	struct field_value	*v;
	int			 rc = 0;

	for (f = table; f != NULL && f->name != NULL && rc == 0; f++) {
		v = &values[f - table];
		memset(v, 0, sizeof(*v));
		if (f->unless != NULL && json_object_object_get_ex(obj,
		    f->unless, NULL))
			continue;
		v->present = json_object_object_get_ex(obj, f->name, NULL);
		switch (f->kind) {
		case FIELD_TEXT:
		case FIELD_PARAGRAPH:
		case FIELD_SECRET:
			rc = field_text(arena, obj, f, v, why);
			break;
		case FIELD_CHOICE:
			rc = field_choice(arena, obj, f, v, why);
			break;
		case FIELD_INT:
			rc = json_field_int(arena, obj, f->name, f->flags,
			    f->min, f->max, &v->number, NULL, why);
			break;
		case FIELD_STRING:
			rc = field_string(arena, obj, f, v, why);
			break;
		case FIELD_STRINGS:
			rc = field_strings(arena, obj, f, v, why);
			break;
		case FIELD_NETWORKS:
			rc = field_networks(arena, obj, f, v, why);
			break;
		}
	}
	return rc;
}
