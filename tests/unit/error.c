/*
 * lib/error.h: the one mapping from the project's error enum to the API
 * contract's error codes and HTTP statuses.
 */
#include <criterion/criterion.h>

#include "error.h"

/* The contract's table (../shared/spec/API.md), copied by hand. */
static const struct {
	int		 err;
	const char	*code;
	int		 status;
} contract[] = {
	{ AT_EINVALID,		"invalid_request",		400 },
	{ AT_EUNAUTHENTICATED,	"unauthenticated",		401 },
	{ AT_EBADCREDENTIALS,	"invalid_credentials",		401 },
	{ AT_EFORBIDDEN,	"forbidden",			403 },
	{ AT_ECSRF,		"csrf_origin",			403 },
	{ AT_ENOTENROLLED,	"not_enrolled",			403 },
	{ AT_EOUTSIDE,		"outside_network",		403 },
	{ AT_EINVALIDTOKEN,	"invalid_token",		403 },
	{ AT_ENOTFOUND,		"not_found",			404 },
	{ AT_EMETHOD,		"method_not_allowed",		405 },
	{ AT_ECONFLICT,		"conflict",			409 },
	{ AT_EALREADYENROLLED,	"already_enrolled",		409 },
	{ AT_ESESSIONACTIVE,	"session_active",		409 },
	{ AT_ESESSIONENDED,	"session_ended",		409 },
	{ AT_EROUNDCLOSED,	"round_closed",			409 },
	{ AT_EALREADYRECORDED,	"already_recorded",		409 },
	{ AT_ETOKENUSED,	"token_used",			409 },
	{ AT_ETOKENEXPIRED,	"token_expired",		410 },
	{ AT_ETOOLARGE,		"payload_too_large",		413 },
	{ AT_EMEDIATYPE,	"unsupported_media_type",	415 },
	{ AT_ERATELIMITED,	"rate_limited",			429 },
	{ AT_EINTERNAL,		"internal",			500 },
	{ AT_EUNAVAILABLE,	"unavailable",			503 },
};

Test(error, every_value_has_code_and_string)
{
	const char	*s;
	int		 err;

	for (err = AT_OK; err < AT_ERROR_COUNT; err++) {
		s = error_code(err);
		cr_assert_not_null(s, "error_code(%d)", err);
		cr_assert_neq(s[0], '\0', "error_code(%d) is empty", err);
		s = error_string(err);
		cr_assert_not_null(s, "error_string(%d)", err);
		cr_assert_neq(s[0], '\0', "error_string(%d) is empty", err);
		cr_assert_geq(error_http_status(err), 200, "status of %d",
		    err);
		cr_assert_leq(error_http_status(err), 599, "status of %d",
		    err);
	}
}

Test(error, ok_is_success)
{
	cr_assert_eq(AT_OK, 0);
	cr_assert_eq(error_http_status(AT_OK), 200);
}

Test(error, contract_table)
{
	size_t	 i;

	for (i = 0; i < sizeof(contract) / sizeof(contract[0]); i++) {
		cr_assert_str_eq(error_code(contract[i].err), contract[i].code,
		    "error_code(%d)", contract[i].err);
		cr_assert_eq(error_http_status(contract[i].err),
		    contract[i].status, "status of %s", contract[i].code);
	}
}

/* Every error but AT_OK and AT_ENOMEM must be in the table above. */
Test(error, contract_table_is_complete)
{
	size_t	 i;
	int	 err, found;

	for (err = AT_OK + 1; err < AT_ERROR_COUNT; err++) {
		if (err == AT_ENOMEM)
			continue;
		found = 0;
		for (i = 0; i < sizeof(contract) / sizeof(contract[0]); i++)
			if (contract[i].err == err)
				found = 1;
		cr_assert(found, "error %d (%s) missing from the contract",
		    err, error_code(err));
	}
}

/* Out of memory is the server's fault, not a code of its own. */
Test(error, enomem_is_internal)
{
	cr_assert_str_eq(error_code(AT_ENOMEM), "internal");
	cr_assert_eq(error_http_status(AT_ENOMEM), 500);
}

Test(error, out_of_range)
{
	static const int values[] = { -1, AT_ERROR_COUNT, AT_ERROR_COUNT + 1,
	    1000000, -1000000 };
	size_t	 i;

	for (i = 0; i < sizeof(values) / sizeof(values[0]); i++) {
		cr_assert_str_eq(error_code(values[i]), "internal",
		    "error_code(%d)", values[i]);
		cr_assert_eq(error_http_status(values[i]), 500,
		    "error_http_status(%d)", values[i]);
		cr_assert_not_null(error_string(values[i]),
		    "error_string(%d)", values[i]);
		cr_assert_neq(error_string(values[i])[0], '\0');
	}
}

/* error_from_code() is error_code() read backwards, for every code. */
Test(error, from_code_round_trip)
{
	size_t	 i;

	for (i = 0; i < sizeof(contract) / sizeof(contract[0]); i++)
		cr_assert_eq(error_from_code(contract[i].code),
		    contract[i].err, "error_from_code(\"%s\")",
		    contract[i].code);
}

Test(error, from_code_of_every_value)
{
	int	 err;

	for (err = AT_OK + 1; err < AT_ERROR_COUNT; err++) {
		if (err == AT_ENOMEM)	/* shares "internal" */
			continue;
		cr_assert_eq(error_from_code(error_code(err)), err,
		    "error_from_code(\"%s\")", error_code(err));
	}
}

/* "internal" is the bug, not out of memory, which shares its code. */
Test(error, from_code_internal)
{
	cr_assert_eq(error_from_code("internal"), AT_EINTERNAL);
}

/* Anything that is not exactly a contract code is a bug: internal. */
Test(error, from_code_unknown)
{
	static const char *const codes[] = {
		"", "ok", "nope", "NOT_FOUND", "Not_found", "not_found ",
		" not_found", "not_foun", "not_found_x", "notfound",
		"session", "token_", "unavailable\n",
	};
	size_t	 i;

	for (i = 0; i < sizeof(codes) / sizeof(codes[0]); i++)
		cr_assert_eq(error_from_code(codes[i]), AT_EINTERNAL,
		    "error_from_code(\"%s\")", codes[i]);
}
