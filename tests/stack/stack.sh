#!/bin/sh
# The local stack of ./dev/up comes up from dev/services.sh in a temporary
# directory: PostgreSQL takes the migrations and the demo data, Redis
# answers on its unix socket, nginx (on a unix socket, so no port is
# shared with another run) serves the web root and routes /api/ to the
# FastCGI socket; then everything stops and no process is left behind.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql nginx redis-server redis-cli curl

state=$(svc_state stack)
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT

svc_pg_start "$state"
svc_pg_createdb "$state" attendance
svc_redis_start "$state"
svc_nginx_start "$state" "unix:$state/run/http.sock"

export ATTENDANCE_DATABASE="$(svc_pg_conninfo "$state")"
admin() {
	"$top_builddir/attendance-admin" -c /dev/null "$@"
}
admin migrate >/dev/null || fail "migrate"
admin demo >"$state/demo.out" || fail "demo"
grep -q "prof / prof-demo" "$state/demo.out" || fail "demo logins not printed"
admin demo | grep -q "already present" || fail "demo is not idempotent"
n=$(psql "$ATTENDANCE_DATABASE" -tAc "SELECT count(*) FROM enrollments")
[ "$n" = 30 ] || fail "demo enrolled $n students, expected 30"

[ "$(svc_redis_cli "$state" ping)" = PONG ] ||
    fail "redis does not answer PONG"

curl -sS --unix-socket "$state/run/http.sock" -o "$state/index.html" \
    -w '%{http_code}' http://localhost/ >"$state/code" || fail "curl /"
[ "$(cat "$state/code")" = 200 ] || fail "GET / is $(cat "$state/code")"
grep -q "Attendance" "$state/index.html" || fail "GET / is not the web root"

# No worker listens in this test: nginx must route /api/ to the FastCGI
# socket and, finding no one, answer the contract's 503 in JSON.
code=$(curl -sS --unix-socket "$state/run/http.sock" -o "$state/body" \
    -w '%{http_code}' http://localhost/api/health)
[ "$code" = 503 ] || fail "GET /api/health without a worker is $code"
grep -q '"code":"unavailable"' "$state/body" ||
    fail "no JSON error body without a worker: $(cat "$state/body")"
grep -q "fcgi.sock" "$state/log/nginx-error.log" ||
    fail "nginx did not try the FastCGI socket"

# nginx's coarse body guard (the worker enforces the contract's 64 KiB).
code=$(head -c 2000000 /dev/zero | curl -sS --unix-socket \
    "$state/run/http.sock" -o /dev/null -w '%{http_code}' \
    -H 'Content-Type: application/json' --data-binary @- \
    http://localhost/api/courses)
[ "$code" = 413 ] || fail "a 2 MB body is $code, expected 413"
head -c 2000000 /dev/zero | curl -sS --unix-socket "$state/run/http.sock" \
    -H 'Content-Type: application/json' --data-binary @- \
    http://localhost/api/courses | grep -q '"code":"payload_too_large"' ||
    fail "nginx's 413 is not the contract's JSON error"

# The security headers, on a page and on an API answer.
for path in / /scan.html /api/health; do
	curl -sS --unix-socket "$state/run/http.sock" -o /dev/null \
	    -D "$state/headers" "http://localhost$path" ||
	    fail "curl $path"
	for want in \
	    "Content-Security-Policy: default-src 'self'; script-src 'self';" \
	    "frame-ancestors 'none'" "object-src 'none'" "base-uri 'none'" \
	    "X-Content-Type-Options: nosniff" "Referrer-Policy: no-referrer" \
	    "Permissions-Policy: camera=(self)"; do
		grep -qiF "$want" "$state/headers" ||
		    fail "$path lacks '$want': $(cat "$state/headers")"
	done
done

pids="$(cat "$state/run/nginx.pid") $(cat "$state/run/redis.pid")"
svc_stop_all "$state"
for pid in $pids; do
	! kill -0 "$pid" 2>/dev/null || fail "process $pid left running"
done
! svc_pg_running "$state" || fail "PostgreSQL left running"
echo "stack: PostgreSQL, Redis and nginx started, answered and stopped"
