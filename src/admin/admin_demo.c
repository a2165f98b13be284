#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "admin_demo.h"
#include "db.h"
#include "demo_store.h"
#include "password.h"
#include "user_store.h"
#include "util.h"

#define DEMO_STUDENTS		30
#define DEMO_PROFESSOR		"prof"
#define DEMO_PROFESSOR_PASSWORD	"prof-demo"
#define DEMO_STUDENT_PASSWORD	"student-demo"

static const char *const demo_names[DEMO_STUDENTS] = {
	"Ada Okafor", "Ben Lindqvist", "Chiara Rossi", "Dmitri Volkov",
	"Elif Yilmaz", "Farah Haddad", "Gabriel Silva", "Hana Sato",
	"Ines Moreau", "Jonas Becker", "Kofi Mensah", "Lucia Fernandez",
	"Mateo Garcia", "Nadia Petrova", "Omar Farouk", "Priya Nair",
	"Quentin Dubois", "Rosa Martins", "Samuel Cohen", "Tara Walsh",
	"Umar Khan", "Vera Novak", "Wen Li", "Ximena Torres",
	"Yusuf Demir", "Zoe Laurent", "Aiko Tanaka", "Bruno Costa",
	"Clara Jensen", "Diego Ramirez"
};

static void
demo_print_logins(void)
{
	printf("demo logins (username / password):\n"
	    "  professor: %s / %s\n"
	    "  students:  student01 .. student%02d / %s\n"
	    "  course CS101 (2026 Fall): Group A student01-%02d, "
	    "Group B student%02d-%02d\n",
	    DEMO_PROFESSOR, DEMO_PROFESSOR_PASSWORD, DEMO_STUDENTS,
	    DEMO_STUDENT_PASSWORD, DEMO_STUDENTS / 2, DEMO_STUDENTS / 2 + 1,
	    DEMO_STUDENTS);
}

int
admin_demo_main(struct admin *admin, int argc, char **argv)
{
	struct user_new	 users[DEMO_STUDENTS + 1];
	char		 usernames[DEMO_STUDENTS + 1][16];
	char		 emails[DEMO_STUDENTS + 1][48];
	char		 hashes[DEMO_STUDENTS + 1][PASSWORD_HASH_SIZE];
	const char	*student_ids[DEMO_STUDENTS];
	char		*cause = NULL;
	size_t		 i;
	enum at_error	 rc;
	long		 others = 0;
	int		 exists = 0, status = ADMIN_EXIT_FAILURE;

	if (argc != 1) {
		admin_error("demo takes no arguments");
		return ADMIN_EXIT_USAGE;
	}
	if (admin_connect(admin) != 0)
		return ADMIN_EXIT_FAILURE;
	if ((rc = demo_store_present(admin->conn, DEMO_PROFESSOR, &exists,
	    &others, &cause)) != AT_OK)
		goto out;
	if (exists) {
		printf("demo data already present\n");
		demo_print_logins();
		status = ADMIN_EXIT_OK;
		goto out;
	}
	/* Its passwords are in the manual: never beside real accounts. */
	if (others > 0) {
		cause = util_printf("the database holds %ld account%s that %s "
		    "not the demo's; the demo, whose passwords everyone knows, "
		    "is for an empty database", others, others == 1 ? "" : "s",
		    others == 1 ? "is" : "are");
		rc = AT_ECONFLICT;
		goto out;
	}

	memset(users, 0, sizeof(users));
	for (i = 0; i <= DEMO_STUDENTS; i++) {
		if (i == 0)
			snprintf(usernames[i], sizeof(usernames[i]), "%s",
			    DEMO_PROFESSOR);
		else
			snprintf(usernames[i], sizeof(usernames[i]),
			    "student%02zu", i);
		snprintf(emails[i], sizeof(emails[i]),
		    "%.15s@" DEMO_STORE_DOMAIN, usernames[i]);
		if (password_hash(i == 0 ? DEMO_PROFESSOR_PASSWORD :
		    DEMO_STUDENT_PASSWORD, hashes[i]) != AT_OK) {
			rc = AT_ENOMEM;
			goto out;
		}
		users[i].role = i == 0 ? "professor" : "student";
		users[i].username = usernames[i];
		users[i].email = emails[i];
		users[i].display_name = i == 0 ? "Demo Professor" :
		    demo_names[i - 1];
		users[i].password_hash = hashes[i];
	}

	if ((rc = db_command(admin->conn, "BEGIN", &cause)) != AT_OK)
		goto out;
	rc = user_store_create(admin->conn, users, DEMO_STUDENTS + 1, &cause);
	if (rc == AT_ECONFLICT && cause == NULL)
		cause = util_printf("a demo username or email is already "
		    "taken by another account");
	if (rc != AT_OK)
		goto out;
	for (i = 0; i < DEMO_STUDENTS; i++)
		student_ids[i] = users[i + 1].id;
	rc = demo_store_course(admin->conn, users[0].id, student_ids,
	    DEMO_STUDENTS, DEMO_STUDENTS / 2, &cause);
	if (rc != AT_OK)
		goto out;
	if ((rc = db_command(admin->conn, "COMMIT", &cause)) != AT_OK)
		goto out;
	printf("demo data created\n");
	demo_print_logins();
	status = ADMIN_EXIT_OK;
out:
	if (status != ADMIN_EXIT_OK) {
		admin_error("demo: %s", cause != NULL ? cause :
		    error_string(rc));
		db_rollback(admin->conn);
	}
	free(cause);
	return status;
}
