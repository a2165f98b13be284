/*
 * lib/relay_store.h: the relay's upgrade check read from its PGresult,
 * built here by hand (PQmakeEmptyPGresult) as the query returns it: no
 * row, a student, a professor who does not own the session, one who
 * does with and without an open round, and a failed query; the logins
 * check's parameter and its rows, the logins that ended.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "relay_store.h"

#define USER	"4c1d2e3f-0a1b-4c2d-8e3f-5a6b7c8d9e0f"
#define ROUND	"{\"sessionId\":\"s\",\"roundNumber\":2}"

/* A result with the check's four columns and, when role != NULL, a row. */
static PGresult *
check_result(const char *role, const char *owns, const char *round)
{
	PGresAttDesc	 cols[4];
	PGresult	*res;
	const char	*names[4] = { "id", "role", "owns", "round" };
	int		 i;

	cr_assert_not_null(res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK));
	memset(cols, 0, sizeof(cols));
	for (i = 0; i < 4; i++) {
		cols[i].name = (char *)(uintptr_t)names[i];
		cols[i].format = 0;
		cols[i].typlen = -1;
		cols[i].atttypmod = -1;
	}
	cr_assert(PQsetResultAttrs(res, 4, cols));
	if (role == NULL)
		return res;
	cr_assert(PQsetvalue(res, 0, 0, (char *)(uintptr_t)USER,
	    (int)strlen(USER)));
	cr_assert(PQsetvalue(res, 0, 1, (char *)(uintptr_t)role,
	    (int)strlen(role)));
	cr_assert(PQsetvalue(res, 0, 2, (char *)(uintptr_t)owns, 1));
	if (round != NULL)
		cr_assert(PQsetvalue(res, 0, 3, (char *)(uintptr_t)round,
		    (int)strlen(round)));
	else
		cr_assert(PQsetvalue(res, 0, 3, NULL, -1));
	return res;
}

static int
read_check(PGresult *res, struct relay_store_check *out,
    const char **failure)
{
	int	 rc;

	rc = relay_store_check_read(res, out, failure);
	PQclear(res);
	return rc;
}

Test(relay_store, refusals)
{
	struct relay_store_check check;
	const char		*failure;

	cr_assert_eq(read_check(check_result(NULL, NULL, NULL), &check,
	    &failure), AT_EUNAUTHENTICATED);
	cr_assert_null(failure);
	cr_assert_eq(read_check(check_result("student", "t", NULL), &check,
	    &failure), AT_EFORBIDDEN);
	cr_assert_eq(read_check(check_result("professor", "f", ROUND), &check,
	    &failure), AT_ENOTFOUND);
	cr_assert_null(check.round_started);
	cr_assert_null(failure);
}

Test(relay_store, accepted)
{
	struct relay_store_check check;
	const char		*failure;

	cr_assert_eq(read_check(check_result("professor", "t", NULL), &check,
	    &failure), AT_OK);
	cr_assert_null(failure);
	cr_assert_str_eq(check.user_id, USER);
	cr_assert_null(check.round_started);

	cr_assert_eq(read_check(check_result("professor", "t", ROUND), &check,
	    &failure), AT_OK);
	cr_assert_str_eq(check.user_id, USER);
	cr_assert_str_eq(check.round_started, ROUND);
	free(check.round_started);
}

Test(relay_store, failed_query)
{
	struct relay_store_check check;
	PGresult		*res;
	const char		*failure;

	cr_assert_eq(relay_store_check_read(NULL, &check, &failure),
	    AT_EINTERNAL);
	cr_assert_str_eq(failure, "no result");
	cr_assert_eq(relay_store_ping_read(NULL, &failure), AT_EUNAVAILABLE);
	cr_assert_not_null(failure);

	cr_assert_not_null(res = PQmakeEmptyPGresult(NULL,
	    PGRES_FATAL_ERROR));
	cr_assert_eq(relay_store_check_read(res, &check, &failure),
	    AT_EINTERNAL);
	cr_assert_not_null(failure);
	cr_assert_eq(relay_store_ping_read(res, &failure), AT_EUNAVAILABLE);
	cr_assert_not_null(failure);
	PQclear(res);

	res = check_result("professor", "t", NULL);
	cr_assert_eq(relay_store_ping_read(res, &failure), AT_OK);
	cr_assert_null(failure);
	PQclear(res);
}

/* The statement is the one the relay always sent (auth_login_user()). */
Test(relay_store, statements)
{
	cr_assert_not_null(strstr(relay_store_check_sql,
	    "FROM auth_login_user($1::bytea) u"));
	cr_assert_not_null(strstr(relay_store_check_sql, "$2::uuid"));
	cr_assert_null(strstr(relay_store_check_sql, "$3"));
	cr_assert_str_eq(relay_store_ping_sql, "SELECT 1");
}

#define H1	"00112233445566778899aabbccddeeff" \
		"f0e1d2c3b4a5968778695a4b3c2d1e0f"
#define H2	"ffffffffffffffffffffffffffffffff" \
		"00000000000000000000000000000000"

/* A result of the logins check's one column, with these rows. */
static PGresult *
logins_result(const char *const *rows, int n)
{
	PGresAttDesc	 col;
	PGresult	*res;
	int		 i;

	cr_assert_not_null(res = PQmakeEmptyPGresult(NULL, PGRES_TUPLES_OK));
	memset(&col, 0, sizeof(col));
	col.name = (char *)(uintptr_t)"h";
	col.typlen = -1;
	col.atttypmod = -1;
	cr_assert(PQsetResultAttrs(res, 1, &col));
	for (i = 0; i < n; i++)
		cr_assert(PQsetvalue(res, i, 0, (char *)(uintptr_t)rows[i],
		    (int)strlen(rows[i])));
	return res;
}

Test(relay_store, logins_param)
{
	unsigned char	 hashes[2][TOKEN_HASH_BYTES];
	char		*text;

	memset(hashes[0], 0, TOKEN_HASH_BYTES);
	memset(hashes[1], 0xab, TOKEN_HASH_BYTES);
	cr_assert_not_null(text = relay_store_logins_param(hashes, 2));
	cr_assert_str_eq(text, "{"
	    "0000000000000000000000000000000000000000000000000000000000000000,"
	    "abababababababababababababababababababababababababababababababab"
	    "}");
	free(text);
	cr_assert_not_null(text = relay_store_logins_param(hashes, 0));
	cr_assert_str_eq(text, "{}");
	free(text);
}

Test(relay_store, logins_read)
{
	static const char *const rows[] = { H1, H2 };
	struct relay_store_logins logins;
	PGresult		*res;
	const char		*failure;

	res = logins_result(rows, 0);
	cr_assert_eq(relay_store_logins_read(res, &logins, &failure), AT_OK);
	cr_assert_null(failure);
	cr_assert_eq(logins.count, 0);
	cr_assert_null(logins.ended);
	PQclear(res);

	res = logins_result(rows, 2);
	cr_assert_eq(relay_store_logins_read(res, &logins, &failure), AT_OK);
	cr_assert_null(failure);
	cr_assert_eq(logins.count, 2);
	cr_assert_eq(logins.ended[0][0], 0x00);
	cr_assert_eq(logins.ended[0][31], 0x0f);
	cr_assert_eq(logins.ended[1][0], 0xff);
	cr_assert_eq(logins.ended[1][31], 0x00);
	free(logins.ended);
	PQclear(res);
}

Test(relay_store, logins_read_refuses)
{
	static const char *const bad[] = { H1, "\\x" H1 };
	static const char *const short_row[] = { "0011" };
	struct relay_store_logins logins;
	PGresult		*res;
	const char		*failure;

	res = logins_result(bad, 2);
	cr_assert_eq(relay_store_logins_read(res, &logins, &failure),
	    AT_EINTERNAL);
	cr_assert_not_null(failure);
	cr_assert_null(logins.ended, "a refused result leaked its rows");
	cr_assert_eq(logins.count, 0);
	PQclear(res);
	res = logins_result(short_row, 1);
	cr_assert_eq(relay_store_logins_read(res, &logins, &failure),
	    AT_EINTERNAL);
	PQclear(res);

	cr_assert_eq(relay_store_logins_read(NULL, &logins, &failure),
	    AT_EINTERNAL);
	cr_assert_str_eq(failure, "no result");
	cr_assert_not_null(res = PQmakeEmptyPGresult(NULL,
	    PGRES_FATAL_ERROR));
	cr_assert_eq(relay_store_logins_read(res, &logins, &failure),
	    AT_EINTERNAL);
	PQclear(res);
}

/* The one rule of a live login, for every socket in one statement. */
Test(relay_store, logins_statement)
{
	cr_assert_not_null(strstr(relay_store_logins_sql,
	    "unnest($1::text[])"));
	cr_assert_not_null(strstr(relay_store_logins_sql,
	    "auth_login_user(decode(t.h, 'hex'))"));
	cr_assert_null(strstr(relay_store_logins_sql, "$2"));
	cr_assert_eq(RELAY_STORE_LOGINS_NPARAMS, 1);
}
