#include "app.h"
#include "log.h"

void
app_publish(struct app *app, const char *session_id, const char *name,
    const char *data)
{
	if (events_publish(app->events, session_id, name, data) == 0)
		log_debug("published %s for session %s", name, session_id);
}

void
app_publish_logout(struct app *app, const char *sid_hash)
{
	if (events_publish_logout(app->events, sid_hash) == 0)
		log_debug("published a logout");
}
