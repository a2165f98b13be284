/*
 * lib/cidr.h: networks in CIDR notation (IPv4 and IPv6) to their
 * canonical text, the refusals with their reasons, client addresses
 * (IPv4-mapped IPv6 as IPv4) and the lists of the configuration.
 */
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "cidr.h"

static void
expect_canonical(const char *text, const char *want)
{
	struct cidr	 c;
	const char	*why = NULL;
	char		 out[CIDR_TEXT_SIZE];

	cr_assert_eq(cidr_parse(text, &c, &why), AT_OK, "'%s' refused: %s",
	    text, why != NULL ? why : "?");
	cidr_format(&c, out);
	cr_assert_str_eq(out, want, "'%s'", text);
}

static void
expect_refused(const char *text, const char *want)
{
	struct cidr	 c;
	const char	*why = NULL;

	cr_assert_eq(cidr_parse(text, &c, &why), AT_EINVALID, "'%s' taken",
	    text);
	cr_assert_not_null(strstr(why, want), "'%s': '%s' lacks '%s'", text,
	    why, want);
}

Test(cidr, canonical_forms)
{
	expect_canonical("10.0.0.0/8", "10.0.0.0/8");
	expect_canonical("192.168.1.7", "192.168.1.7/32");
	expect_canonical("0.0.0.0/0", "0.0.0.0/0");
	expect_canonical("2001:DB8:0:0::/32", "2001:db8::/32");
	expect_canonical("2001:0db8:0000:0000:0000:0000:0000:0001",
	    "2001:db8::1/128");
	expect_canonical("::/0", "::/0");
	expect_canonical("10.1.2.128/25", "10.1.2.128/25");
}

Test(cidr, refusals)
{
	expect_refused("10.0.0.0/33", "0..32");
	expect_refused("::ffff:10.0.0.1/200", "0..128");
	expect_refused("10.0.0.5/8", "bits set past its prefix");
	expect_refused("2001:db8::1/32", "bits set past its prefix");
	expect_refused("10.0.0.0/", "prefix length");
	expect_refused("10.0.0.0/8x", "prefix length");
	expect_refused("10.0.0.0/-1", "prefix length");
	expect_refused("", "not an IP address");
	expect_refused("/8", "not an IP address");
	expect_refused("campus.example.edu/16", "not an IP address");
	expect_refused("10.0.0", "not an IP address");
	expect_refused("10.0.0.0.0/8", "not an IP address");
	expect_refused("1:2:3:4:5:6:7:8:9/64", "not an IP address");
	expect_refused(
	    "0000:0000:0000:0000:0000:0000:0000:0000:0000:0000:0000/0",
	    "not an IP address");
}

Test(cidr, client_addresses)
{
	char	 out[CIDR_TEXT_SIZE];

	cr_assert_eq(cidr_address("203.0.113.9", out), AT_OK);
	cr_assert_str_eq(out, "203.0.113.9");
	cr_assert_eq(cidr_address("::ffff:10.0.0.1", out), AT_OK);
	cr_assert_str_eq(out, "10.0.0.1");
	cr_assert_eq(cidr_address("2001:DB8::5", out), AT_OK);
	cr_assert_str_eq(out, "2001:db8::5");
	cr_assert_eq(cidr_address("unknown", out), AT_EINVALID);
	cr_assert_eq(cidr_address("", out), AT_EINVALID);
	cr_assert_eq(cidr_address(NULL, out), AT_EINVALID);
	cr_assert_eq(cidr_address("10.0.0.0/8", out), AT_EINVALID);
}

Test(cidr, lists)
{
	char		*out, *bad;
	const char	*why;

	cr_assert_eq(cidr_list("", &out, &bad, &why), AT_OK);
	cr_assert_str_eq(out, "");
	free(out);
	cr_assert_eq(cidr_list(" 10.0.0.0/8,192.0.2.1 ,, 2001:db8::/48\t::",
	    &out, &bad, &why), AT_OK);
	cr_assert_str_eq(out,
	    "10.0.0.0/8 192.0.2.1/32 2001:db8::/48 ::/128");
	free(out);
	cr_assert_eq(cidr_list("::,::,::", &out, &bad, &why), AT_OK);
	cr_assert_str_eq(out, "::/128 ::/128 ::/128");
	free(out);
	cr_assert_eq(cidr_list("10.0.0.0/8 10.0.0.5/8", &out, &bad, &why),
	    AT_EINVALID);
	cr_assert_null(out);
	cr_assert_str_eq(bad, "10.0.0.5/8");
	free(bad);
	cr_assert_eq(cidr_list("10.0.0.0/8 "
	    "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa",
	    &out, &bad, &why), AT_EINVALID);
	cr_assert_str_eq(why, "is not an IP address");
	free(bad);
}
