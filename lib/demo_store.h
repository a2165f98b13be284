/*
 * The demo data of `attendance-admin demo` (its accounts are made with
 * user_store_create()): whether it is there, and its course.
 */
#ifndef ATTENDANCE_DEMO_STORE_H
#define ATTENDANCE_DEMO_STORE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"

/* Whether an account named username (any case) exists. */
enum at_error	 demo_store_present(PGconn *, const char *username,
		    int *present, char **cause) AT_MUSTCHECK;

/*
 * The course CS101 of professor with its two groups, and the count
 * students enrolled: the first group_a in Group A, the rest in Group B.
 * In the caller's transaction.  *cause as db_query().
 */
enum at_error	 demo_store_course(PGconn *, const char *professor,
		    const char *const *students, size_t count, size_t group_a,
		    char **cause) AT_MUSTCHECK;

#endif
