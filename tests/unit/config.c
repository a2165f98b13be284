/*
 * lib/config.h: defaults from the key table, typed values with bounds, the
 * "key = value" file and the ATTENDANCE_<KEY> environment on top of it.
 */
#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "config.h"
#include "log.h"

/* The environment variable that overrides key, e.g. ATTENDANCE_REDIS. */
static void
env_name(const char *key, char *buf, size_t size)
{
	size_t	 i;

	snprintf(buf, size, "ATTENDANCE_%s", key);
	for (i = 0; buf[i] != '\0'; i++)
		buf[i] = (char)toupper((unsigned char)buf[i]);
}

/*
 * The caller's environment (a developer's shell, make check) may set
 * ATTENDANCE_* for real programs; the tests need to see the file alone.
 */
static void
clear_environment(void)
{
	const struct config_key	*keys;
	char			 var[128];
	size_t			 i, n;

	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		env_name(keys[i].name, var, sizeof(var));
		unsetenv(var);
	}
}

TestSuite(config, .init = clear_environment);

/* Writes text to a new temporary file; the caller unlinks and frees. */
static char *
write_temp(const char *text)
{
	const char	*dir;
	char		*path = NULL;
	size_t		 len = strlen(text);
	int		 fd;

	if ((dir = getenv("TMPDIR")) == NULL || *dir == '\0')
		dir = "/tmp";
	cr_assert_neq(asprintf(&path, "%s/unit_config.XXXXXX", dir), -1);
	fd = mkstemp(path);
	cr_assert_neq(fd, -1, "mkstemp %s: %s", path, strerror(errno));
	cr_assert_eq(write(fd, text, len), (ssize_t)len);
	cr_assert_eq(close(fd), 0);
	return path;
}

static const struct config_key *
find_key(const char *name)
{
	const struct config_key	*keys;
	size_t			 i, n;

	keys = config_keys(&n);
	for (i = 0; i < n; i++)
		if (strcmp(keys[i].name, name) == 0)
			return &keys[i];
	cr_assert_fail("no key '%s' in the table", name);
	return NULL;
}

/* The value of name as config_format() writes it, in a static buffer. */
static const char *
key_text(const struct config *cfg, const char *name)
{
	static char	 buf[512];
	char		*text;

	cr_assert_not_null(text = config_format(cfg, find_key(name)));
	snprintf(buf, sizeof(buf), "%s", text);
	free(text);
	return buf;
}

/* Sets name to value and expects AT_EINVALID with a reason. */
static void
expect_set_fails(struct config *cfg, const char *name, const char *value)
{
	char	*cause = NULL;

	cr_assert_eq(config_set(cfg, name, value, &cause), AT_EINVALID,
	    "%s = '%s' was accepted", name, value);
	cr_assert_not_null(cause, "%s = '%s': no cause", name, value);
	cr_assert_neq(cause[0], '\0');
	free(cause);
}

/* With var=value in the environment, loading fails with a cause that
 * contains want. */
static void
expect_env_fails(const char *var, const char *value, const char *want)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(setenv(var, value, 1), 0);
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, NULL, 0, &cause), AT_EINVALID);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, want), "%s", cause);
	free(cause);
	config_free(&cfg);
	unsetenv(var);
}

/* Loads text as a config file and expects an error naming path:line. */
static void
expect_load_fails(const char *text, unsigned line, const char *reason)
{
	struct config	 cfg;
	char		*path, *cause = NULL, where[4200];

	path = write_temp(text);
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, path, 1, &cause), AT_EINVALID,
	    "loading %s did not fail", text);
	cr_assert_not_null(cause);
	snprintf(where, sizeof(where), "%s:%u:", path, line);
	cr_assert_not_null(strstr(cause, where), "'%s' lacks '%s'", cause,
	    where);
	cr_assert_not_null(strstr(cause, reason), "'%s' lacks '%s'", cause,
	    reason);
	free(cause);
	config_free(&cfg);
	unlink(path);
	free(path);
}

Test(config, table_is_sane)
{
	const struct config_key	*keys;
	size_t			 i, j, n;

	keys = config_keys(&n);
	cr_assert_gt(n, 0);
	for (i = 0; i < n; i++) {
		cr_assert_not_null(keys[i].name);
		cr_assert_not_null(keys[i].default_value, "%s", keys[i].name);
		cr_assert_not_null(keys[i].doc, "%s", keys[i].name);
		for (j = i + 1; j < n; j++)
			cr_assert_str_neq(keys[i].name, keys[j].name);
	}
}

Test(config, init_sets_every_default)
{
	const struct config_key	*keys;
	struct config		 cfg;
	char			*text;
	size_t			 i, n;

	cr_assert_eq(config_init(&cfg), AT_OK);
	keys = config_keys(&n);
	for (i = 0; i < n; i++) {
		text = config_format(&cfg, &keys[i]);
		cr_assert_not_null(text, "%s", keys[i].name);
		cr_assert_str_eq(text, keys[i].default_value, "key %s",
		    keys[i].name);
		free(text);
	}
	/* The struct fields, not just their text, hold the defaults. */
	cr_assert_str_eq(cfg.database, "dbname=attendance");
	cr_assert_str_eq(cfg.allowed_origins, "");
	cr_assert_eq(cfg.cookie_secure, CONFIG_COOKIE_AUTO);
	cr_assert_eq(cfg.session_lifetime, 1209600);
	cr_assert_eq(cfg.qr_ttl_default, 15);
	cr_assert_eq(cfg.log_level, LOG_LEVEL_INFO);
	config_free(&cfg);
}

Test(config, set_int)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_set(&cfg, "session_lifetime", "60", &cause),
	    AT_OK);
	cr_assert_null(cause);
	cr_assert_eq(cfg.session_lifetime, 60);
	cr_assert_eq(config_set(&cfg, "session_lifetime", "31536000",
	    &cause), AT_OK);
	cr_assert_eq(cfg.session_lifetime, 31536000);
	cr_assert_eq(config_set(&cfg, "late_after_default", "0", &cause),
	    AT_OK);
	cr_assert_eq(cfg.late_after_default, 0);
	config_free(&cfg);
}

Test(config, set_int_errors)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	expect_set_fails(&cfg, "qr_ttl_default", "abc");
	expect_set_fails(&cfg, "qr_ttl_default", "");
	expect_set_fails(&cfg, "qr_ttl_default", "12x");
	expect_set_fails(&cfg, "qr_ttl_default", " 12");
	expect_set_fails(&cfg, "qr_ttl_default", "1.5");
	expect_set_fails(&cfg, "qr_ttl_default", "4");
	expect_set_fails(&cfg, "qr_ttl_default", "601");
	expect_set_fails(&cfg, "qr_ttl_default", "-30");
	expect_set_fails(&cfg, "qr_ttl_default", "99999999999999999999");
	/* A rejected value leaves the old one in place. */
	cr_assert_eq(cfg.qr_ttl_default, 15);

	cr_assert_eq(config_set(&cfg, "session_lifetime", "59", &cause),
	    AT_EINVALID);
	cr_assert_not_null(strstr(cause, "too small"), "%s", cause);
	cr_assert_not_null(strstr(cause, "session_lifetime"), "%s", cause);
	free(cause);
	cr_assert_eq(config_set(&cfg, "session_lifetime", "31536001",
	    &cause), AT_EINVALID);
	cr_assert_not_null(strstr(cause, "too large"), "%s", cause);
	free(cause);
	cr_assert_eq(config_set(&cfg, "session_lifetime", "soon", &cause),
	    AT_EINVALID);
	cr_assert_not_null(strstr(cause, "not a number"), "%s", cause);
	free(cause);
	config_free(&cfg);
}

Test(config, set_bool)
{
	static const struct {
		const char	*word;
		int		 value;
	} words[] = {
		{ "true", 1 }, { "false", 0 }, { "yes", 1 }, { "no", 0 },
		{ "on", 1 }, { "off", 0 }, { "1", 1 }, { "0", 0 },
		{ "TRUE", 1 }, { "False", 0 }, { "YeS", 1 }, { "NO", 0 },
		{ "On", 1 }, { "oFF", 0 },
	};
	struct config	 cfg;
	char		*cause = NULL;
	size_t		 i;

	cr_assert_eq(config_init(&cfg), AT_OK);
	for (i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		/* Start from the opposite so a no-op cannot pass. */
		cfg.cookie_secure = !words[i].value;
		cr_assert_eq(config_set(&cfg, "cookie_secure", words[i].word,
		    &cause), AT_OK, "'%s' rejected", words[i].word);
		cr_assert_null(cause);
		cr_assert_eq(cfg.cookie_secure, words[i].value, "'%s'",
		    words[i].word);
	}
	config_free(&cfg);
}

Test(config, set_bool_errors)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	expect_set_fails(&cfg, "cookie_secure", "maybe");
	expect_set_fails(&cfg, "cookie_secure", "");
	expect_set_fails(&cfg, "cookie_secure", "2");
	expect_set_fails(&cfg, "cookie_secure", "truee");
	expect_set_fails(&cfg, "cookie_secure", "t");
	cr_assert_eq(config_set(&cfg, "cookie_secure", "nope", &cause),
	    AT_EINVALID);
	cr_assert_not_null(strstr(cause, "cookie_secure"), "%s", cause);
	cr_assert_not_null(strstr(cause, "nope"), "%s", cause);
	free(cause);
	cr_assert_eq(cfg.cookie_secure, CONFIG_COOKIE_AUTO);
	config_free(&cfg);
}

Test(config, set_log_level)
{
	static const struct {
		const char	*name;
		int		 level;
	} levels[] = {
		{ "error", LOG_LEVEL_ERROR }, { "warn", LOG_LEVEL_WARN },
		{ "info", LOG_LEVEL_INFO }, { "debug", LOG_LEVEL_DEBUG },
	};
	const struct config_key	*key = find_key("log_level");
	struct config		 cfg;
	char			*cause = NULL, *text;
	size_t			 i;

	cr_assert_eq(config_init(&cfg), AT_OK);
	for (i = 0; i < sizeof(levels) / sizeof(levels[0]); i++) {
		cfg.log_level = -1;
		cr_assert_eq(config_set(&cfg, "log_level", levels[i].name,
		    &cause), AT_OK, "%s", levels[i].name);
		cr_assert_eq(cfg.log_level, levels[i].level);
		text = config_format(&cfg, key);
		cr_assert_str_eq(text, levels[i].name);
		free(text);
	}
	cr_assert_eq(config_set(&cfg, "log_level", "verbose", &cause),
	    AT_EINVALID);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, "verbose"), "%s", cause);
	free(cause);
	expect_set_fails(&cfg, "log_level", "");
	expect_set_fails(&cfg, "log_level", "3");
	cr_assert_eq(cfg.log_level, LOG_LEVEL_DEBUG);
	config_free(&cfg);
}

Test(config, set_string)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_set(&cfg, "public_base_url", "https://a.example",
	    &cause), AT_OK);
	cr_assert_str_eq(cfg.public_base_url, "https://a.example");
	cr_assert_eq(config_set(&cfg, "public_base_url", "", &cause), AT_OK);
	cr_assert_str_eq(cfg.public_base_url, "");
	config_free(&cfg);
}

/* redis and relay_listen are parsed (lib/address.h) when they are set. */
Test(config, set_address)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_set(&cfg, "redis", "unix:/run/redis.sock",
	    &cause), AT_OK);
	cr_assert(cfg.redis.is_unix);
	cr_assert_str_eq(cfg.redis.path, "/run/redis.sock");
	cr_assert_str_eq(key_text(&cfg, "redis"), "unix:/run/redis.sock");
	cr_assert_eq(config_set(&cfg, "redis", "[::1]:6380", &cause), AT_OK);
	cr_assert(!cfg.redis.is_unix);
	cr_assert_str_eq(cfg.redis.host, "::1");
	cr_assert_eq(cfg.redis.port, 6380);
	cr_assert_str_eq(key_text(&cfg, "redis"), "[::1]:6380");
	/* A bare host name is Redis's own port; relay_listen needs one. */
	cr_assert_eq(config_set(&cfg, "redis", "cache", &cause), AT_OK);
	cr_assert_str_eq(cfg.redis.host, "cache");
	cr_assert_eq(cfg.redis.port, 6379);
	expect_set_fails(&cfg, "relay_listen", "localhost");
	cr_assert_eq(config_set(&cfg, "relay_listen", "127.0.0.1:8081",
	    &cause), AT_OK);
	cr_assert_str_eq(cfg.relay_listen.host, "127.0.0.1");
	cr_assert_eq(cfg.relay_listen.port, 8081);

	expect_set_fails(&cfg, "redis", "");
	expect_set_fails(&cfg, "redis", "cache:0");
	expect_set_fails(&cfg, "redis", "cache:65536");
	expect_set_fails(&cfg, "redis", "cache:port");
	expect_set_fails(&cfg, "redis", "::1:6379");
	expect_set_fails(&cfg, "redis", "unix:run/redis.sock");
	expect_set_fails(&cfg, "relay_listen", "unix:");
	/* A refused value leaves the one before. */
	cr_assert_str_eq(key_text(&cfg, "redis"), "cache:6379");
	cr_assert_str_eq(key_text(&cfg, "relay_listen"), "127.0.0.1:8081");

	cr_assert_eq(config_set(&cfg, "redis", "cache:0", &cause),
	    AT_EINVALID);
	cr_assert_not_null(strstr(cause, "redis: 'cache:0'"), "%s", cause);
	cr_assert_not_null(strstr(cause, "1 to 65535"), "%s", cause);
	free(cause);
	config_free(&cfg);
}

/* An invalid address stops a program at start-up, naming the key. */
Test(config, load_bad_address)
{
	expect_load_fails("log_level = info\nredis = localhost:99999\n", 2,
	    "redis: 'localhost:99999' is not an address");
	expect_load_fails("relay_listen = unix:relay.sock\n", 1,
	    "relay_listen: 'unix:relay.sock' is not an address: a unix "
	    "socket path must be absolute");
}

Test(config, environment_bad_address)
{
	expect_env_fails("ATTENDANCE_REDIS", "[::1:6379",
	    "ATTENDANCE_REDIS: redis:");
}

Test(config, set_unknown_key)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_set(&cfg, "no_such_key", "1", &cause),
	    AT_EINVALID);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, "no_such_key"), "%s", cause);
	free(cause);
	/* Names are exact: the environment's spelling is not a key. */
	expect_set_fails(&cfg, "REDIS", "x");
	expect_set_fails(&cfg, "", "x");
	config_free(&cfg);
}

Test(config, load_file)
{
	struct config	 cfg;
	char		*path, *cause = NULL;

	path = write_temp(
	    "# attendance.conf\n"
	    "\n"
	    "   # an indented comment = not a key\n"
	    "\t\n"
	    "database = host=/run/postgresql dbname=att\n"
	    "redis=unix:/run/redis.sock\n"
	    "  allowed_origins   =   "
	    "\"  https://a.example https://b.example  \"  \n"
	    "public_base_url\t=\t\"https://att.example\"\n"
	    "cookie_secure = Yes\n"
	    "session_lifetime=3600\n"
	    "qr_ttl_default =  45\r\n"
	    "log_level = debug\n"
	    "# the end");
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, path, 1, &cause), AT_OK, "%s",
	    cause != NULL ? cause : "");
	cr_assert_null(cause);
	/* Only the first '=' separates: the rest belongs to the value. */
	cr_assert_str_eq(cfg.database, "host=/run/postgresql dbname=att");
	cr_assert(cfg.redis.is_unix);
	cr_assert_str_eq(cfg.redis.path, "/run/redis.sock");
	/* Quotes keep the spaces inside them and are not part of it. */
	cr_assert_str_eq(cfg.allowed_origins,
	    "  https://a.example https://b.example  ");
	cr_assert_str_eq(cfg.public_base_url, "https://att.example");
	cr_assert_eq(cfg.cookie_secure, 1);
	cr_assert_eq(cfg.session_lifetime, 3600);
	cr_assert_eq(cfg.qr_ttl_default, 45);
	cr_assert_eq(cfg.log_level, LOG_LEVEL_DEBUG);
	/* Keys the file does not name keep their defaults. */
	cr_assert_eq(cfg.late_after_default, 600);
	cr_assert_eq(cfg.login_failure_window, 900);
	config_free(&cfg);
	unlink(path);
	free(path);
}

Test(config, load_quoted_conninfo)
{
	struct config	 cfg;
	char		*path, *cause = NULL;

	path = write_temp("database = \"host=/x dbname=y\"\n"
	    "allowed_origins = \"\"\n");
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, path, 1, &cause), AT_OK);
	cr_assert_str_eq(cfg.database, "host=/x dbname=y");
	cr_assert_str_eq(cfg.allowed_origins, "");
	config_free(&cfg);
	unlink(path);
	free(path);
}

Test(config, load_empty_file)
{
	struct config	 cfg;
	char		*path, *cause = NULL;

	path = write_temp("");
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, path, 1, &cause), AT_OK);
	cr_assert_null(cause);
	cr_assert_str_eq(cfg.database, "dbname=attendance");
	config_free(&cfg);
	unlink(path);
	free(path);
}

Test(config, load_unknown_key)
{
	expect_load_fails("# ok\nredis = 127.0.0.1:6380\ncolour = blue\n", 3,
	    "colour");
}

Test(config, load_key_twice)
{
	expect_load_fails("redis = a:1\n\nlog_level = info\nredis = b:2\n", 4,
	    "'redis' set twice");
}

Test(config, load_line_without_equals)
{
	expect_load_fails("redis = a:1\njust some words\n", 2, "key = value");
}

Test(config, load_bad_value)
{
	expect_load_fails("\n\nsession_lifetime = forever\n", 3,
	    "session_lifetime");
	expect_load_fails("cookie_secure = sometimes\n", 1, "cookie_secure");
	expect_load_fails("log_level = loud\n", 1, "log_level");
}

Test(config, load_empty_key)
{
	expect_load_fails(" = value\n", 1, "unknown key");
}

Test(config, load_line_too_long)
{
	char	 text[5000];

	memset(text, 'x', sizeof(text));
	memcpy(text, "redis = ", 8);
	text[sizeof(text) - 2] = '\n';
	text[sizeof(text) - 1] = '\0';
	expect_load_fails(text, 1, "longer");
}

Test(config, load_missing_file)
{
	struct config	 cfg;
	char		*path, *cause = NULL;

	/* A name that was free a moment ago: mkstemp, then unlink. */
	path = write_temp("");
	cr_assert_eq(unlink(path), 0);
	cr_assert_eq(config_init(&cfg), AT_OK);

	cr_assert_eq(config_load(&cfg, path, 1, &cause), AT_EINVALID);
	cr_assert_not_null(cause);
	cr_assert_not_null(strstr(cause, path), "%s", cause);
	free(cause);
	cause = NULL;

	cr_assert_eq(config_load(&cfg, path, 0, &cause), AT_OK);
	cr_assert_null(cause);
	cr_assert_str_eq(cfg.redis.host, "127.0.0.1");
	cr_assert_eq(cfg.redis.port, 6379);

	cr_assert_eq(config_load(&cfg, NULL, 0, &cause), AT_OK);
	cr_assert_null(cause);
	config_free(&cfg);
	free(path);
}

Test(config, environment_beats_file)
{
	struct config	 cfg;
	char		*path, *cause = NULL;

	path = write_temp("session_lifetime = 3600\n"
	    "database = dbname=from_file\n"
	    "redis = from-file:1\n");
	cr_assert_eq(setenv("ATTENDANCE_SESSION_LIFETIME", "7200", 1), 0);
	cr_assert_eq(setenv("ATTENDANCE_DATABASE", "dbname=from_env", 1), 0);
	cr_assert_eq(setenv("ATTENDANCE_COOKIE_SECURE", "on", 1), 0);
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, path, 1, &cause), AT_OK, "%s",
	    cause != NULL ? cause : "");
	cr_assert_eq(cfg.session_lifetime, 7200);
	cr_assert_str_eq(cfg.database, "dbname=from_env");
	cr_assert_eq(cfg.cookie_secure, 1);
	/* What the environment does not set still comes from the file. */
	cr_assert_str_eq(cfg.redis.host, "from-file");
	cr_assert_eq(cfg.redis.port, 1);
	config_free(&cfg);
	unsetenv("ATTENDANCE_SESSION_LIFETIME");
	unsetenv("ATTENDANCE_DATABASE");
	unsetenv("ATTENDANCE_COOKIE_SECURE");
	unlink(path);
	free(path);
}

Test(config, environment_without_file)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(setenv("ATTENDANCE_LOG_LEVEL", "error", 1), 0);
	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(config_load(&cfg, NULL, 0, &cause), AT_OK);
	cr_assert_eq(cfg.log_level, LOG_LEVEL_ERROR);
	config_free(&cfg);
	unsetenv("ATTENDANCE_LOG_LEVEL");
}

Test(config, environment_bad_value)
{
	expect_env_fails("ATTENDANCE_QR_TTL_DEFAULT", "lots",
	    "ATTENDANCE_QR_TTL_DEFAULT");
}

Test(config, free_is_null_safe)
{
	struct config	 cfg;

	config_free(NULL);
	cr_assert_eq(config_init(&cfg), AT_OK);
	config_free(&cfg);
	/* Freed strings are forgotten, so a second free is harmless. */
	cr_assert_null(cfg.database);
	cr_assert_null(cfg.allowed_origins);
	cr_assert_null(cfg.public_base_url);
	config_free(&cfg);
}

Test(config, default_path)
{
	const char	*path = config_default_path();
	size_t		 len;

	cr_assert_not_null(path);
	len = strlen(path);
	cr_assert_geq(len, strlen("/attendance.conf"));
	cr_assert_str_eq(path + len - strlen("/attendance.conf"),
	    "/attendance.conf");
}

/* A choice key takes its words in any case, and names them when not. */
Test(config, choices)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_eq(cfg.sso_link, CONFIG_SSO_LINK_OFF);
	cr_assert_eq(config_set(&cfg, "sso_link", "Email", &cause), AT_OK);
	cr_assert_eq(cfg.sso_link, CONFIG_SSO_LINK_EMAIL);
	cr_assert_eq(config_set(&cfg, "sso_link", "username", &cause),
	    AT_OK);
	cr_assert_eq(cfg.sso_link, CONFIG_SSO_LINK_USERNAME);
	cr_assert_eq(config_set(&cfg, "sso_link", "eppn", &cause),
	    AT_EINVALID);
	cr_assert_str_eq(cause,
	    "sso_link: 'eppn' is not one of off, email or username");
	free(cause);
	cr_assert_eq(cfg.sso_link, CONFIG_SSO_LINK_USERNAME);
	config_free(&cfg);
}

/* Networks are checked when set and kept in canonical form. */
Test(config, networks)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_str_eq(cfg.login_trusted_networks, "");
	cr_assert_eq(config_set(&cfg, "login_trusted_networks",
	    "192.0.2.0/24, 2001:DB8::/48 198.51.100.7", &cause), AT_OK);
	cr_assert_str_eq(cfg.login_trusted_networks,
	    "192.0.2.0/24 2001:db8::/48 198.51.100.7/32");
	cr_assert_eq(config_set(&cfg, "login_trusted_networks",
	    "192.0.2.0/24 10.0.0.5/8", &cause), AT_EINVALID);
	cr_assert_not_null(strstr(cause,
	    "login_trusted_networks: '10.0.0.5/8' has bits set"), "%s",
	    cause);
	free(cause);
	cr_assert_str_eq(cfg.login_trusted_networks,
	    "192.0.2.0/24 2001:db8::/48 198.51.100.7/32");
	config_free(&cfg);
}

/* cookie_secure: auto follows public_base_url; false over https:// is
 * refused by the workers unless said on purpose (insecure). */
Test(config, cookie_secure_follows_https)
{
	struct config	 cfg;
	char		*cause = NULL;

	cr_assert_eq(config_init(&cfg), AT_OK);
	cr_assert_not(config_cookies_secure(&cfg));
	cr_assert_eq(config_set(&cfg, "public_base_url",
	    "HTTPS://attendance.example.edu", &cause), AT_OK);
	cr_assert(config_cookies_secure(&cfg));
	cr_assert_eq(config_check_worker(&cfg, &cause), AT_OK);
	cr_assert_eq(config_set(&cfg, "cookie_secure", "off", &cause), AT_OK);
	cr_assert_not(config_cookies_secure(&cfg));
	cr_assert_eq(config_check_worker(&cfg, &cause), AT_EINVALID);
	cr_assert_not_null(strstr(cause, "cookie_secure"), "%s", cause);
	free(cause);
	cr_assert_eq(config_set(&cfg, "cookie_secure", "insecure", &cause),
	    AT_OK);
	cr_assert_not(config_cookies_secure(&cfg));
	cr_assert_eq(config_check_worker(&cfg, &cause), AT_OK);
	cr_assert_eq(config_set(&cfg, "cookie_secure", "yes", &cause), AT_OK);
	cr_assert(config_cookies_secure(&cfg));
	cr_assert_eq(config_set(&cfg, "public_base_url", "http://x", &cause),
	    AT_OK);
	cr_assert(config_cookies_secure(&cfg));
	cr_assert_eq(config_set(&cfg, "cookie_secure", "auto", &cause),
	    AT_OK);
	cr_assert_not(config_cookies_secure(&cfg));
	config_free(&cfg);
}
