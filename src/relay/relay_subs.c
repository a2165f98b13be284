#include <string.h>

#include <sodium.h>

#include "events.h"
#include "relay.h"
#include "relay_redis.h"
#include "relay_subs.h"
#include "token.h"

#define RELAY_SUBS_PREFIX_LEN	(sizeof(EVENTS_CHANNEL_PREFIX) - 1)
#define RELAY_SUBS_LOGINS_LEN	(sizeof(EVENTS_LOGINS_CHANNEL) - 1)

void
relay_subs_init(struct relay_subs *subs, struct relay_sessions *sessions,
    relay_subs_send_fn *send, void *io,
    const struct relay_redis_events *events, void *arg)
{
	memset(subs, 0, sizeof(*subs));
	subs->sessions = sessions;
	subs->send = send;
	subs->io = io;
	subs->events = events;
	subs->arg = arg;
}

/* The one place a session record is freed (see relay_subs.h). */
static void
relay_subs_drop(struct relay_subs *subs, struct relay_session *session)
{
	relay_sessions_remove(subs->sessions, session);
}

static void
relay_subs_subscribe(struct relay_subs *subs, struct relay_session *session)
{
	if (subs->send(subs->io, "SUBSCRIBE", session) == 0)
		session->sub = RELAY_SUB_PENDING;
	else {
		session->sub = RELAY_SUB_NONE;
		session->resync = 1;
	}
}

static void
relay_subs_ready(struct relay_subs *subs, struct relay_session *session)
{
	int	 resync = session->resync && session->sub == RELAY_SUB_ACTIVE;

	if (resync)
		session->resync = 0;
	subs->events->ready(subs->arg, session, resync);
}

/* A session without members: unsubscribe, or free it. */
static void
relay_subs_release(struct relay_subs *subs, struct relay_session *session)
{
	if (session->nmembers > 0)
		return;
	switch (session->sub) {
	case RELAY_SUB_PENDING:
	case RELAY_SUB_ACTIVE:
		if (subs->send(subs->io, "UNSUBSCRIBE", session) == 0) {
			session->sub = RELAY_SUB_LEAVING;
			return;
		}
		relay_subs_drop(subs, session);
		return;
	case RELAY_SUB_LEAVING:
		return;		/* freed when Redis confirms */
	default:
		relay_subs_drop(subs, session);
		return;
	}
}

int
relay_subs_join(struct relay_subs *subs, const char *id,
    struct relay_member *member, struct relay_session **out, int *wait)
{
	struct relay_session	*session;
	int			 rc;

	*out = NULL;
	*wait = 0;
	if ((rc = relay_sessions_get(subs->sessions, id, &session)) != AT_OK)
		return rc;
	relay_session_join(session, member);
	switch (session->sub) {
	case RELAY_SUB_ACTIVE:
		break;
	case RELAY_SUB_PENDING:
	case RELAY_SUB_LEAVING:
		*wait = 1;
		break;
	default:
		relay_subs_subscribe(subs, session);
		*wait = session->sub == RELAY_SUB_PENDING;
		break;
	}
	*out = session;
	return AT_OK;
}

void
relay_subs_leave(struct relay_subs *subs, struct relay_session *session,
    struct relay_member *member)
{
	relay_session_leave(session, member);
	relay_subs_release(subs, session);
}

static void
relay_subs_resubscribe(struct relay_session *session, void *arg)
{
	if (session->nmembers > 0 && session->sub == RELAY_SUB_NONE)
		relay_subs_subscribe(arg, session);
}

void
relay_subs_connected(struct relay_subs *subs)
{
	relay_sessions_each(subs->sessions, relay_subs_resubscribe, subs);
}

static void
relay_subs_forget(struct relay_session *session, void *arg)
{
	struct relay_subs	*subs = arg;

	session->sub = RELAY_SUB_NONE;
	if (session->nmembers == 0) {
		relay_subs_drop(subs, session);
		return;
	}
	session->resync = 1;
	/* Sockets waiting for the subscription go ahead without it. */
	relay_subs_ready(subs, session);
}

double
relay_subs_lost(struct relay_subs *subs)
{
	subs->logins_lost = 1;
	relay_sessions_each(subs->sessions, relay_subs_forget, subs);
	return relay_backoff(&subs->backoff, RELAY_REDIS_BACKOFF_MIN,
	    RELAY_REDIS_BACKOFF_MAX);
}

void
relay_subs_alive(struct relay_subs *subs)
{
	subs->backoff = 0;
}

/* A reply on the logins channel (lib/events.h). */
static void
relay_subs_logins(struct relay_subs *subs, const char *kind,
    const char *msg, size_t mlen)
{
	unsigned char	 hash[TOKEN_HASH_BYTES];
	const char	*end;
	size_t		 len;

	if (strcmp(kind, "message") == 0) {
		if (msg == NULL || mlen != 2 * sizeof(hash) ||
		    sodium_hex2bin(hash, sizeof(hash), msg, mlen, NULL, &len,
		    &end) != 0 || len != sizeof(hash))
			return;
		subs->events->logout(subs->arg, hash);
	} else if (strcmp(kind, "subscribe") == 0 && subs->logins_lost) {
		subs->logins_lost = 0;
		subs->events->logins_resync(subs->arg);
	}
}

void
relay_subs_reply(struct relay_subs *subs, const char *kind,
    const char *channel, size_t clen, const char *msg, size_t mlen)
{
	struct relay_session	*session;
	char			 id[HTTP_UUID_SIZE];

	if (clen == RELAY_SUBS_LOGINS_LEN &&
	    memcmp(channel, EVENTS_LOGINS_CHANNEL, clen) == 0) {
		relay_subs_logins(subs, kind, msg, mlen);
		return;
	}
	if (clen != RELAY_SUBS_PREFIX_LEN + HTTP_UUID_SIZE - 1 ||
	    memcmp(channel, EVENTS_CHANNEL_PREFIX, RELAY_SUBS_PREFIX_LEN) != 0)
		return;
	memcpy(id, channel + RELAY_SUBS_PREFIX_LEN, HTTP_UUID_SIZE - 1);
	id[HTTP_UUID_SIZE - 1] = '\0';
	if ((session = relay_sessions_find(subs->sessions, id)) == NULL)
		return;
	if (strcmp(kind, "message") == 0) {
		if (msg != NULL)
			subs->events->deliver(subs->arg, session, msg, mlen);
	} else if (strcmp(kind, "subscribe") == 0) {
		if (session->sub != RELAY_SUB_PENDING)
			return;
		session->sub = RELAY_SUB_ACTIVE;
		if (session->nmembers == 0)
			relay_subs_release(subs, session);
		else
			relay_subs_ready(subs, session);
	} else if (strcmp(kind, "unsubscribe") == 0) {
		if (session->sub != RELAY_SUB_LEAVING)
			return;
		session->sub = RELAY_SUB_NONE;
		if (session->nmembers > 0)
			relay_subs_subscribe(subs, session);
		else
			relay_subs_drop(subs, session);
	}
}
