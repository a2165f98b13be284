#include <string.h>

#include "password.h"

/*
 * The interactive limits (about 64 MiB and a fraction of a second) suit
 * an online login; they are also what the admin tool uses, so a hash made
 * by either verifies in the other.
 */
#define PASSWORD_OPSLIMIT	crypto_pwhash_OPSLIMIT_INTERACTIVE
#define PASSWORD_MEMLIMIT	crypto_pwhash_MEMLIMIT_INTERACTIVE

enum at_error
password_hash(const char *password, char out[PASSWORD_HASH_SIZE])
{
	if (crypto_pwhash_str(out, password, strlen(password),
	    PASSWORD_OPSLIMIT, PASSWORD_MEMLIMIT) != 0)
		return AT_ENOMEM;
	return AT_OK;
}

int
password_verify(const char *hash, const char *password)
{
	return crypto_pwhash_str_verify(hash, password,
	    strlen(password)) == 0;
}
