# AT_REQUIRE_PKG(VARIABLE-PREFIX, MODULES, DEBIAN-PACKAGE)
# ---------------------------------------------------------
# PKG_CHECK_MODULES that fails with the Debian package to install.
AC_DEFUN([AT_REQUIRE_PKG], [
	PKG_CHECK_MODULES([$1], [$2], [], [
		AC_MSG_ERROR([$2 not found: install the Debian package $3 (apt-get install $3)])
	])
])
