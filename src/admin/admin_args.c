#include <stdio.h>
#include <string.h>

#include "admin_args.h"
#include "util.h"
#include "validate.h"

/*
 * Long options are matched exactly, never by prefix: getopt_long would
 * take "--password hunter2" for --password-stdin and then echo the
 * password as an unexpected argument.  For the same reason no message
 * repeats a value or a stray argument.
 */
int
admin_args_parse_user_add(int argc, char **argv,
    struct admin_args_user_add *out, char **cause)
{
	static const char *const names[] = {
		"--role", "--username", "--email", "--display-name",
		"--external-id"
	};
	const char	**slot[5];
	const char	*arg, *value;
	size_t		 i, namelen;
	int		 n;

	memset(out, 0, sizeof(*out));
	*cause = NULL;
	slot[0] = &out->role;
	slot[1] = &out->username;
	slot[2] = &out->email;
	slot[3] = &out->display_name;
	slot[4] = &out->external_id;
	for (n = 1; n < argc; n++) {
		arg = argv[n];
		if (strcmp(arg, "--password-stdin") == 0) {
			out->password_stdin = 1;
			continue;
		}
		if (strncmp(arg, "--password-stdin=", 17) == 0) {
			*cause = util_printf("user add: --password-stdin takes "
			    "no value");
			return -1;
		}
		if (arg[0] != '-') {
			*cause = util_printf("user add: unexpected argument "
			    "(argument %d)", n);
			return -1;
		}
		namelen = strcspn(arg, "=");
		for (i = 0; i < sizeof(names) / sizeof(names[0]); i++)
			if (strlen(names[i]) == namelen &&
			    strncmp(arg, names[i], namelen) == 0)
				break;
		if (i == sizeof(names) / sizeof(names[0])) {
			*cause = util_printf("user add: unknown option '%.*s'",
			    (int)namelen, arg);
			return -1;
		}
		if (arg[namelen] == '=')
			value = arg + namelen + 1;
		else if (n + 1 < argc)
			value = argv[++n];
		else {
			*cause = util_printf("user add: %s needs a value",
			    names[i]);
			return -1;
		}
		*slot[i] = value;
	}
	if (out->role == NULL || out->username == NULL ||
	    out->email == NULL || out->display_name == NULL) {
		*cause = util_printf("user add: --role, --username, --email "
		    "and --display-name are required");
		return -1;
	}
	if (!out->password_stdin && out->external_id == NULL) {
		*cause = util_printf("user add: --password-stdin is required "
		    "(a password never goes on the command line), or "
		    "--external-id for an account of single sign-on");
		return -1;
	}
	if (out->password_stdin && out->external_id != NULL) {
		*cause = util_printf("user add: --password-stdin or "
		    "--external-id, not both");
		return -1;
	}
	return 0;
}

int
admin_args_read_password(FILE *fp, char *out, const char **why)
{
	size_t	 len = 0;
	int	 c;

	/* The first line, without "\n" or "\r\n"; a NUL would cut it short. */
	while ((c = getc(fp)) != EOF && c != '\n') {
		if (c == '\r') {
			int	 next = getc(fp);

			if (next == '\n' || next == EOF)
				break;
			ungetc(next, fp);
		}
		if (c == '\0') {
			*why = "password holds a NUL byte";
			return -1;
		}
		if (len == VALIDATE_PASSWORD_MAX) {
			*why = "password is longer than 1024 bytes";
			return -1;
		}
		out[len++] = (char)c;
	}
	out[len] = '\0';
	if (ferror(fp)) {
		*why = "cannot read the password";
		return -1;
	}
	return validate_password(out, why);
}
