/*
 * Courses, groups and enrollments.  Every call takes the calling
 * professor and finds nothing of someone else's: AT_ENOTFOUND, as for
 * what does not exist.  JSON comes back in the caller's arena, in the
 * contract's shapes.
 */
#ifndef ATTENDANCE_COURSE_STORE_H
#define ATTENDANCE_COURSE_STORE_H

#include <stddef.h>

#include "arena.h"
#include "db.h"
#include "error.h"
#include "store.h"

extern const struct db_statement_set	course_store_statements;

/* A course's fields; NULL leaves a field as it is on update. */
struct course_fields {
	const char	*code, *name, *term;
	const char	*description;	/* NULL: none (create), or clear */
	int		 set_description;	/* update: description given */
	const char	*networks;	/* a cidr[] literal; NULL: none */
	int		 set_networks;	/* update: allowedNetworks given */
	const char	*policy;	/* "flag", "refuse"; NULL: as is */
};

/* {"course"}; AT_ECONFLICT when code and term are taken. */
enum at_error	 course_store_create(struct store *, struct arena *,
		    const char *professor, const struct course_fields *,
		    const char **json) AT_MUSTCHECK;

/* {"courses"}: a professor's own, or a student's with their "group". */
enum at_error	 course_store_list(struct store *, struct arena *,
		    const char *caller, int professor, const char **json)
		    AT_MUSTCHECK;

/* {"course"}; AT_ECONFLICT when code and term are taken. */
enum at_error	 course_store_update(struct store *, struct arena *,
		    const char *course, const char *professor,
		    const struct course_fields *, const char **json)
		    AT_MUSTCHECK;

/* AT_ECONFLICT when the course has class sessions. */
enum at_error	 course_store_delete(struct store *, const char *course,
		    const char *professor) AT_MUSTCHECK;

/* {"group"}; AT_ECONFLICT when the name is taken in the course. */
enum at_error	 course_store_group_create(struct store *, struct arena *,
		    const char *course, const char *professor, const char *name,
		    const char *schedule, const char **json) AT_MUSTCHECK;

/* {"group"}; name NULL keeps it, set_schedule says schedule is given. */
enum at_error	 course_store_group_update(struct store *, struct arena *,
		    const char *group, const char *professor, const char *name,
		    int set_schedule, const char *schedule, const char **json)
		    AT_MUSTCHECK;

/* AT_ECONFLICT when the group has class sessions. */
enum at_error	 course_store_group_delete(struct store *, const char *group,
		    const char *professor) AT_MUSTCHECK;

/* One entry of an enrollment request, in the order given. */
struct course_enrolled {
	enum at_error	 error;		/* AT_OK, AT_ENOTFOUND, ... */
	const char	*json;		/* the Enrollment when AT_OK */
};

/*
 * Enrolls each of students (usernames, emails or ids) in the group;
 * out[i] says what became of students[i] (out has count entries).
 */
enum at_error	 course_store_enroll(struct store *, struct arena *,
		    const char *group, const char *professor,
		    const char *const *students, size_t count,
		    struct course_enrolled *out) AT_MUSTCHECK;

/* AT_ECONFLICT when the student has records in the course. */
enum at_error	 course_store_unenroll(struct store *, const char *group,
		    const char *professor, const char *student) AT_MUSTCHECK;

/* The reads, as routes name them: {"course", "groups"}, {"groups"},
 * {"group"}, {"enrollments"}. */
extern const struct store_reader	course_store_get;
extern const struct store_reader	course_store_group_list;
extern const struct store_reader	course_store_group_get;
extern const struct store_reader	course_store_enrollment_list;

#endif
