#!/bin/sh
# The faults a university server sees, against the real stack (nginx,
# spawn-fcgi + multiwatch workers, PostgreSQL, Redis), each bounded in
# time:
#   - PostgreSQL stopped: requests get 503 unavailable with nothing done;
#     started again: the same workers answer again, no restart needed;
#   - PostgreSQL restarted between requests: no request fails;
#   - Redis stopped: a class session still starts (PostgreSQL is the
#     record), health says redis down, the lost events are counted;
#   - a worker killed with SIGKILL: multiwatch starts another, requests go
#     on;
#   - SIGTERM: the workers leave promptly.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql nginx redis-server spawn-fcgi multiwatch curl psql

state=$(svc_state faults)
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT

svc_data_start "$state" "$top_builddir/attendance-admin"
conninfo=$(svc_pg_conninfo "$state")
admin() {
	"$top_builddir/attendance-admin" -c "$state/attendance.conf" "$@"
}
admin demo >/dev/null
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
svc_nginx_start "$state" "unix:$state/run/http.sock"

http() {
	curl -sS --max-time 10 --unix-socket "$state/run/http.sock" \
	    -b "$state/cookies" -c "$state/cookies" \
	    -H 'Content-Type: application/json' -o "$state/body" \
	    -w '%{http_code}' "$@"
}
expect() {
	want=$1
	shift
	got=$(http "$@") || got=curl-failed
	[ "$got" = "$want" ] ||
	    fail "$* answered $got, expected $want: $(cat "$state/body")"
}

expect 200 -X POST -d '{"login":"prof","password":"prof-demo"}' \
    http://localhost/api/auth/login
expect 200 http://localhost/api/auth/me
group=$(psql "$conninfo" -tAc "SELECT id FROM groups WHERE name = 'Group A'")
sessions() {
	psql "$conninfo" -tAc "SELECT count(*) FROM sessions"
}

# PostgreSQL down: 503 with the contract's body, and nothing written.
svc_pg_stop "$state"
expect 503 http://localhost/api/auth/me
grep -q '"code":"unavailable"' "$state/body" || fail "503 body: $(cat "$state/body")"
expect 503 -X POST http://localhost/api/groups/$group/sessions
expect 503 http://localhost/api/health
grep -q '"database":"down"' "$state/body" || fail "health: $(cat "$state/body")"
svc_pg_start "$state"
[ "$(sessions)" = 0 ] || fail "a session was written while the database was down"
# The same workers reconnect (no restart): a few requests reach each.
for i in 1 2 3 4; do
	expect 200 http://localhost/api/auth/me
done

# PostgreSQL restarted while the workers are idle: no request fails,
# each worker notices its dead connection before using it.
svc_pg_stop "$state"
svc_pg_start "$state"
for i in 1 2 3 4; do
	expect 200 http://localhost/api/auth/me
done

# Redis down: the session starts all the same; the events are lost.
svc_redis_stop "$state"
expect 201 -X POST http://localhost/api/groups/$group/sessions
[ "$(sessions)" = 1 ] || fail "the session was not recorded"
expect 503 http://localhost/api/health
grep -q '"redis":"down"' "$state/body" || fail "health: $(cat "$state/body")"
grep -q "lost" "$state/log/fcgi.log" || fail "the lost events were not logged"
svc_redis_start "$state"
expect 200 http://localhost/api/health

# Redis's password wrong: events are not delivered and health says so,
# with the reason in the log; a password file that cannot be read stops
# a worker at start.
cp "$state/attendance.conf" "$state/good.conf"
echo wrong-password >"$state/wrong-password"
sed "s|^redis_password_file = .*|redis_password_file = $state/wrong-password|" \
    "$state/good.conf" >"$state/attendance.conf"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
expect 503 http://localhost/api/health
grep -q '"redis":"down"' "$state/body" || fail "health: $(cat "$state/body")"
grep -q 'AUTH refused' "$state/log/fcgi.log" ||
    fail "a refused AUTH was not logged"
sed "s|^redis_password_file = .*|redis_password_file = $state/none|" \
    "$state/good.conf" >"$state/missing.conf"
if "$top_builddir/attendance-fcgi" -c "$state/missing.conf" </dev/null \
    >"$state/missing.out" 2>&1; then
	fail "a worker started without its Redis password file"
fi
grep -q "redis_password_file: $state/none: No such file" \
    "$state/missing.out" || fail "no reason: $(cat "$state/missing.out")"
cp "$state/good.conf" "$state/attendance.conf"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
expect 200 http://localhost/api/health
expect 200 -X POST -d '{"login":"prof","password":"prof-demo"}' \
    http://localhost/api/auth/login

# A worker killed: multiwatch replaces it and requests go on.
workers() {
	pgrep -P "$(cat "$state/run/fcgi.pid")" | sort
}
before=$(workers)
[ "$(echo "$before" | wc -l)" = 2 ] || fail "expected 2 workers: $before"
kill -9 $(echo "$before" | head -n 1)
i=0
while [ "$(workers | wc -l)" != 2 ] || [ "$(workers)" = "$before" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "multiwatch did not replace the killed worker"
	sleep 0.1
done
for i in 1 2 3 4; do
	expect 200 http://localhost/api/auth/me
done

# SIGTERM: everything leaves within a few seconds.
pids=$(workers)
svc_fcgi_stop "$state"
for pid in $pids; do
	! kill -0 "$pid" 2>/dev/null || fail "worker $pid still running"
done
grep -q "stopping after" "$state/log/fcgi.log" ||
    fail "the workers did not stop gracefully"
# In the sanitizer build, a worker's leak or error shows in its log.
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state/log/fcgi.log" || fail "sanitizer report in the worker log"
echo "faults: database down, Redis down, a killed worker, SIGTERM: all survived"
