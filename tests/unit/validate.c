/*
 * lib/validate.h: the checks on text that crosses a trust boundary.
 * Byte strings are spelled out in hex so each case shows what it tests.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "validate.h"

/* validate_utf8 over a literal, embedded NUL bytes included. */
#define UTF8(lit)	validate_utf8((lit), sizeof(lit) - 1)

/* n copies of s, malloc'd. */
static char *
repeat(const char *s, size_t n)
{
	size_t	 len = strlen(s), i;
	char	*out;

	cr_assert_not_null(out = malloc(len * n + 1));
	for (i = 0; i < n; i++)
		memcpy(out + i * len, s, len);
	out[len * n] = '\0';
	return out;
}

Test(validate, utf8_valid)
{
	cr_assert(UTF8(""));
	cr_assert(UTF8("plain ASCII, tabs\tand\nnewlines ~\x7f"));
	cr_assert(UTF8("\xc2\x80"));		/* U+0080, smallest 2-byte */
	cr_assert(UTF8("caf\xc3\xa9"));		/* é */
	cr_assert(UTF8("\xdf\xbf"));		/* U+07FF */
	cr_assert(UTF8("\xe0\xa0\x80"));	/* U+0800, smallest 3-byte */
	cr_assert(UTF8("\xe2\x82\xac"));	/* € */
	cr_assert(UTF8("\xed\x9f\xbf"));	/* U+D7FF, below surrogates */
	cr_assert(UTF8("\xee\x80\x80"));	/* U+E000, above them */
	cr_assert(UTF8("\xef\xbf\xbf"));	/* U+FFFF */
	cr_assert(UTF8("\xf0\x90\x80\x80"));	/* U+10000 */
	cr_assert(UTF8("\xf0\x9f\x98\x80"));	/* emoji */
	cr_assert(UTF8("\xf4\x8f\xbf\xbf"));	/* U+10FFFF, the last */
}

Test(validate, utf8_overlong)
{
	cr_assert_not(UTF8("\xc0\xaf"));		/* '/' in 2 bytes */
	cr_assert_not(UTF8("\xc1\xbf"));
	cr_assert_not(UTF8("\xc0\x80"));		/* NUL in 2 bytes */
	cr_assert_not(UTF8("\xe0\x80\xaf"));		/* '/' in 3 bytes */
	cr_assert_not(UTF8("\xe0\x9f\xbf"));		/* U+07FF in 3 */
	cr_assert_not(UTF8("\xf0\x80\x80\xaf"));	/* '/' in 4 bytes */
	cr_assert_not(UTF8("\xf0\x8f\xbf\xbf"));	/* U+FFFF in 4 */
}

Test(validate, utf8_surrogates)
{
	cr_assert_not(UTF8("\xed\xa0\x80"));	/* U+D800 */
	cr_assert_not(UTF8("\xed\xbf\xbf"));	/* U+DFFF */
	cr_assert_not(UTF8("\xed\xa0\xbd\xed\xb8\x80")); /* CESU pair */
}

Test(validate, utf8_too_large)
{
	cr_assert_not(UTF8("\xf4\x90\x80\x80"));	/* U+110000 */
	cr_assert_not(UTF8("\xf5\x80\x80\x80"));
	cr_assert_not(UTF8("\xf7\xbf\xbf\xbf"));
	cr_assert_not(UTF8("\xf8\x88\x80\x80\x80"));	/* old 5-byte form */
	cr_assert_not(UTF8("\xfc\x84\x80\x80\x80\x80"));
	cr_assert_not(UTF8("\xfe"));
	cr_assert_not(UTF8("\xff"));
}

Test(validate, utf8_truncated)
{
	cr_assert_not(UTF8("\xc3"));
	cr_assert_not(UTF8("abc\xc3"));
	cr_assert_not(UTF8("\xe2\x82"));
	cr_assert_not(UTF8("\xf0\x9f\x98"));
	/* A short sequence followed by something that is not a tail. */
	cr_assert_not(UTF8("\xc3" "a"));
	cr_assert_not(UTF8("\xe2\x82" "a"));
	cr_assert_not(UTF8("\xf0\x9f\x98" "a"));
	/* len ends the string even when the bytes go on. */
	cr_assert_not(validate_utf8("\xe2\x82\xac", 2));
	cr_assert(validate_utf8("\xe2\x82\xac" "\xe2\x82\xac", 3));
}

Test(validate, utf8_lone_continuation)
{
	cr_assert_not(UTF8("\x80"));
	cr_assert_not(UTF8("\xbf"));
	cr_assert_not(UTF8("a\x80z"));
	cr_assert_not(UTF8("\xc3\xa9\xa9"));	/* one tail too many */
}

Test(validate, utf8_nul)
{
	cr_assert_not(UTF8("\0"));
	cr_assert_not(UTF8("a\0b"));
	cr_assert_not(UTF8("abc\0"));
	/* Only the bytes within len count. */
	cr_assert(validate_utf8("abc\0", 3));
}

Test(validate, utf8_length)
{
	cr_assert_eq(validate_utf8_length(""), 0);
	cr_assert_eq(validate_utf8_length("abc"), 3);
	cr_assert_eq(validate_utf8_length("caf\xc3\xa9"), 4);
	cr_assert_eq(validate_utf8_length("\xe2\x82\xac" "5"), 2);
	cr_assert_eq(validate_utf8_length("\xf0\x9f\x98\x80"), 1);
	cr_assert_eq(validate_utf8_length("a\xc3\xa9\xe2\x82\xac"
	    "\xf0\x9f\x98\x80"), 4);
}

Test(validate, username)
{
	const char	*why = NULL;
	char		*s;

	cr_assert_eq(validate_username("a", &why), 0);
	cr_assert_eq(validate_username("Alice.Smith_99-x", &why), 0);
	cr_assert_eq(validate_username("ABCXYZabcxyz0189._-", &why), 0);
	s = repeat("u", VALIDATE_USERNAME_MAX);
	cr_assert_eq(validate_username(s, &why), 0);
	free(s);

	cr_assert_eq(validate_username("", &why), -1);
	cr_assert_str_eq(why, "username is empty");
	why = NULL;
	s = repeat("u", VALIDATE_USERNAME_MAX + 1);
	cr_assert_eq(validate_username(s, &why), -1);
	cr_assert_not_null(why);
	free(s);
}

Test(validate, username_bad_characters)
{
	static const char *const bad[] = {
		"a b", " a", "a ", "a\tb", "jos\xc3\xa9", "a@b", "a/b",
		"a+b", "a'b", "a;b", "a,b", "a\nb", "\xe2\x82\xac",
	};
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(validate_username(bad[i], &why), -1,
		    "'%s' accepted", bad[i]);
		cr_assert_not_null(why);
	}
}

Test(validate, email_good)
{
	static const char *const good[] = {
		"a@b.co",
		"alice@example.edu",
		"first.last+tag@mail.example.edu",
		"x_y-z@sub-domain.example.org",
		"j\xc3\xbcrgen@example.de",	/* UTF-8 is allowed */
	};
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		why = NULL;
		cr_assert_eq(validate_email(good[i], &why), 0,
		    "'%s' rejected: %s", good[i], why != NULL ? why : "");
	}
}

Test(validate, email_bad)
{
	static const char *const bad[] = {
		"alice.example.edu",		/* no @ */
		"a@b@example.edu",		/* two @ */
		"@example.edu",			/* empty local part */
		"alice@",			/* empty domain */
		"alice@localhost",		/* no dot in the domain */
		"alice@.example.edu",		/* dot at the start */
		"alice@example.edu.",		/* dot at the end */
		"alice@example..edu",		/* two dots */
		"a..b@example.edu",		/* two dots, local part */
		".alice@example.edu",		/* leading dot */
		"alice.@example.edu",		/* dot before @ */
		"alice@.",
		"al ice@example.edu",		/* space */
		"alice@exa mple.edu",
		" alice@example.edu",
		"alice@example.edu ",
		"al\x01ice@example.edu",	/* control characters */
		"alice@example.edu\n",
		"al\tice@example.edu",
		"al\x7fice@example.edu",
		"al\xffice@example.edu",	/* invalid UTF-8 */
		"al\xc0\xafice@example.edu",	/* overlong */
		"alice\xc3@example.edu",	/* truncated */
		"<alice@example.edu>",
		"\"alice\"@example.edu",
		"a@b.edu,c@d.edu",
	};
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(validate_email(bad[i], &why), -1,
		    "'%s' accepted", bad[i]);
		cr_assert_not_null(why);
	}
	cr_assert_eq(validate_email("", &why), -1);
	cr_assert_str_eq(why, "email is empty");
}

Test(validate, email_length)
{
	const char	*why = NULL;
	char		*local, *email;

	/* 254 bytes is the limit of a forward path (RFC 5321). */
	local = repeat("a", VALIDATE_EMAIL_MAX - strlen("@example.edu"));
	cr_assert_neq(asprintf(&email, "%s@example.edu", local), -1);
	cr_assert_eq(strlen(email), VALIDATE_EMAIL_MAX);
	cr_assert_eq(validate_email(email, &why), 0, "%s",
	    why != NULL ? why : "");
	free(email);
	cr_assert_neq(asprintf(&email, "%sa@example.edu", local), -1);
	cr_assert_eq(validate_email(email, &why), -1);
	cr_assert_not_null(strstr(why, "254"), "%s", why);
	free(email);
	free(local);
}

Test(validate, text)
{
	const char	*why = NULL;

	cr_assert_eq(validate_text("Algorithms 101", 200, &why), 0);
	cr_assert_eq(validate_text("x", 1, &why), 0);
	cr_assert_eq(validate_text("tab\tinside", 200, &why), 0);
	cr_assert_eq(validate_text("caf\xc3\xa9 \xe2\x82\xac", 200, &why), 0);

	cr_assert_eq(validate_text("", 200, &why), -1);
	cr_assert_str_eq(why, "is empty");
	cr_assert_eq(validate_text("xy", 1, &why), -1);
	cr_assert_str_eq(why, "is too long");
}

Test(validate, text_control_characters)
{
	static const char *const bad[] = {
		"a\x01z", "\x1b[31mred", "a\x7fz", "bell\x07", "\x1f",
	};
	const char	*why;
	size_t		 i;

	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(validate_text(bad[i], 200, &why), -1,
		    "case %zu accepted", i);
		cr_assert_str_eq(why, "holds a control character");
	}
}

/* A name is one line; a description may break lines; C1 is control too. */
Test(validate, line_breaks_only_in_paragraphs)
{
	const char	*why = NULL;

	cr_assert_eq(validate_text("two\nlines", 200, &why), -1);
	cr_assert_str_eq(why, "holds a control character");
	cr_assert_eq(validate_text("cr\rhere", 200, &why), -1);
	cr_assert_eq(validate_text("c1 \xc2\x85 next line", 200, &why), -1);
	cr_assert_eq(validate_text("nbsp\xc2\xa0ok", 200, &why), 0);
	cr_assert_eq(validate_paragraph("two\r\nlines\n\tand a tab", 2000,
	    &why), 0);
	cr_assert_eq(validate_paragraph("bell\x07", 2000, &why), -1);
	cr_assert_str_eq(why, "holds a control character");
	cr_assert_eq(validate_paragraph("", 2000, &why), -1);
	cr_assert_str_eq(why, "is empty");
}

Test(validate, text_invalid_utf8)
{
	const char	*why = NULL;

	cr_assert_eq(validate_text("caf\xc3", 200, &why), -1);
	cr_assert_str_eq(why, "is not valid UTF-8");
	cr_assert_eq(validate_text("\xed\xa0\x80", 200, &why), -1);
	cr_assert_str_eq(why, "is not valid UTF-8");
}

/* The limit is in characters: 200 'é' are 400 bytes and still fit. */
Test(validate, text_counts_code_points)
{
	const char	*why = NULL;
	char		*s;

	s = repeat("\xc3\xa9", VALIDATE_NAME_MAX);
	cr_assert_eq(strlen(s), 2 * VALIDATE_NAME_MAX);
	cr_assert_eq(validate_text(s, VALIDATE_NAME_MAX, &why), 0, "%s",
	    why != NULL ? why : "");
	free(s);
	s = repeat("\xc3\xa9", VALIDATE_NAME_MAX + 1);
	cr_assert_eq(validate_text(s, VALIDATE_NAME_MAX, &why), -1);
	cr_assert_str_eq(why, "is too long");
	free(s);
	s = repeat("\xf0\x9f\x98\x80", VALIDATE_NAME_MAX);
	cr_assert_eq(validate_text(s, VALIDATE_NAME_MAX, &why), 0);
	free(s);
}

Test(validate, role)
{
	static const char *const bad[] = {
		"", "admin", "Student", "PROFESSOR", "student ", " student",
		"studen", "professors",
	};
	const char	*why;
	size_t		 i;

	why = NULL;
	cr_assert_eq(validate_role("professor", &why), 0);
	cr_assert_eq(validate_role("student", &why), 0);
	cr_assert_null(why);
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		why = NULL;
		cr_assert_eq(validate_role(bad[i], &why), -1, "'%s' accepted",
		    bad[i]);
		cr_assert_not_null(why);
	}
}

Test(validate, password)
{
	const char	*why = NULL;
	char		*s;

	cr_assert_eq(validate_password("x", &why), 0);
	cr_assert_eq(validate_password(" spaces are fine ", &why), 0);
	cr_assert_eq(validate_password("", &why), -1);
	cr_assert_str_eq(why, "password is empty");

	s = repeat("p", VALIDATE_PASSWORD_MAX);
	why = NULL;
	cr_assert_eq(validate_password(s, &why), 0);
	cr_assert_null(why);
	free(s);
	s = repeat("p", VALIDATE_PASSWORD_MAX + 1);
	cr_assert_eq(validate_password(s, &why), -1);
	cr_assert_str_eq(why, "password is longer than 1024 bytes");
	free(s);
}

Test(validate, clip)
{
	char	 out[16];
	char	 big[400];

	cr_assert_eq(validate_clip("Mozilla/5.0", 200, out), 11);
	cr_assert_str_eq(out, "Mozilla/5.0");
	/* Cut at max, never inside a character. */
	cr_assert_eq(validate_clip("abc\xc3\xa9", 4, out), 3);
	cr_assert_str_eq(out, "abc");
	cr_assert_eq(validate_clip("abc\xc3\xa9", 5, out), 5);
	cr_assert_str_eq(out, "abc\xc3\xa9");
	/* What is not text becomes '?'. */
	validate_clip("a\x1b[2J\x7f\xff\xc0\xaf\xed\xa0\x80z", 15, out);
	cr_assert_str_eq(out, "a?[2J???????z");
	memset(big, 'x', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	{
		char	 clipped[201];

		cr_assert_eq(validate_clip(big, 200, clipped), 200);
		cr_assert_eq(strlen(clipped), 200);
	}
}
