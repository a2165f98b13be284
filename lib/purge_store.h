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
	long	 evidence;	/* scans whose evidence was cleared */
};

/* How long each thing counts for something (attendance.conf(5)). */
struct purge_ages {
	int	 login_window;		/* seconds: failed logins */
	int	 code_window;		/* seconds: typed codes refused */
	int	 device_lifetime;	/* seconds */
	int	 evidence_days;
};

/*
 * Removes them, and clears the evidence (address, device, User-Agent)
 * of scans older than evidence_days, keeping their flags.  *cause as
 * db_query().
 */
enum at_error	 purge_store_run(PGconn *, const struct purge_ages *,
		    struct purge_counts *out, char **cause) AT_MUSTCHECK;

#endif
