#!/bin/sh
# The web pages end to end in headless Chromium (Debian's chromium, driven
# by npm playwright-core; tests/stack/browser.mjs holds the steps), against the
# whole stack started here: PostgreSQL (migrated, demo data), Redis, the
# FastCGI workers, the WebSocket relay, and nginx on a free loopback TCP
# port (Chromium cannot reach a unix socket).  The professor logs in, opens
# the demo group, starts a session; the QR code is read from the live
# screen's pixels; students scan it from phones, logged out first; the live
# list, the code's renewal, a relay outage, a new round, a logout in
# another tab (the live screen goes to the login page on the relay's 4401,
# without reconnecting), the end, and the reports are checked.  Proof of
# presence (issue 14): the typed code under the QR, renewed with it; a
# second student on the first one's phone (Shared phone on the live
# screen); a student typing the code read off the live screen on /scan; a
# course's campus networks (Off campus network, then refused, in words);
# the session's check-ins; screenshots of those pages at a phone's, a
# laptop's and a projector's size, none wider than its screen.  The
# professor's records (issue 15): a paste into bulk enrollment with a
# header, repeats and bad lines; a student marked present by name on the
# live screen, whose list survives a reload; Live now on the courses and
# the course; who never checked in; the grid of marks corrected from the
# keyboard and a click, a failed save put back, the stats following; the
# course's students under a threshold; a student's rounds on a phone; the
# CSV export downloaded and parsed, accents intact.  Prints
# the time from a scan to the new QR drawn,
# and the folder of the screenshots (copied to $top_builddir/
# browser-screenshots).
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql nginx node npm redis-server redis-cli spawn-fcgi \
    multiwatch curl /usr/bin/chromium /usr/bin/python3
svc_require_built "$top_builddir" attendance-admin attendance-fcgi
relay=$top_builddir/attendance-relay
[ -x "$relay" ] ||
    echo "browser: $relay is not built: the live screen gets no QR code" >&2

state=$(svc_state browser)
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
admin() {
	"$top_builddir/attendance-admin" -c "$state/attendance.conf" "$@"
}
admin demo >/dev/null
# A student whose name a spreadsheet must read right (the CSV export).
printf 'student-demo\n' | admin user add --role student --username zoe \
    --email zoe@demo.example.edu --display-name 'Zoë Ångström-Núñez' \
    --password-stdin >/dev/null
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
[ -x "$relay" ] && svc_relay_start "$state" "$relay" "$state/attendance.conf"
svc_nginx_start "$state" "127.0.0.1:$port"
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/health")" = 200 ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "$base/api/health does not answer 200"
	sleep 0.1
done

# What the test calls for an outage: "relay stop", "redis start", ...
cat >"$state/ctl" <<CTL
#!/bin/sh
set -eu
svc_srcdir='$top_srcdir'
. '$top_srcdir/dev/services.sh'
case \$1-\$2 in
relay-stop) svc_relay_stop '$state' ;;
relay-start) svc_relay_start '$state' '$relay' '$state/attendance.conf' ;;
redis-stop) svc_redis_stop '$state' ;;
redis-start) svc_redis_start '$state' ;;
*) exit 2 ;;
esac
CTL

status=0
ATT_BASE=$base ATT_NODE_DIR=$node_dir ATT_SHOTS=$state/shots \
ATT_CTL="sh $state/ctl" \
    node "$top_srcdir/tests/stack/browser.mjs" || status=1

out=$top_builddir/browser-screenshots
rm -rf "$out"
cp -R "$state/shots" "$out" 2>/dev/null || true
echo "browser: screenshots in $out"
if [ $status -ne 0 ]; then
	fail "tests/stack/browser.mjs failed"
fi
# In the sanitizer build, a worker's leak or error shows in its log.
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state"/log/*.log || fail "sanitizer report in a server log"
echo "browser: the pages work end to end in Chromium"
