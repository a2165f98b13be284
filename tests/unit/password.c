/*
 * lib/password.h: Argon2id hashes through libsodium.  Each hash costs
 * about a tenth of a second, so the suite makes only a handful.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "password.h"
#include "util.h"

static void
init(void)
{
	cr_assert_eq(util_crypto_init(), AT_OK);
}

TestSuite(password, .init = init);

/* Every program calls it at start; a second call must not fail. */
Test(password, init_twice)
{
	cr_assert_eq(util_crypto_init(), AT_OK);
}

Test(password, hash_and_verify)
{
	char	 hash[PASSWORD_HASH_SIZE];

	cr_assert_eq(password_hash("correct horse battery staple", hash),
	    AT_OK);
	cr_assert_lt(strlen(hash), PASSWORD_HASH_SIZE);
	cr_assert_eq(strncmp(hash, "$argon2id$", strlen("$argon2id$")), 0,
	    "%s", hash);
	/* The hash never holds the password itself. */
	cr_assert_null(strstr(hash, "correct horse"));
	cr_assert_eq(password_verify(hash, "correct horse battery staple"),
	    1);
	cr_assert_eq(password_verify(hash, "correct horse battery stapl"), 0);
	cr_assert_eq(password_verify(hash, "Correct horse battery staple"),
	    0);
	cr_assert_eq(password_verify(hash, ""), 0);
}

/* A random salt: equal passwords must not give equal hashes. */
Test(password, salted)
{
	char	 a[PASSWORD_HASH_SIZE], b[PASSWORD_HASH_SIZE];

	cr_assert_eq(password_hash("same password", a), AT_OK);
	cr_assert_eq(password_hash("same password", b), AT_OK);
	cr_assert_str_neq(a, b);
	cr_assert_eq(password_verify(a, "same password"), 1);
	cr_assert_eq(password_verify(b, "same password"), 1);
}

Test(password, garbage_hash)
{
	cr_assert_eq(password_verify("", "x"), 0);
	cr_assert_eq(password_verify("not a hash", "not a hash"), 0);
	cr_assert_eq(password_verify("$argon2id$", "x"), 0);
	cr_assert_eq(password_verify("$argon2id$v=19$m=65536,t=2,p=1$$",
	    "x"), 0);
	cr_assert_eq(password_verify("$2b$12$abcdefghijklmnopqrstuv"
	    "wxyzABCDEFGHIJKLMNOPQRSTUVWXYZ012", "x"), 0);
}
