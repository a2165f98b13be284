/*
 * The reports, in the contract's JSON; the counting is aggregate SQL
 * (sql/functions/stats.sql).  The course's CSV export is made by
 * PostgreSQL too (sql/functions/export.sql), line by line.
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
/* (v1.1) {"records"}: the calling student's rounds of a course. */
extern const struct store_reader	stats_store_student_records;

/* {"courses"}: a student's own rates. */
enum at_error	 stats_store_student(struct store *, struct arena *,
		    const char *student, const char **json) AT_MUSTCHECK;

/*
 * One line of the export, without its line end, valid during the call:
 * name is the file's name with the first line (the byte-order mark and
 * the header), NULL with every other.  Anything but AT_OK stops the
 * export.
 */
typedef enum at_error	(*stats_export_fn)(void *arg, const char *name,
			    const char *line);

/*
 * (v1.1) The CSV export of course, streamed: line() gets each line in the
 * file's order as PostgreSQL sends it, nothing of the course is held.
 * AT_ENOTFOUND, before any line, when the course is not professor's;
 * any failure after the first line is returned too (line() has been
 * called: the caller knows).
 */
enum at_error	 stats_store_export(struct store *, const char *course,
		    const char *professor, stats_export_fn line, void *arg)
		    AT_MUSTCHECK;

#endif
