/*
 * The demo data of `attendance-admin demo` (its accounts are made with
 * user_store_create()): whether it is there, and its course.
 */
#ifndef ATTENDANCE_DEMO_STORE_H
#define ATTENDANCE_DEMO_STORE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"

/* The domain of every demo account's email. */
#define DEMO_STORE_DOMAIN	"demo.example.edu"

/*
 * Whether an account named username (any case) exists, and how many
 * accounts are not the demo's (their email is not at DEMO_STORE_DOMAIN).
 */
enum at_error	 demo_store_present(PGconn *, const char *username,
		    int *present, long *others, char **cause) AT_MUSTCHECK;

/*
 * The course CS101 of professor with its two groups, and the count
 * students enrolled: the first group_a in Group A, the rest in Group B.
 * In the caller's transaction.  *cause as db_query().
 */
enum at_error	 demo_store_course(PGconn *, const char *professor,
		    const char *const *students, size_t count, size_t group_a,
		    char **cause) AT_MUSTCHECK;

#endif
