#!/bin/sh
# Faults during the classroom loop (bench/scan-loop -d: classrooms of
# students scanning through nginx, each with its professor's WebSocket
# through the relay), against the real stack, each bounded in time:
#   - PostgreSQL stopped, then started: requests in the gap get 503, the
#     same workers answer again without a restart, scans resume;
#   - Redis stopped, then started: scans keep succeeding, the relay
#     resubscribes and sends relay:resync, events flow again;
#   - a worker killed with SIGKILL: multiwatch replaces it, the clients
#     see at most that one request fail;
#   - the whole stack stopped (workers and relay SIGTERM, nginx's graceful
#     QUIT): requests in flight finish, every scan that was committed was
#     answered 201, and no answer is cut off.
# After each: every consumed token has exactly one record and the reverse,
# no round has two live tokens, no record lacks its enrollment.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql redis-server spawn-fcgi multiwatch nginx curl psql

state=$(svc_state faults-load)
fail() {
	echo "FAIL: $*" >&2
	[ -z "${load_pid:-}" ] || kill "$load_pid" 2>/dev/null || true
	for f in "$state"/load-*.out; do
		[ -f "$f" ] && { echo "== $f"; cat "$f"; } >&2
	done
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT

workers=3
svc_data_start "$state" "$top_builddir/attendance-admin"
conninfo=$(svc_pg_conninfo "$state")
start_stack() {
	svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
	    "$state/attendance.conf" $workers
	svc_relay_start "$state" "$top_builddir/attendance-relay" \
	    "$state/attendance.conf"
	svc_nginx_start "$state" "unix:$state/run/http.sock"
}
start_stack

sql() {
	psql "$conninfo" -tAc "$1"
}
worker_pids() {
	pgrep -P "$(cat "$state/run/fcgi.pid")" | sort | tr '\n' ' '
}
# The loop in the background: NAME SECONDS, 4 classrooms of 30 students.
load_start() {
	load=$state/load-$1.out
	"$top_builddir/bench/scan-loop" -d "$2" "$state/run/http.sock" \
	    "$conninfo" 4 30 100000 >"$load" 2>&1 &
	load_pid=$!
	sleep 1.5
}
load_wait() {
	wait $load_pid || fail "scan-loop exited with $?"
	echo "$(basename "$load"): $(grep -E '^(scans|failed|resyncs|http|curl)' \
	    "$load" | tr '\n' ' ')"
}
# The loop's count of KEY (a line "KEY N"), 0 if absent.
count() {
	awk -v k="$1" '$1 == k && NF == 2 { n = $2 } END { print n + 0 }' "$load"
}
# Answers with status $1.
answers() {
	awk -v s="$1" '$1 == "http" && $2 == s { n = $3 } END { print n + 0 }' "$load"
}
# Answers outside the expected 2xx and the given statuses, and transport
# errors other than the given curl codes.
unexpected() {
	awk -v ok=" 200 201 202 ${1:-} " -v curl_ok=" ${2:-} " '
	    $1 == "http" && index(ok, " " $2 " ") == 0 { n += $3 }
	    $1 == "curl_error" && index(curl_ok, " " $2 " ") == 0 { n += $3 }
	    END { print n + 0 }' "$load"
}
records() {
	sql "SELECT count(*) FROM attendance_records"
}
check_invariants() {
	bad=$(sql "SELECT
	    (SELECT count(*) FROM qr_tokens t WHERE t.consumed AND NOT EXISTS
	        (SELECT 1 FROM attendance_records a WHERE a.id = t.record_id
	        AND a.round_id = t.round_id AND a.student_id = t.consumed_by))
	    + (SELECT count(*) FROM attendance_records a WHERE
	        (SELECT count(*) FROM qr_tokens t WHERE t.record_id = a.id) <> 1)
	    + (SELECT count(*) FROM (SELECT round_id FROM qr_tokens
	        WHERE NOT consumed AND superseded_at IS NULL
	        GROUP BY round_id HAVING count(*) > 1) x)
	    + (SELECT count(*) FROM attendance_records a WHERE NOT EXISTS
	        (SELECT 1 FROM enrollments e WHERE e.student_id = a.student_id
	        AND e.course_id = a.course_id AND e.group_id = a.group_id))")
	[ "$bad" = 0 ] || fail "$1: $bad invariant violations"
}

# PostgreSQL stopped for 1.5 s during the loop.
before=$(worker_pids)
load_start database 6
svc_pg_stop "$state"
sleep 1.5
svc_pg_start "$state"
restarted=$(sql "SELECT now()")
load_wait
[ "$(answers 503)" -gt 0 ] || fail "no request saw the database down"
# 409: a new round whose answer was lost with the database (committed,
# then 503) leaves the screen asking for codes of the closed round once.
[ "$(unexpected "503 409")" = 0 ] || fail "answers other than 503 in the gap"
[ "$(answers 409)" -le 4 ] || fail "more than one 409 per classroom"
[ "$(worker_pids)" = "$before" ] || fail "the workers were restarted"
[ "$(sql "SELECT count(*) FROM attendance_records
    WHERE recorded_at > '$restarted'")" -gt 0 ] ||
    fail "no scan after PostgreSQL came back"
check_invariants "database stopped"

# Redis stopped for 2 s: scans go on (PostgreSQL is the record), the
# events are lost, then the relay resubscribes and says relay:resync.
# The loop runs until what is checked has happened, each wait bounded by
# the relay's settings (a retry at most RELAY_REDIS_BACKOFF_MAX = 1 s
# apart, a heartbeat every RELAY_REDIS_BEAT = 2 s) three times over for
# a loaded machine, and then stops on SIGTERM.
resync_bound=9
resynced() {
	grep -c "resubscribed; relay:resync" "$state/log/relay.log" || true
}
load_start redis 60
svc_redis_stop "$state"
sleep 2
before_up=$(records)
resyncs_before=$(resynced)
svc_redis_start "$state"
restarted=$(sql "SELECT now()")
waited=0
until [ $(($(resynced) - resyncs_before)) -ge 4 ]; do
	[ $waited -lt $((resync_bound * 10)) ] ||
	    fail "the relay did not resync its 4 sessions within" \
	    "${resync_bound} s of Redis coming back"
	sleep 0.1
	waited=$((waited + 1))
done
echo "the relay resynced 4 sessions within $((waited / 10)).$((waited % 10)) s of Redis coming back"
# Events flow again: every classroom scans after Redis came back.
waited=0
until [ "$(sql "SELECT count(DISTINCT session_id) FROM attendance_records
    WHERE recorded_at > '$restarted'")" -ge 4 ]; do
	[ $waited -lt $((resync_bound * 10)) ] ||
	    fail "events did not flow again in every classroom after Redis came back"
	sleep 0.1
	waited=$((waited + 1))
done
kill -TERM $load_pid
load_wait
[ "$(unexpected)" = 0 ] || fail "a request failed while Redis was down"
# A scan whose attendance:recorded was lost was answered 201 all the same
# (no failure above); the next tokens travel only once Redis is back.
grep -q "event attendance:recorded for session .* lost" \
    "$state/log/fcgi.log" || fail "no scan was made while Redis was down"
[ "$(count resyncs)" -ge 4 ] || fail "not every socket got relay:resync"
[ "$(records)" -gt "$before_up" ] || fail "no scan after Redis came back"
check_invariants "Redis stopped"

# A worker killed in the middle of the loop.
before=$(records)
load_start kill 4
victim=$(pgrep -P "$(cat "$state/run/fcgi.pid")" | head -n 1)
kill -9 "$victim"
load_wait
failed=$(unexpected)
[ "$failed" -le 1 ] || fail "$failed requests failed around the killed worker"
[ "$(worker_pids | wc -w)" = $workers ] || fail "the worker was not replaced"
! kill -0 "$victim" 2>/dev/null || fail "the killed worker is alive"
added=$(($(records) - before))
accepted=$(count scans_accepted)
[ $added -ge "$accepted" ] && [ $added -le $((accepted + failed)) ] ||
    fail "$added records for $accepted scans answered 201"
check_invariants "worker killed"

# The whole stack stopped under load, the way ops stop it: the workers
# and the relay get SIGTERM, nginx QUIT (its TERM is a fast shutdown that
# drops connections).  A request either completes, or is refused or
# answered 503 without being done.
before=$(records)
load_start stop 8
kill -QUIT "$(cat "$state/run/nginx.pid")"
kill -TERM "$(cat "$state/run/fcgi.pid")" "$(cat "$state/run/relay.pid")"
i=0
while svc_pid_alive "$state/run/nginx.pid" ||
    svc_pid_alive "$state/run/fcgi.pid" ||
    svc_pid_alive "$state/run/relay.pid"; do
	i=$((i + 1))
	[ $i -lt 100 ] || fail "the stack did not stop within 10 s"
	sleep 0.1
done
load_wait
# Every answer that came is whole (2xx or the contract's 503).  A
# connection refused (curl error 7) or reset (52, 56: nginx closing a
# kept-alive connection, or its backlog, as it quits) carried no
# request that was done: every committed scan was answered 201.  An
# answer cut short (curl error 18) fails.
[ "$(unexpected 503 "7 52 56")" = 0 ] || fail "an answer was cut off"
added=$(($(records) - before))
[ $added = "$(count scans_accepted)" ] ||
    fail "$added records for $(count scans_accepted) scans answered 201"
check_invariants "stack stopped"
grep -q "stopping after" "$state/log/fcgi.log" ||
    fail "the workers did not stop gracefully"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state"/log/*.log || fail "sanitizer report in a log"
echo "faults under load: database, Redis, a killed worker, stack stop: nothing lost"
