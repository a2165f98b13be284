#include "handlers.h"
#include "stats_store.h"

int
handler_read(struct app *app, struct request *req)
{
	const char	*params[2] = { req->params[0], req->user_id };

	return app_reply_json(app, req, req->statement, params, 200);
}

int
handler_student_stats(struct app *app, struct request *req)
{
	const char	*params[1] = { req->user_id };

	return app_reply_json(app, req, &stats_store_statements[STATS_STUDENT],
	    params, 200);
}
