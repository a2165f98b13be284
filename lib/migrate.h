/*
 * The schema: the SQL files of sql/, compiled into the program.
 *
 * Numbered migrations (sql/migrations/NNN_*.sql) hold tables, indexes and
 * data changes; each is applied once, in name order, and an applied file
 * must never change.  Function files (sql/functions/AREA.sql) hold the
 * one current definition of each SQL function (CREATE OR REPLACE; a
 * retired signature is dropped there with DROP FUNCTION IF EXISTS); each
 * is applied again whenever its text changes, after the migrations, in
 * the order of the build (a file may use the functions of those before
 * it).  Everything one run applies is one transaction, under an advisory
 * lock: a failure leaves nothing behind, and two runs at once apply each
 * file once between them.
 */
#ifndef ATTENDANCE_MIGRATE_H
#define ATTENDANCE_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"

struct migration {
	const char	*name;		/* "001_baseline.sql", "scan.sql" */
	const char	*sql;
	size_t		 len;
};

/* The embedded files (generated from sql/ by build-aux/embed-sql). */
extern const struct migration	migrate_files[];	/* by name */
extern const size_t		migrate_file_count;
extern const struct migration	migrate_functions[];	/* build order */
extern const size_t		migrate_function_count;

struct migrate_counts {
	size_t		 migrations;	/* numbered files applied now */
	size_t		 functions;	/* function files (re-)applied now */
};

/*
 * Applies what is pending: the numbered files not applied yet, then the
 * function files that are new or changed.  A numbered file already
 * applied whose text has changed since is an error, and nothing runs.  A
 * database that applied all of v1's migrations (001_schema.sql to
 * 005_scan_speed.sql, squashed into 001_baseline.sql) is taken as at the
 * baseline.  On failure *cause is a malloc'd line naming the file, freed
 * by the caller.
 */
enum at_error	 migrate_run(PGconn *, struct migrate_counts *applied,
		    char **cause) AT_MUSTCHECK;

/*
 * Grants role what the workers and the relay need and nothing more, on
 * everything the migrations made (run after migrate_run(), as the
 * owner): reading and writing the tables' rows and running the
 * functions; not the migrations' own tables, not TRUNCATE, no DDL (it
 * owns nothing).  *cause as migrate_run().
 */
enum at_error	 migrate_grant(PGconn *, const char *role, char **cause)
		    AT_MUSTCHECK;

#endif
