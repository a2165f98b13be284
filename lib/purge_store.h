/*
 * What attendance-admin purge removes: state that counts for nothing any
 * more.  One statement, row locks only, so it is safe from cron at any
 * time, beside running workers.
 */
#ifndef ATTENDANCE_PURGE_STORE_H
#define ATTENDANCE_PURGE_STORE_H

#include <libpq-fe.h>

#include "error.h"

struct purge_counts {
	long	 logins;	/* expired login sessions */
	long	 failures;	/* failed logins older than the window */
	long	 devices;	/* device cookies past their Max-Age */
};

/*
 * Removes them: failures older than window seconds, devices older than
 * device_lifetime seconds.  *cause as db_query().
 */
enum at_error	 purge_store_run(PGconn *, int window, int device_lifetime,
		    struct purge_counts *out, char **cause) AT_MUSTCHECK;

#endif
