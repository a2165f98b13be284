/*
 * lib/relay_store.h: the relay's upgrade check read from its PGresult,
 * built here by hand (PQmakeEmptyPGresult) as the query returns it: no
 * row, a student, a professor who does not own the session, one who
 * does with and without an open round, and a failed query.
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
