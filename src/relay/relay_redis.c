#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <hiredis/async.h>
#include <hiredis/hiredis.h>
#include <sodium.h>

/* hiredis's adapter is a header of static functions written without our
 * warning set in mind. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wconversion"
#pragma GCC diagnostic ignored "-Wsign-conversion"
#pragma GCC diagnostic ignored "-Wshadow"
#include <hiredis/adapters/libev.h>
#pragma GCC diagnostic pop

#include "events.h"
#include "log.h"
#include "relay_redis.h"

struct relay_redis {
	struct ev_loop		*loop;
	struct relay_subs	 subs;		/* the state machine */
	struct address		 address;
	char			*user, *password;	/* AUTH's */
	redisAsyncContext	*sub;		/* SUBSCRIBE */
	redisAsyncContext	*cmd;		/* PUBLISH of the heartbeat */
	int			 sub_up, cmd_up;
	int			 beat_subscribed;
	int			 beat_seen;	/* one came back on these */
	int			 was_up;	/* one log line per outage */
	int			 warned;	/* this outage was logged */
	int			 closing;
	ev_timer		 retry;
	ev_timer		 beat;
	ev_tstamp		 alive_at;	/* last heartbeat or connect */
	unsigned long		 beats;
	char			 beat_channel[64];
};

static void	relay_redis_connect(struct relay_redis *);

static const char *
relay_redis_where(const struct relay_redis *rr)
{
	return rr->address.is_unix ? rr->address.path : rr->address.host;
}

/* Frees a context we still hold; its callbacks will not recognise it. */
static void
relay_redis_drop(redisAsyncContext **acp)
{
	redisAsyncContext	*ac = *acp;

	*acp = NULL;
	if (ac != NULL)
		redisAsyncFree(ac);
}

/* One of the contexts failed: tear both down and retry later. */
static void
relay_redis_lost(struct relay_redis *rr, const char *why)
{
	struct ev_loop	*loop = rr->loop;
	ev_tstamp	 delay;

	rr->sub_up = rr->cmd_up = 0;
	rr->beat_subscribed = rr->beat_seen = 0;
	relay_redis_drop(&rr->sub);
	relay_redis_drop(&rr->cmd);
	if (rr->closing)
		return;
	delay = relay_subs_lost(&rr->subs);
	if (rr->was_up || !rr->warned)
		log_warn("redis %s: %s; reconnecting in %.1f s",
		    relay_redis_where(rr), why, delay);
	else
		log_debug("redis %s: %s; retrying in %.1f s",
		    relay_redis_where(rr), why, delay);
	rr->was_up = 0;
	rr->warned = 1;
	ev_timer_stop(loop, &rr->retry);
	ev_timer_set(&rr->retry, delay, 0);
	ev_timer_start(loop, &rr->retry);
}

static void
relay_redis_publish_beat(struct relay_redis *rr)
{
	if (rr->cmd_up && rr->beat_subscribed)
		(void)redisAsyncCommand(rr->cmd, NULL, NULL, "PUBLISH %s %lu",
		    rr->beat_channel, ++rr->beats);
}

/* A heartbeat came back: Redis works, both ways. */
static void
relay_redis_alive(struct relay_redis *rr)
{
	rr->alive_at = ev_now(rr->loop);
	relay_subs_alive(&rr->subs);
	if (rr->beat_seen)
		return;
	rr->beat_seen = 1;
	if (!rr->was_up)
		log_info("redis %s: connected", relay_redis_where(rr));
	rr->was_up = 1;
	rr->warned = 0;
}

static void
relay_redis_on_reply(redisAsyncContext *ac, void *r, void *privdata)
{
	struct relay_redis	*rr = ac->data;
	redisReply		*reply = r, *kind, *channel, *msg;

	if (reply == NULL || rr == NULL || ac != rr->sub ||
	    reply->type != REDIS_REPLY_ARRAY || reply->elements < 3)
		return;
	kind = reply->element[0];
	channel = reply->element[1];
	if (kind->type != REDIS_REPLY_STRING ||
	    channel->type != REDIS_REPLY_STRING)
		return;
	if (channel->len == strlen(rr->beat_channel) &&
	    memcmp(channel->str, rr->beat_channel, channel->len) == 0) {
		if (strcmp(kind->str, "message") == 0)
			relay_redis_alive(rr);
		else if (strcmp(kind->str, "subscribe") == 0) {
			rr->beat_subscribed = 1;
			relay_redis_publish_beat(rr);
		}
		return;
	}
	msg = reply->element[2];
	relay_subs_reply(&rr->subs, kind->str, channel->str, channel->len,
	    msg->type == REDIS_REPLY_STRING ? msg->str : NULL,
	    msg->type == REDIS_REPLY_STRING ? msg->len : 0);
}

/* relay_subs_send_fn: SUBSCRIBE (or UNSUBSCRIBE) a session's channel. */
static int
relay_redis_command(void *io, const char *verb,
    const struct relay_session *session)
{
	struct relay_redis	*rr = io;

	if (rr->sub == NULL || !rr->sub_up)
		return -1;
	if (redisAsyncCommand(rr->sub, relay_redis_on_reply, NULL,
	    "%s " EVENTS_CHANNEL_PREFIX "%s", verb, session->id) != REDIS_OK)
		return -1;
	return 0;
}

static void
relay_redis_on_auth(redisAsyncContext *ac, void *r, void *privdata)
{
	struct relay_redis	*rr = ac->data;
	redisReply		*reply = r;

	(void)privdata;
	if (rr != NULL && reply != NULL && reply->type == REDIS_REPLY_ERROR)
		log_warn("redis %s: AUTH refused (redis_user, "
		    "redis_password_file)", relay_redis_where(rr));
}

static int
relay_redis_auth(struct relay_redis *rr, redisAsyncContext *ac)
{
	if (rr->user != NULL && rr->user[0] != '\0')
		return redisAsyncCommand(ac, relay_redis_on_auth, NULL,
		    "AUTH %s %s", rr->user, rr->password);
	return redisAsyncCommand(ac, relay_redis_on_auth, NULL, "AUTH %s",
	    rr->password);
}

static void
relay_redis_on_connect(const redisAsyncContext *cac, int status)
{
	redisAsyncContext	*ac = (redisAsyncContext *)(uintptr_t)cac;
	struct relay_redis	*rr = ac->data;

	if (rr == NULL || (ac != rr->sub && ac != rr->cmd))
		return;
	if (status != REDIS_OK) {
		/* hiredis frees ac when this returns. */
		if (ac == rr->sub)
			rr->sub = NULL;
		else
			rr->cmd = NULL;
		relay_redis_lost(rr, ac->errstr);
		return;
	}
	/* First in each context's pipeline: a refusal is logged, and the
	 * commands after it fail, so the heartbeat never comes back and
	 * the watchdog reconnects with back-off. */
	if (rr->password != NULL && relay_redis_auth(rr, ac) != REDIS_OK) {
		log_warn("redis %s: cannot send AUTH", relay_redis_where(rr));
		return;
	}
	if (ac == rr->sub) {
		rr->sub_up = 1;
		/* Not torn down from inside hiredis's callback: without the
		 * heartbeat channel, the watchdog rebuilds the contexts.  The
		 * logins channel goes first, so it is never missing while the
		 * heartbeat says all is well. */
		if (redisAsyncCommand(ac, relay_redis_on_reply, NULL,
		    "SUBSCRIBE %s", EVENTS_LOGINS_CHANNEL) != REDIS_OK ||
		    redisAsyncCommand(ac, relay_redis_on_reply, NULL,
		    "SUBSCRIBE %s", rr->beat_channel) != REDIS_OK) {
			log_warn("redis %s: cannot subscribe",
			    relay_redis_where(rr));
			return;
		}
		relay_subs_connected(&rr->subs);
	} else {
		rr->cmd_up = 1;
		relay_redis_publish_beat(rr);
	}
	log_debug("redis %s: %s context connected", relay_redis_where(rr),
	    ac == rr->sub ? "subscriber" : "command");
}

static void
relay_redis_on_disconnect(const redisAsyncContext *cac, int status)
{
	redisAsyncContext	*ac = (redisAsyncContext *)(uintptr_t)cac;
	struct relay_redis	*rr = ac->data;

	if (rr == NULL || (ac != rr->sub && ac != rr->cmd))
		return;		/* one we dropped ourselves */
	/* hiredis frees ac when this returns. */
	if (ac == rr->sub)
		rr->sub = NULL;
	else
		rr->cmd = NULL;
	relay_redis_lost(rr, status == REDIS_OK ? "connection closed" :
	    ac->errstr);
}

static redisAsyncContext *
relay_redis_context(struct relay_redis *rr)
{
	redisAsyncContext	*ac;

	if (rr->address.is_unix)
		ac = redisAsyncConnectUnix(rr->address.path);
	else
		ac = redisAsyncConnect(rr->address.host,
		    (int)rr->address.port);
	if (ac == NULL)
		return NULL;
	if (ac->err != 0) {
		log_debug("redis %s: %s", relay_redis_where(rr), ac->errstr);
		redisAsyncFree(ac);
		return NULL;
	}
	/* A peer that vanished without a FIN is noticed by TCP too. */
	if (!rr->address.is_unix)
		(void)redisEnableKeepAlive(&ac->c);
	ac->data = rr;
	if (redisLibevAttach(rr->loop, ac) != REDIS_OK) {
		redisAsyncFree(ac);
		return NULL;
	}
	redisAsyncSetConnectCallback(ac, relay_redis_on_connect);
	redisAsyncSetDisconnectCallback(ac, relay_redis_on_disconnect);
	return ac;
}

static void
relay_redis_connect(struct relay_redis *rr)
{
	rr->alive_at = ev_now(rr->loop);
	if ((rr->sub = relay_redis_context(rr)) == NULL ||
	    (rr->cmd = relay_redis_context(rr)) == NULL)
		relay_redis_lost(rr, "cannot connect");
}

static void
relay_redis_retry(struct ev_loop *loop, ev_timer *w, int revents)
{
	relay_redis_connect(w->data);
}

/* Publishes the heartbeat and checks that the last ones came back. */
static void
relay_redis_beat(struct ev_loop *loop, ev_timer *w, int revents)
{
	struct relay_redis	*rr = w->data;
	ev_tstamp		 silent = ev_now(loop) - rr->alive_at;

	if (rr->sub == NULL && rr->cmd == NULL)
		return;		/* waiting to reconnect */
	if (silent > RELAY_REDIS_DEAD) {
		relay_redis_lost(rr, rr->beat_seen ? "heartbeat lost" :
		    rr->sub_up && rr->cmd_up ? "no heartbeat came back" :
		    "connect timed out");
		return;
	}
	relay_redis_publish_beat(rr);
}

enum at_error
relay_redis_open(struct ev_loop *loop, const struct address *address,
    const struct events_auth *auth, struct relay_sessions *sessions,
    const struct relay_redis_events *events, void *arg,
    struct relay_redis **out)
{
	struct relay_redis	*rr;

	*out = NULL;
	if ((rr = calloc(1, sizeof(*rr))) == NULL)
		return AT_ENOMEM;
	if ((auth->user != NULL && (rr->user = strdup(auth->user)) == NULL) ||
	    (auth->password != NULL &&
	    (rr->password = strdup(auth->password)) == NULL)) {
		free(rr->user);
		free(rr);
		return AT_ENOMEM;
	}
	rr->loop = loop;
	rr->address = *address;
	relay_subs_init(&rr->subs, sessions, relay_redis_command, rr, events,
	    arg);
	snprintf(rr->beat_channel, sizeof(rr->beat_channel),
	    "attendance:relay:%ld:%08x", (long)getpid(), randombytes_random());
	ev_init(&rr->retry, relay_redis_retry);
	rr->retry.data = rr;
	ev_timer_init(&rr->beat, relay_redis_beat, RELAY_REDIS_BEAT,
	    RELAY_REDIS_BEAT);
	rr->beat.data = rr;
	ev_timer_start(loop, &rr->beat);
	relay_redis_connect(rr);
	*out = rr;
	return AT_OK;
}

void
relay_redis_close(struct relay_redis *rr)
{
	if (rr == NULL)
		return;
	rr->closing = 1;
	ev_timer_stop(rr->loop, &rr->retry);
	ev_timer_stop(rr->loop, &rr->beat);
	rr->sub_up = rr->cmd_up = 0;
	relay_redis_drop(&rr->sub);
	relay_redis_drop(&rr->cmd);
	if (rr->password != NULL)
		sodium_memzero(rr->password, strlen(rr->password));
	free(rr->password);
	free(rr->user);
	free(rr);
}

int
relay_redis_join(struct relay_redis *rr, const char *id,
    struct relay_member *member, struct relay_session **out, int *wait)
{
	return relay_subs_join(&rr->subs, id, member, out, wait);
}

void
relay_redis_leave(struct relay_redis *rr, struct relay_session *session,
    struct relay_member *member)
{
	relay_subs_leave(&rr->subs, session, member);
}

int
relay_redis_up(const struct relay_redis *rr)
{
	return rr->sub_up && rr->cmd_up && rr->beat_seen &&
	    ev_now(rr->loop) - rr->alive_at <= RELAY_REDIS_DEAD;
}
