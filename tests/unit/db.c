/*
 * lib/db.h: the helpers that need no server, array literals for
 * "= ANY($1)" and the connection string as it may appear in a log.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "db.h"

/* db_array_literal over a NULL-ended list of items. */
static void
expect_array(const char *const *items, const char *want)
{
	char	*got;
	size_t	 n;

	for (n = 0; items[n] != NULL; n++)
		continue;
	got = db_array_literal(items, n);
	cr_assert_not_null(got);
	cr_assert_str_eq(got, want);
	free(got);
}

#define ITEMS(...)	((const char *const[]){ __VA_ARGS__, NULL })

Test(db, array_empty)
{
	char	*got;

	got = db_array_literal(NULL, 0);
	cr_assert_not_null(got);
	cr_assert_str_eq(got, "{}");
	free(got);
}

Test(db, array_plain)
{
	expect_array(ITEMS("alice"), "{\"alice\"}");
	expect_array(ITEMS("alice", "bob", "carol"),
	    "{\"alice\",\"bob\",\"carol\"}");
	/* Quoted, "" is an empty string rather than a missing element. */
	expect_array(ITEMS("", "x"), "{\"\",\"x\"}");
	/* Quoted, NULL is the word, not an SQL NULL. */
	expect_array(ITEMS("NULL"), "{\"NULL\"}");
}

Test(db, array_escapes)
{
	expect_array(ITEMS("say \"hi\""), "{\"say \\\"hi\\\"\"}");
	expect_array(ITEMS("C:\\dir\\"), "{\"C:\\\\dir\\\\\"}");
	expect_array(ITEMS("\\\""), "{\"\\\\\\\"\"}");
	expect_array(ITEMS("\"", "\\"), "{\"\\\"\",\"\\\\\"}");
}

Test(db, array_separators)
{
	expect_array(ITEMS("a,b", "{c}", " d "),
	    "{\"a,b\",\"{c}\",\" d \"}");
	expect_array(ITEMS("line\nbreak"), "{\"line\nbreak\"}");
}

Test(db, array_unicode)
{
	expect_array(ITEMS("caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac"),
	    "{\"caf\xc3\xa9\",\"\xe6\x97\xa5\xe6\x9c\xac\"}");
}

/*
 * Checks that the redacted conninfo holds each of want and not secret.
 * The result is copied and freed first, so a failing check leaks nothing.
 */
static void
expect_redacted(const char *conninfo, const char *const *want,
    const char *secret)
{
	char	*got, text[1024];
	size_t	 i;

	got = db_conninfo_redacted(conninfo);
	cr_assert_not_null(got, "%s", conninfo);
	snprintf(text, sizeof(text), "%s", got);
	free(got);
	for (i = 0; want[i] != NULL; i++)
		cr_assert_not_null(strstr(text, want[i]), "'%s' lacks '%s'",
		    text, want[i]);
	if (secret != NULL)
		cr_assert_null(strstr(text, secret), "'%s' shows '%s'", text,
		    secret);
}

Test(db, redacted_keywords)
{
	expect_redacted("host=/run/postgresql dbname=att user=att "
	    "password=hunter2", ITEMS("password=***", "host=/run/postgresql",
	    "dbname=att", "user=att"), "hunter2");
}

Test(db, redacted_quoted_password)
{
	expect_redacted("dbname=att password='correct horse battery' "
	    "port=5433", ITEMS("password=***", "dbname=att", "port=5433"),
	    "horse");
	expect_redacted("password = 'it\\'s' dbname=att",
	    ITEMS("password=***", "dbname=att"), "it's");
}

Test(db, redacted_uri)
{
	expect_redacted("postgresql://att:secret@db.example:5433/attendance",
	    ITEMS("password=***", "user=att", "host=db.example", "port=5433",
	    "dbname=attendance"), "secret");
	expect_redacted("postgres://att@localhost/attendance"
	    "?password=s3cr3t&sslmode=disable",
	    ITEMS("password=***", "sslmode=disable"), "s3cr3t");
	/* Percent-encoded, the password must not show either way. */
	expect_redacted("postgresql://att:p%40ss@localhost/attendance",
	    ITEMS("password=***"), "p@ss");
	expect_redacted("postgresql://att:p%40ss@localhost/attendance",
	    ITEMS("password=***"), "p%40ss");
}

Test(db, redacted_without_password)
{
	char	*got;

	expect_redacted("host=/tmp/pg dbname=attendance user=att",
	    ITEMS("host=/tmp/pg", "dbname=attendance", "user=att"), "***");
	got = db_conninfo_redacted("dbname=attendance");
	cr_assert_str_eq(got, "dbname=attendance");
	free(got);
	got = db_conninfo_redacted("");
	cr_assert_str_eq(got, "");
	free(got);
}

/* The private key's passphrase is as secret as the password. */
Test(db, redacted_sslpassword)
{
	expect_redacted("dbname=att sslpassword=keypass",
	    ITEMS("dbname=att"), "keypass");
}

Test(db, redacted_unparsable)
{
	char	*got;

	got = db_conninfo_redacted("host='unterminated");
	cr_assert_not_null(got);
	cr_assert_neq(got[0], '\0');
	free(got);
	/* An unknown keyword fails the parse; the password stays hidden. */
	got = db_conninfo_redacted("password=hunter2 colour=blue");
	cr_assert_not_null(got);
	cr_assert_null(strstr(got, "hunter2"), "%s", got);
	free(got);
	got = db_conninfo_redacted("postgresql://att:secret@[::1");
	cr_assert_not_null(got);
	cr_assert_null(strstr(got, "secret"), "%s", got);
	free(got);
}

Test(db, sqlstate_of_null)
{
	cr_assert_str_eq(db_sqlstate(NULL), "");
	cr_assert_str_eq(db_constraint(NULL), "");
}

/* A failed result without error fields (made locally, no server). */
Test(db, sqlstate_without_fields)
{
	PGresult	*res;

	res = PQmakeEmptyPGresult(NULL, PGRES_FATAL_ERROR);
	cr_assert_not_null(res);
	cr_assert_str_eq(db_sqlstate(res), "");
	cr_assert_str_eq(db_constraint(res), "");
	PQclear(res);
}
