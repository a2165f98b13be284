/*
 * What a worker keeps between requests: the configuration, the store
 * (its one PostgreSQL connection, every statement prepared) and its
 * Redis publisher.
 */
#ifndef ATTENDANCE_APP_H
#define ATTENDANCE_APP_H

#include "config.h"
#include "events.h"
#include "request.h"
#include "store.h"

struct app {
	struct config	 config;
	struct store	 store;		/* conninfo: config.database */
	struct events	*events;
	unsigned long	 requests;
};

/* Publishes an event after the transaction that made it committed. */
void	 app_publish(struct app *, const char *session_id, const char *name,
	    const char *data);
/* Tells the relays that the login of sid_hash ended, after the commit:
 * they close its sockets. */
void	 app_publish_logout(struct app *, const char *sid_hash);

#endif
