#!/bin/sh
# The scan page's in-page scanner (issue 16) end to end: headless Chromium
# (Debian's, driven by npm playwright-core; tests/stack/scanner.mjs holds
# the steps) against the whole stack started here as tests/stack/browser.sh
# does (PostgreSQL with the demo data, Redis, the FastCGI workers, the
# WebSocket relay, nginx on a free loopback port).  The phones' camera is
# Chromium's fake capture device fed from a Y4M file made of screenshots
# of the real live screen, so the page decodes what the projector shows:
# frames of codes already used, then the live one.  Prints the time from
# opening the scanner to the record, per decoder, and the folder of the
# screenshots (copied to $top_builddir/scanner-screenshots).
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql nginx node npm redis-server redis-cli spawn-fcgi \
    multiwatch curl /usr/bin/chromium
svc_require_built "$top_builddir" attendance-admin attendance-fcgi \
    attendance-relay

state=$(svc_state scanner)
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
ATT_FRAMES=$state/frames \
    node "$top_srcdir/tests/stack/scanner.mjs" || status=1

out=$top_builddir/scanner-screenshots
rm -rf "$out"
cp -R "$state/shots" "$out" 2>/dev/null || true
echo "scanner: screenshots in $out"
[ $status -eq 0 ] || fail "tests/stack/scanner.mjs failed"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state"/log/*.log || fail "sanitizer report in a server log"
echo "scanner: the in-page scanner reads the live screen through a camera"
