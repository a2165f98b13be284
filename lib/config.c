#include <ctype.h>
#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cidr.h"
#include "config.h"
#include "log.h"
#include "util.h"
#include "validate.h"

#ifndef SYSCONFDIR
#define SYSCONFDIR "/etc"
#endif

#define CONFIG_LINE_MAX	4096
#define CONFIG_ENV_PREFIX "ATTENDANCE_"

#define KEY_STRING(n, d, doc) \
	{ #n, CONFIG_STRING, offsetof(struct config, n), d, 0, 0, doc }
#define KEY_INT(n, d, lo, hi, doc) \
	{ #n, CONFIG_INT, offsetof(struct config, n), d, lo, hi, doc }
#define KEY_BOOL(n, d, doc) \
	{ #n, CONFIG_BOOL, offsetof(struct config, n), d, 0, 1, doc }
#define KEY_ADDRESS(n, d, port, doc) \
	{ #n, CONFIG_ADDRESS, offsetof(struct config, n), d, port, 0, doc }
#define KEY_CHOICE(n, d, list, doc) \
	{ #n, CONFIG_CHOICE, offsetof(struct config, n), d, 0, 0, doc, list }
#define KEY_NETWORKS(n, d, doc) \
	{ #n, CONFIG_NETWORKS, offsetof(struct config, n), d, 0, 0, doc }

/* By enum config_cookie_secure. */
static const char *const config_cookie_secures[] = {
	"false", "true", "auto", "insecure", NULL
};

/* By enum config_sso_link. */
static const char *const config_sso_links[] = {
	"off", "email", "username", NULL
};

static const struct config_key config_table[] = {
	KEY_STRING(database, "dbname=attendance",
	    "PostgreSQL connection string (libpq conninfo or URI)"),
	KEY_STRING(database_owner, "",
	    "connection string of the tables' owner, for attendance-admin "
	    "(migrations, accounts); empty: database"),
	KEY_STRING(database_runtime_role, "",
	    "role the workers and the relay connect as; migrate grants it "
	    "rows and functions, no DDL (empty: no grants)"),
	KEY_INT(database_connect_timeout, "5", 2, 600,
	    "seconds a connection to PostgreSQL may take, and sent data may "
	    "stay unacknowledged, before the database counts as down"),
	KEY_INT(database_statement_timeout, "10", 0, 86400,
	    "seconds one statement of the workers may run (0: no limit)"),
	KEY_INT(database_lock_timeout, "5", 0, 86400,
	    "seconds a statement of the workers may wait for a lock "
	    "(0: no limit)"),
	KEY_INT(database_idle_transaction_timeout, "60", 0, 86400,
	    "seconds a transaction of the workers may stay idle (0: no "
	    "limit)"),
	KEY_ADDRESS(redis, "127.0.0.1:6379", 6379,
	    "Redis address: host:port, or unix:/path/to/socket"),
	KEY_STRING(redis_user, "",
	    "Redis ACL user for AUTH (empty: the default user)"),
	KEY_STRING(redis_password_file, "",
	    "file whose first line is the Redis password (empty: no AUTH)"),
	KEY_STRING(allowed_origins, "",
	    "space-separated origins allowed on state-changing requests and "
	    "WebSocket upgrades, e.g. https://attendance.example.edu"),
	KEY_STRING(public_base_url, "http://127.0.0.1:8080",
	    "URL students reach the service at; QR codes link below it"),
	KEY_CHOICE(cookie_secure, "auto", config_cookie_secures,
	    "add Secure to the cookies: auto (when public_base_url is "
	    "https://), true, false, or insecure (false even over https://)"),
	KEY_INT(session_lifetime, "1209600", 60, 31536000,
	    "login session lifetime in seconds (default 14 days)"),
	KEY_INT(request_body_timeout, "10", 1, 3600,
	    "seconds a request's body may take to arrive before the worker "
	    "drops the request"),
	KEY_INT(qr_ttl_default, "15", VALIDATE_QR_TTL_MIN, VALIDATE_QR_TTL_MAX,
	    "QR token lifetime in seconds when a session does not set one"),
	KEY_INT(late_after_default, "600", VALIDATE_LATE_AFTER_MIN,
	    VALIDATE_LATE_AFTER_MAX,
	    "seconds after a round starts from which a scan counts as late"),
	KEY_BOOL(password_login, "true",
	    "whether POST /api/auth/login takes passwords (false: single "
	    "sign-on only)"),
	KEY_INT(login_failures_per_name, "5", 1, 1000000,
	    "failed logins for one account within the window before 429, "
	    "from browsers without a device cookie of that account; a "
	    "browser with one has a count of its own"),
	KEY_INT(login_failures_per_address, "100", 1, 1000000,
	    "failed logins from one client address (IPv6: its /64) within "
	    "the window before 429"),
	KEY_INT(login_failure_window, "900", 1, 86400,
	    "failed-login counting window in seconds"),
	KEY_INT(code_failures_per_student, "10", 1, 1000000,
	    "invalid_token answers of POST /api/scan/code to one student "
	    "within the window before 429"),
	KEY_INT(code_failure_window, "600", 1, 86400,
	    "the typed code's counting window in seconds"),
	KEY_INT(evidence_retention_days, "180", 1, 36500,
	    "days a scan's address, device and User-Agent are kept; "
	    "attendance-admin purge clears older ones, the flags stay"),
	KEY_NETWORKS(login_trusted_networks, "",
	    "CIDRs exempt from the per-address limit, separated by spaces "
	    "or commas (a campus NAT's egress addresses)"),
	KEY_BOOL(sso, "false",
	    "single sign-on through the web server at /api/auth/sso"),
	KEY_STRING(sso_label, "single sign-on",
	    "the login page's button says \"Sign in with\" this"),
	KEY_STRING(sso_subject_param, "REMOTE_USER",
	    "FastCGI parameter holding the subject (the account's external "
	    "id)"),
	KEY_STRING(sso_email_param, "",
	    "FastCGI parameter holding the email (empty: none)"),
	KEY_STRING(sso_name_param, "",
	    "FastCGI parameter holding the display name (empty: none)"),
	KEY_STRING(sso_username_param, "",
	    "FastCGI parameter holding the preferred username (empty: none)"),
	KEY_STRING(sso_role_param, "",
	    "FastCGI parameter holding the role values, separated by ; or , "
	    "(empty: none)"),
	KEY_STRING(sso_professor_values, "faculty",
	    "role values (words, any case) that make a professor"),
	KEY_STRING(sso_student_values, "student",
	    "role values (words, any case) that make a student"),
	KEY_CHOICE(sso_link, "off", config_sso_links,
	    "a first sign-on takes the account without external id of the "
	    "same email or username: off, email or username"),
	KEY_BOOL(sso_provision, "true",
	    "a first sign-on with no account creates one"),
	{ "log_level", CONFIG_LOG_LEVEL, offsetof(struct config, log_level),
	    "info", 0, 0, "error, warn, info or debug" },
	KEY_ADDRESS(relay_listen, "unix:/run/attendance/relay.sock", 0,
	    "where attendance-relay listens: unix:/path or host:port"),
	KEY_INT(relay_ping_interval, "25", 1, 3600,
	    "seconds of silence after which the relay pings a WebSocket; "
	    "as long again without an answer and it is dropped; also how "
	    "often (at most every 30 s) it checks its sockets' logins"),
	KEY_INT(relay_max_queue, "1048576", 4096, 1073741824,
	    "bytes of events waiting for one WebSocket before the relay "
	    "drops it"),
	KEY_INT(relay_max_sockets, "10000", 1, 1000000,
	    "connections one relay process holds at most"),
};

#define CONFIG_NKEYS (sizeof(config_table) / sizeof(config_table[0]))

const struct config_key *
config_keys(size_t *count)
{
	*count = CONFIG_NKEYS;
	return config_table;
}

const char *
config_default_path(void)
{
	return SYSCONFDIR "/attendance.conf";
}

static const struct config_key *
config_find(const char *name)
{
	size_t	 i;

	for (i = 0; i < CONFIG_NKEYS; i++)
		if (strcmp(config_table[i].name, name) == 0)
			return &config_table[i];
	return NULL;
}

static int
config_parse_bool(const char *s, int *out)
{
	static const char *const yes[] = { "true", "yes", "on", "1" };
	static const char *const no[] = { "false", "no", "off", "0" };
	size_t	 i;

	for (i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (util_strcasecmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (util_strcasecmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* The choices of key as "a, b or c" into out. */
static void
config_choices(const struct config_key *key, char *out, size_t size)
{
	size_t	 i, used = 0;

	out[0] = '\0';
	for (i = 0; key->choices[i] != NULL && used < size; i++)
		used += (size_t)snprintf(out + used, size - used, "%s%s",
		    i == 0 ? "" : key->choices[i + 1] == NULL ? " or " : ", ",
		    key->choices[i]);
}

static enum at_error
config_set_key(struct config *cfg, const struct config_key *key,
    const char *value, char **cause)
{
	struct address	 address;
	char		*base = (char *)cfg + key->offset;
	char		*copy, *bad;
	char		 text[128];
	const char	*why;
	long		 n;
	int		 b, level;
	enum at_error	 rc;

	switch (key->type) {
	case CONFIG_STRING:
		if ((copy = strdup(value)) == NULL)
			return AT_ENOMEM;
		free(*(char **)(void *)base);
		*(char **)(void *)base = copy;
		return AT_OK;
	case CONFIG_INT:
		if (util_parse_long(value, key->min, key->max, &n,
		    &why) == -1) {
			*cause = util_printf("%s: '%s' is %s "
			    "(allowed %ld..%ld)", key->name, value, why,
			    key->min, key->max);
			return AT_EINVALID;
		}
		*(int *)(void *)base = (int)n;
		return AT_OK;
	case CONFIG_BOOL:
		if (config_parse_bool(value, &b) == -1) {
			*cause = util_printf("%s: '%s' is not a boolean "
			    "(true or false)", key->name, value);
			return AT_EINVALID;
		}
		*(int *)(void *)base = b;
		return AT_OK;
	case CONFIG_LOG_LEVEL:
		if ((level = log_level_parse(value)) == -1) {
			*cause = util_printf("%s: '%s' is not one of error, "
			    "warn, info, debug", key->name, value);
			return AT_EINVALID;
		}
		*(int *)(void *)base = level;
		return AT_OK;
	case CONFIG_ADDRESS:
		if (address_parse(value, (unsigned)key->min, &address,
		    &why) != AT_OK) {
			*cause = util_printf("%s: '%s' is not an address: %s",
			    key->name, value, why);
			return AT_EINVALID;
		}
		*(struct address *)(void *)base = address;
		return AT_OK;
	case CONFIG_CHOICE:
		for (n = 0; key->choices[n] != NULL; n++)
			if (util_strcasecmp(value, key->choices[n]) == 0) {
				*(int *)(void *)base = (int)n;
				return AT_OK;
			}
		/* A choice of "false" and "true" takes any boolean word. */
		for (n = 0; key->choices[n] != NULL &&
		    config_parse_bool(value, &b) == 0; n++)
			if (strcmp(key->choices[n], b ? "true" : "false") ==
			    0) {
				*(int *)(void *)base = (int)n;
				return AT_OK;
			}
		config_choices(key, text, sizeof(text));
		*cause = util_printf("%s: '%s' is not one of %s", key->name,
		    value, text);
		return AT_EINVALID;
	case CONFIG_NETWORKS:
		if ((rc = cidr_list(value, &copy, &bad, &why)) != AT_OK) {
			if (rc == AT_EINVALID)
				*cause = util_printf("%s: '%s' %s", key->name,
				    bad, why);
			free(bad);
			return rc;
		}
		free(*(char **)(void *)base);
		*(char **)(void *)base = copy;
		return AT_OK;
	}
	return AT_EINTERNAL;
}

enum at_error
config_set(struct config *cfg, const char *name, const char *value,
    char **cause)
{
	const struct config_key	*key;

	*cause = NULL;
	if ((key = config_find(name)) == NULL) {
		*cause = util_printf("unknown key '%s'", name);
		return AT_EINVALID;
	}
	return config_set_key(cfg, key, value, cause);
}

enum at_error
config_init(struct config *cfg)
{
	char	*cause = NULL;
	size_t	 i;
	enum at_error	 rc;

	memset(cfg, 0, sizeof(*cfg));
	for (i = 0; i < CONFIG_NKEYS; i++) {
		rc = config_set_key(cfg, &config_table[i],
		    config_table[i].default_value, &cause);
		if (rc != AT_OK) {
			/* A bad default is a bug caught by the unit tests. */
			free(cause);
			config_free(cfg);
			return rc;
		}
	}
	return AT_OK;
}

/* Strips one pair of double quotes so a value can keep outer spaces. */
static char *
config_unquote(char *value)
{
	size_t	 len = strlen(value);

	if (len >= 2 && value[0] == '"' && value[len - 1] == '"') {
		value[len - 1] = '\0';
		return value + 1;
	}
	return value;
}

static enum at_error
config_read_file(struct config *cfg, const char *path, FILE *fp,
    char **cause)
{
	char		 line[CONFIG_LINE_MAX + 2];
	unsigned char	 seen[CONFIG_NKEYS];
	char		*name, *value, *eq, *why = NULL;
	const struct config_key	*key;
	unsigned long	 lineno = 0;
	enum at_error	 rc;

	memset(seen, 0, sizeof(seen));
	while (fgets(line, sizeof(line), fp) != NULL) {
		lineno++;
		if (strchr(line, '\n') == NULL && !feof(fp)) {
			*cause = util_printf("%s:%lu: line longer than %d "
			    "bytes", path, lineno, CONFIG_LINE_MAX);
			return AT_EINVALID;
		}
		name = util_trim(line);
		if (*name == '\0' || *name == '#')
			continue;
		if ((eq = strchr(name, '=')) == NULL) {
			*cause = util_printf("%s:%lu: expected 'key = value'",
			    path, lineno);
			return AT_EINVALID;
		}
		*eq = '\0';
		util_trim(name);
		value = config_unquote(util_trim(eq + 1));
		if ((key = config_find(name)) == NULL) {
			*cause = util_printf("%s:%lu: unknown key '%s'",
			    path, lineno, name);
			return AT_EINVALID;
		}
		if (seen[key - config_table]) {
			*cause = util_printf("%s:%lu: '%s' set twice",
			    path, lineno, name);
			return AT_EINVALID;
		}
		seen[key - config_table] = 1;
		if ((rc = config_set_key(cfg, key, value, &why)) != AT_OK) {
			if (why != NULL)
				*cause = util_printf("%s:%lu: %s", path,
				    lineno, why);
			free(why);
			return rc;
		}
	}
	if (ferror(fp)) {
		*cause = util_printf("%s: %s", path, strerror(errno));
		return AT_EINVALID;
	}
	return AT_OK;
}

static enum at_error
config_read_environment(struct config *cfg, char **cause)
{
	char		 var[128];
	const char	*value;
	char		*why = NULL;
	size_t		 i, j;
	enum at_error	 rc;

	for (i = 0; i < CONFIG_NKEYS; i++) {
		snprintf(var, sizeof(var), CONFIG_ENV_PREFIX "%s",
		    config_table[i].name);
		for (j = 0; var[j] != '\0'; j++)
			var[j] = (char)toupper((unsigned char)var[j]);
		if ((value = getenv(var)) == NULL)
			continue;
		rc = config_set_key(cfg, &config_table[i], value, &why);
		if (rc != AT_OK) {
			if (why != NULL)
				*cause = util_printf("environment %s: %s",
				    var, why);
			free(why);
			return rc;
		}
	}
	return AT_OK;
}

enum at_error
config_load(struct config *cfg, const char *path, int required,
    char **cause)
{
	FILE		*fp = NULL;
	enum at_error	 rc = AT_OK;

	*cause = NULL;
	if (path != NULL && (fp = fopen(path, "r")) == NULL) {
		if (required || errno != ENOENT) {
			*cause = util_printf("%s: %s", path, strerror(errno));
			return AT_EINVALID;
		}
	}
	if (fp != NULL &&
	    (rc = config_read_file(cfg, path, fp, cause)) != AT_OK)
		goto out;
	rc = config_read_environment(cfg, cause);
out:
	if (fp != NULL)
		fclose(fp);
	if (rc == AT_ENOMEM && *cause == NULL)
		*cause = util_printf("out of memory");
	return rc;
}

char *
config_format(const struct config *cfg, const struct config_key *key)
{
	const char	*base = (const char *)cfg + key->offset;
	char		 text[ADDRESS_TEXT_MAX];

	switch (key->type) {
	case CONFIG_STRING:
		return strdup(*(char *const *)(const void *)base);
	case CONFIG_INT:
		return util_printf("%d", *(const int *)(const void *)base);
	case CONFIG_BOOL:
		return strdup(*(const int *)(const void *)base ?
		    "true" : "false");
	case CONFIG_LOG_LEVEL:
		return strdup(log_level_name(*(const int *)(const void *)base));
	case CONFIG_ADDRESS:
		address_format((const struct address *)(const void *)base,
		    text, sizeof(text));
		return strdup(text);
	case CONFIG_CHOICE:
		return strdup(key->choices[*(const int *)(const void *)base]);
	case CONFIG_NETWORKS:
		return strdup(*(char *const *)(const void *)base);
	}
	return NULL;
}

enum at_error
config_redis_password(const struct config *cfg, char **out, char **cause)
{
	FILE	*fp;
	char	 line[1026];
	size_t	 len;

	*out = *cause = NULL;
	if (cfg->redis_password_file[0] == '\0')
		return AT_OK;
	if ((fp = fopen(cfg->redis_password_file, "r")) == NULL) {
		*cause = util_printf("redis_password_file: %s: %s",
		    cfg->redis_password_file, strerror(errno));
		return AT_EINVALID;
	}
	if (fgets(line, sizeof(line), fp) == NULL)
		line[0] = '\0';
	fclose(fp);
	len = strcspn(line, "\r\n");
	line[len] = '\0';
	if (len == 0 || len > 1024) {
		*cause = util_printf("redis_password_file: %s: %s",
		    cfg->redis_password_file, len == 0 ? "no password on its "
		    "first line" : "longer than 1024 bytes");
		sodium_memzero(line, sizeof(line));
		return AT_EINVALID;
	}
	*out = strdup(line);
	sodium_memzero(line, sizeof(line));
	return *out == NULL ? AT_ENOMEM : AT_OK;
}

int
config_cookies_secure(const struct config *cfg)
{
	switch (cfg->cookie_secure) {
	case CONFIG_COOKIE_TRUE:
		return 1;
	case CONFIG_COOKIE_AUTO:
		return util_strncasecmp(cfg->public_base_url, "https://", 8) ==
		    0;
	default:
		return 0;
	}
}

enum at_error
config_check_worker(const struct config *cfg, char **cause)
{
	*cause = NULL;
	if (cfg->cookie_secure == CONFIG_COOKIE_FALSE &&
	    util_strncasecmp(cfg->public_base_url, "https://", 8) == 0) {
		*cause = util_printf("cookie_secure: false, and "
		    "public_base_url is https://: the sid cookie would travel "
		    "over plain HTTP "
		    "too; leave cookie_secure at auto, or set it to insecure "
		    "if that is meant");
		return *cause == NULL ? AT_ENOMEM : AT_EINVALID;
	}
	return AT_OK;
}

void
config_free(struct config *cfg)
{
	size_t	 i;

	if (cfg == NULL)
		return;
	for (i = 0; i < CONFIG_NKEYS; i++) {
		if (config_table[i].type != CONFIG_STRING &&
		    config_table[i].type != CONFIG_NETWORKS)
			continue;
		free(*(char **)(void *)((char *)cfg + config_table[i].offset));
		*(char **)(void *)((char *)cfg + config_table[i].offset) = NULL;
	}
}
