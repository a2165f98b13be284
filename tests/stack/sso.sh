#!/bin/sh
# Single sign-on (GET /api/auth/sso, GET /api/auth/methods) and the login
# throttle of v1.1 against real workers and PostgreSQL, driven by
# tests/stack/sso.py, which speaks FastCGI to the workers as a web server
# does and so sets REMOTE_USER, the attributes and REMOTE_ADDR itself.
# One phase per configuration of the workers:
#   off       sso off: the route is 404 for every method
#   sso       provisioning, linking by email, attributes refreshed, the
#             device cookie, every refusal (nothing written), next, two
#             first sign-ons at once, a Remote-User header
#   closed    password_login off, linking by username, no provisioning
#   throttle  30 parallel attempts (5 password checks), per address
#             (IPv6 by /64, trusted networks), device cookies of an
#             account, a 429 counting nothing, a success erasing nothing
# Then the database is stopped: a sign-on is 302 ssoError=unavailable.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql redis-server redis-cli spawn-fcgi multiwatch psql \
    curl $python
svc_require_built "$top_builddir" attendance-admin attendance-fcgi

state=$(svc_state sso)
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
trap 'svc_cleanup "$state"' EXIT
trap 'exit 1' INT TERM

svc_data_start "$state" "$top_builddir/attendance-admin"
conninfo=$(svc_pg_conninfo "$state")
cp "$state/attendance.conf" "$state/base.conf"

# phase NAME CONFIG-LINES: the workers with base.conf and these lines,
# then tests/stack/sso.py NAME.
phase() {
	name=$1
	{ cat "$state/base.conf"; printf '%s\n' "$2"; } \
	    >"$state/attendance.conf"
	svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
	    "$state/attendance.conf" 4
	"$python" "$top_srcdir/tests/stack/sso.py" "$name" \
	    "$state/run/fcgi.sock" "$conninfo" \
	    "$top_builddir/attendance-admin" "$state/attendance.conf" ||
	    fail "phase $name"
}

claims='sso_subject_param = REMOTE_USER
sso_email_param = OIDC_CLAIM_email
sso_name_param = OIDC_CLAIM_name
sso_username_param = OIDC_CLAIM_preferred_username
sso_role_param = OIDC_CLAIM_affiliation
sso_professor_values = faculty, staff
sso_student_values = student'

phase off ""
phase sso "sso = on
sso_label = Campus login
sso_link = email
$claims"
phase closed "sso = on
password_login = false
sso_link = username
sso_provision = false
$claims"
phase secure "public_base_url = https://att.example
sso = on
$claims"
phase throttle "login_failure_window = 60
login_failures_per_name = 5
login_failures_per_address = 20
login_trusted_networks = 198.51.100.0/24, 2001:db8:ffff::/48 2001:db8:eeee:1:8000::/80"

# refused WHAT REASON CONFIG-LINES: a worker with base.conf and these
# lines does not start, and says REASON.
refused() {
	{ cat "$state/base.conf"; printf '%s\n' "$3"; } >"$state/refused.conf"
	if "$top_builddir/attendance-fcgi" -c "$state/refused.conf" \
	    </dev/null >"$state/refused.out" 2>&1; then
		fail "a worker started with $1"
	fi
	grep -q "$2" "$state/refused.out" ||
	    fail "no reason for refusing $1: $(cat "$state/refused.out")"
	echo "ok - $1 is refused at start"
}
refused "a parameter named HTTP_*" \
    'sso_email_param: HTTP_X_EMAIL is a request header' \
    "sso_email_param = HTTP_X_EMAIL"
refused "cookie_secure = false with an https:// base" \
    'cookie_secure: false, and public_base_url is https://' \
    "public_base_url = https://att.example
cookie_secure = false"

# The database down: the browser still lands on a page that says so.
{ cat "$state/base.conf"; echo "sso = on"; } >"$state/attendance.conf"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
svc_pg_stop "$state"
"$python" - "$state/run/fcgi.sock" "$top_srcdir/tests/lib" <<'PY' ||
import sys
sys.path.insert(0, sys.argv[2])
import fcgi_client
status, headers, body = fcgi_client.request(sys.argv[1], {
    "REQUEST_METHOD": "GET", "REQUEST_URI": "/api/auth/sso",
    "REMOTE_ADDR": "127.0.0.1", "REMOTE_USER": "someone"})
location = dict((n.lower(), v) for n, v in headers).get("location")
if status != 302 or location != "/?ssoError=unavailable":
    sys.exit(f"database down: {status} {headers} {body!r}")
PY
    fail "a sign-on with the database down"
echo "ok - the database down: 302 ssoError=unavailable"
