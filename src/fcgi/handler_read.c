#include <string.h>

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

/* The export's way from its lines to the response. */
struct export_stream {
	struct request	*req;
	int		 started;
};

/*
 * Each line but the first is preceded by the line end of the one
 * before: the last line end is only written when the query completed
 * (handler_export()), so that a file cut short by a failure never ends
 * as a complete one does.
 */
static enum at_error
export_line(void *arg, const char *name, const char *line)
{
	struct export_stream	*ex = arg;
	struct request		*req = ex->req;
	enum at_error		 rc;

	if (!ex->started) {
		/* The name is made of A-Z a-z 0-9 . _ - alone (export.sql). */
		request_add_header(req, "Content-Disposition: attachment; "
		    "filename=\"%s\"", name);
		if ((rc = request_stream_start(req, 200,
		    "text/csv; charset=utf-8")) != AT_OK)
			return rc;
		ex->started = 1;
	} else if ((rc = request_stream_write(req, "\r\n", 2)) != AT_OK)
		return rc;
	return request_stream_write(req, line, strlen(line));
}

enum at_error
handler_export(struct app *app, struct request *req)
{
	struct export_stream	 ex = { req, 0 };
	enum at_error		 rc;

	rc = stats_store_export(&app->store, req->params[0], req->user_id,
	    export_line, &ex);
	if (rc == AT_OK)
		rc = request_stream_write(req, "\r\n", 2);
	if (rc == AT_OK || !ex.started)
		return rc;
	/* The status and part of the file went out: too late for an error
	 * of the contract's, the download must fail instead. */
	request_stream_cut(req, rc);
	return AT_OK;
}
