#!/bin/sh
# Slow request bodies against two real workers (tests/stack/slow-body.py
# speaks FastCGI, as Apache's mod_proxy_fcgi does, passing the body on as
# it trickles in): request_body_timeout drops them, nothing is written,
# and the workers keep answering.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql redis-server spawn-fcgi multiwatch psql $python
svc_require_built "$top_builddir" attendance-admin attendance-fcgi

state=$(svc_state slow-body)
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
echo "request_body_timeout = 2" >>"$state/attendance.conf"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
"$python" "$top_srcdir/tests/stack/slow-body.py" "$state/run/fcgi.sock" \
    "$(svc_pg_conninfo "$state")" || fail "slow-body.py"
grep -q 'the body took longer than 2 s: dropped' "$state/log/fcgi.log" ||
    fail "no log line for a dropped body"
echo "ok - the log says why"
