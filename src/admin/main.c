/*
 * attendance-admin: what ops do by hand.  Migrations, accounts (one, or a
 * CSV import), demo data, and a look at the effective configuration.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "autoconfig.h"

#include "admin.h"
#include "admin_demo.h"
#include "admin_user.h"
#include "auth_store.h"
#include "db.h"
#include "purge_store.h"
#include "log.h"
#include "migrate.h"
#include "password.h"
#include "util.h"

static const char admin_usage[] =
    "usage: attendance-admin [-c file] command [arguments]\n"
    "commands:\n"
    "  migrate                     apply pending schema migrations\n"
    "  user add --role professor|student --username U --email E\n"
    "           --display-name N --password-stdin | --external-id S\n"
    "  user import FILE.csv        header role,username,email,"
    "display_name,password[,external_id]\n"
    "  demo                        create demo users, course and groups\n"
    "  purge                       remove expired logins, old failed\n"
    "                              logins and expired device cookies\n"
    "  config                      print the effective configuration\n";

void
admin_error(const char *fmt, ...)
{
	va_list	 ap;

	fputs("attendance-admin: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

int
admin_connect(struct admin *admin)
{
	struct db_timeouts	 timeouts;
	char			*cause = NULL;

	if (admin->conn != NULL)
		return 0;
	/* A migration may take its time (and locks); connecting may not. */
	memset(&timeouts, 0, sizeof(timeouts));
	timeouts.connect = admin->config.database_connect_timeout;
	if (db_connect(admin->config.database_owner[0] != '\0' ?
	    admin->config.database_owner : admin->config.database, &timeouts,
	    &admin->conn, &cause) != AT_OK) {
		admin_error("database unavailable: %s",
		    cause != NULL ? cause : "out of memory");
		free(cause);
		return -1;
	}
	return 0;
}

static int
admin_migrate_main(struct admin *admin, int argc, char **argv)
{
	struct migrate_counts	 applied;
	char			*cause = NULL;

	if (argc != 1) {
		admin_error("migrate takes no arguments");
		return ADMIN_EXIT_USAGE;
	}
	if (admin_connect(admin) != 0)
		return ADMIN_EXIT_FAILURE;
	if (migrate_run(admin->conn, &applied, &cause) != AT_OK ||
	    (admin->config.database_runtime_role[0] != '\0' &&
	    migrate_grant(admin->conn, admin->config.database_runtime_role,
	    &cause) != AT_OK)) {
		admin_error("migrate: %s", cause != NULL ? cause : "failed");
		free(cause);
		return ADMIN_EXIT_FAILURE;
	}
	printf("%zu migration%s applied, %zu function file%s applied, "
	    "schema up to date\n", applied.migrations,
	    applied.migrations == 1 ? "" : "s", applied.functions,
	    applied.functions == 1 ? "" : "s");
	return ADMIN_EXIT_OK;
}

/* Safe from cron at any time: one statement, row locks only. */
static int
admin_purge_main(struct admin *admin, int argc, char **argv)
{
	struct purge_counts	 removed;
	struct purge_ages	 ages;
	char			*cause = NULL;

	(void)argv;
	if (argc != 1) {
		admin_error("purge takes no arguments");
		return ADMIN_EXIT_USAGE;
	}
	if (admin_connect(admin) != 0)
		return ADMIN_EXIT_FAILURE;
	ages.login_window = admin->config.login_failure_window;
	ages.code_window = admin->config.code_failure_window;
	ages.device_lifetime = AUTH_DEVICE_LIFETIME;
	ages.evidence_days = admin->config.evidence_retention_days;
	if (purge_store_run(admin->conn, &ages, &removed, &cause) != AT_OK) {
		admin_error("purge: %s", cause != NULL ? cause : "failed");
		free(cause);
		return ADMIN_EXIT_FAILURE;
	}
	printf("purged %ld expired login%s, %ld failed attempt%s older than "
	    "the window, %ld expired device cookie%s, the evidence of %ld "
	    "scan%s\n", removed.logins, removed.logins == 1 ? "" : "s",
	    removed.failures, removed.failures == 1 ? "" : "s",
	    removed.devices, removed.devices == 1 ? "" : "s",
	    removed.evidence, removed.evidence == 1 ? "" : "s");
	return ADMIN_EXIT_OK;
}

/* Prints every key; the database password is never shown. */
static int
admin_config_main(struct admin *admin, int argc, char **argv)
{
	const struct config_key	*keys;
	size_t			 count, i;
	char			*value, *shown;

	if (argc != 1) {
		admin_error("config takes no arguments");
		return ADMIN_EXIT_USAGE;
	}
	keys = config_keys(&count);
	for (i = 0; i < count; i++) {
		if ((value = config_format(&admin->config, &keys[i])) == NULL)
			return ADMIN_EXIT_FAILURE;
		shown = value;
		if (strcmp(keys[i].name, "database") == 0 ||
		    strcmp(keys[i].name, "database_owner") == 0)
			shown = db_conninfo_redacted(value);
		printf("%s = %s\n", keys[i].name, shown != NULL ? shown : "");
		if (shown != value)
			free(shown);
		free(value);
	}
	return ADMIN_EXIT_OK;
}

int
main(int argc, char **argv)
{
	static const struct option	 options[] = {
		{ "config", required_argument, NULL, 'c' },
		{ "help", no_argument, NULL, 'h' },
		{ "version", no_argument, NULL, 'V' },
		{ NULL, 0, NULL, 0 }
	};
	struct admin	 admin;
	const char	*path = NULL, *command;
	char		*cause = NULL;
	int		 ch, status = ADMIN_EXIT_USAGE;

	memset(&admin, 0, sizeof(admin));
	log_open("attendance-admin", LOG_LEVEL_INFO);
	/* "+": stop at the command, whose options are its own. */
	while ((ch = getopt_long(argc, argv, "+c:hV", options, NULL)) != -1) {
		switch (ch) {
		case 'c':
			path = optarg;
			break;
		case 'h':
			fputs(admin_usage, stdout);
			return ADMIN_EXIT_OK;
		case 'V':
			puts("attendance-admin " PACKAGE_VERSION);
			return ADMIN_EXIT_OK;
		default:
			fputs(admin_usage, stderr);
			return ADMIN_EXIT_USAGE;
		}
	}
	argc -= optind;
	argv += optind;
	if (argc < 1) {
		fputs(admin_usage, stderr);
		return ADMIN_EXIT_USAGE;
	}
	if (util_crypto_init() != AT_OK) {
		admin_error("libsodium failed to initialise");
		return ADMIN_EXIT_FAILURE;
	}
	if (config_init(&admin.config) != AT_OK) {
		admin_error("out of memory");
		return ADMIN_EXIT_FAILURE;
	}
	if (config_load(&admin.config, path != NULL ? path :
	    config_default_path(), path != NULL, &cause) != AT_OK) {
		admin_error("%s", cause != NULL ? cause : "bad configuration");
		free(cause);
		status = ADMIN_EXIT_USAGE;
		goto out;
	}
	log_set_level(admin.config.log_level);

	command = argv[0];
	if (strcmp(command, "migrate") == 0)
		status = admin_migrate_main(&admin, argc, argv);
	else if (strcmp(command, "user") == 0)
		status = admin_user_main(&admin, argc, argv);
	else if (strcmp(command, "demo") == 0)
		status = admin_demo_main(&admin, argc, argv);
	else if (strcmp(command, "purge") == 0)
		status = admin_purge_main(&admin, argc, argv);
	else if (strcmp(command, "config") == 0)
		status = admin_config_main(&admin, argc, argv);
	else {
		admin_error("unknown command '%s'", command);
		fputs(admin_usage, stderr);
		status = ADMIN_EXIT_USAGE;
	}
out:
	if (admin.conn != NULL)
		PQfinish(admin.conn);
	config_free(&admin.config);
	return status;
}
