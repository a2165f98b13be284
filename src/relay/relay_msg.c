#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "json.h"
#include "relay_msg.h"
#include "validate.h"

int
relay_msg_event(const char *msg, size_t len, char *name, size_t size)
{
	json_object	*root = NULL, *event;
	const char	*s;
	size_t		 n;
	int		 rc = -1;

	if (json_parse(msg, len, &root) != 0)
		goto out;
	if (!json_object_is_type(root, json_type_object) ||
	    !json_object_object_get_ex(root, "event", &event) ||
	    !json_object_is_type(event, json_type_string))
		goto out;
	s = json_object_get_string(event);
	n = (size_t)json_object_get_string_len(event);
	if (n >= size || memchr(s, '\0', n) != NULL)
		goto out;
	memcpy(name, s, n);
	name[n] = '\0';
	rc = 0;
out:
	json_object_put(root);
	return rc;
}

int
relay_msg_sendable(const char *msg, size_t len)
{
	return validate_utf8(msg, len);
}

char *
relay_msg_round_started(const char *data, size_t *len)
{
	static const char	 head[] =
	    "{\"event\":\"round:started\",\"data\":";
	size_t			 dlen = strlen(data);
	char			*out;

	if ((out = malloc(sizeof(head) + dlen + 1)) == NULL)
		return NULL;
	memcpy(out, head, sizeof(head) - 1);
	memcpy(out + sizeof(head) - 1, data, dlen);
	out[sizeof(head) - 1 + dlen] = '}';
	out[sizeof(head) + dlen] = '\0';
	*len = sizeof(head) + dlen;
	return out;
}

size_t
relay_msg_resync(char out[RELAY_MSG_RESYNC_SIZE], const char *session_id)
{
	int	 n;

	n = snprintf(out, RELAY_MSG_RESYNC_SIZE,
	    "{\"event\":\"relay:resync\",\"data\":{\"sessionId\":\"%s\"}}",
	    session_id);
	return n > 0 && n < RELAY_MSG_RESYNC_SIZE ? (size_t)n : 0;
}
