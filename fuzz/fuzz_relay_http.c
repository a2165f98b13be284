/*
 * libFuzzer target: relay_http_parse, the relay's upgrade request parser,
 * on any bytes.  Invariants: MORE only below the head limit; BAD always
 * with one of the documented statuses and a reason, and an answer that
 * fits RELAY_HTTP_ANSWER_MAX; OK means the whole input is the head, a
 * known target, a lowercase UUID session, bounded Origin and sid, and a
 * 28-character accept key for an upgrade.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "relay_http.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct relay_http_request req;
	struct relay_http_refusal bad;
	char		 uuid[HTTP_UUID_SIZE], body[256];
	char		 answer[RELAY_HTTP_ANSWER_MAX];
	int		 rc;

	rc = relay_http_parse((const char *)data, size, &req, &bad);
	switch (rc) {
	case RELAY_HTTP_MORE:
		assert(size < RELAY_HTTP_HEAD_MAX);
		break;
	case RELAY_HTTP_BAD:
		assert(bad.why != NULL);
		assert(bad.status == 400 || bad.status == 404 ||
		    bad.status == 405 || bad.status == 426 ||
		    bad.status == 431 || bad.status == 505);
		assert(bad.status == error_http_status(bad.err) ||
		    bad.err == AT_EINVALID);
		assert(relay_http_error_body(body, sizeof(body),
		    error_code(bad.err), bad.why) > 0);
		assert(relay_http_answer(answer, sizeof(answer), bad.status,
		    body) > 0);
		break;
	case RELAY_HTTP_OK:
		assert(req.length == size && size <= RELAY_HTTP_HEAD_MAX);
		assert(req.target == RELAY_HTTP_WEBSOCKET ||
		    req.target == RELAY_HTTP_HEALTH);
		if (req.has_session) {
			assert(http_uuid(req.session_id, uuid) == 1);
			assert(strcmp(uuid, req.session_id) == 0);
		}
		if (req.has_origin)
			assert(strlen(req.origin) <= RELAY_HTTP_ORIGIN_MAX);
		if (req.has_sid)
			assert(strlen(req.sid) <= RELAY_HTTP_SID_MAX);
		if (req.target == RELAY_HTTP_WEBSOCKET) {
			assert(strlen(req.accept) ==
			    RELAY_HTTP_ACCEPT_SIZE - 1);
			assert(relay_http_switching(answer, sizeof(answer),
			    req.accept) > 0);
		}
		break;
	default:
		abort();
	}
	return 0;
}
