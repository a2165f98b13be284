/*
 * src/admin/admin_args.h: the "user add" command line and the password
 * read from standard input.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "admin_args.h"
#include "validate.h"

#define ARGS_MAX	16

/*
 * A writable argv as getopt_long wants it.  getopt may reorder argv, so
 * the copies are also kept in owned[] and freed from there.
 */
struct args {
	int	 argc;
	char	*argv[ARGS_MAX + 1];
	char	*owned[ARGS_MAX];
};

static void
args_make(struct args *a, const char *const *words)
{
	memset(a, 0, sizeof(*a));
	for (; *words != NULL; words++) {
		cr_assert_lt(a->argc, ARGS_MAX);
		cr_assert_not_null(a->owned[a->argc] = strdup(*words));
		a->argv[a->argc] = a->owned[a->argc];
		a->argc++;
	}
}

static void
args_free(struct args *a)
{
	int	 i;

	for (i = 0; i < a->argc; i++)
		free(a->owned[i]);
}

#define WORDS(...)	((const char *const[]){ __VA_ARGS__, NULL })

/* Whether p points into one of the argument strings. */
static int
points_into(const struct args *a, const char *p)
{
	int	 i;

	for (i = 0; i < a->argc; i++)
		if (p >= a->owned[i] && p <= a->owned[i] + strlen(a->owned[i]))
			return 1;
	return 0;
}

/*
 * Parses words and expects a failure whose cause holds want.  Everything
 * is freed before the checks so a failing one reports no leak of its own.
 */
static void
expect_parse_fails(const char *const *words, const char *want)
{
	struct admin_args_user_add	 out;
	struct args			 a;
	char				*cause = NULL, text[256];
	int				 rc;

	args_make(&a, words);
	rc = admin_args_parse_user_add(a.argc, a.argv, &out, &cause);
	snprintf(text, sizeof(text), "%s", cause != NULL ? cause : "");
	free(cause);
	args_free(&a);
	cr_assert_eq(rc, -1, "accepted, expected '%s'", want);
	cr_assert_neq(text[0], '\0', "no cause, expected '%s'", want);
	cr_assert_not_null(strstr(text, want), "'%s' lacks '%s'", text,
	    want);
}

Test(admin_args, user_add)
{
	struct admin_args_user_add	 out;
	struct args			 a;
	char				*cause = NULL;

	args_make(&a, WORDS("add", "--role", "student", "--username", "alice",
	    "--email", "alice@example.edu", "--display-name", "Alice Liddell",
	    "--password-stdin"));
	cr_assert_eq(admin_args_parse_user_add(a.argc, a.argv, &out, &cause),
	    0, "%s", cause != NULL ? cause : "");
	cr_assert_null(cause);
	cr_assert_str_eq(out.role, "student");
	cr_assert_str_eq(out.username, "alice");
	cr_assert_str_eq(out.email, "alice@example.edu");
	cr_assert_str_eq(out.display_name, "Alice Liddell");
	cr_assert_eq(out.password_stdin, 1);
	/* No copies: the strings live in argv. */
	cr_assert(points_into(&a, out.role));
	cr_assert(points_into(&a, out.username));
	cr_assert(points_into(&a, out.email));
	cr_assert(points_into(&a, out.display_name));
	args_free(&a);
}

Test(admin_args, user_add_any_order)
{
	struct admin_args_user_add	 out;
	struct args			 a;
	char				*cause = NULL;

	args_make(&a, WORDS("add", "--password-stdin",
	    "--display-name=Prof. X", "--email", "x@example.edu",
	    "--username=xavier", "--role", "professor"));
	cr_assert_eq(admin_args_parse_user_add(a.argc, a.argv, &out, &cause),
	    0, "%s", cause != NULL ? cause : "");
	cr_assert_str_eq(out.role, "professor");
	cr_assert_str_eq(out.username, "xavier");
	cr_assert_str_eq(out.email, "x@example.edu");
	cr_assert_str_eq(out.display_name, "Prof. X");
	cr_assert_eq(out.password_stdin, 1);
	cr_assert(points_into(&a, out.username));
	cr_assert(points_into(&a, out.display_name));
	args_free(&a);
}

/* optind is reset inside, so a second argv parses from its start. */
Test(admin_args, user_add_twice)
{
	struct admin_args_user_add	 out;
	struct args			 a, b;
	char				*cause = NULL;

	args_make(&a, WORDS("add", "--role", "student", "--username", "a",
	    "--email", "a@example.edu", "--display-name", "A",
	    "--password-stdin"));
	args_make(&b, WORDS("add", "--password-stdin", "--role", "professor",
	    "--username", "b", "--email", "b@example.edu",
	    "--display-name", "B"));
	cr_assert_eq(admin_args_parse_user_add(a.argc, a.argv, &out, &cause),
	    0);
	cr_assert_str_eq(out.username, "a");
	cr_assert_eq(admin_args_parse_user_add(b.argc, b.argv, &out, &cause),
	    0, "%s", cause != NULL ? cause : "");
	cr_assert_str_eq(out.username, "b");
	cr_assert_str_eq(out.role, "professor");
	args_free(&a);
	args_free(&b);
}

Test(admin_args, user_add_missing_required)
{
	static const char *const required[] = {
		"--role", "--username", "--email", "--display-name"
	};
	static const char *const value[] = {
		"student", "alice", "alice@example.edu", "Alice"
	};
	const char	*words[ARGS_MAX];
	size_t		 skip, i, n;

	for (skip = 0; skip < 4; skip++) {
		n = 0;
		words[n++] = "add";
		for (i = 0; i < 4; i++) {
			if (i == skip)
				continue;
			words[n++] = required[i];
			words[n++] = value[i];
		}
		words[n++] = "--password-stdin";
		words[n] = NULL;
		expect_parse_fails(words, "are required");
	}
	expect_parse_fails(WORDS("add"), "are required");
	expect_parse_fails(WORDS("add", "--password-stdin"), "are required");
}

/* A password given as an argument would show in ps(1) and history. */
Test(admin_args, user_add_needs_password_stdin)
{
	expect_parse_fails(WORDS("add", "--role", "student", "--username",
	    "alice", "--email", "alice@example.edu", "--display-name",
	    "Alice"), "command line");
	expect_parse_fails(WORDS("add", "--role", "student", "--username",
	    "alice", "--email", "alice@example.edu", "--display-name",
	    "Alice"), "--password-stdin");
}

Test(admin_args, user_add_unknown_option)
{
	expect_parse_fails(WORDS("add", "--role", "student", "--name",
	    "Alice", "--username", "alice"), "unknown option '--name'");
	expect_parse_fails(WORDS("add", "--bogus", "--role", "student"),
	    "unknown option '--bogus'");
	expect_parse_fails(WORDS("add", "-x", "--role", "student"),
	    "unknown option '-x'");
	/* --password-stdin takes no value. */
	expect_parse_fails(WORDS("add", "--password-stdin=yes"),
	    "--password-stdin takes no value");
}

/* In a cluster the unknown letter is the one to name, not argv[0]. */
Test(admin_args, user_add_unknown_short_cluster)
{
	expect_parse_fails(WORDS("add", "-xy", "--role", "student"), "-x");
}

Test(admin_args, user_add_missing_value)
{
	expect_parse_fails(WORDS("add", "--username", "alice", "--email",
	    "alice@example.edu", "--display-name", "Alice",
	    "--password-stdin", "--role"), "--role needs a value");
	expect_parse_fails(WORDS("add", "--email"), "--email needs a value");
}

Test(admin_args, user_add_extra_argument)
{
	expect_parse_fails(WORDS("add", "--role", "student", "--username",
	    "alice", "--email", "alice@example.edu", "--display-name",
	    "Alice", "--password-stdin", "extra"),
	    "unexpected argument (argument 10)");
	/* Options stop at the first operand; nothing after it is parsed. */
	expect_parse_fails(WORDS("add", "bob", "--role", "student",
	    "--username", "alice", "--email", "alice@example.edu",
	    "--display-name", "Alice", "--password-stdin"),
	    "unexpected argument (argument 1)");
}

/*
 * Options match exactly: getopt_long's prefix matching would take
 * "--password hunter2" for --password-stdin and echo the password.
 */
Test(admin_args, user_add_never_matches_prefixes_nor_echoes_values)
{
	struct admin_args_user_add	 out;
	char				 w0[] = "add", w1[] = "--password";
	char				 w2[] = "hunter2";
	char				*argv[] = { w0, w1, w2, NULL };
	char				*cause = NULL;

	cr_assert_eq(admin_args_parse_user_add(3, argv, &out, &cause), -1);
	cr_assert_not_null(cause);
	cr_assert(strstr(cause, "hunter2") == NULL, "echoed: %s", cause);
	cr_assert(strstr(cause, "unknown option '--password'") != NULL,
	    "got: %s", cause);
	free(cause);
	expect_parse_fails(WORDS("add", "--rol", "student"),
	    "unknown option '--rol'");
	expect_parse_fails(WORDS("add", "--role=student", "--username=a",
	    "--email=a@x.edu", "--display-name=A", "--password-stdin",
	    "secret"), "unexpected argument (argument 6)");
}

/* Reads a password from the first len bytes of data. */
static int
read_password(const char *data, size_t len, char *out, const char **why)
{
	FILE	*fp;
	char	*buf;
	int	 rc;

	/* fmemopen wants a writable buffer; the literal is not one. */
	cr_assert_not_null(buf = malloc(len + 1));
	memcpy(buf, data, len);
	cr_assert_not_null(fp = fmemopen(buf, len, "r"));
	rc = admin_args_read_password(fp, out, why);
	fclose(fp);
	free(buf);
	return rc;
}

#define READ(lit, out, why)	read_password((lit), sizeof(lit) - 1, \
				    (out), (why))

Test(admin_args, password_line_ends)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why = NULL;

	cr_assert_eq(READ("secret\n", out, &why), 0);
	cr_assert_str_eq(out, "secret");
	cr_assert_eq(READ("secret\r\n", out, &why), 0);
	cr_assert_str_eq(out, "secret");
	cr_assert_eq(READ("secret", out, &why), 0);
	cr_assert_str_eq(out, "secret");
	cr_assert_null(why);
}

Test(admin_args, password_first_line_only)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why = NULL;

	cr_assert_eq(READ("first\nsecond\n", out, &why), 0);
	cr_assert_str_eq(out, "first");
	cr_assert_eq(READ("first\r\nsecond", out, &why), 0);
	cr_assert_str_eq(out, "first");
}

/* Spaces are part of a password: nothing is trimmed but the line end. */
Test(admin_args, password_spaces_kept)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why = NULL;

	cr_assert_eq(READ("  correct horse\tbattery  \n", out, &why), 0);
	cr_assert_str_eq(out, "  correct horse\tbattery  ");
	cr_assert_eq(READ(" \n", out, &why), 0);
	cr_assert_str_eq(out, " ");
}

Test(admin_args, password_empty)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why;

	why = NULL;
	cr_assert_eq(READ("", out, &why), -1);
	cr_assert_str_eq(why, "password is empty");
	why = NULL;
	cr_assert_eq(READ("\n", out, &why), -1);
	cr_assert_str_eq(why, "password is empty");
	why = NULL;
	cr_assert_eq(READ("\r\n", out, &why), -1);
	cr_assert_str_eq(why, "password is empty");
	why = NULL;
	cr_assert_eq(READ("\nsecret\n", out, &why), -1);
	cr_assert_str_eq(why, "password is empty");
}

/* Reads n 'p' bytes followed by end (a line end or ""). */
static int
read_long(size_t n, const char *end, char *out, const char **why)
{
	char	*data;
	size_t	 len = strlen(end);
	int	 rc;

	cr_assert_not_null(data = malloc(n + len + 1));
	memset(data, 'p', n);
	memcpy(data + n, end, len + 1);
	rc = read_password(data, n + len, out, why);
	free(data);
	return rc;
}

Test(admin_args, password_limit)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why = NULL;

	cr_assert_eq(read_long(VALIDATE_PASSWORD_MAX, "", out, &why), 0,
	    "%s", why != NULL ? why : "");
	cr_assert_eq(strlen(out), VALIDATE_PASSWORD_MAX);
	cr_assert_eq(read_long(VALIDATE_PASSWORD_MAX, "\n", out, &why), 0,
	    "%s", why != NULL ? why : "");
	cr_assert_eq(strlen(out), VALIDATE_PASSWORD_MAX);
	cr_assert_eq(read_long(VALIDATE_PASSWORD_MAX - 1, "\r\n", out, &why),
	    0, "%s", why != NULL ? why : "");
	cr_assert_eq(strlen(out), VALIDATE_PASSWORD_MAX - 1);
}

/* CRLF input must not cost the longest password its last byte. */
Test(admin_args, password_limit_crlf)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why = NULL;

	cr_assert_eq(read_long(VALIDATE_PASSWORD_MAX, "\r\n", out, &why), 0,
	    "%s", why != NULL ? why : "");
	cr_assert_eq(strlen(out), VALIDATE_PASSWORD_MAX);
}

Test(admin_args, password_too_long)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why;

	why = NULL;
	cr_assert_eq(read_long(VALIDATE_PASSWORD_MAX + 1, "", out, &why), -1);
	cr_assert_str_eq(why, "password is longer than 1024 bytes");
	why = NULL;
	cr_assert_eq(read_long(VALIDATE_PASSWORD_MAX + 1, "\n", out, &why),
	    -1);
	cr_assert_str_eq(why, "password is longer than 1024 bytes");
	why = NULL;
	cr_assert_eq(read_long(3 * VALIDATE_PASSWORD_MAX, "\n", out, &why),
	    -1);
	cr_assert_not_null(why);
}

/*
 * A NUL cannot be part of a C-string password: taking the bytes before
 * it would store a shorter password than the one the user typed.
 */
Test(admin_args, password_nul_rejected)
{
	char		 out[VALIDATE_PASSWORD_MAX + 1];
	const char	*why = NULL;

	cr_assert_eq(READ("abc\0def\n", out, &why), -1,
	    "accepted as '%s'", out);
	cr_assert_not_null(why);
}
