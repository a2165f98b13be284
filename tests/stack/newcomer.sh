#!/usr/bin/env bash
# The newcomer's path: the repository cloned into a fresh 0700 directory
# whose path has a space (the state of a checkout under /root), then
# ./dev/up on a free port, twice, and ./dev/down then ./dev/up again, each
# time with /api/health, the login page and a demo login checked, and
# ./dev/admin once; at the end ./dev/down, and nothing it started is left
# running, and ./dev/down --purge leaves nothing behind.
#
#   tests/stack/newcomer.sh [SOURCE]   SOURCE: the repository (default: this one)
#
# The clone gets what is committed, plus the uncommitted changes and new
# files of SOURCE, so that a run before a commit tests what will be
# committed.  Run by ./dev/test, once (it builds the clone's build/).
set -uo pipefail
src=$(cd "${1:-$(dirname "$0")/../..}" && pwd)
svc_srcdir=$src
. "$src/dev/services.sh"

parent=$(mktemp -d "${TMPDIR:-/tmp}/attendance-newcomer.XXXXXX") || exit 1
chmod 700 "$parent"
clone="$parent/new comer/attendance"
log=$parent/log
failed=0

say() {
	printf '%s\n' "$*" >&2
}

fail() {
	say "FAIL: newcomer: $*"
	failed=1
}

die() {
	fail "$*"
	for f in "$clone"/var/log/*.log; do
		[ -f "$f" ] || continue
		say "----- $f (last 30 lines)"
		tail -n 30 "$f" >&2
	done
	finish
}

finish() {
	trap - EXIT INT TERM
	(cd "$clone" 2>/dev/null && ./dev/down --purge >/dev/null 2>&1)
	rm -rf "$parent"
	if [ $failed = 0 ]; then
		echo "PASS: newcomer: clone into a private path with a space, up, up, down, up, down"
	fi
	exit $failed
}

# Interrupted or not, what the clone started stops and goes.
trap 'failed=1; finish' EXIT
trap 'exit 1' INT TERM

# The pids of the stack: the pid files of var/run, the postmaster, and
# every descendant of each.
stack_pids() {
	local f pids="" pid child
	for f in "$clone"/var/run/*.pid "$clone"/var/pg/data/postmaster.pid; do
		[ -f "$f" ] && pids="$pids $(head -n 1 "$f")"
	done
	for pid in $pids; do
		echo "$pid"
		for child in $(ps -o pid= --ppid "$pid" 2>/dev/null); do
			echo "$child"
			ps -o pid= --ppid "$child" 2>/dev/null
		done
	done | sort -u
}

check_stack() {
	local what=$1 base=http://127.0.0.1:$port code
	code=$(curl -sS -o "$parent/health" -w '%{http_code}' \
	    "$base/api/health" 2>>"$log")
	[ "$code" = 200 ] && grep -Eq '"database" *: *"ok"' "$parent/health" &&
	    grep -Eq '"redis" *: *"ok"' "$parent/health" ||
	    fail "$what: /api/health is $code: $(cat "$parent/health" 2>/dev/null)"
	code=$(curl -sS -o "$parent/index" -w '%{http_code}' "$base/" 2>>"$log")
	[ "$code" = 200 ] && grep -q 'id="login-form"' "$parent/index" ||
	    fail "$what: GET / is $code, not the login page"
	code=$(curl -sS -o "$parent/login" -D "$parent/login.headers" \
	    -w '%{http_code}' -H 'Content-Type: application/json' \
	    -H "Origin: $base" \
	    --data '{"login":"student07","password":"student-demo"}' \
	    "$base/api/auth/login" 2>>"$log")
	[ "$code" = 200 ] && grep -qi '^set-cookie: sid=' "$parent/login.headers" &&
	    grep -Eq '"username" *: *"student07"' "$parent/login" ||
	    fail "$what: demo login is $code: $(cat "$parent/login" 2>/dev/null)"
}

up() {
	(cd "$clone" && ATTENDANCE_DEV_LISTEN=127.0.0.1:$port ./dev/up) \
	    >"$parent/up.out" 2>&1 ||
	    { cat "$parent/up.out" >&2; die "$1: ./dev/up failed"; }
	grep -q '^The stack is up' "$parent/up.out" ||
	    { cat "$parent/up.out" >&2; die "$1: ./dev/up did not say so"; }
}

down() {
	local pids pid i=0 left
	pids=$(stack_pids)
	[ -n "$pids" ] || fail "$1: no pid of the stack found before ./dev/down"
	(cd "$clone" && ./dev/down) >"$parent/down.out" 2>&1 ||
	    { cat "$parent/down.out" >&2; die "$1: ./dev/down failed"; }
	# Every process that was found stops, and nothing else names the
	# clone or the cluster.
	while :; do
		left=""
		for pid in $pids; do
			kill -0 "$pid" 2>/dev/null && left="$left $pid"
		done
		left="$left $(pgrep -f "$clone|$cluster" | tr '\n' ' ')"
		[ -z "${left// /}" ] && break
		i=$((i + 1))
		if [ $i -ge 50 ]; then
			ps -o pid,ppid,cmd -p "${left// /,}" >&2 2>/dev/null
			fail "$1: still running after ./dev/down:$left"
			break
		fi
		sleep 0.1
	done
	if curl -s -o /dev/null "http://127.0.0.1:$port/"; then
		fail "$1: port $port still answers after ./dev/down"
	fi
}

git clone -q "$src" "$clone" 2>"$log" ||
    { cat "$log" >&2; die "git clone $src failed"; }
# What is not committed yet, as the commit would bring it.
git -C "$src" diff HEAD --binary >"$parent/uncommitted.diff"
if [ -s "$parent/uncommitted.diff" ]; then
	git -C "$clone" apply --whitespace=nowarn "$parent/uncommitted.diff" ||
	    die "the uncommitted changes do not apply to the clone"
fi
git -C "$src" ls-files -o --exclude-standard -z |
    (cd "$src" && xargs -0r cp --parents -t "$clone") ||
    die "copying the new files into the clone failed"

port=$(svc_free_port)
up "first ./dev/up"
cluster=$(readlink "$clone/var/pg" 2>/dev/null || echo "$clone/var/pg")
if [ "$(id -u)" = 0 ]; then
	# Root runs PostgreSQL as postgres, which cannot enter the clone.
	[ -L "$clone/var/pg" ] ||
	    fail "as root, the cluster is not moved out of the private clone"
	grep -q "PostgreSQL's cluster lives in $cluster" "$parent/up.out" ||
	    fail "./dev/up does not say where the cluster lives"
fi
check_stack "first ./dev/up"
# ./dev/admin runs against the same stack, from anywhere.
(cd / && "$clone/dev/admin" config) >"$parent/admin.out" 2>&1 &&
    grep -q "^redis = unix:$clone/var/run/redis.sock" "$parent/admin.out" ||
    fail "./dev/admin config: $(cat "$parent/admin.out")"
up "second ./dev/up"
check_stack "second ./dev/up"
down "./dev/down"
up "./dev/up after ./dev/down"
check_stack "./dev/up after ./dev/down"
down "last ./dev/down"
(cd "$clone" && ./dev/down --purge) >/dev/null 2>&1 ||
    fail "./dev/down --purge failed"
[ ! -e "$clone/var" ] && [ ! -e "$cluster" ] ||
    fail "./dev/down --purge left var/ or $cluster"
finish
