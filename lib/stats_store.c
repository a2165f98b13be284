#include "stats_store.h"

const struct db_statement stats_store_statements[] = {
	[STATS_SESSION] = { "stats_session",
	    "SELECT api_session_stats($1, $2)", 2 },
	[STATS_COURSE] = { "stats_course",
	    "SELECT api_course_stats($1, $2)", 2 },
	[STATS_STUDENT] = { "stats_student",
	    "SELECT api_student_stats($1)", 1 },
};

const size_t stats_store_statement_count =
    sizeof(stats_store_statements) / sizeof(stats_store_statements[0]);
