/*
 * lib/sso.h: the role values of an identity provider, the attributes
 * taken or refused, the next rule of GET /api/auth/sso (with the known
 * open-redirect tricks), and the configuration that names a header.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "config.h"
#include "http.h"
#include "sso.h"

#define PROF	"faculty staff"
#define STUD	"student"

Test(sso, role_values)
{
	cr_assert_eq(sso_role("faculty", PROF, STUD), SSO_ROLE_PROFESSOR);
	cr_assert_eq(sso_role("STAFF", PROF, STUD), SSO_ROLE_PROFESSOR);
	cr_assert_eq(sso_role("member;student", PROF, STUD),
	    SSO_ROLE_STUDENT);
	/* Professor wins, whatever the order. */
	cr_assert_eq(sso_role("student, Faculty", PROF, STUD),
	    SSO_ROLE_PROFESSOR);
	cr_assert_eq(sso_role(" member ; affiliate ", PROF, STUD),
	    SSO_ROLE_NONE);
	/* Whole words only. */
	cr_assert_eq(sso_role("students", PROF, STUD), SSO_ROLE_NONE);
	cr_assert_eq(sso_role("stud", PROF, STUD), SSO_ROLE_NONE);
	cr_assert_eq(sso_role("", PROF, STUD), SSO_ROLE_NONE);
	cr_assert_eq(sso_role(NULL, PROF, STUD), SSO_ROLE_NONE);
	cr_assert_eq(sso_role("faculty", "", STUD), SSO_ROLE_NONE);
	cr_assert_eq(sso_role("faculty", "faculty,staff", STUD),
	    SSO_ROLE_PROFESSOR);
}

Test(sso, attributes)
{
	char	 long_value[SSO_ATTRIBUTE_MAX + 2];

	cr_assert(sso_attribute_ok(NULL, SSO_ATTRIBUTE_MAX));
	cr_assert(sso_attribute_ok("", SSO_ATTRIBUTE_MAX));
	cr_assert(sso_attribute_ok("Zo\xc3\xab \xc3\x85ngstr\xc3\xb6m",
	    SSO_ATTRIBUTE_MAX));
	memset(long_value, 'a', sizeof(long_value) - 1);
	long_value[SSO_ATTRIBUTE_MAX] = '\0';
	cr_assert(sso_attribute_ok(long_value, SSO_ATTRIBUTE_MAX));
	long_value[SSO_ATTRIBUTE_MAX] = 'a';
	long_value[SSO_ATTRIBUTE_MAX + 1] = '\0';
	cr_assert_not(sso_attribute_ok(long_value, SSO_ATTRIBUTE_MAX));
	cr_assert_not(sso_attribute_ok("bad \xff utf-8", SSO_ATTRIBUTE_MAX));
	cr_assert_not(sso_attribute_ok("over\xc0\xaflong", SSO_ATTRIBUTE_MAX));
	cr_assert_not(sso_attribute_ok("line\nbreak", SSO_ATTRIBUTE_MAX));
	cr_assert_not(sso_attribute_ok("escape\x1b[31m", SSO_ATTRIBUTE_MAX));
}

static void
expect_next(const char *query, const char *want)
{
	char	 out[SSO_NEXT_MAX * 3 + 1];

	sso_next(query, out);
	cr_assert_str_eq(out, want, "query '%s'", query);
}

Test(sso, next_paths_of_this_site)
{
	expect_next("next=%2Flive.html%3FsessionId%3Dabc",
	    "/live.html?sessionId=abc");
	expect_next("a=1&next=/scan.html", "/scan.html");
	expect_next("next=%2Fscan.html%23t%3Dxyz", "/scan.html#t=xyz");
	expect_next("next=/", "/");
	/* Bytes past ASCII leave percent-encoded. */
	expect_next("next=/caf%C3%A9", "/caf%C3%A9");
	expect_next("", "/");
	expect_next("next=", "/");
	expect_next("nextx=/a", "/");
}

Test(sso, next_elsewhere_is_home)
{
	char	 big[12000];

	expect_next("next=//evil.example", "/");
	expect_next("next=%2F%2Fevil.example", "/");
	expect_next("next=/\\evil.example", "/");
	expect_next("next=%2F%5Cevil.example", "/");
	expect_next("next=/%09/evil.example", "/");
	expect_next("next=%2F%09%2Fevil.example%2Fsession-expired", "/");
	expect_next("next=/%0d%0aSet-Cookie:%20x=1", "/");
	expect_next("next=/a%20b", "/");
	expect_next("next=/a+b", "/");
	expect_next("next=/a%00b", "/");
	expect_next("next=/a%zzb", "/");
	expect_next("next=/a%2", "/");
	expect_next("next=javascript:alert(1)", "/");
	expect_next("next=https://evil.example/", "/");
	expect_next("next=evil.example", "/");
	expect_next("next=/a%7Fb", "/");
	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	memcpy(big, "next=/", 6);
	expect_next(big, "/");
}

Test(sso, query_values)
{
	char	 out[8];

	cr_assert_eq(http_query_value("x=1&y=%41+b", "y", out, sizeof(out)),
	    0);
	cr_assert_str_eq(out, "A b");
	cr_assert_eq(http_query_value("x=1", "y", out, sizeof(out)), -1);
	cr_assert_eq(http_query_value("y=12345678", "y", out, sizeof(out)),
	    -1);
	cr_assert_eq(http_query_value("y=1234567", "y", out, sizeof(out)),
	    0);
	cr_assert_eq(http_query_value(NULL, "y", out, sizeof(out)), -1);
}

Test(sso, header_names_refused)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(sso_check_config(&cfg, &cause), AT_OK);
	cr_assert_eq(config_set(&cfg, "sso_email_param", "HTTP_X_EMAIL",
	    &cause), AT_OK);
	cr_assert_eq(sso_check_config(&cfg, &cause), AT_EINVALID);
	cr_assert_not_null(strstr(cause, "sso_email_param"));
	free(cause);
	cr_assert_eq(config_set(&cfg, "sso_email_param", "mail", &cause),
	    AT_OK);
	cr_assert_eq(config_set(&cfg, "sso_subject_param", "http_remote_user",
	    &cause), AT_OK);
	cr_assert_eq(sso_check_config(&cfg, &cause), AT_EINVALID);
	free(cause);
	cr_assert_eq(config_set(&cfg, "sso_subject_param", "", &cause),
	    AT_OK);
	cr_assert_eq(config_set(&cfg, "sso", "on", &cause), AT_OK);
	cr_assert_eq(sso_check_config(&cfg, &cause), AT_EINVALID);
	free(cause);
	config_free(&cfg);
}
