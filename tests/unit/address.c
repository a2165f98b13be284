/*
 * lib/address.h: the one parser of the configuration's addresses (redis,
 * relay_listen): unix sockets, host:port, [IPv6]:port, a bare host's
 * default port, and every refusal with its reason.
 */
#include <stdio.h>
#include <string.h>

#include <criterion/criterion.h>

#include "address.h"

static struct address
parse_ok(const char *text, unsigned default_port)
{
	struct address	 a;
	const char	*why = NULL;

	cr_assert_eq(address_parse(text, default_port, &a, &why), AT_OK,
	    "'%s' refused: %s", text, why != NULL ? why : "?");
	return a;
}

/* Refused, with a reason that contains want. */
static void
parse_bad(const char *text, unsigned default_port, const char *want)
{
	struct address	 a;
	const char	*why = NULL;

	cr_assert_eq(address_parse(text, default_port, &a, &why),
	    AT_EINVALID, "'%s' accepted", text);
	cr_assert_not_null(why, "'%s': no reason", text);
	cr_assert_not_null(strstr(why, want), "'%s': '%s' lacks '%s'", text,
	    why, want);
}

/* text is host:port (or a bare host with default_port). */
static void
expect_host(const char *text, unsigned default_port, const char *host,
    unsigned port)
{
	struct address	 a = parse_ok(text, default_port);

	cr_assert(!a.is_unix, "%s", text);
	cr_assert_str_eq(a.host, host, "%s", text);
	cr_assert_eq(a.port, port, "%s", text);
}

static void
expect_text(const struct address *a, const char *want)
{
	char	 buf[ADDRESS_TEXT_MAX];

	cr_assert_eq(address_format(a, buf, sizeof(buf)), (int)strlen(want));
	cr_assert_str_eq(buf, want);
}

Test(address, unix_socket)
{
	struct address	 a;

	a = parse_ok("unix:/run/attendance/relay.sock", 0);
	cr_assert(a.is_unix);
	cr_assert_str_eq(a.path, "/run/attendance/relay.sock");
	expect_text(&a, "unix:/run/attendance/relay.sock");
	/* A default port does not make a unix path a host. */
	a = parse_ok("unix:/tmp/redis.sock", 6379);
	cr_assert(a.is_unix);
	cr_assert_str_eq(a.path, "/tmp/redis.sock");
}

Test(address, unix_socket_refused)
{
	char	 path[ADDRESS_PATH_MAX + 16];

	parse_bad("unix:relative.sock", 0, "absolute");
	parse_bad("unix:", 6379, "absolute");
	/* The longest path sun_path holds, then one byte more. */
	memcpy(path, "unix:/", 6);
	memset(path + 6, 'a', ADDRESS_PATH_MAX - 2);
	path[ADDRESS_PATH_MAX + 4] = '\0';
	cr_assert_eq(strlen(path + 5), ADDRESS_PATH_MAX - 1);
	cr_assert(parse_ok(path, 0).is_unix);
	path[ADDRESS_PATH_MAX + 4] = 'a';
	path[ADDRESS_PATH_MAX + 5] = '\0';
	parse_bad(path, 0, "too long");
}

Test(address, host_and_port)
{
	struct address	 a;

	expect_host("127.0.0.1:8081", 0, "127.0.0.1", 8081);
	a = parse_ok("127.0.0.1:8081", 0);
	expect_text(&a, "127.0.0.1:8081");
	expect_host("redis.example:1", 6379, "redis.example", 1);
	expect_host("localhost:65535", 0, "localhost", 65535);
}

Test(address, ipv6_in_brackets)
{
	struct address	 a;

	expect_host("[::1]:8081", 0, "::1", 8081);
	a = parse_ok("[::1]:8081", 0);
	expect_text(&a, "[::1]:8081");
	expect_host("[fe80::1:2]", 6379, "fe80::1:2", 6379);
	parse_bad("::1:8081", 0, "brackets");
	parse_bad("[::1]8081", 0, ":port");
	parse_bad("[::1:8081", 0, "]");
	parse_bad("[]:8081", 0, "host");
	parse_bad("[::1]", 0, "host:port");
}

Test(address, bare_host)
{
	struct address	 a;

	expect_host("cache", 6379, "cache", 6379);
	a = parse_ok("cache", 6379);
	expect_text(&a, "cache:6379");
	parse_bad("cache", 0, "host:port");
	parse_bad("", 6379, "host");
	parse_bad("", 0, "host");
}

Test(address, port_bounds)
{
	parse_bad("localhost:0", 0, "1 to 65535");
	parse_bad("localhost:65536", 6379, "1 to 65535");
	parse_bad("localhost:-1", 0, "1 to 65535");
	parse_bad("localhost:", 6379, "1 to 65535");
	parse_bad("localhost:http", 0, "1 to 65535");
	parse_bad("localhost:80 ", 0, "1 to 65535");
	parse_bad("localhost:99999999999999999999", 0, "1 to 65535");
	parse_bad(":8081", 0, "host");
}

Test(address, host_length)
{
	char	 text[ADDRESS_HOST_MAX + 16];

	memset(text, 'h', ADDRESS_HOST_MAX - 1);
	memcpy(text + ADDRESS_HOST_MAX - 1, ":80", 4);
	cr_assert_eq(strlen(parse_ok(text, 0).host), ADDRESS_HOST_MAX - 1);
	memset(text, 'h', ADDRESS_HOST_MAX);
	memcpy(text + ADDRESS_HOST_MAX, ":80", 4);
	parse_bad(text, 0, "overlong");
}

/* What format writes, parse reads back the same. */
Test(address, format_round_trip)
{
	static const char *const texts[] = {
		"unix:/run/redis/redis.sock", "10.0.0.7:6380", "[::1]:1",
		"[2001:db8::7]:65535", "relay.example:8081"
	};
	struct address	 a, b;
	char		 buf[ADDRESS_TEXT_MAX];
	size_t		 i;

	for (i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
		a = parse_ok(texts[i], 0);
		address_format(&a, buf, sizeof(buf));
		cr_assert_str_eq(buf, texts[i]);
		b = parse_ok(buf, 0);
		cr_assert_eq(memcmp(&a, &b, sizeof(a)), 0, "%s", texts[i]);
	}
}
