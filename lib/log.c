#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

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

static void
log_vmessage(int level, const char *function, const char *fmt, va_list ap)
{
	struct timespec	 now;
	struct tm	 tm;
	char		 stamp[32], line[2048];
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
	n = vsnprintf(line + used, sizeof(line) - used, fmt, ap);
	if (n > 0)
		used += (size_t)n;
	if (used >= sizeof(line) - 1)
		used = sizeof(line) - 2;
	line[used++] = '\n';
	if (write(STDERR_FILENO, line, used) < 0) {
		/* Nowhere left to report a failed log write. */
	}
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
