#!/bin/sh
# The live screen in a hall (issue 16), in headless Chromium against the
# whole stack started here (as tests/stack/browser.sh): a group of 300
# students, a session in single mode, and 300 scans one after another as
# fast as the API answers, each with the newest code.  The screen must
# draw every code within 100 ms of its round:qr-updated frame reaching the
# page (p50, p99 and max printed); the words for the back row, the names
# hidden, the new round's confirmation, the short QR code (its version
# and module size at 1080p printed) and screenshots at a phone's, a
# laptop's and a projector's size (copied to $top_builddir/
# projector-screenshots).  tests/stack/projector.mjs holds the steps.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql nginx node npm redis-server redis-cli spawn-fcgi \
    multiwatch curl psql /usr/bin/chromium
svc_require_built "$top_builddir" attendance-admin attendance-fcgi \
    attendance-relay

state=$(svc_state projector)
trap 'svc_cleanup "$state"' EXIT

# The pages as nginx serves them, with the npm packages.
svc_web_pages "$state" "$top_srcdir" "$top_builddir" || exit 99
node_dir=$svc_node_dir

port=$(svc_free_port)
base=http://127.0.0.1:$port

fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}

svc_data_start "$state" "$top_builddir/attendance-admin" "$base"
echo "public_base_url = $base" >>"$state/attendance.conf"
"$top_builddir/attendance-admin" -c "$state/attendance.conf" demo >/dev/null

# The hall: a group of CS101 with 300 students, whose password is the
# demo students' (its hash copied: 300 Argon2 hashes would take a minute).
group=$(psql "$(svc_pg_conninfo "$state")" -qtAX -v ON_ERROR_STOP=1 <<'SQL'
WITH g AS (
	INSERT INTO groups (course_id, name)
	SELECT id, 'Lecture hall' FROM courses WHERE code = 'CS101'
	RETURNING id, course_id
), u AS (
	INSERT INTO users (role, username, email, display_name, password_hash)
	SELECT 'student', 'hall' || lpad(i::text, 3, '0'),
	    'hall' || lpad(i::text, 3, '0') || '@example.edu',
	    'Hall Student ' || i,
	    (SELECT password_hash FROM users WHERE username = 'student01')
	FROM generate_series(1, 300) i
	RETURNING id
), e AS (
	INSERT INTO enrollments (student_id, course_id, group_id)
	SELECT u.id, g.course_id, g.id FROM u, g
)
SELECT id FROM g;
SQL
) || fail "could not make the hall's group"

svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
svc_relay_start "$state" "$top_builddir/attendance-relay" \
    "$state/attendance.conf"
svc_nginx_start "$state" "127.0.0.1:$port"
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/health")" = 200 ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "$base/api/health does not answer 200"
	sleep 0.1
done

status=0
ATT_BASE=$base ATT_NODE_DIR=$node_dir ATT_SHOTS=$state/shots \
ATT_GROUP=$group \
    node "$top_srcdir/tests/stack/projector.mjs" || status=1

out=$top_builddir/projector-screenshots
rm -rf "$out"
cp -R "$state/shots" "$out" 2>/dev/null || true
echo "projector: screenshots in $out"
[ $status -eq 0 ] || fail "tests/stack/projector.mjs failed"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state"/log/*.log || fail "sanitizer report in a server log"
echo "projector: the live screen keeps up with 300 scans"
