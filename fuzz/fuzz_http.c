/*
 * libFuzzer target: the header helpers of lib/http.c.  The input is split
 * at its first newline into a and b (both NUL-terminated copies).
 * Invariants: a cookie value found fits its buffer (sized exactly, so
 * ASan sees a byte too many), is not empty and holds no ';'; an origin
 * without separators is allowed by itself; http_is_json implies the
 * media type; http_uuid's output is 36 lowercase characters equal to
 * its input but for case, and is itself a UUID.
 */
#include <assert.h>
#include <ctype.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "http.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

static void
fuzz_cookie(const char *header, const char *name, size_t outsize)
{
	char	*out;
	size_t	 len;

	if ((out = malloc(outsize)) == NULL)
		return;
	if (http_cookie_value(header, name, out, outsize) == 0) {
		len = strlen(out);
		assert(len > 0 && len < outsize);
		assert(strchr(out, ';') == NULL);
		assert(strstr(header, out) != NULL);
	}
	free(out);
}

static void
fuzz_uuid(const char *s)
{
	char	 out[HTTP_UUID_SIZE], again[HTTP_UUID_SIZE];
	size_t	 i;
	int	 ok;

	memset(out, 'x', sizeof(out));
	ok = http_uuid(s, out);
	assert(ok == http_uuid(s, NULL));
	if (!ok)
		return;
	assert(strlen(s) == HTTP_UUID_SIZE - 1);
	assert(strlen(out) == HTTP_UUID_SIZE - 1);
	assert(strcasecmp(s, out) == 0);
	for (i = 0; i < HTTP_UUID_SIZE - 1; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23)
			assert(out[i] == '-');
		else
			assert(isxdigit((unsigned char)out[i]) &&
			    !isupper((unsigned char)out[i]));
	}
	assert(http_uuid(out, again) == 1 && strcmp(out, again) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char		*buf, *a, *b, *nl;
	const char	*ct;
	size_t		 blen;

	if ((buf = malloc(size + 1)) == NULL)
		return 0;
	memcpy(buf, data, size);
	buf[size] = '\0';
	a = buf;
	if ((nl = strchr(buf, '\n')) != NULL) {
		*nl = '\0';
		b = nl + 1;
	} else
		b = buf + strlen(buf);

	/* Cookie: header b, name a; buffers of 1, 2, 8 and 129 bytes. */
	fuzz_cookie(b, a, 1);
	fuzz_cookie(b, a, 2);
	fuzz_cookie(b, a, 8);
	fuzz_cookie(b, a, 129);
	fuzz_cookie(a, "sid", 129);

	/* Origin: allowed list a, origin b. */
	(void)http_origin_allowed(a, b);
	blen = strlen(b);
	if (strcspn(b, " \t,") == blen && blen > 0 &&
	    !(blen == 1 && b[0] == '/'))
		assert(http_origin_allowed(b, b));

	if (http_is_json(a)) {
		ct = a + strspn(a, " ");
		assert(strncasecmp(ct, "application/json", 16) == 0);
	}
	fuzz_uuid(a);
	fuzz_uuid(b);
	free(buf);
	return 0;
}
