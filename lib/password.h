/* Password hashing with libsodium's crypto_pwhash_str (Argon2id). */
#ifndef ATTENDANCE_PASSWORD_H
#define ATTENDANCE_PASSWORD_H

#include <sodium.h>

#include "error.h"

#define PASSWORD_HASH_SIZE	crypto_pwhash_STRBYTES

/* Call util_crypto_init() first. */

/* Hashes password into out (NUL-terminated); AT_ENOMEM when it cannot. */
enum at_error	 password_hash(const char *password,
		    char out[PASSWORD_HASH_SIZE]) AT_MUSTCHECK;

/* 1 when password matches hash, 0 otherwise (including a bad hash). */
int	 password_verify(const char *hash, const char *password);

#endif
