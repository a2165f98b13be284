#!/bin/sh
# The WebSocket relay against the real stack (PostgreSQL, Redis, the
# FastCGI workers, attendance-relay, nginx on a unix socket), driven by
# tests/lib/relay_client.py with Debian's python3-websockets (a strict RFC
# 6455 client): round:started on connect, every event of a class session
# in order on every socket of its professor, session:ended then close
# 1000, the refused upgrades (401, 403, 404), Redis restarted (relay:resync,
# later events arrive), /healthz with Redis or PostgreSQL down, a reader
# that stops reading dropped at the queue bound, oversized and malformed
# frames, a socket that misses its pong, a login's end (a logout closes
# that login's sockets with 4401 within 5 s by its message, also on a
# second relay whose periodic check is rare, and no other socket; a
# logout while Redis is down, and an expired login, closed by the check
# at relay_ping_interval), a window-mode session (v1.1: its scans are
# attendance:recorded only, no round:qr-updated), SIGTERM (close 1001).  Every wait is bounded;
# the relays' logs are printed when anything fails.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql nginx redis-server redis-cli spawn-fcgi multiwatch curl
if ! [ -x $python ] || ! $python -c 'import websockets' 2>/dev/null; then
	echo "SKIP: /usr/bin/python3 with websockets (python3-websockets)" \
	    "is not installed"
	exit 77
fi
svc_require_built "$top_builddir" attendance-admin attendance-fcgi \
    attendance-relay

state=$(svc_state relay)
trap 'svc_stop_pid "$state/run/relay2.pid"; svc_cleanup "$state"' EXIT
trap 'exit 1' INT TERM
fail() {
	echo "FAIL: $*" >&2
	for log in relay relay2; do
		if [ -f "$state/log/$log.log" ]; then
			echo "----- $log log" >&2
			cat "$state/log/$log.log" >&2
		fi
	done
	svc_print_logs "$state"
	exit 1
}

# The configuration written here is the whole truth.
svc_config_isolate

svc_pg_start "$state"
svc_pg_createdb "$state" attendance
svc_redis_start "$state"
conninfo=$(svc_pg_conninfo "$state" attendance)
# A ping after 2 s of silence (so a missed pong shows within seconds) and
# a small queue bound (so a reader that stops is dropped quickly).
cat >"$state/attendance.conf" <<CONF
$(svc_db_config "$state")
$(svc_redis_config "$state")
allowed_origins = http://localhost
public_base_url = http://localhost
relay_listen = unix:$state/run/relay.sock
relay_ping_interval = 2
relay_max_queue = 262144
log_level = debug
CONF
admin() {
	"$top_builddir/attendance-admin" -c "$state/attendance.conf" "$@"
}
admin migrate >/dev/null || fail "migrate"
admin demo >/dev/null || fail "demo data"
printf 'prof2-secret\n' | admin user add --role professor --username prof2 \
    --email prof2@example.edu --display-name "Second Professor" \
    --password-stdin >/dev/null || fail "second professor"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
svc_relay_start "$state" "$top_builddir/attendance-relay" \
    "$state/attendance.conf"
svc_nginx_start "$state" "unix:$state/run/http.sock"
# A second relay, reached directly, whose periodic check of the logins
# is as far apart as it goes (30 s): a socket it closes within seconds of
# a logout, and logs as closed by the message, was.
ATTENDANCE_RELAY_LISTEN="unix:$state/run/relay2.sock" \
ATTENDANCE_RELAY_PING_INTERVAL=3600 \
    "$top_builddir/attendance-relay" -c "$state/attendance.conf" \
    >>"$state/log/relay2.log" 2>&1 &
echo $! >"$state/run/relay2.pid"
i=0
until [ -S "$state/run/relay2.sock" ]; do
	i=$((i + 1))
	[ $i -lt 50 ] && svc_pid_alive "$state/run/relay2.pid" ||
	    fail "the second relay did not start"
	sleep 0.1
done

# What the client needs to stop and start the servers mid-test.
cat >"$state/ctl" <<CTL
#!/bin/sh
set -eu
svc_srcdir='$top_srcdir'
. '$top_srcdir/dev/services.sh'
case \$1 in
redis-stop) svc_redis_stop '$state' ;;
redis-start) svc_redis_start '$state' ;;
redis-pause) kill -STOP "\$(cat '$state/run/redis.pid')" ;;
redis-resume) kill -CONT "\$(cat '$state/run/redis.pid')" ;;
pg-stop) svc_pg_stop '$state' ;;
pg-start) svc_pg_start '$state' ;;
fcgi-restart) svc_fcgi_start '$state' '$top_builddir/attendance-fcgi' \
    '$state/attendance.conf' 2 ;;
sql) psql "\$(cat '$state/conninfo')" -qAtX -v ON_ERROR_STOP=1 -c "\$2" ;;
esac
CTL
printf '%s\n' "$conninfo" >"$state/conninfo"
chmod +x "$state/ctl"

i=0
until curl -sf -o /dev/null --max-time 5 --unix-socket "$state/run/http.sock" \
    http://localhost/api/health; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "the stack did not become healthy"
	sleep 0.1
done

RELAY_TEST_STATE=$state RELAY_TEST_CTL=$state/ctl \
    timeout 300 $python "$top_srcdir/tests/lib/relay_client.py" ||
    fail "tests/lib/relay_client.py (status $?)"

# The client ended with SIGTERM: the relay must be gone, cleanly.
! svc_pid_alive "$state/run/relay.pid" || fail "the relay outlived SIGTERM"
grep -q "stopped" "$state/log/relay.log" ||
    fail "the relay did not stop cleanly"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state/log/relay.log" || fail "sanitizer report in the relay log"
svc_stop_pid "$state/run/relay2.pid"
grep -q "stopped" "$state/log/relay2.log" ||
    fail "the second relay did not stop cleanly"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state/log/relay2.log" ||
    fail "sanitizer report in the second relay's log"
# Redis's password wrong: the relay starts, says Redis is down, and logs
# why; a password file it cannot read stops it at start.
echo wrong-password >"$state/wrong-password"
sed "s|^redis_password_file = .*|redis_password_file = $state/wrong-password|" \
    "$state/attendance.conf" >"$state/wrong.conf"
svc_relay_start "$state" "$top_builddir/attendance-relay" "$state/wrong.conf"
i=0
until curl -s --max-time 5 --unix-socket "$state/run/relay.sock" \
    http://localhost/healthz | grep -q '"redis":"down"' &&
    grep -q 'AUTH refused' "$state/log/relay.log"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "a wrong Redis password: no redis down, or no log"
	sleep 0.1
done
svc_relay_stop "$state"
sed "s|^redis_password_file = .*|redis_password_file = $state/none|" \
    "$state/attendance.conf" >"$state/missing.conf"
if ATTENDANCE_RELAY_LISTEN="unix:$state/run/relay3.sock" \
    "$top_builddir/attendance-relay" -c "$state/missing.conf" \
    >"$state/missing.out" 2>&1; then
	fail "the relay started without its Redis password file"
fi
grep -q "redis_password_file: $state/none: No such file" \
    "$state/missing.out" || fail "no reason: $(cat "$state/missing.out")"
echo "relay: every check passed"
