#!/bin/sh
# Runs the HTTP suites (tests/api/suite) against the whole stack in a temporary
# directory: PostgreSQL (migrated), Redis, the FastCGI workers under
# spawn-fcgi and multiwatch, and nginx on a unix socket; prints every
# server's log when a suite fails.
#
# Two passes, because the per-address login throttle is shared by every
# test (they all come from the same address): the first runs every suite
# but throttle_address with that limit out of reach; the second restarts
# the workers with a limit of 20 and runs throttle_address alone.
# Arguments go to tests/api/suite (e.g. --filter 'courses/*'); then there is one
# pass, the second kind when the arguments name throttle_address.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql nginx redis-server redis-cli spawn-fcgi multiwatch curl
svc_require_built "$top_builddir" attendance-admin attendance-fcgi

state=$(svc_state api)
trap 'svc_cleanup "$state"' EXIT

# The configuration files written here are the whole truth: no
# ATTENDANCE_<KEY> of the caller's environment overrides them.
svc_config_isolate

svc_pg_start "$state"
svc_pg_createdb "$state" attendance
conninfo=$(svc_pg_conninfo "$state" attendance)
ATTENDANCE_DATABASE=$conninfo \
ATTENDANCE_DATABASE_RUNTIME_ROLE=$SVC_PG_RUNTIME \
    "$top_builddir/attendance-admin" -c /dev/null migrate >/dev/null
svc_redis_start "$state"

# write_config FILE PER_ADDRESS
write_config() {
	cat >"$1" <<CONF
$(svc_db_config "$state")
$(svc_redis_config "$state")
allowed_origins = http://localhost
public_base_url = http://localhost
login_failure_window = 3
login_failures_per_name = 5
login_failures_per_address = $2
log_level = debug
CONF
}

# start_workers CONFIG: (re)starts four workers and waits until the stack
# answers /api/health (the suites report what it answers otherwise).
start_workers() {
	svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" "$1" 4
	i=0
	while [ $i -lt 50 ]; do
		code=$(curl -s -o /dev/null -w '%{http_code}' --unix-socket \
		    "$state/run/http.sock" http://localhost/api/health) || true
		[ "$code" = 200 ] && return 0
		i=$((i + 1))
		sleep 0.1
	done
	echo "api.sh: /api/health is $code after 5 s; running anyway" >&2
}

write_config "$state/attendance.conf" 1000000
write_config "$state/attendance-address.conf" 20
svc_nginx_start "$state" "unix:$state/run/http.sock"

ATTENDANCE_TEST_HTTP_SOCKET=$state/run/http.sock
ATTENDANCE_TEST_DATABASE=$conninfo
ATTENDANCE_TEST_REDIS_SOCKET=$(svc_redis_socket "$state")
ATTENDANCE_TEST_REDIS_PASSWORD_FILE=$state/redis/admin-password
ATTENDANCE_TEST_ORIGIN=http://localhost
TMPDIR=$state
export ATTENDANCE_TEST_HTTP_SOCKET ATTENDANCE_TEST_DATABASE
export ATTENDANCE_TEST_REDIS_SOCKET ATTENDANCE_TEST_REDIS_PASSWORD_FILE
export ATTENDANCE_TEST_ORIGIN TMPDIR

status=0
if [ $# -gt 0 ]; then
	case "$*" in
	*throttle_address*)
		start_workers "$state/attendance-address.conf"
		ATTENDANCE_TEST_ADDRESS_LIMIT=20 "$top_builddir/tests/api/suite" \
		    "$@" || status=1
		;;
	*)
		start_workers "$state/attendance.conf"
		"$top_builddir/tests/api/suite" "$@" || status=1
		;;
	esac
else
	# Criterion's filter is an extended glob: !(x) is "anything but x".
	start_workers "$state/attendance.conf"
	"$top_builddir/tests/api/suite" --filter '!(throttle_address)/*' ||
	    status=1
	start_workers "$state/attendance-address.conf"
	ATTENDANCE_TEST_ADDRESS_LIMIT=20 "$top_builddir/tests/api/suite" \
	    --filter 'throttle_address/*' || status=1
fi
if [ $status -ne 0 ]; then
	svc_print_logs "$state"
	exit 1
fi
# The workers leave (SIGTERM); in the sanitizer build a leak or an error
# of theirs over every request of the suites is in their log.
svc_fcgi_stop "$state"
if grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state/log/fcgi.log"; then
	echo "FAIL: sanitizer report in the workers' log" >&2
	svc_print_logs "$state"
	exit 1
fi
