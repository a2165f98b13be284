/*
 * Class sessions, rounds, QR tokens and attendance records.  The
 * transactions are SQL functions (sql/functions/sessions.sql and
 * scan.sql), one round trip and one transaction each; a refusal comes
 * back as the contract's error (AT_ESESSIONENDED, ...).  Token hashes
 * are the hex bytea of token_hash().  Everything returned is in the
 * caller's arena.
 */
#ifndef ATTENDANCE_CLASS_STORE_H
#define ATTENDANCE_CLASS_STORE_H

#include "arena.h"
#include "db.h"
#include "error.h"
#include "http.h"
#include "store.h"
#include "token.h"

extern const struct db_statement_set	class_store_statements;

/* What a transaction made: the reply and the events' data, JSON text;
 * NULL where a transaction has none. */
struct class_outcome {
	const char	*body;		/* the reply */
	const char	*started;	/* round:started */
	const char	*recorded;	/* attendance:recorded */
	const char	*ended;		/* session:ended */
	const char	*session_id;	/* a new session's id */
	const char	*round_id;	/* a new round's id */
	/* The new token's expiry; NULL after a scan that minted none (a
	 * window scan, v1.1). */
	const char	*expires_at;
	int		 active;	/* record_set: the session is active */
	int		 issued;	/* scan: the new device cookie was */
	long		 retry_after;	/* scan_code: when rate limited */
	/* A scan's not_enrolled: its message, which names the code's
	 * course and group; NULL with any other answer. */
	const char	*detail;
	/* class_store_scan(): the caller, once the login is known
	 * (refused or not); "" when the login was not found. */
	char		 user_id[HTTP_UUID_SIZE];
};

/* A session of group with its round 1 and that round's first token;
 * mode is its scan mode, "single" or "window" (v1.1). */
enum at_error	 class_store_session_start(struct store *, struct arena *,
		    const char *group, const char *professor, long ttl,
		    long late, const char *mode, const struct token_qr *,
		    struct class_outcome *) AT_MUSTCHECK;

/* The next round, the previous one closed, with its first token. */
enum at_error	 class_store_round_start(struct store *, struct arena *,
		    const char *session, const char *professor,
		    const struct token_qr *, struct class_outcome *)
		    AT_MUSTCHECK;

/* A new token for the live round; the previous one dies. */
enum at_error	 class_store_qr_refresh(struct store *, struct arena *,
		    const char *session, const char *round,
		    const char *professor, const struct token_qr *,
		    struct class_outcome *) AT_MUSTCHECK;

enum at_error	 class_store_session_end(struct store *, struct arena *,
		    const char *session, const char *professor,
		    struct class_outcome *) AT_MUSTCHECK;

/* The professor's override of a student's record in a round. */
enum at_error	 class_store_record_set(struct store *, struct arena *,
		    const char *session, const char *round, const char *student,
		    const char *professor, const char *status,
		    struct class_outcome *) AT_MUSTCHECK;

/* What a scan brings besides its token (v1.1): the evidence. */
struct class_evidence {
	const char	*address;	/* canonical (lib/cidr.h), or NULL */
	const char	*device;	/* the did's hash (hex), or NULL */
	const char	*new_device;	/* the one to issue when it is none */
	const char	*user_agent;	/* <= 200 bytes of UTF-8, or NULL */
};

/*
 * A scan, in one round trip: the login of sid_hash is looked up in the
 * same statement (AT_EUNAUTHENTICATED, AT_EFORBIDDEN for a professor),
 * then the contract's checks; next is the round's next token.  (v1.1)
 * The session's scan mode is known only inside the statement, so next is
 * always made; a window scan leaves it unused (out->expires_at NULL).
 */
enum at_error	 class_store_scan(struct store *, struct arena *,
		    const char *sid_hash, const char *session,
		    const char *round, const char *token_hash,
		    const struct token_qr *next, const struct class_evidence *,
		    struct class_outcome *) AT_MUSTCHECK;

/* The typed code's limit (attendance.conf(5)). */
struct class_code_limit {
	int		 window;	/* seconds */
	int		 per_student;	/* invalid_token answers */
};

/*
 * (v1.1) The same, by the typed code's hash (NULL for a code of the
 * wrong shape): POST /api/scan/code.  out->session_id and round_id name
 * the token's; out->retry_after is set with AT_ERATELIMITED.
 */
enum at_error	 class_store_scan_code(struct store *, struct arena *,
		    const char *sid_hash, const char *code_hash,
		    const struct token_qr *next, const struct class_evidence *,
		    const struct class_code_limit *, struct class_outcome *)
		    AT_MUSTCHECK;

/* The reads: {"sessions"} of a group, {"session", "rounds"}. */
extern const struct store_reader	class_store_session_list;
extern const struct store_reader	class_store_session_get;
/* (v1.1) {"records": [RecordDetail]} of a session. */
extern const struct store_reader	class_store_record_list;

#endif
