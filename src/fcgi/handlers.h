/*
 * The handlers of the routes in router.c.  Each validates its body, runs
 * one statement (a business transaction is one SQL function call), sets
 * the reply, and publishes the events after the commit.  They return
 * AT_OK with a reply set, or an error (req->message may say more).
 */
#ifndef ATTENDANCE_HANDLERS_H
#define ATTENDANCE_HANDLERS_H

#include "app.h"
#include "request.h"

/* handler_auth.c */
int	handler_auth_init(void);	/* once, before the first request */
int	handler_login(struct app *, struct request *);
int	handler_logout(struct app *, struct request *);
int	handler_me(struct app *, struct request *);
int	handler_health(struct app *, struct request *);

/* handler_courses.c */
int	handler_course_create(struct app *, struct request *);
int	handler_course_list(struct app *, struct request *);
int	handler_course_update(struct app *, struct request *);
int	handler_course_delete(struct app *, struct request *);
int	handler_group_create(struct app *, struct request *);
int	handler_group_update(struct app *, struct request *);
int	handler_group_delete(struct app *, struct request *);
int	handler_enrollment_add(struct app *, struct request *);
int	handler_enrollment_delete(struct app *, struct request *);

/* handler_sessions.c */
int	handler_session_start(struct app *, struct request *);
int	handler_round_start(struct app *, struct request *);
int	handler_qr_refresh(struct app *, struct request *);
int	handler_session_end(struct app *, struct request *);
int	handler_record_set(struct app *, struct request *);
int	handler_scan(struct app *, struct request *);

/* handler_stats.c */
/*
 * A read of one resource of the caller's: the route's statement run with
 * the path's id and the caller, its one JSON column the reply.
 */
int	handler_read(struct app *, struct request *);
int	handler_student_stats(struct app *, struct request *);

#endif
