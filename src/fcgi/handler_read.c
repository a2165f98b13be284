#include "handlers.h"
#include "stats_store.h"

enum at_error
handler_read(struct app *app, struct request *req)
{
	const char	*json;
	enum at_error	 rc;

	rc = store_read(&app->store, &req->arena, req->read, req->params[0],
	    req->user_id, &json);
	if (rc == AT_OK)
		request_reply(req, 200, json);
	return rc;
}

enum at_error
handler_student_stats(struct app *app, struct request *req)
{
	const char	*json;
	enum at_error	 rc;

	rc = stats_store_student(&app->store, &req->arena, req->user_id,
	    &json);
	if (rc == AT_OK)
		request_reply(req, 200, json);
	return rc;
}
