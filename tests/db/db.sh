#!/bin/sh
# Runs the PostgreSQL suites (tests/db/suite) against a throwaway server in a
# temporary directory, with a migrated template database for the suites
# to clone; prints the server log when a suite fails.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql

state=$(svc_state db)
trap 'svc_cleanup "$state"' EXIT
svc_pg_start "$state"
svc_pg_createdb "$state" attendance_template
ATTENDANCE_DATABASE=$(svc_pg_conninfo "$state" attendance_template) \
    "$top_builddir/attendance-admin" -c /dev/null migrate

ATTENDANCE_TEST_PGHOST=$(svc_pg_dir "$state")/run
ATTENDANCE_TEST_PGUSER=$SVC_PG_SUPERUSER
ATTENDANCE_TEST_TEMPLATE=attendance_template
ATTENDANCE_ADMIN=$top_builddir/attendance-admin
ATTENDANCE_TEST_FIXTURES=$top_srcdir/tests/db/fixtures
TMPDIR=$state
export ATTENDANCE_TEST_PGHOST ATTENDANCE_TEST_PGUSER ATTENDANCE_TEST_TEMPLATE
export ATTENDANCE_ADMIN ATTENDANCE_TEST_FIXTURES TMPDIR

if ! "$top_builddir/tests/db/suite" "$@"; then
	svc_print_logs "$state"
	exit 1
fi
