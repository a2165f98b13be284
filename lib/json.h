/*
 * Request bodies: strict JSON with a depth limit and UTF-8 checked, and
 * readers for the fields of an object that check type, length and
 * emptiness, with the reason in words for a 400.  Strings come back
 * trimmed and copied into the request's arena.
 */
#ifndef ATTENDANCE_JSON_H
#define ATTENDANCE_JSON_H

#include <stddef.h>

#include <json-c/json.h>

#include "arena.h"

#define JSON_DEPTH_MAX	32

/* Parses text as one JSON value; *out is the caller's (json_object_put).
 * Returns 0, or -1 when it is not well-formed JSON. */
int	 json_parse(const char *text, size_t len, json_object **out);

#define JSON_REQUIRED	0x1	/* absent is an error */
#define JSON_NULLABLE	0x2	/* null is accepted (and reads as NULL) */
#define JSON_PARAGRAPH	0x4	/* line breaks allowed */
#define JSON_VERBATIM	0x8	/* not trimmed, may be empty (passwords) */

/*
 * Reads text field name of obj (at most max characters, not empty once
 * trimmed).  *out is NULL when absent or null; *present (may be NULL)
 * says whether the key was there.  Returns 0, or -1 with *why (in the
 * arena) saying what is wrong.
 */
int	 json_field_text(struct arena *, json_object *obj, const char *name,
	    int flags, size_t max, const char **out, int *present,
	    const char **why);

/* Reads an integer field in [min, max]; *present as above. */
int	 json_field_int(struct arena *, json_object *obj, const char *name,
	    int flags, long min, long max, long *out, int *present,
	    const char **why);

/*
 * Whether obj has key name (even null); for "any of these fields" bodies.
 */
int	 json_has(json_object *obj, const char *name);

#endif
