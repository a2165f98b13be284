/*
 * Schema migrations: the files of sql/, compiled into the program, applied
 * in name order, each in its own transaction together with its row in
 * schema_migrations, so a failed file leaves nothing behind and a second
 * run applies nothing.
 */
#ifndef ATTENDANCE_MIGRATE_H
#define ATTENDANCE_MIGRATE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"

struct migration {
	const char	*name;		/* "001_schema.sql" */
	const char	*sql;
	size_t		 len;
};

/* The embedded files, sorted by name (generated from sql/). */
extern const struct migration	migrate_files[];
extern const size_t		migrate_file_count;

/*
 * Applies what is pending; *applied counts the files run now.  A file
 * already applied whose text has changed since is an error, reported
 * before anything runs.  On failure *cause is a malloc'd line naming the
 * file, freed by the caller.
 */
int	 migrate_run(PGconn *, size_t *applied, char **cause) AT_MUSTCHECK;

/* How many embedded files are not applied yet (0 when up to date). */
int	 migrate_pending(PGconn *, size_t *pending, char **cause)
	    AT_MUSTCHECK;

#endif
