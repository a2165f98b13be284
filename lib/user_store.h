/* The users table: creating accounts (admin tool) and looking them up. */
#ifndef ATTENDANCE_USER_STORE_H
#define ATTENDANCE_USER_STORE_H

#include <stddef.h>

#include <libpq-fe.h>

#include "error.h"

#define USER_ID_SIZE	37	/* a UUID in text form, with its NUL */

/* What a new account would clash with (bits of user_new.taken). */
#define USER_TAKEN_USERNAME	0x1
#define USER_TAKEN_EMAIL	0x2
#define USER_TAKEN_EXTERNAL_ID	0x4

struct user_new {
	const char	*role;		/* "professor" or "student" */
	const char	*username;
	const char	*email;
	const char	*display_name;
	const char	*password_hash;	/* crypto_pwhash_str output, or NULL */
	const char	*external_id;	/* single sign-on's subject, or NULL */
	unsigned	 taken;		/* out: USER_TAKEN_* */
	char		 id[USER_ID_SIZE];	/* out: the new id */
};

/*
 * Creates all count users, or none: one statement, so one round trip and
 * one transaction.  When a username or email (compared without regard to
 * case) is already taken, returns AT_ECONFLICT and sets each row's taken
 * bits; rows must already be free of duplicates among themselves.
 */
enum at_error	 user_store_create(PGconn *, struct user_new *users,
		    size_t count, char **cause) AT_MUSTCHECK;

#endif
