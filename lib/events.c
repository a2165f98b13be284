#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <hiredis/hiredis.h>
#include <sodium.h>

#include "events.h"
#include "log.h"

/* A request must not wait long on Redis: it only carries notifications. */
#define EVENTS_TIMEOUT_MS	500
/* After a failed connect, publishes are dropped this long before retrying,
 * so a dead Redis costs each request nothing. */
#define EVENTS_RETRY_SECONDS	1

struct events {
	struct address	 address;
	char		*user, *password;
	char		 where[ADDRESS_TEXT_MAX];	/* for the log */
	redisContext	*redis;
	time_t		 retry_at;
	unsigned long	 lost;
};

struct events *
events_open(const struct address *address, const struct events_auth *auth)
{
	struct events	*ev;

	if ((ev = calloc(1, sizeof(*ev))) == NULL)
		return NULL;
	ev->address = *address;
	address_format(address, ev->where, sizeof(ev->where));
	if ((auth->user != NULL && (ev->user = strdup(auth->user)) == NULL) ||
	    (auth->password != NULL &&
	    (ev->password = strdup(auth->password)) == NULL)) {
		events_close(ev);
		return NULL;
	}
	return ev;
}

void
events_close(struct events *ev)
{
	if (ev == NULL)
		return;
	if (ev->redis != NULL)
		redisFree(ev->redis);
	if (ev->password != NULL)
		sodium_memzero(ev->password, strlen(ev->password));
	free(ev->password);
	free(ev->user);
	free(ev);
}

int
events_authenticate(struct redisContext *c, const struct events_auth *auth,
    const char **why)
{
	redisReply	*reply;
	int		 rc = 0;

	*why = NULL;
	if (auth->password == NULL)
		return 0;
	if (auth->user != NULL && auth->user[0] != '\0')
		reply = redisCommand(c, "AUTH %s %s", auth->user,
		    auth->password);
	else
		reply = redisCommand(c, "AUTH %s", auth->password);
	if (reply == NULL) {
		*why = c->errstr;
		return -1;
	}
	if (reply->type == REDIS_REPLY_ERROR) {
		*why = "AUTH refused (redis_user, redis_password_file)";
		rc = -1;
	}
	freeReplyObject(reply);
	return rc;
}

static void
events_drop(struct events *ev, const char *why)
{
	log_warn("redis %s: %s", ev->where, why);
	if (ev->redis != NULL)
		redisFree(ev->redis);
	ev->redis = NULL;
	ev->retry_at = time(NULL) + EVENTS_RETRY_SECONDS;
}

static int
events_connect(struct events *ev)
{
	struct timeval		 tv = { 0, EVENTS_TIMEOUT_MS * 1000 };
	struct events_auth	 auth;
	const char		*why;

	if (ev->redis != NULL)
		return 0;
	if (time(NULL) < ev->retry_at)
		return -1;
	if (ev->address.is_unix)
		ev->redis = redisConnectUnixWithTimeout(ev->address.path, tv);
	else
		ev->redis = redisConnectWithTimeout(ev->address.host,
		    (int)ev->address.port, tv);
	if (ev->redis == NULL) {
		events_drop(ev, "out of memory");
		return -1;
	}
	if (ev->redis->err != 0) {
		events_drop(ev, ev->redis->errstr);
		return -1;
	}
	redisSetTimeout(ev->redis, tv);
	auth.user = ev->user;
	auth.password = ev->password;
	if (events_authenticate(ev->redis, &auth, &why) == -1) {
		events_drop(ev, why);
		return -1;
	}
	return 0;
}

/* PUBLISHes message on channel: 0, or -1 when it was lost. */
static int
events_send(struct events *ev, const char *channel, const char *message)
{
	redisReply	*reply;
	int		 rc = -1;

	if (events_connect(ev) == -1)
		goto out;
	reply = redisCommand(ev->redis, "PUBLISH %s %s", channel, message);
	if (reply == NULL) {
		/*
		 * The connection died since the last publish (a Redis
		 * restart): one fresh connection, one more try, before the
		 * message counts as lost.
		 */
		events_drop(ev, ev->redis->errstr);
		ev->retry_at = 0;
		if (events_connect(ev) == -1)
			goto out;
		reply = redisCommand(ev->redis, "PUBLISH %s %s", channel,
		    message);
		if (reply == NULL) {
			events_drop(ev, ev->redis->errstr);
			goto out;
		}
	}
	if (reply->type == REDIS_REPLY_ERROR)
		log_warn("redis PUBLISH: %s", reply->str);
	else
		rc = 0;
	freeReplyObject(reply);
out:
	if (rc != 0)
		ev->lost++;
	return rc;
}

int
events_publish(struct events *ev, const char *session_id, const char *name,
    const char *data)
{
	char		 channel[96];
	char		*message = NULL;
	size_t		 len;
	int		 rc = -1;

	snprintf(channel, sizeof(channel), EVENTS_CHANNEL_PREFIX "%s",
	    session_id);
	len = strlen(name) + strlen(data) + 32;
	if ((message = malloc(len)) == NULL) {
		ev->lost++;
		goto out;
	}
	/* name is one of ours; data is JSON built by PostgreSQL or us. */
	snprintf(message, len, "{\"event\":\"%s\",\"data\":%s}", name, data);
	rc = events_send(ev, channel, message);
out:
	if (rc != 0)
		log_warn("event %s for session %s lost (%lu lost so far)",
		    name, session_id, ev->lost);
	free(message);
	return rc;
}

int
events_publish_logout(struct events *ev, const char *sid_hash)
{
	int	 rc;

	/* The digits without the bytea literal's "\x": what the relays
	 * read (src/relay/relay_subs.c). */
	if ((rc = events_send(ev, EVENTS_LOGINS_CHANNEL, sid_hash + 2)) != 0)
		log_warn("a logout lost: the relays close its sockets at "
		    "their next check (%lu lost so far)", ev->lost);
	return rc;
}

int
events_ping(struct events *ev)
{
	redisReply	*reply;
	int		 rc = -1;

	ev->retry_at = 0;	/* a health check always tries */
	if (events_connect(ev) == -1)
		return -1;
	if ((reply = redisCommand(ev->redis, "PING")) == NULL) {
		events_drop(ev, ev->redis->errstr);
		return -1;
	}
	if (reply->type == REDIS_REPLY_STATUS)
		rc = 0;
	freeReplyObject(reply);
	return rc;
}

unsigned long
events_lost(const struct events *ev)
{
	return ev->lost;
}
