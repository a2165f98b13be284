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

/*
 * (v1.1) The typed code beside each QR token: 8 characters of
 * Crockford's base32 (0-9 A-Z without I L O U), 40 random bits
 * independent of the token; stored only as token_hash() of its text.
 */
#define TOKEN_CODE_LENGTH	8
#define TOKEN_CODE_SIZE		(TOKEN_CODE_LENGTH + 1)

/* A fresh code and the hex bytea literal of its hash. */
void	 token_mint_code(char code[TOKEN_CODE_SIZE],
	    char hash_hex[TOKEN_HASH_HEX_SIZE]);

/*
 * A code as a student typed it, made canonical: case, spaces and hyphens
 * ignored, I and L read as 1, O as 0.  Returns 0, or -1 when it is not 8
 * characters of the alphabet then.
 */
int	 token_code_clean(const char *typed, char code[TOKEN_CODE_SIZE]);

/* A QR token with its typed code, as a round's next one is minted. */
struct token_qr {
	char	 text[TOKEN_TEXT_SIZE];
	char	 hash[TOKEN_HASH_HEX_SIZE];
	char	 code[TOKEN_CODE_SIZE];
	char	 code_hash[TOKEN_HASH_HEX_SIZE];
};

void	 token_mint_qr(struct token_qr *);

/* Whether text has the shape of a token (length and alphabet). */
int	 token_is_well_formed(const char *text);

/* The hex bytea literal of text's hash (text need not be well formed). */
void	 token_hash(const char *text, char hash_hex[TOKEN_HASH_HEX_SIZE]);

#endif
