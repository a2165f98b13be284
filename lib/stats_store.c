#include "stats_store.h"

enum stats_statement {
	STATS_SESSION,
	STATS_COURSE,
	STATS_STUDENT
};

static const struct db_statement stats_store_sql[] = {
	[STATS_SESSION] = { "stats_session",
	    "SELECT api_session_stats($1, $2)", 2 },
	[STATS_COURSE] = { "stats_course",
	    "SELECT api_course_stats($1, $2)", 2 },
	[STATS_STUDENT] = { "stats_student",
	    "SELECT api_student_stats($1)", 1 },
};

const struct db_statement_set stats_store_statements = {
	stats_store_sql, sizeof(stats_store_sql) / sizeof(stats_store_sql[0])
};

enum at_error
stats_store_student(struct store *store, struct arena *arena,
    const char *student, const char **json)
{
	const char	*params[1] = { student };

	return store_json(store, arena, &stats_store_sql[STATS_STUDENT],
	    params, json);
}

/* The reads a route names: ($1 id, $2 caller). */
const struct store_reader stats_store_session = {
	&stats_store_sql[STATS_SESSION]
};
const struct store_reader stats_store_course = {
	&stats_store_sql[STATS_COURSE]
};
