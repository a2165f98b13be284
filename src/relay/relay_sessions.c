#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay_sessions.h"

#define RELAY_SESSIONS_INITIAL	64

/* FNV-1a over the id's characters. */
static size_t
relay_sessions_hash(const char *id)
{
	uint32_t	 h = 2166136261u;

	while (*id != '\0') {
		h ^= (unsigned char)*id++;
		h *= 16777619u;
	}
	return h;
}

int
relay_sessions_init(struct relay_sessions *s)
{
	memset(s, 0, sizeof(*s));
	s->buckets = calloc(RELAY_SESSIONS_INITIAL, sizeof(*s->buckets));
	if (s->buckets == NULL)
		return AT_ENOMEM;
	s->nbuckets = RELAY_SESSIONS_INITIAL;
	return AT_OK;
}

void
relay_sessions_free(struct relay_sessions *s)
{
	struct relay_session	*session, *next;
	size_t			 i;

	if (s == NULL || s->buckets == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++)
		for (session = s->buckets[i]; session != NULL;
		    session = next) {
			next = session->hnext;
			free(session);
		}
	free(s->buckets);
	memset(s, 0, sizeof(*s));
}

struct relay_session *
relay_sessions_find(const struct relay_sessions *s, const char *id)
{
	struct relay_session	*session;

	session = s->buckets[relay_sessions_hash(id) & (s->nbuckets - 1)];
	for (; session != NULL; session = session->hnext)
		if (strcmp(session->id, id) == 0)
			return session;
	return NULL;
}

/* Doubles the table; on failure the old one goes on serving. */
static void
relay_sessions_grow(struct relay_sessions *s)
{
	struct relay_session	**buckets, *session, *next;
	size_t			  n = s->nbuckets * 2, i, h;

	if ((buckets = calloc(n, sizeof(*buckets))) == NULL)
		return;
	for (i = 0; i < s->nbuckets; i++)
		for (session = s->buckets[i]; session != NULL;
		    session = next) {
			next = session->hnext;
			h = relay_sessions_hash(session->id) & (n - 1);
			session->hnext = buckets[h];
			buckets[h] = session;
		}
	free(s->buckets);
	s->buckets = buckets;
	s->nbuckets = n;
}

int
relay_sessions_get(struct relay_sessions *s, const char *id,
    struct relay_session **out)
{
	struct relay_session	*session;
	size_t			 h;

	if ((session = relay_sessions_find(s, id)) != NULL) {
		*out = session;
		return AT_OK;
	}
	*out = NULL;
	if (strlen(id) >= sizeof(session->id))
		return AT_EINVALID;
	if ((session = calloc(1, sizeof(*session))) == NULL)
		return AT_ENOMEM;
	memcpy(session->id, id, strlen(id) + 1);
	if (s->count >= s->nbuckets)
		relay_sessions_grow(s);
	h = relay_sessions_hash(id) & (s->nbuckets - 1);
	session->hnext = s->buckets[h];
	s->buckets[h] = session;
	s->count++;
	*out = session;
	return AT_OK;
}

void
relay_sessions_remove(struct relay_sessions *s, struct relay_session *session)
{
	struct relay_session	**p;

	p = &s->buckets[relay_sessions_hash(session->id) & (s->nbuckets - 1)];
	for (; *p != NULL; p = &(*p)->hnext)
		if (*p == session) {
			*p = session->hnext;
			s->count--;
			free(session);
			return;
		}
}

void
relay_sessions_each(struct relay_sessions *s,
    void (*fn)(struct relay_session *, void *), void *arg)
{
	struct relay_session	*session, *next;
	size_t			 i;

	for (i = 0; i < s->nbuckets; i++)
		for (session = s->buckets[i]; session != NULL;
		    session = next) {
			next = session->hnext;
			fn(session, arg);
		}
}

void
relay_session_join(struct relay_session *session, struct relay_member *m)
{
	m->prev = NULL;
	m->next = session->members;
	if (session->members != NULL)
		session->members->prev = m;
	session->members = m;
	session->nmembers++;
}

void
relay_session_leave(struct relay_session *session, struct relay_member *m)
{
	if (m->prev != NULL)
		m->prev->next = m->next;
	else
		session->members = m->next;
	if (m->next != NULL)
		m->next->prev = m->prev;
	m->prev = m->next = NULL;
	session->nmembers--;
}
