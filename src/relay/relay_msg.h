/*
 * The messages the relay reads and writes, pure functions on strings:
 * the name of an event published by the workers ({"event": NAME, "data":
 * DATA}, see lib/events.h), and the two events the relay makes itself,
 * round:started (at the upgrade) and relay:resync (after a Redis outage).
 */
#ifndef ATTENDANCE_RELAY_MSG_H
#define ATTENDANCE_RELAY_MSG_H

#include <stddef.h>

#include "http.h"

#define RELAY_MSG_EVENT_MAX	64	/* longest event name read */
/* {"event":"relay:resync","data":{"sessionId":"<uuid>"}} and a NUL. */
#define RELAY_MSG_RESYNC_SIZE	(48 + HTTP_UUID_SIZE)

/*
 * Copies the "event" member of the JSON object msg[0..len) into name.
 * Returns 0, or -1 when msg is not such an object or the name does not
 * fit in size bytes.
 */
int	 relay_msg_event(const char *msg, size_t len, char *name,
	    size_t size);

/*
 * Whether msg[0..len) may be forwarded as a text frame: well-formed
 * UTF-8 (RFC 6455 requires it of text frames) without NUL.
 */
int	 relay_msg_sendable(const char *msg, size_t len);

/*
 * {"event":"round:started","data":DATA} for the JSON object data, with
 * its length in *len; malloc'd (the caller frees), NULL when out of
 * memory.
 */
char	*relay_msg_round_started(const char *data, size_t *len);

/* {"event":"relay:resync","data":{"sessionId":ID}}; returns its length. */
size_t	 relay_msg_resync(char out[RELAY_MSG_RESYNC_SIZE],
	    const char *session_id);

#endif
