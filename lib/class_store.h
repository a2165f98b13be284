/*
 * Class sessions, rounds, QR tokens and attendance records.  The
 * transactions live in sql/functions/sessions.sql and scan.sql as
 * functions (one round trip, one transaction each); here are the
 * statements that call them.
 */
#ifndef ATTENDANCE_CLASS_STORE_H
#define ATTENDANCE_CLASS_STORE_H

#include <stddef.h>

#include "db.h"

enum class_statement {
	/* $1 group, $2 prof, $3 ttl, $4 late, $5 hash -> error, body,
	 * started, session_id, round_id, expires_at */
	SESSION_START,
	SESSION_LIST,		/* $1 group, $2 prof -> {"sessions"} */
	SESSION_GET,		/* $1 session, $2 prof -> {"session", "rounds"}
				 */
	/* $1 session, $2 prof, $3 hash -> error, body, started, round_id,
	 * expires_at */
	ROUND_START,
	/* $1 session, $2 round, $3 prof, $4 hash -> error, expires_at */
	QR_REFRESH,
	SESSION_END,		/* $1 session, $2 prof -> error, body, ended */
	/* $1 sid hash, $2 session, $3 round, $4 hash, $5 next hash
	 * -> error, body, recorded, expires_at, user_id: the login lookup
	 * included (sql/functions/scan.sql) */
	SCAN,
	/* $1 session, $2 round, $3 student, $4 prof, $5 status
	 * -> error, body, recorded, active */
	RECORD_SET
};

extern const struct db_statement	class_store_statements[];
extern const size_t			class_store_statement_count;

#endif
