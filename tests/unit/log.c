/* lib/log: level names, filtering, and the shape of a line. */
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "log.h"

/* Runs fn with fd 2 sent to a file; returns what it wrote. */
static void
capture(void (*fn)(void), char *buf, size_t size)
{
	FILE	*tmp = tmpfile();
	int	 saved = dup(STDERR_FILENO);
	size_t	 n;

	cr_assert(tmp != NULL && saved != -1);
	cr_assert(dup2(fileno(tmp), STDERR_FILENO) != -1);
	fn();
	cr_assert(dup2(saved, STDERR_FILENO) != -1);
	close(saved);
	rewind(tmp);
	n = fread(buf, 1, size - 1, tmp);
	buf[n] = '\0';
	fclose(tmp);
}

Test(log, level_names_round_trip)
{
	cr_assert_eq(log_level_parse("error"), LOG_LEVEL_ERROR);
	cr_assert_eq(log_level_parse("warn"), LOG_LEVEL_WARN);
	cr_assert_eq(log_level_parse("info"), LOG_LEVEL_INFO);
	cr_assert_eq(log_level_parse("debug"), LOG_LEVEL_DEBUG);
	cr_assert_eq(log_level_parse("DEBUG"), -1);
	cr_assert_eq(log_level_parse("verbose"), -1);
	cr_assert_str_eq(log_level_name(LOG_LEVEL_WARN), "warn");
	cr_assert_str_eq(log_level_name(42), "unknown");
}

static void
write_info_with_request(void)
{
	log_open("unit", LOG_LEVEL_INFO);
	log_set_request_id("req-42");
	log_info("hello %d", 7);
	log_set_request_id(NULL);
	log_info("bye");
}

Test(log, line_has_time_program_pid_level_and_request_id)
{
	char	 buf[1024], expect[64];

	capture(write_info_with_request, buf, sizeof(buf));
	snprintf(expect, sizeof(expect), " unit[%ld] info [req-42]: hello 7\n",
	    (long)getpid());
	cr_assert(strstr(buf, expect) != NULL, "got: %s", buf);
	/* 2026-11-24T08:00:00.123Z: RFC 3339, UTC, milliseconds. */
	cr_assert_eq(buf[4], '-');
	cr_assert_eq(buf[10], 'T');
	cr_assert_eq(buf[19], '.');
	cr_assert_eq(buf[23], 'Z');
	snprintf(expect, sizeof(expect), " unit[%ld] info: bye\n",
	    (long)getpid());
	cr_assert(strstr(buf, expect) != NULL, "request id not cleared: %s",
	    buf);
}

static void
write_every_level_at_warn(void)
{
	log_open("unit", LOG_LEVEL_WARN);
	log_error("e");
	log_warn("w");
	log_info("i");
	log_debug("d");
}

Test(log, messages_above_the_level_are_dropped)
{
	char	 buf[1024];

	capture(write_every_level_at_warn, buf, sizeof(buf));
	cr_assert(strstr(buf, "error: e\n") != NULL, "got: %s", buf);
	cr_assert(strstr(buf, "warn: w\n") != NULL, "got: %s", buf);
	cr_assert(strstr(buf, ": i\n") == NULL, "info printed: %s", buf);
	cr_assert(strstr(buf, ": d\n") == NULL, "debug printed: %s", buf);
}

static void
write_debug(void)
{
	log_open("unit", LOG_LEVEL_DEBUG);
	log_debug("x=%s", "y");
}

Test(log, debug_lines_name_the_function)
{
	char	 buf[1024];

	capture(write_debug, buf, sizeof(buf));
	cr_assert(strstr(buf, "debug: write_debug: x=y\n") != NULL,
	    "got: %s", buf);
}

static void
write_long_line(void)
{
	char	 big[5000];

	memset(big, 'a', sizeof(big) - 1);
	big[sizeof(big) - 1] = '\0';
	log_open("unit", LOG_LEVEL_INFO);
	log_info("%s", big);
}

Test(log, an_overlong_message_is_cut_but_still_one_line)
{
	char	 buf[8192];

	capture(write_long_line, buf, sizeof(buf));
	cr_assert(strlen(buf) < 2100, "line not bounded: %zu", strlen(buf));
	cr_assert_eq(buf[strlen(buf) - 1], '\n');
	cr_assert_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
}

static void
write_hostile(void)
{
	log_open("unit", LOG_LEVEL_INFO);
	log_info("origin %s", "http://x\x1b[2J\x1b]0;pwned\x07\r\nforged line"
	    " \\ Zo\xc3\xab \xc2\x9b" "31m \xff\xfe \xed\xa0\x80 \xe2\x82\xac");
}

/* Every byte a terminal or a log reader could misread is escaped; text,
 * accents included, is left as it is. */
Test(log, values_are_escaped)
{
	char		 buf[4096];
	const char	*message;

	capture(write_hostile, buf, sizeof(buf));
	message = strstr(buf, "origin ");
	cr_assert_not_null(message, "%s", buf);
	cr_assert_str_eq(message, "origin http://x\\x1b[2J\\x1b]0;pwned\\x07"
	    "\\x0d\\x0aforged line \\\\ Zo\xc3\xab \\xc2\\x9b31m \\xff\\xfe "
	    "\\xed\\xa0\\x80 \xe2\x82\xac\n");
	cr_assert_eq(strchr(buf, '\n'), buf + strlen(buf) - 1);
}

Test(log, fingerprints)
{
	char	 a[LOG_FINGERPRINT_SIZE], b[LOG_FINGERPRINT_SIZE];
	char	 c[LOG_FINGERPRINT_SIZE];

	log_fingerprint("Hunter2-Password", a);
	log_fingerprint("hunter2-password", b);
	log_fingerprint("hunter3-password", c);
	cr_assert_eq(strlen(a), 8);
	cr_assert_str_eq(a, b);
	cr_assert_str_neq(a, c);
	cr_assert_eq(strspn(a, "0123456789abcdef"), 8);
}
