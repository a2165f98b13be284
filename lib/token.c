#include <stdint.h>
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

/* Crockford's base32: no I L O U, which a reader takes for others. */
static const char	 token_code_alphabet[] =
    "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

void
token_mint_code(char code[TOKEN_CODE_SIZE],
    char hash_hex[TOKEN_HASH_HEX_SIZE])
{
	unsigned char	 raw[5];	/* 40 bits: 8 characters of 5 */
	uint64_t	 bits = 0;
	size_t		 i;

	randombytes_buf(raw, sizeof(raw));
	for (i = 0; i < sizeof(raw); i++)
		bits = bits << 8 | raw[i];
	for (i = TOKEN_CODE_LENGTH; i > 0; i--) {
		code[i - 1] = token_code_alphabet[bits & 0x1f];
		bits >>= 5;
	}
	code[TOKEN_CODE_LENGTH] = '\0';
	sodium_memzero(raw, sizeof(raw));
	token_hash(code, hash_hex);
}

void
token_mint_qr(struct token_qr *t)
{
	token_mint(t->text, t->hash);
	token_mint_code(t->code, t->code_hash);
}

int
token_code_clean(const char *typed, char code[TOKEN_CODE_SIZE])
{
	size_t	 n = 0;
	char	 c;

	for (; *typed != '\0'; typed++) {
		c = *typed;
		if (c == ' ' || c == '-' || c == '\t')
			continue;
		if (c >= 'a' && c <= 'z')
			c = (char)(c - 'a' + 'A');
		if (c == 'I' || c == 'L')
			c = '1';
		else if (c == 'O')
			c = '0';
		if (c == '\0' || strchr(token_code_alphabet, c) == NULL ||
		    n == TOKEN_CODE_LENGTH)
			return -1;
		code[n++] = c;
	}
	code[n] = '\0';
	return n == TOKEN_CODE_LENGTH ? 0 : -1;
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
