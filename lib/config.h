/*
 * The configuration shared by every program: one table of keys (name, type,
 * default, bounds, doc) filled from built-in defaults, then a "key = value"
 * file, then ATTENDANCE_<KEY> environment variables, in that order.
 */
#ifndef ATTENDANCE_CONFIG_H
#define ATTENDANCE_CONFIG_H

#include <stddef.h>

#include "address.h"
#include "error.h"

struct config {
	char	*database;		/* libpq conninfo */
	char	*database_owner;	/* the admin tool's; "": database */
	char	*database_runtime_role;	/* granted at migrate; "": none */
	int	 database_connect_timeout;	/* seconds */
	int	 database_statement_timeout;	/* seconds, 0: none */
	int	 database_lock_timeout;
	int	 database_idle_transaction_timeout;
	struct address redis;		/* checked when the key is set */
	char	*redis_user;		/* "": the default user */
	char	*redis_password_file;	/* "": no AUTH */
	char	*allowed_origins;	/* space-separated origins */
	char	*public_base_url;
	int	 cookie_secure;		/* enum config_cookie_secure */
	int	 session_lifetime;	/* seconds */
	int	 request_body_timeout;	/* seconds */
	int	 qr_ttl_default;	/* seconds */
	int	 late_after_default;	/* seconds */
	int	 login_failures_per_name;
	int	 login_failures_per_address;
	int	 login_failure_window;	/* seconds */
	int	 code_failures_per_student;
	int	 code_failure_window;	/* seconds */
	int	 evidence_retention_days;
	char	*login_trusted_networks; /* canonical CIDRs, space-separated */
	int	 password_login;
	int	 sso;
	char	*sso_label;
	char	*sso_subject_param;	/* FastCGI parameter names */
	char	*sso_email_param;	/* "" for none */
	char	*sso_name_param;
	char	*sso_username_param;
	char	*sso_role_param;
	char	*sso_professor_values;	/* words */
	char	*sso_student_values;
	int	 sso_link;		/* enum config_sso_link */
	int	 sso_provision;
	int	 log_level;		/* enum log_level */
	struct address relay_listen;
	int	 relay_ping_interval;	/* seconds */
	int	 relay_max_queue;	/* bytes per socket */
	int	 relay_max_sockets;
};

/*
 * cookie_secure: false and true first, so that a boolean word means
 * them; auto is Secure when public_base_url is https://, and insecure
 * is false even then, said on purpose.
 */
enum config_cookie_secure {
	CONFIG_COOKIE_FALSE,
	CONFIG_COOKIE_TRUE,
	CONFIG_COOKIE_AUTO,
	CONFIG_COOKIE_INSECURE
};

/* sso_link: which account without an external id a subject may take. */
enum config_sso_link {
	CONFIG_SSO_LINK_OFF,
	CONFIG_SSO_LINK_EMAIL,
	CONFIG_SSO_LINK_USERNAME
};

enum config_type {
	CONFIG_STRING,
	CONFIG_INT,
	CONFIG_BOOL,
	CONFIG_LOG_LEVEL,
	CONFIG_ADDRESS,		/* a struct address (lib/address.h) */
	CONFIG_CHOICE,		/* an int: the index of one of choices */
	CONFIG_NETWORKS		/* a char *: CIDRs (lib/cidr.h), canonical */
};

struct config_key {
	const char		*name;
	enum config_type	 type;
	size_t			 offset;	/* into struct config */
	const char		*default_value;
	/* CONFIG_INT: the bounds.  CONFIG_ADDRESS: min is the port a bare
	 * host name stands for, 0 when the port is required. */
	long			 min, max;
	const char		*doc;
	const char *const	*choices;	/* CONFIG_CHOICE, NULL-ended */
};

/* The key table, in documentation order. */
const struct config_key	*config_keys(size_t *count);

/* Sets every key to its default.  Undo with config_free(). */
enum at_error	 config_init(struct config *) AT_MUSTCHECK;

/*
 * Reads path (when not NULL), then the environment.  A missing file is an
 * error only when required is set.  On failure *cause is a malloc'd line
 * for the user ("FILE:LINE: reason"), freed by the caller.
 */
enum at_error	 config_load(struct config *, const char *path, int required,
		    char **cause) AT_MUSTCHECK;

/* Sets one key from its text form, checking type and bounds. */
enum at_error	 config_set(struct config *, const char *name,
		    const char *value, char **cause) AT_MUSTCHECK;

/* The current value of key as text, malloc'd (NULL when out of memory). */
char	*config_format(const struct config *, const struct config_key *);

/*
 * The Redis password, read from redis_password_file (its first line):
 * *out is malloc'd, or NULL when no file is named.  A secret never sits
 * in attendance.conf itself, which attendance-admin config prints.
 * *cause is malloc'd on failure.
 */
enum at_error	 config_redis_password(const struct config *, char **out,
		    char **cause) AT_MUSTCHECK;

/* Whether cookies get the Secure attribute (cookie_secure's rule). */
int	 config_cookies_secure(const struct config *);

/*
 * What the workers refuse to start with that each key alone allows:
 * an https:// public_base_url with cookie_secure = false.  *cause is
 * malloc'd.
 */
enum at_error	 config_check_worker(const struct config *, char **cause)
		    AT_MUSTCHECK;

/* Frees what the struct owns; the struct itself is the caller's. */
void	 config_free(struct config *);

/* The compiled-in default configuration file (under sysconfdir). */
const char	*config_default_path(void);

#endif
