/*
 * One error enum for the whole project.  Fallible functions return it (0 is
 * success); the HTTP layer turns it into the contract's error table through
 * error_code() and error_http_status(), the only place that mapping lives.
 */
#ifndef ATTENDANCE_ERROR_H
#define ATTENDANCE_ERROR_H

enum at_error {
	AT_OK = 0,
	AT_EINVALID,		/* invalid_request */
	AT_EUNAUTHENTICATED,	/* unauthenticated */
	AT_EBADCREDENTIALS,	/* invalid_credentials */
	AT_EFORBIDDEN,		/* forbidden */
	AT_ECSRF,		/* csrf_origin */
	AT_ENOTENROLLED,	/* not_enrolled */
	AT_EOUTSIDE,		/* outside_network (v1.1) */
	AT_EINVALIDTOKEN,	/* invalid_token */
	AT_ENOTFOUND,		/* not_found */
	AT_EMETHOD,		/* method_not_allowed */
	AT_ECONFLICT,		/* conflict */
	AT_EALREADYENROLLED,	/* already_enrolled */
	AT_ESESSIONACTIVE,	/* session_active */
	AT_ESESSIONENDED,	/* session_ended */
	AT_EROUNDCLOSED,	/* round_closed */
	AT_EALREADYRECORDED,	/* already_recorded */
	AT_ETOKENUSED,		/* token_used */
	AT_ETOKENEXPIRED,	/* token_expired */
	AT_ETOOLARGE,		/* payload_too_large */
	AT_EMEDIATYPE,		/* unsupported_media_type */
	AT_ERATELIMITED,	/* rate_limited */
	AT_EINTERNAL,		/* internal: a bug */
	AT_EUNAVAILABLE,	/* unavailable: database unreachable */
	AT_ENOMEM,		/* out of memory (answered as internal) */
	AT_ERROR_COUNT
};

#if defined(__GNUC__)
#define AT_MUSTCHECK __attribute__((warn_unused_result))
#else
#define AT_MUSTCHECK
#endif

/* A short human sentence for err; never NULL, static storage. */
const char	*error_string(enum at_error);

/* The contract's error code ("not_found"); "internal" for unknown values. */
const char	*error_code(enum at_error);

/* The error of a contract code ("session_ended"); AT_EINTERNAL if none. */
enum at_error	 error_from_code(const char *code);

/* The contract's HTTP status for err (500 for unknown values). */
int		 error_http_status(enum at_error);

#endif
