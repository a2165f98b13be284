/* attendance-admin user add | user import */
#ifndef ATTENDANCE_ADMIN_USER_H
#define ATTENDANCE_ADMIN_USER_H

#include <stdio.h>

#include "admin.h"

/* "user SUBCOMMAND ..." (argv[0] is "user"); returns an exit status. */
int	 admin_user_main(struct admin *, int argc, char **argv);

#endif
