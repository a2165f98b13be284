/* State shared by the attendance-admin commands. */
#ifndef ATTENDANCE_ADMIN_H
#define ATTENDANCE_ADMIN_H

#include <libpq-fe.h>

#include "config.h"
#include "util.h"

/* Exit statuses, documented in attendance-admin(8). */
#define ADMIN_EXIT_OK		0
#define ADMIN_EXIT_FAILURE	1	/* refused input, conflict, database */
#define ADMIN_EXIT_USAGE	2	/* bad command line */

struct admin {
	struct config	 config;
	PGconn		*conn;		/* connected by admin_connect() */
};

/* Prints "attendance-admin: message" on stderr. */
void	 admin_error(const char *fmt, ...) AT_PRINTF(1, 2);

/* Connects once; on failure prints why and returns non-zero. */
int	 admin_connect(struct admin *);

#endif
