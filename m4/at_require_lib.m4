# AT_REQUIRE_LIB(VARIABLE-PREFIX, HEADER, LIBRARY, FUNCTION, DEBIAN-PACKAGE)
# -------------------------------------------------------------------------
# For a library that ships no .pc file: checks HEADER and FUNCTION in
# -lLIBRARY, sets VARIABLE-PREFIX_CFLAGS (empty) and VARIABLE-PREFIX_LIBS,
# and fails with the Debian package to install.
AC_DEFUN([AT_REQUIRE_LIB], [
	AC_CHECK_HEADER([$2], [], [
		AC_MSG_ERROR([$2 not found: install the Debian package $5 (apt-get install $5)])
	])
	AC_CHECK_LIB([$3], [$4], [$1_LIBS="-l$3"], [
		AC_MSG_ERROR([lib$3 not found: install the Debian package $5 (apt-get install $5)])
	])
	AC_SUBST([$1_CFLAGS])
	AC_SUBST([$1_LIBS])
])
