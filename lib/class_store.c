#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "auth_store.h"
#include "class_store.h"
#include "log.h"

enum class_statement {
	SESSION_START,
	SESSION_LIST,
	SESSION_GET,
	ROUND_START,
	QR_REFRESH,
	SESSION_END,
	SCAN,
	SCAN_CODE,
	RECORD_SET,
	RECORD_LIST
};

static const struct db_statement class_store_sql[] = {
	[SESSION_START] = { "session_start",
	    "SELECT * FROM api_session_start($1, $2, $3::int, $4::int, $5,"
	    " $6::bytea, $7::bytea)",
	    7 },
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
	    "SELECT * FROM api_round_start($1, $2, $3::bytea, $4::bytea)", 4 },
	[QR_REFRESH] = { "qr_refresh",
	    "SELECT * FROM api_qr_refresh($1, $2, $3, $4::bytea, $5::bytea)",
	    5 },
	[SESSION_END] = { "session_end",
	    "SELECT * FROM api_session_end($1, $2)", 2 },
	[SCAN] = { "scan",
	    "SELECT * FROM api_scan_as($1::bytea, $2, $3, $4::bytea,"
	    " $5::bytea, $6::bytea, $7::inet, $8::bytea, $9::bytea, $10::int,"
	    " $11, 'scan')",
	    11 },
	[SCAN_CODE] = { "scan_code",
	    "SELECT * FROM api_scan_code_as($1::bytea, $2::bytea, $3::bytea,"
	    " $4::bytea, $5::inet, $6::bytea, $7::bytea, $8::int, $9,"
	    " $10::int, $11::int)",
	    11 },
	[RECORD_SET] = { "record_set",
	    "SELECT * FROM api_record_set($1, $2, $3, $4, $5)", 5 },
	/* By round, then in the order they came. */
	[RECORD_LIST] = { "record_list",
	    "SELECT json_build_object('records', coalesce(json_agg("
	    "  record_detail_json(a, r, u)"
	    "  ORDER BY r.round_number, a.recorded_at, a.id)"
	    "  FILTER (WHERE a.id IS NOT NULL), '[]'))"
	    " FROM sessions s"
	    " LEFT JOIN attendance_records a ON a.session_id = s.id"
	    " LEFT JOIN attendance_rounds r ON r.id = a.round_id"
	    " LEFT JOIN users u ON u.id = a.student_id"
	    " WHERE s.id = $1 AND s.professor_id = $2 GROUP BY s.id",
	    2 },
};

const struct db_statement_set class_store_statements = {
	class_store_sql, sizeof(class_store_sql) / sizeof(class_store_sql[0])
};

/*
 * Runs one of the transaction functions and reads its OUT columns by
 * name: "error" (a contract code, NULL when it went through), then what
 * it made.
 */
static enum at_error
class_store_call(struct store *store, struct arena *arena,
    enum class_statement which, const char *const *params,
    struct class_outcome *out)
{
	PGresult	*res = NULL;
	const char	*error, *user;
	enum at_error	 rc;
	int		 oom = 0;

	memset(out, 0, sizeof(*out));
	if ((rc = store_run(store, &class_store_sql[which], params, &res)) !=
	    AT_OK)
		return rc;
	if ((user = store_column(arena, res, "user_id", &oom)) != NULL)
		snprintf(out->user_id, sizeof(out->user_id), "%s", user);
	/* A refusal's details: how long a rate limit lasts, the message
	 * of a scan's not_enrolled. */
	if ((error = store_column(arena, res, "retry_after", &oom)) != NULL)
		out->retry_after = strtol(error, NULL, 10);
	out->detail = store_column(arena, res, "detail", &oom);
	if ((error = store_column(arena, res, "error", &oom)) != NULL) {
		rc = error_from_code(error);
		if (rc == AT_EINTERNAL)
			log_error("%s: unknown error code '%s'",
			    class_store_sql[which].name, error);
		goto out;
	}
	out->body = store_column(arena, res, "body", &oom);
	out->started = store_column(arena, res, "started", &oom);
	out->recorded = store_column(arena, res, "recorded", &oom);
	out->ended = store_column(arena, res, "ended", &oom);
	out->session_id = store_column(arena, res, "session_id", &oom);
	out->round_id = store_column(arena, res, "round_id", &oom);
	out->expires_at = store_column(arena, res, "expires_at", &oom);
	out->active = (error = store_column(arena, res, "active",
	    &oom)) != NULL && strcmp(error, "t") == 0;
	out->issued = (error = store_column(arena, res, "issued",
	    &oom)) != NULL && strcmp(error, "t") == 0;

	if (oom)
		rc = AT_ENOMEM;
out:
	PQclear(res);
	return rc;
}

enum at_error
class_store_session_start(struct store *store, struct arena *arena,
    const char *group, const char *professor, long ttl, long late,
    const char *mode, const struct token_qr *token, struct class_outcome *out)
{
	const char	*params[7];
	char		 ttl_text[16], late_text[16];

	snprintf(ttl_text, sizeof(ttl_text), "%ld", ttl);
	snprintf(late_text, sizeof(late_text), "%ld", late);
	params[0] = group;
	params[1] = professor;
	params[2] = ttl_text;
	params[3] = late_text;
	params[4] = mode;
	params[5] = token->hash;
	params[6] = token->code_hash;
	return class_store_call(store, arena, SESSION_START, params, out);
}

enum at_error
class_store_round_start(struct store *store, struct arena *arena,
    const char *session, const char *professor, const struct token_qr *token,
    struct class_outcome *out)
{
	const char	*params[4] = { session, professor, token->hash,
	    token->code_hash };

	return class_store_call(store, arena, ROUND_START, params, out);
}

enum at_error
class_store_qr_refresh(struct store *store, struct arena *arena,
    const char *session, const char *round, const char *professor,
    const struct token_qr *token, struct class_outcome *out)
{
	const char	*params[5] = { session, round, professor, token->hash,
	    token->code_hash };

	return class_store_call(store, arena, QR_REFRESH, params, out);
}

enum at_error
class_store_session_end(struct store *store, struct arena *arena,
    const char *session, const char *professor, struct class_outcome *out)
{
	const char	*params[2] = { session, professor };

	return class_store_call(store, arena, SESSION_END, params, out);
}

enum at_error
class_store_record_set(struct store *store, struct arena *arena,
    const char *session, const char *round, const char *student,
    const char *professor, const char *status, struct class_outcome *out)
{
	const char	*params[5] = { session, round, student, professor,
	    status };

	return class_store_call(store, arena, RECORD_SET, params, out);
}

enum at_error
class_store_scan(struct store *store, struct arena *arena,
    const char *sid_hash, const char *session, const char *round,
    const char *token_hash, const struct token_qr *next,
    const struct class_evidence *evidence, struct class_outcome *out)
{
	const char	*params[11];
	char		 lifetime[16];

	snprintf(lifetime, sizeof(lifetime), "%d", AUTH_DEVICE_LIFETIME);
	params[0] = sid_hash;
	params[1] = session;
	params[2] = round;
	params[3] = token_hash;
	params[4] = next->hash;
	params[5] = next->code_hash;
	params[6] = evidence->address;
	params[7] = evidence->device;
	params[8] = evidence->new_device;
	params[9] = lifetime;
	params[10] = evidence->user_agent;
	return class_store_call(store, arena, SCAN, params, out);
}

enum at_error
class_store_scan_code(struct store *store, struct arena *arena,
    const char *sid_hash, const char *code_hash, const struct token_qr *next,
    const struct class_evidence *evidence,
    const struct class_code_limit *limit, struct class_outcome *out)
{
	const char	*params[11];
	char		 lifetime[16], window[16], per_student[16];

	snprintf(lifetime, sizeof(lifetime), "%d", AUTH_DEVICE_LIFETIME);
	snprintf(window, sizeof(window), "%d", limit->window);
	snprintf(per_student, sizeof(per_student), "%d", limit->per_student);
	params[0] = sid_hash;
	params[1] = code_hash;
	params[2] = next->hash;
	params[3] = next->code_hash;
	params[4] = evidence->address;
	params[5] = evidence->device;
	params[6] = evidence->new_device;
	params[7] = lifetime;
	params[8] = evidence->user_agent;
	params[9] = window;
	params[10] = per_student;
	return class_store_call(store, arena, SCAN_CODE, params, out);
}

/* The reads a route names: ($1 id, $2 caller). */
const struct store_reader class_store_session_list = {
	&class_store_sql[SESSION_LIST]
};
const struct store_reader class_store_session_get = {
	&class_store_sql[SESSION_GET]
};
const struct store_reader class_store_record_list = {
	&class_store_sql[RECORD_LIST]
};
