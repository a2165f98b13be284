/*
 * Single sign-on through the web server: the rules that turn what the
 * web server says about a person (FastCGI parameters) into what the
 * store needs.  Pure functions on strings; the account itself is made or
 * found by auth_store_sso() in one statement.
 */
#ifndef ATTENDANCE_SSO_H
#define ATTENDANCE_SSO_H

#include <stddef.h>

#include "config.h"
#include "error.h"
#include "validate.h"

/* The longest subject, email or username attribute taken, in bytes. */
#define SSO_ATTRIBUTE_MAX	256
/* A display name is as long as the contract's names (200 characters,
 * so up to 800 bytes); a role attribute may list many values. */
#define SSO_NAME_MAX		(4 * VALIDATE_NAME_MAX)
#define SSO_ROLES_MAX		1024
/* The longest next path kept (a longer one is "/"). */
#define SSO_NEXT_MAX		1024

enum sso_role {
	SSO_ROLE_NONE,
	SSO_ROLE_PROFESSOR,
	SSO_ROLE_STUDENT
};

/*
 * The role the values of a role attribute (separated by ';' or ',')
 * make: professor when one is among professor_words, else student when
 * one is among student_words (words separated by spaces or commas;
 * both matched without regard to case).
 */
enum sso_role	 sso_role(const char *values, const char *professor_words,
		    const char *student_words);

/*
 * Whether value (NULL for none) may be taken at all: at most max bytes
 * of well-formed UTF-8 with no control character.  Anything else is
 * refused, never cut or repaired.
 */
int	 sso_attribute_ok(const char *value, size_t max);

/*
 * Where a sign-on sends the browser: the query's next when it is a path
 * of this site (one '/' not followed by '/' or '\', no control
 * character, space or backslash, at most SSO_NEXT_MAX bytes), else "/".
 * Bytes past ASCII are percent-encoded.  out has SSO_NEXT_MAX * 3 + 1
 * bytes.
 */
void	 sso_next(const char *query, char out[SSO_NEXT_MAX * 3 + 1]);

/*
 * A parameter name of the configuration that any client could set: a
 * request header reaches FastCGI as HTTP_<NAME>.  The workers refuse to
 * start with one; *cause is malloc'd ("sso_email_param: ...").
 */
enum at_error	 sso_check_config(const struct config *, char **cause)
		    AT_MUSTCHECK;

#endif
