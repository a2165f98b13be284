#!/bin/sh
# A database host that stops answering: the workers connect to PostgreSQL
# through tests/stack/db-timeouts.py's listener, which first forwards,
# then accepts connections and never answers, then forwards again.  The
# workers answer 503 unavailable within database_connect_timeout, recover
# by themselves, and a lock held elsewhere past database_lock_timeout is
# 503 too.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql redis-server spawn-fcgi multiwatch psql $python
svc_require_built "$top_builddir" attendance-admin attendance-fcgi

state=$(svc_state db-timeouts)
proxy=
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
cleanup() {
	[ -z "$proxy" ] || kill "$proxy" 2>/dev/null || true
	svc_cleanup "$state"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

svc_data_start "$state" "$top_builddir/attendance-admin"
conninfo=$(svc_pg_conninfo "$state")
"$top_builddir/attendance-admin" -c "$state/attendance.conf" demo \
    >/dev/null 2>&1 || fail "attendance-admin demo"

echo forward >"$state/proxy.mode"
"$python" "$top_srcdir/tests/stack/db-timeouts.py" proxy "$state/proxy.port" \
    "$state/proxy.mode" "$(svc_pg_dir "$state")/run/.s.PGSQL.5432" &
proxy=$!
i=0
until [ -s "$state/proxy.port" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the listener did not start"
	sleep 0.1
done

sed '/^database = /d' "$state/attendance.conf" >"$state/workers.conf"
cat >>"$state/workers.conf" <<CONF
database = host=127.0.0.1 port=$(cat "$state/proxy.port") user=$SVC_PG_SUPERUSER dbname=attendance
database_connect_timeout = 2
database_lock_timeout = 1
CONF
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" "$state/workers.conf" 2
"$python" "$top_srcdir/tests/stack/db-timeouts.py" check \
    "$state/run/fcgi.sock" "$state/proxy.mode" 2 "$conninfo" ||
    fail "db-timeouts.py"
