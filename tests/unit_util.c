/* lib/util: trimming, bounded integers, the timestamp form of the API. */
#include <criterion/criterion.h>

#include "util.h"

Test(util, timestamp_from_postgres_iso_utc)
{
	char	 out[UTIL_TIMESTAMP_SIZE];

	cr_assert_eq(util_timestamp("2026-11-24 08:00:00.123456+00", out), 0);
	cr_assert_str_eq(out, "2026-11-24T08:00:00.123Z");
	/* PostgreSQL drops trailing zeros and a zero fraction. */
	cr_assert_eq(util_timestamp("2026-11-24 08:00:00.1+00", out), 0);
	cr_assert_str_eq(out, "2026-11-24T08:00:00.100Z");
	cr_assert_eq(util_timestamp("2026-11-24 08:00:00+00", out), 0);
	cr_assert_str_eq(out, "2026-11-24T08:00:00.000Z");
	/* Truncated, never rounded up into the next second. */
	cr_assert_eq(util_timestamp("2026-11-24 08:00:59.9999+00", out), 0);
	cr_assert_str_eq(out, "2026-11-24T08:00:59.999Z");
}

Test(util, timestamp_refuses_other_forms)
{
	char	 out[UTIL_TIMESTAMP_SIZE];

	cr_assert_eq(util_timestamp("", out), -1);
	cr_assert_eq(util_timestamp("2026-11-24", out), -1);
	cr_assert_eq(util_timestamp("2026-11-24T08:00:00Z", out), -1);
	cr_assert_eq(util_timestamp("Tue Nov 24 08:00:00 2026", out), -1);
}

Test(util, trim_and_parse_long)
{
	char		 s[] = " \t value \n";
	const char	*why = NULL;
	long		 n = 0;

	cr_assert_str_eq(util_trim(s), "value");
	cr_assert_eq(util_parse_long("42", 0, 100, &n, &why), 0);
	cr_assert_eq(n, 42);
	cr_assert_eq(util_parse_long("101", 0, 100, &n, &why), -1);
	cr_assert_str_eq(why, "too large");
	cr_assert_eq(util_parse_long("-1", 0, 100, &n, &why), -1);
	cr_assert_str_eq(why, "too small");
	cr_assert_eq(util_parse_long("4x", 0, 100, &n, &why), -1);
	cr_assert_str_eq(why, "not a number");
	cr_assert_eq(util_parse_long(" 4", 0, 100, &n, &why), -1);
	cr_assert_eq(util_parse_long("99999999999999999999", 0, 100, &n,
	    &why), -1);
	cr_assert_str_eq(why, "too large");
	cr_assert_eq(util_strcasecmp("ABC", "abc"), 0);
	cr_assert_neq(util_strcasecmp("abc", "abd"), 0);
}
