#include <string.h>

#include <sodium.h>

#include "token.h"

void
token_hash(const char *text, char hash_hex[TOKEN_HASH_HEX_SIZE])
{
	unsigned char	 digest[TOKEN_HASH_BYTES];

	crypto_generichash(digest, sizeof(digest), (const unsigned char *)text,
	    strlen(text), NULL, 0);
	hash_hex[0] = '\\';
	hash_hex[1] = 'x';
	sodium_bin2hex(hash_hex + 2, TOKEN_HASH_HEX_SIZE - 2, digest,
	    sizeof(digest));
}

void
token_mint(char text[TOKEN_TEXT_SIZE], char hash_hex[TOKEN_HASH_HEX_SIZE])
{
	unsigned char	 raw[TOKEN_BYTES];

	randombytes_buf(raw, sizeof(raw));
	sodium_bin2base64(text, TOKEN_TEXT_SIZE, raw, sizeof(raw),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
	sodium_memzero(raw, sizeof(raw));
	token_hash(text, hash_hex);
}

int
token_is_well_formed(const char *text)
{
	size_t	 i;

	for (i = 0; i < TOKEN_TEXT_LENGTH; i++) {
		char	 c = text[i];

		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
		    (c >= '0' && c <= '9') || c == '-' || c == '_'))
			return 0;
	}
	/* 43 characters carry 258 bits: the last two must be 0. */
	if (strchr("AEIMQUYcgkosw048", text[TOKEN_TEXT_LENGTH - 1]) == NULL)
		return 0;
	return text[TOKEN_TEXT_LENGTH] == '\0';
}
