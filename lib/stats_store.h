/* The three reports; the counting is aggregate SQL
 * (sql/functions/stats.sql). */
#ifndef ATTENDANCE_STATS_STORE_H
#define ATTENDANCE_STATS_STORE_H

#include <stddef.h>

#include "db.h"

enum stats_statement {
	STATS_SESSION,		/* $1 session, $2 prof -> SessionStats */
	STATS_COURSE,		/* $1 course, $2 prof -> CourseStats */
	STATS_STUDENT		/* $1 student -> {"courses"} */
};

extern const struct db_statement	stats_store_statements[];
extern const size_t			stats_store_statement_count;

#endif
