/*
 * The three reports, in the contract's JSON; the counting is aggregate
 * SQL (sql/functions/stats.sql).
 */
#ifndef ATTENDANCE_STATS_STORE_H
#define ATTENDANCE_STATS_STORE_H

#include "arena.h"
#include "db.h"
#include "store.h"

extern const struct db_statement_set	stats_store_statements;

/* SessionStats of a session, CourseStats of a course, of the caller's. */
extern const struct store_reader	stats_store_session;
extern const struct store_reader	stats_store_course;

/* {"courses"}: a student's own rates. */
enum at_error	 stats_store_student(struct store *, struct arena *,
		    const char *student, const char **json) AT_MUSTCHECK;

#endif
