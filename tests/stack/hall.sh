#!/bin/sh
# bench/hall (issue 16), small, against the real stack: the lecture hall
# the bench measures at 100 to 600 students, here with 40, so that the
# program that makes ./bench/run's hall rows is known to work:
#   - single mode, two runs: everyone in, each run exactly one record per
#     student and one consumed token per record, only 201 and 409
#     token_used answers, students scanning more than once, the parts of a
#     code's cycle and the stack's CPU per check-in reported;
#   - window mode, 12 students, with a 5 s code and slow decoders
#     (1.5-4.3 s): the screen renews the code before it expires (more than
#     one token drawn), a phone that posts the superseded one is told
#     token_used and checks in with the new one; no token consumed;
#   - a run that cannot finish (decoders slower than the run's limit):
#     nobody in, the records check says no, exit status 1;
#   - the cost mode: check-ins, then replays of a consumed token, every
#     one a 409 token_used, with CPU, WAL and transaction ids per scan;
#   - a usage error: exit status 2.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql redis-server spawn-fcgi multiwatch nginx psql

state=$(svc_state hall)
out=$state/hall.out
fail() {
	echo "FAIL: $*" >&2
	[ -f "$out" ] && { echo "== hall's output"; cat "$out"; } >&2
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT

svc_data_start "$state" "$top_builddir/attendance-admin" "" warn
conninfo=$(svc_pg_conninfo "$state")
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 3
svc_relay_start "$state" "$top_builddir/attendance-relay" \
    "$state/attendance.conf"
svc_nginx_start "$state" "unix:$state/run/http.sock"
pids=$(head -1 "$(svc_pg_dir "$state")/data/postmaster.pid")
for f in redis nginx fcgi relay; do
	pids=$pids,$(cat "$state/run/$f.pid")
done

# hall STUDENTS ARGS...: runs bench/hall on the stack; its status to
# $status.
hall() {
	n=$1
	shift
	status=0
	"$top_builddir/bench/hall" "$@" "$state/run/http.sock" "$conninfo" \
	    "$n" >"$out" 2>"$out.err" || status=$?
	cat "$out.err" >>"$out"
}
# The value after NAME on the line KEY ... (field 2 when no NAME).
value() {
	awk -v k="$1" -v n="${2:-}" '$1 == k {
		if (n == "") { print $2; exit }
		for (i = 2; i < NF; i++) if ($i == n) { print $(i + 1); exit }
	}' "$out"
}
answers() {
	awk -v s="$1" -v c="$2" '$1 == "answer" && $2 == s && $3 == c {
		n = $4 } END { print n + 0 }' "$out"
}
# Answers other than the given "STATUS CODE" pairs.
others() {
	awk -v ok="$1" '$1 == "answer" && index(ok, "," $2 " " $3 ",") == 0 {
		n += $4 } END { print n + 0 }' "$out"
}
at_least() {
	awk -v a="$1" -v b="$2" 'BEGIN { exit !(a + 0 >= b + 0) }'
}

echo "single mode, 40 students, 2 runs"
hall 40 -m single -n 2 -p "$pids"
[ "$status" = 0 ] || fail "single: exit status $status"
[ "$(value ok)" = yes ] || fail "single: not ok"
[ "$(grep -c '^records .* consumed_tokens 40 tokens_linked 40 distinct_tokens 40 ok yes$' "$out")" = 2 ] ||
    fail "single: each run's 40 records with their 40 consumed tokens"
[ "$(answers 201 -)" = 80 ] || fail "single: 80 check-ins in 2 runs"
at_least "$(answers 409 token_used)" 40 ||
    fail "single: the hall raced for each code (token_used answers)"
[ "$(others ',201 -,409 token_used,')" = 0 ] ||
    fail "single: answers other than 201 and token_used"
at_least "$(value requests_per_student p99)" 2 ||
    fail "single: students scanned again after token_used"
at_least "$(value everyone_in_s p50)" 1 ||
    fail "single: 40 check-ins one code at a time took under a second"
at_least "$(value cycle_ms decode)" 80 ||
    fail "single: a code's cycle has its decode (80 ms at least)"
[ "$(value cycles)" = 80 ] || fail "single: 80 cycles (one per check-in)"
at_least "$(value stack_cpu_ms_per_checkin p50)" 0.01 ||
    fail "single: the stack's CPU per check-in"
at_least 50 "$(value cpu_percent_of_one_core)" ||
    fail "single: the hall used more than half a core"

echo "window mode, a 5 s code, decoders of 1.5-4.3 s"
hall 12 -m window -t 5 -d 1500-4300 -n 1 -s 2 -p "$pids"
[ "$status" = 0 ] || fail "window: exit status $status"
grep -q '^records 1 enrolled 12 exactly_one 12 other 0 records 12 consumed_tokens 0 tokens_linked 12 ' "$out" ||
    fail "window: 12 records, no token consumed"
at_least "$(value tokens_per_run)" 2 ||
    fail "window: the screen renewed its code before it expired"
[ "$(answers 201 -)" = 12 ] || fail "window: 12 check-ins"
at_least "$(answers 409 token_used)" 1 ||
    fail "window: a superseded code is token_used"
[ "$(others ',201 -,409 token_used,')" = 0 ] ||
    fail "window: answers other than 201 and token_used"

echo "a run that cannot finish in time"
hall 40 -m window -d 3000-4000 -l 1 -n 1
[ "$status" = 1 ] || fail "unfinished: exit status $status, not 1"
[ "$(value stuck)" = 40 ] || fail "unfinished: 40 students not in"
grep -q '^records 1 .* ok no$' "$out" || fail "unfinished: records said ok"
[ "$(value ok)" = no ] || fail "unfinished: said ok"

echo "a check-in and a refused attempt"
hall 40 -x 300 -p "$pids"
[ "$status" = 0 ] || fail "cost: exit status $status"
[ "$(value checkin scans)" = 60 ] ||
    fail "cost: 60 check-ins (300 / 5) one after the other"
[ "$(answers 409 token_used)" = 300 ] || fail "cost: 300 token_used"
[ "$(answers 201 -)" = 61 ] || fail "cost: the first check-in and 60"
at_least "$(value checkin wal_bytes)" 1 || fail "cost: a check-in's WAL"
at_least "$(value refused stack_cpu_ms)" 0.001 ||
    fail "cost: a refused attempt's CPU"
[ -n "$(value refused_over_checkin)" ] || fail "cost: no ratio"

hall 40 -m bogus
[ "$status" = 2 ] || fail "usage: exit status $status, not 2"
echo "hall: all checks passed"
