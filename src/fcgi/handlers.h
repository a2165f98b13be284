/*
 * The handlers of the routes in router.c.  The pipeline has checked the
 * login, the body against the route's field table (req->fields, by the
 * indexes below) and the path's ids; a handler makes one store call (a
 * business transaction is one SQL function), sets the reply, and
 * publishes the events after the commit.  It returns AT_OK with a reply
 * set, or an error (req->message may say more).
 */
#ifndef ATTENDANCE_HANDLERS_H
#define ATTENDANCE_HANDLERS_H

#include "app.h"
#include "request.h"
#include "token.h"

/* The fields of the bodies, by their index in router.c's tables. */
enum { LOGIN_LOGIN, LOGIN_PASSWORD };
enum { COURSE_CODE, COURSE_NAME, COURSE_TERM, COURSE_DESCRIPTION,
    COURSE_NETWORKS, COURSE_POLICY };
enum { GROUP_NAME, GROUP_SCHEDULE };
enum { ENROLL_STUDENTS, ENROLL_STUDENT };
enum { SESSION_QR_TTL, SESSION_LATE_AFTER, SESSION_SCAN_MODE };
enum { RECORD_STATUS };
enum { SCAN_TOKEN };
enum { CODE_TYPED };

#define ENROLL_BULK_MAX	1000	/* students in one bulk enrollment */

/* handler_auth.c */
enum at_error	 handler_auth_init(void);	/* once, at start-up */
enum at_error	 handler_login(struct app *, struct request *);
enum at_error	 handler_logout(struct app *, struct request *);
enum at_error	 handler_me(struct app *, struct request *);
enum at_error	 handler_methods(struct app *, struct request *);

/*
 * The device cookie (did): the hash of the request's into hash, or NULL
 * when it has none that could be one (the store tells whether it is);
 * and the Set-Cookie of a new one.
 */
const char	*handler_device(struct request *,
		    char hash[TOKEN_HASH_HEX_SIZE]);
void		 handler_device_cookie(struct app *, struct request *,
		    const char *did);
enum at_error	 handler_sso(struct app *, struct request *);
enum at_error	 handler_health(struct app *, struct request *);

/* handler_courses.c */
enum at_error	 handler_course_create(struct app *, struct request *);
enum at_error	 handler_course_list(struct app *, struct request *);
enum at_error	 handler_course_update(struct app *, struct request *);
enum at_error	 handler_course_delete(struct app *, struct request *);
enum at_error	 handler_group_create(struct app *, struct request *);
enum at_error	 handler_group_update(struct app *, struct request *);
enum at_error	 handler_group_delete(struct app *, struct request *);
enum at_error	 handler_enrollment_add(struct app *, struct request *);
enum at_error	 handler_enrollment_delete(struct app *, struct request *);

/* handler_sessions.c */
enum at_error	 handler_session_start(struct app *, struct request *);
enum at_error	 handler_round_start(struct app *, struct request *);
enum at_error	 handler_qr_refresh(struct app *, struct request *);
enum at_error	 handler_session_end(struct app *, struct request *);
enum at_error	 handler_record_set(struct app *, struct request *);
enum at_error	 handler_scan(struct app *, struct request *);
enum at_error	 handler_scan_code(struct app *, struct request *);

/* handler_read.c */
/*
 * A read of one resource of the caller's: the route's store reader run
 * with the path's id and the caller, its JSON the reply.
 */
enum at_error	 handler_read(struct app *, struct request *);
enum at_error	 handler_student_stats(struct app *, struct request *);
/*
 * (v1.1) The course's CSV export, streamed from PostgreSQL line by line:
 * a refusal is the usual JSON, known before the first byte; a failure
 * after it cuts the download.
 */
enum at_error	 handler_export(struct app *, struct request *);

#endif
