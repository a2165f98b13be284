/*
 * lib/token.h: minting QR tokens and sid cookies, their stored hash, and
 * the shape check that runs before any query.
 */
#include <string.h>

#include <criterion/criterion.h>

#include "util.h"
#include "token.h"

static void
token_setup(void)
{
	cr_assert_eq(util_crypto_init(), 0, "sodium_init failed");
}

TestSuite(token, .init = token_setup);

static int
is_base64url(char c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') ||
	    (c >= '0' && c <= '9') || c == '-' || c == '_';
}

static int
is_lower_hex(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f');
}

/* hash is "\x" and 64 lowercase hex digits. */
static void
assert_hash_shape(const char *hash)
{
	size_t	 i;

	cr_assert_eq(strlen(hash), TOKEN_HASH_HEX_SIZE - 1, "length of %s",
	    hash);
	cr_assert_eq(hash[0], '\\');
	cr_assert_eq(hash[1], 'x');
	for (i = 2; hash[i] != '\0'; i++)
		cr_assert(is_lower_hex(hash[i]), "not hex at %zu: %s", i,
		    hash);
}

Test(token, mint_shape)
{
	char	 text[TOKEN_TEXT_SIZE], hash[TOKEN_HASH_HEX_SIZE];
	size_t	 i;

	memset(text, 'X', sizeof(text));
	memset(hash, 'X', sizeof(hash));
	token_mint(text, hash);
	cr_assert_eq(strlen(text), 43);
	cr_assert_eq(TOKEN_TEXT_LENGTH, 43);
	for (i = 0; i < TOKEN_TEXT_LENGTH; i++)
		cr_assert(is_base64url(text[i]), "'%c' at %zu", text[i], i);
	cr_assert(token_is_well_formed(text), "%s", text);
	assert_hash_shape(hash);
}

/* Many mints: every one well formed, none repeated, hash matches text. */
Test(token, mints_are_well_formed_and_differ)
{
	enum { N = 200 };
	static char	 texts[N][TOKEN_TEXT_SIZE];
	char		 hash[TOKEN_HASH_HEX_SIZE], again[TOKEN_HASH_HEX_SIZE];
	size_t		 i, j;

	for (i = 0; i < N; i++) {
		token_mint(texts[i], hash);
		cr_assert(token_is_well_formed(texts[i]), "%s", texts[i]);
		token_hash(texts[i], again);
		cr_assert_str_eq(hash, again, "mint's hash of %s", texts[i]);
		for (j = 0; j < i; j++)
			cr_assert_str_neq(texts[i], texts[j]);
	}
}

Test(token, hash_is_deterministic)
{
	char	 a[TOKEN_HASH_HEX_SIZE], b[TOKEN_HASH_HEX_SIZE];

	token_hash("some token text", a);
	token_hash("some token text", b);
	assert_hash_shape(a);
	cr_assert_str_eq(a, b);
}

Test(token, hash_differs_with_text)
{
	char	 a[TOKEN_HASH_HEX_SIZE], b[TOKEN_HASH_HEX_SIZE];

	token_hash("some token text", a);
	token_hash("some token texu", b);
	cr_assert_str_neq(a, b);
	token_hash("", b);
	cr_assert_str_neq(a, b);
}

/*
 * Unkeyed BLAKE2b-256 (RFC 7693): the hashes already in a database stay
 * valid only while this does not change.
 */
Test(token, hash_known_answers)
{
	char	 h[TOKEN_HASH_HEX_SIZE];

	token_hash("", h);
	cr_assert_str_eq(h, "\\x0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f"
	    "7787faab45cdf12fe3a8");
	token_hash("abc", h);
	cr_assert_str_eq(h, "\\xbddd813c634239723171ef3fee98579b94964e3bb1cb"
	    "3e427262c8c068d52319");
}

Test(token, well_formed_accepts)
{
	/* 42 base64url characters and one whose spare bits are zero. */
	cr_assert(token_is_well_formed(
	    "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"));
	cr_assert(token_is_well_formed(
	    "abcdefghijklmnopqrstuvwxyz0123456789-_ABCDE"));
}

/* The largest value: every bit set but the two spare ones. */
Test(token, well_formed_all_ones)
{
	char	 text[TOKEN_TEXT_SIZE];

	memset(text, '_', TOKEN_TEXT_LENGTH - 1);
	text[TOKEN_TEXT_LENGTH - 1] = '8';
	text[TOKEN_TEXT_LENGTH] = '\0';
	cr_assert(token_is_well_formed(text), "%s", text);
	text[TOKEN_TEXT_LENGTH - 1] = '_';
	cr_assert_not(token_is_well_formed(text), "%s", text);
}

Test(token, well_formed_length)
{
	char	 text[TOKEN_TEXT_SIZE], hash[TOKEN_HASH_HEX_SIZE];
	char	 longer[TOKEN_TEXT_SIZE + 1];

	token_mint(text, hash);
	/* 44 characters. */
	memcpy(longer, text, TOKEN_TEXT_LENGTH);
	longer[TOKEN_TEXT_LENGTH] = 'A';
	longer[TOKEN_TEXT_LENGTH + 1] = '\0';
	cr_assert_not(token_is_well_formed(longer), "%s", longer);
	/* 42 characters. */
	text[TOKEN_TEXT_LENGTH - 1] = '\0';
	cr_assert_not(token_is_well_formed(text), "%s", text);
	cr_assert_not(token_is_well_formed(""));
	cr_assert_not(token_is_well_formed("A"));
}

/* Standard base64, padding and anything else are refused, anywhere. */
Test(token, well_formed_alphabet)
{
	static const char	 bad[] = "+/= .%\t\"\x80";
	char			 text[TOKEN_TEXT_SIZE], copy[TOKEN_TEXT_SIZE];
	char			 hash[TOKEN_HASH_HEX_SIZE];
	size_t			 i, at;
	static const size_t	 where[] = { 0, 20, TOKEN_TEXT_LENGTH - 2 };

	token_mint(text, hash);
	for (i = 0; bad[i] != '\0'; i++)
		for (at = 0; at < sizeof(where) / sizeof(where[0]); at++) {
			memcpy(copy, text, sizeof(copy));
			copy[where[at]] = bad[i];
			cr_assert_not(token_is_well_formed(copy),
			    "'%c' at %zu", bad[i], where[at]);
		}
	/* "=" padding in place of the last character. */
	memcpy(copy, text, sizeof(copy));
	copy[TOKEN_TEXT_LENGTH - 1] = '=';
	cr_assert_not(token_is_well_formed(copy));
}

/*
 * 43 characters carry 258 bits for 256: the last character's two low
 * bits must be zero, so a token has one spelling only.
 */
Test(token, well_formed_spare_bits)
{
	static const char	 zero[] = "AEIMQUYcgkosw048";
	static const char	 alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
	    "abcdefghijklmnopqrstuvwxyz0123456789-_";
	char			 text[TOKEN_TEXT_SIZE];
	char			 hash[TOKEN_HASH_HEX_SIZE];
	size_t			 i;

	token_mint(text, hash);
	cr_assert_not_null(strchr(zero, text[TOKEN_TEXT_LENGTH - 1]),
	    "minted %s", text);
	for (i = 0; alphabet[i] != '\0'; i++) {
		text[TOKEN_TEXT_LENGTH - 1] = alphabet[i];
		if (strchr(zero, alphabet[i]) != NULL)
			cr_assert(token_is_well_formed(text), "%s", text);
		else
			cr_assert_not(token_is_well_formed(text), "%s", text);
	}
	text[TOKEN_TEXT_LENGTH - 1] = 'B';
	cr_assert_not(token_is_well_formed(text), "%s", text);
}

/* (v1.1) The typed code: its alphabet, and what a student may type. */
Test(token, codes)
{
	char	 code[TOKEN_CODE_SIZE], again[TOKEN_CODE_SIZE];
	char	 hash[TOKEN_HASH_HEX_SIZE], hash2[TOKEN_HASH_HEX_SIZE];
	int	 i;

	for (i = 0; i < 200; i++) {
		token_mint_code(code, hash);
		cr_assert_eq(strlen(code), 8);
		cr_assert_eq(strspn(code, "0123456789ABCDEFGHJKMNPQRSTVWXYZ"),
		    8, "%s", code);
		cr_assert_eq(token_code_clean(code, again), 0);
		cr_assert_str_eq(again, code);
		token_hash(code, hash2);
		cr_assert_str_eq(hash, hash2);
	}
	cr_assert_eq(token_code_clean("ab12-cd34", code), 0);
	cr_assert_str_eq(code, "AB12CD34");
	cr_assert_eq(token_code_clean(" il0o 1L  oO ", code), 0);
	cr_assert_str_eq(code, "11001100");
	cr_assert_eq(token_code_clean("AB12CD3", code), -1);
	cr_assert_eq(token_code_clean("AB12CD345", code), -1);
	cr_assert_eq(token_code_clean("AB12CD3U", code), -1, "U is not in it");
	cr_assert_eq(token_code_clean("AB12_D34", code), -1);
	cr_assert_eq(token_code_clean("AB12\xc3\xa9D3", code), -1);
	cr_assert_eq(token_code_clean("", code), -1);
}
