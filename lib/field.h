/*
 * Declarative checks of a request body's fields, after kcgi's kvalid: a
 * route names a table of fields (name, kind, bounds, required), and the
 * pipeline checks the body against it before the handler runs, in table
 * order, stopping at the first field that is wrong with the reason in
 * words for a 400.  The handler reads the values by their index in the
 * table.
 */
#ifndef ATTENDANCE_FIELD_H
#define ATTENDANCE_FIELD_H

#include <stddef.h>

#include <json-c/json.h>

#include "arena.h"
#include "json.h"

#define FIELD_MAX	8	/* fields of one table, at most */

enum field_kind {
	FIELD_TEXT,		/* one line, trimmed, not empty, max chars */
	FIELD_PARAGRAPH,	/* the same, line breaks allowed */
	FIELD_SECRET,		/* as given, not trimmed, max bytes */
	FIELD_INT,		/* an integer in [min, max] */
	FIELD_CHOICE,		/* one of choices, trimmed */
	FIELD_STRING,		/* any string; one holding NUL reads as "" */
	FIELD_STRINGS,		/* an array of at most max strings */
	/*
	 * 1 to max IP networks (lib/cidr.h), or null when nullable: text
	 * is their PostgreSQL cidr[] literal, canonical, without repeats,
	 * in the order given.
	 */
	FIELD_NETWORKS
};

/* The readers' own flags (json.h), passed through to them. */
#define FIELD_REQUIRED	JSON_REQUIRED	/* absent is an error */
#define FIELD_NULLABLE	JSON_NULLABLE	/* null is accepted, reads as NULL */

struct field {
	const char		*name;		/* NULL ends a table */
	enum field_kind		 kind;
	int			 flags;
	long			 min, max;	/* see the kinds */
	const char *const	*choices;	/* FIELD_CHOICE, NULL-ended */
	/*
	 * Another field's name: when the body has that key, this field is
	 * not read at all (the single and bulk forms of one request).
	 */
	const char		*unless;
	/* The 400's message when the value has the wrong type or is not
	 * one of choices; NULL for the generic one. */
	const char		*message;
};

struct field_value {
	int			 present;	/* the key is there */
	const char		*text;		/* NULL when absent or null */
	long			 number;	/* FIELD_INT */
	const char *const	*texts;		/* FIELD_STRINGS */
	size_t			 count;
};

/*
 * Checks obj (NULL: no body, every field absent) against the table;
 * values[i] receives field i (strings in the arena, or json-c's, valid
 * while obj lives).  Returns 0, or -1 with *why (in the arena).
 */
int	 field_check(struct arena *, json_object *obj,
	    const struct field *table, struct field_value *values,
	    const char **why);

#endif
