#include <string.h>

#include "validate.h"

int
validate_utf8(const char *str, size_t len)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 i = 0, n, k;
	unsigned long		 cp, min;

	while (i < len) {
		if (s[i] == 0)
			return 0;
		if (s[i] < 0x80) {
			i++;
			continue;
		}
		if ((s[i] & 0xe0) == 0xc0) {
			n = 1;
			cp = s[i] & 0x1fu;
			min = 0x80;
		} else if ((s[i] & 0xf0) == 0xe0) {
			n = 2;
			cp = s[i] & 0x0fu;
			min = 0x800;
		} else if ((s[i] & 0xf8) == 0xf0) {
			n = 3;
			cp = s[i] & 0x07u;
			min = 0x10000;
		} else
			return 0;
		if (len - i <= n)
			return 0;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return 0;
			cp = (cp << 6) | (s[i + k] & 0x3fu);
		}
		if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
			return 0;
		i += n + 1;
	}
	return 1;
}

size_t
validate_clip(const char *str, size_t max, char *out)
{
	const unsigned char	*s = (const unsigned char *)str;
	size_t			 used = 0, n, left;

	for (left = strlen(str); left > 0 && used < max;) {
		n = *s < 0x80 ? 1 : (*s & 0xe0) == 0xc0 ? 2 :
		    (*s & 0xf0) == 0xe0 ? 3 : (*s & 0xf8) == 0xf0 ? 4 : 0;
		if (n > 1 && n <= left && validate_utf8((const char *)s, n)) {
			if (used + n > max)
				break;
			memcpy(out + used, s, n);
		} else {
			out[used] = *s >= 0x20 && *s < 0x7f ? (char)*s : '?';
			n = 1;
		}
		used += n;
		s += n;
		left -= n;
	}
	out[used] = '\0';
	return used;
}

size_t
validate_utf8_length(const char *s)
{
	size_t	 n = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

int
validate_username(const char *s, const char **why)
{
	size_t	 i, len = strlen(s);

	if (len == 0) {
		*why = "username is empty";
		return -1;
	}
	if (len > VALIDATE_USERNAME_MAX) {
		*why = "username is longer than 64 characters";
		return -1;
	}
	for (i = 0; i < len; i++) {
		char	 c = s[i];

		if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
		    (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-')
			continue;
		*why = "username may only hold A-Z a-z 0-9 . _ -";
		return -1;
	}
	return 0;
}

int
validate_email(const char *s, const char **why)
{
	const char	*at, *dot, *p;
	size_t		 len = strlen(s);

	*why = "invalid email address";
	if (len == 0) {
		*why = "email is empty";
		return -1;
	}
	if (len > VALIDATE_EMAIL_MAX) {
		*why = "email is longer than 254 characters";
		return -1;
	}
	if (!validate_utf8(s, len))
		return -1;
	for (p = s; *p != '\0'; p++)
		if ((unsigned char)*p <= ' ' || *p == 0x7f || *p == ',' ||
		    *p == '<' || *p == '>' || *p == '"')
			return -1;
	/* Exactly one @, something before it, a dotted domain after it. */
	if ((at = strchr(s, '@')) == NULL || at == s ||
	    strchr(at + 1, '@') != NULL)
		return -1;
	if ((dot = strrchr(at + 1, '.')) == NULL || dot == at + 1 ||
	    dot[1] == '\0' || at[1] == '.' || strstr(s, "..") != NULL ||
	    s[0] == '.' || at[-1] == '.')
		return -1;
	return 0;
}

/*
 * Control characters (C0, DEL and C1) are refused: they garble terminals,
 * logs and CSV exports.  A paragraph may also hold tabs and line breaks.
 */
static int
validate_text_lines(const char *s, size_t max, int paragraph,
    const char **why)
{
	const unsigned char	*p;
	size_t			 len = strlen(s);

	if (len == 0) {
		*why = "is empty";
		return -1;
	}
	if (!validate_utf8(s, len)) {
		*why = "is not valid UTF-8";
		return -1;
	}
	for (p = (const unsigned char *)s; *p != '\0'; p++) {
		int	 control = *p < ' ' || *p == 0x7f ||
		    (p[0] == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f);

		if (control && *p == '\t')
			control = 0;
		if (control && paragraph && (*p == '\n' || *p == '\r'))
			control = 0;
		if (control) {
			*why = "holds a control character";
			return -1;
		}
	}
	if (validate_utf8_length(s) > max) {
		*why = "is too long";
		return -1;
	}
	return 0;
}

int
validate_text(const char *s, size_t max, const char **why)
{
	return validate_text_lines(s, max, 0, why);
}

int
validate_paragraph(const char *s, size_t max, const char **why)
{
	return validate_text_lines(s, max, 1, why);
}

int
validate_role(const char *s, const char **why)
{
	if (strcmp(s, "professor") == 0 || strcmp(s, "student") == 0)
		return 0;
	*why = "role must be professor or student";
	return -1;
}

int
validate_password(const char *s, const char **why)
{
	size_t	 len = strlen(s);

	if (len == 0) {
		*why = "password is empty";
		return -1;
	}
	if (len > VALIDATE_PASSWORD_MAX) {
		*why = "password is longer than 1024 bytes";
		return -1;
	}
	return 0;
}
