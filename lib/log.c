#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "log.h"

static const char	*log_program = "attendance";
static int		 log_level = LOG_LEVEL_INFO;
static char		 log_request_id[64];

static const char *const log_level_names[] = {
	"error", "warn", "info", "debug"
};

void
log_open(const char *program, int level)
{
	log_program = program;
	log_set_level(level);
}

void
log_set_level(int level)
{
	if (level >= LOG_LEVEL_ERROR && level <= LOG_LEVEL_DEBUG)
		log_level = level;
}

void
log_set_request_id(const char *id)
{
	if (id == NULL)
		log_request_id[0] = '\0';
	else
		snprintf(log_request_id, sizeof(log_request_id), "%s", id);
}

int
log_level_parse(const char *name)
{
	int	 i;

	for (i = LOG_LEVEL_ERROR; i <= LOG_LEVEL_DEBUG; i++)
		if (strcmp(name, log_level_names[i]) == 0)
			return i;
	return -1;
}

const char *
log_level_name(int level)
{
	if (level < LOG_LEVEL_ERROR || level > LOG_LEVEL_DEBUG)
		return "unknown";
	return log_level_names[level];
}

static void	log_vmessage(int, const char *, const char *, va_list)
	    AT_PRINTF(3, 0);

/*
 * The length of the UTF-8 sequence at s that encodes a printable code
 * point (U+00A0 and up, no surrogate), or 0.
 */
static size_t
log_printable_utf8(const unsigned char *s, size_t left)
{
	size_t		 len, i;
	unsigned long	 cp;

	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else
		return 0;
	if (len > left)
		return 0;
	for (i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < 0xa0 || (len == 3 && cp < 0x800) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)) ||
	    (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return len;
}

/*
 * Copies text to out with every byte a terminal or a log reader could
 * take for something else written as \xNN: control characters
 * (terminal escape sequences, a line break that forges a second log
 * line), DEL, the C1 controls and bytes that are not UTF-8; a backslash
 * is doubled, so the escapes are unambiguous.  Returns the length.
 */
static size_t
log_escape(const char *text, size_t len, char *out, size_t size)
{
	const unsigned char	*s = (const unsigned char *)text;
	size_t			 i = 0, used = 0, n;

	while (i < len && used + 5 <= size) {
		if (s[i] >= 0x80 && (n = log_printable_utf8(s + i,
		    len - i)) > 0) {
			memcpy(out + used, s + i, n);
			used += n;
			i += n;
		} else if (s[i] < 0x20 || s[i] >= 0x7f) {
			used += (size_t)snprintf(out + used, size - used,
			    "\\x%02x", s[i++]);
		} else if (s[i] == '\\') {
			out[used++] = '\\';
			out[used++] = (char)s[i++];
		} else
			out[used++] = (char)s[i++];
	}
	return used;
}

static void
log_vmessage(int level, const char *function, const char *fmt, va_list ap)
{
	struct timespec	 now;
	struct tm	 tm;
	char		 stamp[32], line[2048], message[2048];
	int		 n;
	size_t		 used;

	if (level > log_level)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	gmtime_r(&now.tv_sec, &tm);
	strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", &tm);

	/* One write(2) per line so lines of several workers do not mix. */
	n = snprintf(line, sizeof(line), "%s.%03ldZ %s[%ld] %s%s%s%s: ",
	    stamp, now.tv_nsec / 1000000, log_program, (long)getpid(),
	    log_level_names[level],
	    log_request_id[0] != '\0' ? " [" : "", log_request_id,
	    log_request_id[0] != '\0' ? "]" : "");
	if (n < 0)
		return;
	used = (size_t)n < sizeof(line) ? (size_t)n : sizeof(line) - 1;
	if (function != NULL) {
		n = snprintf(line + used, sizeof(line) - used, "%s: ",
		    function);
		if (n > 0)
			used += (size_t)n;
		if (used >= sizeof(line))
			used = sizeof(line) - 1;
	}
	n = vsnprintf(message, sizeof(message), fmt, ap);
	if (n > 0)
		used += log_escape(message, (size_t)n < sizeof(message) ?
		    (size_t)n : sizeof(message) - 1, line + used,
		    sizeof(line) - used);
	if (used >= sizeof(line) - 1)
		used = sizeof(line) - 2;
	line[used++] = '\n';
	if (write(STDERR_FILENO, line, used) < 0) {
		/* Nowhere left to report a failed log write. */
	}
}

void
log_fingerprint(const char *text, char out[LOG_FINGERPRINT_SIZE])
{
	static unsigned char		 key[crypto_generichash_KEYBYTES];
	static int			 keyed;
	crypto_generichash_state	 state;
	unsigned char			 hash[4], c;

	/* Keyed, with a key of this process's: 32 bits of an unkeyed hash
	 * would let whoever reads the log test a guessed password. */
	if (!keyed) {
		randombytes_buf(key, sizeof(key));
		keyed = 1;
	}
	crypto_generichash_init(&state, key, sizeof(key), sizeof(hash));
	for (; *text != '\0'; text++) {
		c = (unsigned char)*text;
		if (c >= 'A' && c <= 'Z')
			c = (unsigned char)(c - 'A' + 'a');
		crypto_generichash_update(&state, &c, 1);
	}
	crypto_generichash_final(&state, hash, sizeof(hash));
	snprintf(out, LOG_FINGERPRINT_SIZE, "%02x%02x%02x%02x", hash[0],
	    hash[1], hash[2], hash[3]);
}

void
log_message(int level, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmessage(level, NULL, fmt, ap);
	va_end(ap);
}

void
log_debug_in(const char *function, const char *fmt, ...)
{
	va_list	 ap;

	va_start(ap, fmt);
	log_vmessage(LOG_LEVEL_DEBUG, function, fmt, ap);
	va_end(ap);
}
