/*
 * Command-line and standard-input parsing for attendance-admin, apart from
 * the commands so the unit tests can take every path.
 */
#ifndef ATTENDANCE_ADMIN_ARGS_H
#define ATTENDANCE_ADMIN_ARGS_H

#include <stdio.h>

struct admin_args_user_add {
	const char	*role;
	const char	*username;
	const char	*email;
	const char	*display_name;
	const char	*external_id;	/* instead of a password */
	int		 password_stdin;
};

/*
 * Parses the arguments of "user add" (argv[0] is "add"): a password on
 * standard input or an external id, one of the two.  Returns 0, or -1
 * with *cause set to a malloc'd reason.  The strings point into argv.
 */
int	 admin_args_parse_user_add(int argc, char **argv,
	    struct admin_args_user_add *out, char **cause);

/*
 * Reads a password: the first line of fp without its line end.  Returns 0,
 * or -1 with *why static.  out has room for VALIDATE_PASSWORD_MAX + 1.
 */
int	 admin_args_read_password(FILE *fp, char *out, const char **why);

#endif
