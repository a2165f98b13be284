#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cidr.h"
#include "util.h"

/* The ::ffff:0:0/96 prefix of IPv4-mapped IPv6 addresses. */
static const unsigned char cidr_mapped[12] = {
	0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff
};

/* One address, IPv4 or IPv6, without a prefix. */
static int
cidr_parse_address(const char *text, struct cidr *out)
{
	memset(out, 0, sizeof(*out));
	if (inet_pton(AF_INET, text, out->addr) == 1) {
		out->family = AF_INET;
		out->prefix = 32;
		return 0;
	}
	if (inet_pton(AF_INET6, text, out->addr) == 1) {
		out->family = AF_INET6;
		out->prefix = 128;
		return 0;
	}
	return -1;
}

/* Whether any bit of addr past prefix is set. */
static int
cidr_host_bits(const struct cidr *c)
{
	unsigned	 size = c->family == AF_INET ? 4 : 16, i;

	for (i = c->prefix / 8; i < size; i++) {
		unsigned char	 mask = 0xff;

		if (i == c->prefix / 8)
			mask = (unsigned char)(0xff >> (c->prefix % 8));
		if (c->addr[i] & mask)
			return 1;
	}
	return 0;
}

enum at_error
cidr_parse(const char *text, struct cidr *out, const char **why)
{
	char		 host[CIDR_TEXT_SIZE];
	const char	*slash;
	const char	*reason;
	size_t		 len;
	long		 prefix;

	memset(out, 0, sizeof(*out));
	slash = strchr(text, '/');
	len = slash != NULL ? (size_t)(slash - text) : strlen(text);
	if (len == 0 || len >= sizeof(host)) {
		*why = "is not an IP address";
		return AT_EINVALID;
	}
	memcpy(host, text, len);
	host[len] = '\0';
	if (cidr_parse_address(host, out) == -1) {
		*why = "is not an IP address";
		return AT_EINVALID;
	}
	if (slash != NULL) {
		if (util_parse_long(slash + 1, 0, (long)out->prefix, &prefix,
		    &reason) == -1) {
			*why = out->family == AF_INET ?
			    "has a prefix length outside 0..32" :
			    "has a prefix length outside 0..128";
			return AT_EINVALID;
		}
		out->prefix = (unsigned)prefix;
	}
	if (cidr_host_bits(out)) {
		*why = "has bits set past its prefix length (name the "
		    "network, e.g. 10.0.0.0/8, or one address)";
		return AT_EINVALID;
	}
	return AT_OK;
}

void
cidr_format(const struct cidr *c, char out[CIDR_TEXT_SIZE])
{
	char	 host[INET6_ADDRSTRLEN];

	if (inet_ntop(c->family, c->addr, host, sizeof(host)) == NULL)
		host[0] = '\0';
	snprintf(out, CIDR_TEXT_SIZE, "%s/%u", host, c->prefix);
}

enum at_error
cidr_address(const char *text, char out[CIDR_TEXT_SIZE])
{
	struct cidr	 c;

	out[0] = '\0';
	if (text == NULL || strlen(text) >= INET6_ADDRSTRLEN ||
	    cidr_parse_address(text, &c) == -1)
		return AT_EINVALID;
	if (c.family == AF_INET6 &&
	    memcmp(c.addr, cidr_mapped, sizeof(cidr_mapped)) == 0) {
		memmove(c.addr, c.addr + 12, 4);
		c.family = AF_INET;
	}
	if (inet_ntop(c.family, c.addr, out, CIDR_TEXT_SIZE) == NULL)
		return AT_EINVALID;
	return AT_OK;
}

enum at_error
cidr_list(const char *text, char **out, char **bad, const char **why)
{
	struct cidr	 c;
	char		 entry[CIDR_TEXT_SIZE], canonical[CIDR_TEXT_SIZE];
	char		*list;
	size_t		 len, used = 0, size;
	enum at_error	 rc = AT_OK;

	*out = *bad = NULL;
	/* A canonical entry is at most three times its text ("::" is
	 * "::/128"), and a separator. */
	size = strlen(text) * 3 + CIDR_TEXT_SIZE;
	if ((list = malloc(size)) == NULL)
		return AT_ENOMEM;
	list[0] = '\0';
	for (;;) {
		text += strspn(text, " \t,");
		if (*text == '\0')
			break;
		len = strcspn(text, " \t,");
		if (len >= sizeof(entry)) {
			*why = "is not an IP address";
			rc = AT_EINVALID;
		} else {
			memcpy(entry, text, len);
			entry[len] = '\0';
			rc = cidr_parse(entry, &c, why);
		}
		if (rc != AT_OK) {
			*bad = util_printf("%.*s", (int)len, text);
			if (*bad == NULL)
				rc = AT_ENOMEM;
			free(list);
			return rc;
		}
		cidr_format(&c, canonical);
		used += (size_t)snprintf(list + used, size - used, "%s%s",
		    used > 0 ? " " : "", canonical);
		text += len;
	}
	*out = list;
	return AT_OK;
}
