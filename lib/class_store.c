#include "class_store.h"

const struct db_statement class_store_statements[] = {
	[SESSION_START] = { "session_start",
	    "SELECT * FROM api_session_start($1, $2, $3::int, $4::int,"
	    " $5::bytea)",
	    5 },
	[SESSION_LIST] = { "session_list",
	    "SELECT json_build_object('sessions', coalesce(json_agg("
	    "  session_json(s) ORDER BY s.starts_at DESC)"
	    "  FILTER (WHERE s.id IS NOT NULL), '[]'))"
	    " FROM groups g JOIN courses c ON c.id = g.course_id"
	    " LEFT JOIN sessions s ON s.group_id = g.id"
	    " WHERE g.id = $1 AND c.professor_id = $2 GROUP BY g.id",
	    2 },
	[SESSION_GET] = { "session_get",
	    "SELECT json_build_object('session', session_json(s), 'rounds',"
	    "  coalesce((SELECT json_agg(round_json(r) ORDER BY r.round_number)"
	    "   FROM attendance_rounds r WHERE r.session_id = s.id), '[]'))"
	    " FROM sessions s WHERE s.id = $1 AND s.professor_id = $2",
	    2 },
	[ROUND_START] = { "round_start",
	    "SELECT * FROM api_round_start($1, $2, $3::bytea)", 3 },
	[QR_REFRESH] = { "qr_refresh",
	    "SELECT * FROM api_qr_refresh($1, $2, $3, $4::bytea)", 4 },
	[SESSION_END] = { "session_end",
	    "SELECT * FROM api_session_end($1, $2)", 2 },
	[SCAN] = { "scan",
	    "SELECT * FROM api_scan_as($1::bytea, $2, $3, $4::bytea,"
	    " $5::bytea)", 5 },
	[RECORD_SET] = { "record_set",
	    "SELECT * FROM api_record_set($1, $2, $3, $4, $5)", 5 },
};

const size_t class_store_statement_count =
    sizeof(class_store_statements) / sizeof(class_store_statements[0]);
