/* attendance-admin demo: the newcomer's first data set. */
#ifndef ATTENDANCE_ADMIN_DEMO_H
#define ATTENDANCE_ADMIN_DEMO_H

#include "admin.h"

/* Creates the demo data once and prints the logins; an exit status. */
int	 admin_demo_main(struct admin *, int argc, char **argv);

#endif
