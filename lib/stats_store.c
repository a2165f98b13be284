#include "stats_store.h"

enum stats_statement {
	STATS_SESSION,
	STATS_COURSE,
	STATS_STUDENT,
	STATS_STUDENT_RECORDS,
	STATS_EXPORT
};

static const struct db_statement stats_store_sql[] = {
	[STATS_SESSION] = { "stats_session",
	    "SELECT api_session_stats($1, $2)", 2 },
	[STATS_COURSE] = { "stats_course",
	    "SELECT api_course_stats($1, $2)", 2 },
	[STATS_STUDENT] = { "stats_student",
	    "SELECT api_student_stats($1)", 1 },
	[STATS_STUDENT_RECORDS] = { "stats_student_records",
	    "SELECT api_student_records($1, $2)", 2 },
	[STATS_EXPORT] = { "stats_export",
	    "SELECT name, line FROM api_course_export($1, $2)", 2 },
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
const struct store_reader stats_store_student_records = {
	&stats_store_sql[STATS_STUDENT_RECORDS]
};

struct stats_export_state {
	stats_export_fn	 line;
	void		*arg;
	unsigned long	 rows;
};

/*
 * One row of api_course_export(): (name, line), the name set in the
 * first row alone and neither NULL where set (code and term are NOT
 * NULL).
 */
static enum at_error
stats_export_row(void *arg, const char *const *values, int count)
{
	struct stats_export_state	*st = arg;

	(void)count;	/* the statement's two columns */
	return st->line(st->arg, st->rows++ == 0 ? values[0] : NULL,
	    values[1]);
}

enum at_error
stats_store_export(struct store *store, const char *course,
    const char *professor, stats_export_fn line, void *arg)
{
	struct stats_export_state	 st = { line, arg, 0 };
	const char			*params[2] = { course, professor };
	enum at_error			 rc;

	rc = store_stream(store, &stats_store_sql[STATS_EXPORT], params,
	    stats_export_row, &st);
	if (rc == AT_OK && st.rows == 0)
		rc = AT_ENOTFOUND;
	return rc;
}
