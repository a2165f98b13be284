/* lib/util: trimming, bounded integers. */
#include <criterion/criterion.h>

#include "util.h"

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
