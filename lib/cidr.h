/*
 * IP networks in CIDR notation ("10.0.0.0/8", "2001:db8::/32"), as the
 * configuration names them (login_trusted_networks), and client
 * addresses as the throttle counts them.  Text in, canonical text out:
 * what PostgreSQL's inet and cidr types then read.  Nothing here
 * resolves a name.
 */
#ifndef ATTENDANCE_CIDR_H
#define ATTENDANCE_CIDR_H

#include <stddef.h>

#include "error.h"

/* INET6_ADDRSTRLEN (46, with the NUL) and "/128". */
#define CIDR_TEXT_SIZE	50

struct cidr {
	int		 family;	/* AF_INET or AF_INET6 */
	unsigned char	 addr[16];	/* 4 bytes used for AF_INET */
	unsigned	 prefix;	/* 0..32 or 0..128 */
};

/*
 * Parses "address/prefix", or a bare address (the network of that one
 * address).  A network with bits set past its prefix ("10.0.0.5/8") is
 * refused, as PostgreSQL's cidr refuses it: the user meant either the
 * address or the network, and only they know which.  Returns AT_OK, or
 * AT_EINVALID with *why a static reason.
 */
enum at_error	 cidr_parse(const char *text, struct cidr *out,
		    const char **why) AT_MUSTCHECK;

/* The canonical text of a network ("2001:db8::/32") into out. */
void	 cidr_format(const struct cidr *, char out[CIDR_TEXT_SIZE]);

/*
 * A client's address (REMOTE_ADDR) in canonical text, an IPv4-mapped
 * IPv6 address ("::ffff:10.0.0.1", from a dual-stack socket) as the IPv4
 * address it is.  AT_EINVALID when text is not an address.
 */
enum at_error	 cidr_address(const char *text, char out[CIDR_TEXT_SIZE])
		    AT_MUSTCHECK;

/*
 * A list of networks separated by spaces or commas, checked, as one
 * malloc'd canonical text separated by single spaces ("" for none).
 * AT_EINVALID with *why (static) and *bad (the offending entry, malloc'd)
 * when one is not a network; the caller frees *out and *bad.
 */
enum at_error	 cidr_list(const char *text, char **out, char **bad,
		    const char **why) AT_MUSTCHECK;

#endif
