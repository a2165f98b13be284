#!/bin/sh
# Proof of presence against real workers, PostgreSQL and Redis, driven
# by tests/stack/presence.py (which speaks FastCGI to the workers as a web
# server does, so that it chooses each scan's address): a course's
# networks, a scan's evidence and flags (shared_device, outside_network,
# no_device), policy refuse, the professor's override, the record list.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql redis-server spawn-fcgi multiwatch psql $python
svc_require_built "$top_builddir" attendance-admin attendance-fcgi

state=$(svc_state presence)
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT
trap 'exit 1' INT TERM

svc_data_start "$state" "$top_builddir/attendance-admin"
admin() {
	"$top_builddir/attendance-admin" -c "$state/attendance.conf" "$@"
}
admin demo >/dev/null 2>&1 || fail "attendance-admin demo"
printf 'prof2-pass\n' | admin user add --role professor --username prof2 \
    --email prof2@demo.example.edu --display-name "Other Professor" \
    --password-stdin >/dev/null || fail "user add prof2"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
"$python" "$top_srcdir/tests/stack/presence.py" "$state/run/fcgi.sock" \
    "$(svc_pg_conninfo "$state")" "$(svc_redis_socket "$state")" \
    "$state/redis/admin-password" || fail "presence.py"

# Evidence older than evidence_retention_days is cleared; flags stay.
conninfo=$(svc_pg_conninfo "$state")
psql "$conninfo" -qc "UPDATE attendance_records SET recorded_at = now() -
    interval '181 days' WHERE address IS NOT NULL AND 'no_device' =
    ANY (flags)" || fail "ageing the records"
aged=$(psql "$conninfo" -XtAc "SELECT count(*) FROM attendance_records
    WHERE recorded_at < now() - interval '180 days'")
admin purge >"$state/purge.out" || fail "attendance-admin purge"
grep -q "the evidence of $aged scans" "$state/purge.out" ||
    fail "purge: $(cat "$state/purge.out") (expected $aged)"
[ "$(psql "$conninfo" -XtAc "SELECT count(*) FROM attendance_records
    WHERE recorded_at < now() - interval '180 days' AND (address IS NOT NULL
    OR device_hash IS NOT NULL OR user_agent IS NOT NULL OR flags = '{}')")" \
    = 0 ] || fail "purge left evidence, or took the flags"
echo "ok - purge clears the evidence of $aged old scans and keeps their flags"

