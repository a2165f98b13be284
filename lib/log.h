/*
 * Logging to stderr: one line per message with time, program, pid, level
 * and the current request id.  Callers never pass a password, a cookie or
 * a raw token (db_conninfo_redacted() hides a connection string's
 * password).  Every byte of a message that is not printable text is
 * written as \xNN (a backslash as \\\\), here and only here, so that
 * what a client sent (an Origin, a login name) can neither forge a line
 * nor reach a terminal as an escape sequence.
 */
#ifndef ATTENDANCE_LOG_H
#define ATTENDANCE_LOG_H

#include <stddef.h>

#include "util.h"

enum log_level {
	LOG_LEVEL_ERROR = 0,
	LOG_LEVEL_WARN,
	LOG_LEVEL_INFO,
	LOG_LEVEL_DEBUG
};

void	 log_open(const char *program, int level);
void	 log_set_level(int level);

/* The request id printed on each line until the next call; NULL clears. */
void	 log_set_request_id(const char *id);

/* Level by name ("error", "warn", "info", "debug"), or -1. */
int	 log_level_parse(const char *name);
const char	*log_level_name(int level);

void	 log_message(int level, const char *fmt, ...) AT_PRINTF(2, 3);

#define LOG_FINGERPRINT_SIZE	9	/* 8 hex digits and a NUL */

/*
 * A short hash of what may not be logged as it is: a login name that
 * names no account may be a password typed into the wrong field.  Keyed
 * with a random key of this process: the same text (without regard to
 * ASCII case) gives the same fingerprint for as long as the process
 * lives, so a run of attempts shows, and nothing in the log can be
 * tested against a guess.
 */
void	 log_fingerprint(const char *text, char out[LOG_FINGERPRINT_SIZE]);

#define log_error(...)	log_message(LOG_LEVEL_ERROR, __VA_ARGS__)
#define log_warn(...)	log_message(LOG_LEVEL_WARN, __VA_ARGS__)
#define log_info(...)	log_message(LOG_LEVEL_INFO, __VA_ARGS__)
#define log_debug(...)	log_debug_in(__func__, __VA_ARGS__)

/* A debug line prefixed with the calling function; use log_debug(). */
void	 log_debug_in(const char *function, const char *fmt, ...)
	    AT_PRINTF(2, 3);

#endif
