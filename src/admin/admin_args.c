#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "admin_args.h"
#include "util.h"
#include "validate.h"

int
admin_args_parse_user_add(int argc, char **argv, struct admin_args_user_add *out,
    char **cause)
{
	static const struct option	 options[] = {
		{ "role", required_argument, NULL, 'r' },
		{ "username", required_argument, NULL, 'u' },
		{ "email", required_argument, NULL, 'e' },
		{ "display-name", required_argument, NULL, 'n' },
		{ "password-stdin", no_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 }
	};
	int	 ch;

	memset(out, 0, sizeof(*out));
	*cause = NULL;
	optind = 0;	/* glibc: restart scanning for a new argv */
	opterr = 0;
	while ((ch = getopt_long(argc, argv, "+", options, NULL)) != -1) {
		switch (ch) {
		case 'r':
			out->role = optarg;
			break;
		case 'u':
			out->username = optarg;
			break;
		case 'e':
			out->email = optarg;
			break;
		case 'n':
			out->display_name = optarg;
			break;
		case 'p':
			out->password_stdin = 1;
			break;
		case ':':
			*cause = util_printf("user add: %s needs a value",
			    argv[optind - 1]);
			return -1;
		default:
			*cause = util_printf("user add: unknown option '%s'",
			    argv[optind - 1]);
			return -1;
		}
	}
	if (optind != argc) {
		*cause = util_printf("user add: unexpected argument '%s'",
		    argv[optind]);
		return -1;
	}
	if (out->role == NULL || out->username == NULL ||
	    out->email == NULL || out->display_name == NULL) {
		*cause = util_printf("user add: --role, --username, --email "
		    "and --display-name are required");
		return -1;
	}
	if (!out->password_stdin) {
		*cause = util_printf("user add: --password-stdin is required "
		    "(a password never goes on the command line)");
		return -1;
	}
	return 0;
}

int
admin_args_read_password(FILE *fp, char *out, const char **why)
{
	size_t	 len;

	if (fgets(out, VALIDATE_PASSWORD_MAX + 1, fp) == NULL) {
		*why = "password is empty";
		return -1;
	}
	len = strlen(out);
	if (len == VALIDATE_PASSWORD_MAX && out[len - 1] != '\n' &&
	    !feof(fp) && fgetc(fp) != '\n' && !feof(fp)) {
		*why = "password is longer than 1024 bytes";
		return -1;
	}
	if (len > 0 && out[len - 1] == '\n')
		out[--len] = '\0';
	if (len > 0 && out[len - 1] == '\r')
		out[--len] = '\0';
	return validate_password(out, why);
}
