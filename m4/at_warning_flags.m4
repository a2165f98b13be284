# AT_CHECK_CFLAG(FLAG, [ACTION-IF-OK], [ACTION-IF-NOT])
# ------------------------------------------------------
# Whether the C compiler accepts FLAG (with -Werror, so an unknown flag
# that only warns counts as unsupported).
AC_DEFUN([AT_CHECK_CFLAG], [
	AS_VAR_PUSHDEF([at_var], [at_cv_cflag_$1])
	AC_CACHE_CHECK([whether $CC accepts $1], [at_var], [
		at_save_CFLAGS=$CFLAGS
		at_save_LDFLAGS=$LDFLAGS
		CFLAGS="$CFLAGS -Werror $1"
		LDFLAGS="$LDFLAGS $1"
		AC_LINK_IFELSE([AC_LANG_PROGRAM([], [])],
			[AS_VAR_SET([at_var], [yes])], [AS_VAR_SET([at_var], [no])])
		CFLAGS=$at_save_CFLAGS
		LDFLAGS=$at_save_LDFLAGS
	])
	AS_VAR_IF([at_var], [yes], [$2], [$3])
	AS_VAR_POPDEF([at_var])
])

# AT_WARNING_FLAGS
# ----------------
# The warning set of ../shared/STYLE.md plus -Wconversion, each flag kept
# only if the compiler accepts it; the result goes to AT_CFLAGS.
AC_DEFUN([AT_WARNING_FLAGS], [
	AT_CFLAGS=
	for at_flag in -std=c11 -Wall -Wextra -Wformat=2 -Wmissing-prototypes \
	    -Wstrict-prototypes -Wmissing-declarations -Wold-style-definition \
	    -Wwrite-strings -Wshadow -Wpointer-arith -Wundef \
	    -Wimplicit-fallthrough -Wvla -Wconversion -Wsign-conversion \
	    -Wno-unused-parameter -Wno-missing-field-initializers; do
		AT_CHECK_CFLAG([$at_flag], [AT_CFLAGS="$AT_CFLAGS $at_flag"])
	done
])
