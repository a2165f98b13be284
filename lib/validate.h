/*
 * Validators for text that crosses a trust boundary (HTTP bodies, CSV
 * files, command lines).  Each returns 0 when the value is acceptable, or
 * -1 with *why set to a static reason.
 */
#ifndef ATTENDANCE_VALIDATE_H
#define ATTENDANCE_VALIDATE_H

#include <stddef.h>

#define VALIDATE_USERNAME_MAX	64
#define VALIDATE_EMAIL_MAX	254
#define VALIDATE_NAME_MAX	200	/* characters */
#define VALIDATE_DESCRIPTION_MAX 2000	/* characters */
#define VALIDATE_PASSWORD_MAX	1024	/* bytes */
#define VALIDATE_NETWORKS_MAX	50	/* a course's allowedNetworks */
/* A session's qrTtlSeconds and lateAfterSeconds, and their defaults in
 * the configuration. */
#define VALIDATE_QR_TTL_MIN	5
#define VALIDATE_QR_TTL_MAX	600
#define VALIDATE_LATE_AFTER_MIN	0
#define VALIDATE_LATE_AFTER_MAX	86400

/* Whether s[0..len) is well-formed UTF-8 (no overlongs, surrogates, NUL). */
int	 validate_utf8(const char *s, size_t len);

/*
 * What a client sent as it is, made storable: at most max bytes of s
 * into out (max + 1 bytes), a multi-byte character never cut, every
 * byte that is not well-formed UTF-8 text (a control character, DEL, a
 * stray byte) written as '?'.  Returns the length.
 */
size_t	 validate_clip(const char *s, size_t max, char *out);

/* Code points in a well-formed UTF-8 string. */
size_t	 validate_utf8_length(const char *s);

/* 1-64 of A-Z a-z 0-9 . _ - */
int	 validate_username(const char *s, const char **why);

/*
 * local@domain.tld, at most 254 bytes, no spaces or control characters,
 * no empty dot-separated part.
 */
int	 validate_email(const char *s, const char **why);

/*
 * One line of non-empty UTF-8 text of at most max characters (code
 * points): no control characters but tab.
 */
int	 validate_text(const char *s, size_t max, const char **why);

/* Like validate_text(), and line breaks are allowed (descriptions). */
int	 validate_paragraph(const char *s, size_t max, const char **why);

/* "professor" or "student". */
int	 validate_role(const char *s, const char **why);

/* Non-empty, at most VALIDATE_PASSWORD_MAX bytes, no NUL. */
int	 validate_password(const char *s, const char **why);

#endif
