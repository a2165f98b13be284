/*
 * Bearer tokens: QR tokens and sid cookies.  A token is 32 bytes from
 * libsodium's RNG sent as 43 characters of unpadded base64url; only its
 * BLAKE2b-256 hash is ever stored, so a database dump reveals nothing
 * usable.  Call util_crypto_init() first.
 */
#ifndef ATTENDANCE_TOKEN_H
#define ATTENDANCE_TOKEN_H

#include <stddef.h>

#define TOKEN_BYTES		32
#define TOKEN_TEXT_LENGTH	43	/* base64url of 32 bytes, no padding */
#define TOKEN_TEXT_SIZE		(TOKEN_TEXT_LENGTH + 1)
#define TOKEN_HASH_BYTES	32
/* The hash as a PostgreSQL bytea literal: "\x" and 64 hex digits. */
#define TOKEN_HASH_HEX_SIZE	(2 + 2 * TOKEN_HASH_BYTES + 1)

/* A fresh token in text form and the hex bytea literal of its hash. */
void	 token_mint(char text[TOKEN_TEXT_SIZE],
	    char hash_hex[TOKEN_HASH_HEX_SIZE]);

/* Whether text has the shape of a token (length and alphabet). */
int	 token_is_well_formed(const char *text);

/* The hex bytea literal of text's hash (text need not be well formed). */
void	 token_hash(const char *text, char hash_hex[TOKEN_HASH_HEX_SIZE]);

#endif
