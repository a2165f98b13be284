#include <stdio.h>
#include <string.h>

#include "http.h"
#include "sso.h"
#include "util.h"
#include "validate.h"

/* Whether word[0..len) is one of words (separated by spaces or commas). */
static int
sso_word_in(const char *word, size_t len, const char *words)
{
	size_t	 n;

	for (;;) {
		words += strspn(words, " \t,;");
		if (*words == '\0')
			return 0;
		n = strcspn(words, " \t,;");
		if (n == len && util_strncasecmp(words, word, len) == 0)
			return 1;
		words += n;
	}
}

enum sso_role
sso_role(const char *values, const char *professor_words,
    const char *student_words)
{
	const char	*p;
	size_t		 len;
	int		 student = 0;

	if (values == NULL)
		return SSO_ROLE_NONE;
	for (p = values;;) {
		p += strspn(p, " \t;,");
		if (*p == '\0')
			break;
		len = strcspn(p, ";,");
		while (len > 0 && (p[len - 1] == ' ' || p[len - 1] == '\t'))
			len--;
		if (sso_word_in(p, len, professor_words))
			return SSO_ROLE_PROFESSOR;
		if (sso_word_in(p, len, student_words))
			student = 1;
		p += strcspn(p, ";,");
	}
	return student ? SSO_ROLE_STUDENT : SSO_ROLE_NONE;
}

int
sso_attribute_ok(const char *value, size_t max)
{
	const char	*why;
	size_t		 len;

	if (value == NULL)
		return 1;
	len = strlen(value);
	return len <= max && validate_utf8(value, len) &&
	    (len == 0 || validate_text(value, max, &why) == 0);
}

void
sso_next(const char *query, char out[SSO_NEXT_MAX * 3 + 1])
{
	static const char	 hex[] = "0123456789ABCDEF";
	char			 next[SSO_NEXT_MAX + 1];
	const unsigned char	*p;
	size_t			 used = 0;

	if (http_query_value(query, "next", next, sizeof(next)) == -1 ||
	    next[0] != '/' || next[1] == '/' || next[1] == '\\')
		goto home;
	for (p = (const unsigned char *)next; *p != '\0'; p++) {
		if (*p <= ' ' || *p == 0x7f || *p == '\\')
			goto home;
		if (*p < 0x80) {
			out[used++] = (char)*p;
			continue;
		}
		out[used++] = '%';
		out[used++] = hex[*p >> 4];
		out[used++] = hex[*p & 0xf];
	}
	out[used] = '\0';
	return;
home:
	snprintf(out, SSO_NEXT_MAX * 3 + 1, "/");
}

enum at_error
sso_check_config(const struct config *cfg, char **cause)
{
	const struct {
		const char	*key;
		const char	*value;
	} params[] = {
		{ "sso_subject_param", cfg->sso_subject_param },
		{ "sso_email_param", cfg->sso_email_param },
		{ "sso_name_param", cfg->sso_name_param },
		{ "sso_username_param", cfg->sso_username_param },
		{ "sso_role_param", cfg->sso_role_param },
	};
	size_t	 i;

	*cause = NULL;
	for (i = 0; i < sizeof(params) / sizeof(params[0]); i++) {
		if (!http_param_is_header(params[i].value))
			continue;
		*cause = util_printf("%s: %s is a request header, which any "
		    "client can send: name a variable the web server sets",
		    params[i].key, params[i].value);
		return *cause == NULL ? AT_ENOMEM : AT_EINVALID;
	}
	if (cfg->sso && cfg->sso_subject_param[0] == '\0') {
		*cause = util_printf("sso_subject_param: empty, and sso is "
		    "on");
		return *cause == NULL ? AT_ENOMEM : AT_EINVALID;
	}
	return AT_OK;
}
