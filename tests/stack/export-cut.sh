#!/bin/sh
# The CSV export when PostgreSQL fails after its first line went out
# (issue 15), through nginx: tests/stack/export-cut.py stands between
# nginx and the worker, holds the response mid-file while the test ends
# the worker's database connection, and sees that the worker ends its
# response as no complete one ends (a record nginx refuses, no end of
# request) and that nginx fails the download (no last chunk); the file
# received lacks its last line end, and the next export is whole.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql redis-server nginx spawn-fcgi multiwatch psql $python
svc_require_built "$top_builddir" attendance-admin attendance-fcgi

state=$(svc_state export-cut)
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT
trap 'exit 1' INT TERM

svc_data_start "$state" "$top_builddir/attendance-admin"
"$top_builddir/attendance-admin" -c "$state/attendance.conf" demo \
    >/dev/null 2>&1 || fail "attendance-admin demo"
conninfo=$(svc_pg_conninfo "$state")
# 24,000 lines, about 5 MB: far more than the sockets between PostgreSQL,
# the worker and the proxy hold while the proxy holds the response.
course=$(psql "$conninfo" -qtAX -v professor=prof -v students=600 \
    -v sessions=20 -v rounds=2 -f "$top_srcdir/bench/export_setup.sql") ||
    fail "bench/export_setup.sql"
# One worker, so that the export after the cut is the same worker's.
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 1
# nginx sends /api/ to run/fcgi.sock: the proxy's, in front of the
# worker's (still listening under its new name).
mv "$state/run/fcgi.sock" "$state/run/worker.sock"
svc_nginx_start "$state" "unix:$state/run/http.sock"
"$python" "$top_srcdir/tests/stack/export-cut.py" "$state" "$course" \
    "$conninfo" 24000 || fail "export-cut.py"
grep -q 'export.csv: cut after [0-9]* bytes of the body: database' \
    "$state/log/fcgi.log" || fail "no log line for the cut export"
echo "ok - the worker's log says where the export was cut, and why"
