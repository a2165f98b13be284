#!/bin/sh
# Single sign-on with OpenID Connect, end to end, in headless Chromium
# (Debian's chromium, npm playwright-core; tests/stack/sso-browser.mjs
# holds the steps): Apache with mod_auth_openidc (the production sample's
# block, as svc_apache_start runs it) guards /api/auth/sso against a real
# OpenID Provider started here (npm oidc-provider, tests/stack/oidc/),
# in front of PostgreSQL, Redis, the workers (sso = on) and the relay.
#   - what Apache hands the worker after a sign-in (the FastCGI echo in the
#     workers' place): REMOTE_USER the subject, the claims as OIDC_CLAIM_*,
#     nothing a client's headers set;
#   - a professor created with the admin tool signs in through the
#     provider's form and is linked by email; a new student is
#     provisioned with the mapped role; an affiliate gets ssoError=forbidden;
#   - a logged-out student's scan survives the redirect dance (/scan#...,
#     the sign-in at the provider, back to /scan) and is recorded.
# A build whose configuration has no "sso" key yet (issue 12's route not
# merged) runs what does not need the route and says PENDING for the rest.
# Screenshots at phone and laptop sizes go to $top_builddir/sso-screenshots.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

svc_require postgresql apache2 node npm redis-server redis-cli spawn-fcgi \
    multiwatch curl /usr/bin/chromium /usr/bin/python3
[ -f "$SVC_APACHE_MODULES/mod_auth_openidc.so" ] || {
	echo "SKIP: mod_auth_openidc is not installed" \
	    "(libapache2-mod-auth-openidc)"
	exit 77
}
svc_require_built "$top_builddir" attendance-admin attendance-fcgi \
    attendance-relay

state=$(svc_state sso)
trap 'svc_stop_pid "$state/run/oidc-provider.pid"
	svc_stop_pid "$state/run/echo.pid"; svc_cleanup "$state"' EXIT
trap 'exit 1' INT TERM
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}

# The npm packages: the source tree's when ./dev/test installed them from
# the current lock files, else copies in the build tree (make distcheck).
node_dir=$top_srcdir/tools
cmp -s "$top_srcdir/tools/package-lock.json" \
    "$node_dir/node_modules/.attendance-lock.json" 2>/dev/null ||
    node_dir=$top_builddir/web-deps
oidc_dir=$top_srcdir/tests/stack/oidc
cmp -s "$oidc_dir/package-lock.json" \
    "$oidc_dir/node_modules/.attendance-lock.json" 2>/dev/null ||
    oidc_dir=$top_builddir/oidc-deps
cp -R "$top_srcdir/web" "$state/web"
chmod -R u+w "$state/web"
sh "$top_srcdir/tools/web-deps.sh" "$node_dir" "$state/web" &&
    sh "$top_srcdir/tests/stack/oidc/deps.sh" "$oidc_dir" || {
	echo "ERROR: could not install the npm packages" >&2
	exit 99
}
svc_webroot=$state/web

port=$(svc_free_port)
idp_port=$(svc_free_port)
base=http://127.0.0.1:$port
# Another site than Apache's, as a campus provider is: its cookies are
# its own, and the way back is a cross-site navigation.
issuer=http://localhost:$idp_port

svc_data_start "$state" "$top_builddir/attendance-admin" "$base" debug
echo "public_base_url = $base" >>"$state/attendance.conf"
admin() {
	"$top_builddir/attendance-admin" -c "$state/attendance.conf" "$@"
}
# The professor's account from before single sign-on: another username,
# a password, the campus email; the first sign-on links it by email.
printf 'prof1-password\n' | admin user add --role professor \
    --username emilie.prof --email prof1@campus.example.edu \
    --display-name "Prof One" --password-stdin >/dev/null ||
    fail "user add emilie.prof"

# The workers' configuration for single sign-on (attendance.conf(5)).
cp "$state/attendance.conf" "$state/sso.conf"
cat >>"$state/sso.conf" <<CONF
sso = on
sso_label = Campus login
sso_subject_param = REMOTE_USER
sso_email_param = OIDC_CLAIM_email
sso_name_param = OIDC_CLAIM_name
sso_username_param = OIDC_CLAIM_preferred_username
sso_role_param = OIDC_CLAIM_affiliation
sso_professor_values = staff faculty
sso_student_values = student
sso_link = email
sso_provision = true
CONF
# Pending only while the build has no key "sso" at all: once it has, the
# whole configuration above must be accepted.
pending=0
{ cat "$state/attendance.conf"; echo "sso = on"; } >"$state/sso-probe.conf"
if ! "$top_builddir/attendance-admin" -c "$state/sso-probe.conf" migrate \
    >"$state/sso-probe.out" 2>&1 &&
    grep -q "unknown key 'sso'" "$state/sso-probe.out"; then
	echo "sso: PENDING - this build has no 'sso' key (issue 12's" \
	    "/api/auth/sso not merged): the workers run without it, and" \
	    "the steps after the provider's sign-in are not checked"
	pending=1
	cp "$state/attendance.conf" "$state/sso.conf"
elif ! "$top_builddir/attendance-admin" -c "$state/sso.conf" migrate \
    >"$state/sso-probe.out" 2>&1; then
	cat "$state/sso-probe.out" >&2
	fail "the configuration for single sign-on is refused"
fi

# The provider, with the sample's client (apache/attendance.conf).
OIDC_PORT=$idp_port OIDC_ISSUER=$issuer OIDC_NODE_DIR=$oidc_dir \
OIDC_CLIENT_ID=attendance OIDC_CLIENT_SECRET=change-me \
OIDC_REDIRECT_URI=$base/api/auth/sso/callback \
    node "$top_srcdir/tests/stack/oidc/provider.mjs" \
    >>"$state/log/oidc-provider.log" 2>&1 &
echo $! >"$state/run/oidc-provider.pid"
i=0
until curl -sf -o /dev/null "$issuer/.well-known/openid-configuration"; do
	i=$((i + 1))
	if [ $i -ge 100 ] || ! svc_pid_alive "$state/run/oidc-provider.pid"
	then
		fail "the OpenID Provider did not start"
	fi
	sleep 0.1
done

svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" "$state/sso.conf" 2
svc_relay_start "$state" "$top_builddir/attendance-relay" "$state/sso.conf"
svc_apache_oidc=$issuer
svc_apache_start "$state" "127.0.0.1:$port"
i=0
until [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/health")" = 200 ]
do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "$base/api/health does not answer 200"
	sleep 0.1
done

# What the browser test calls: "echo" puts tests/stack/fcgi_echo.py in
# the workers' place, "workers" brings them back.
cat >"$state/ctl" <<CTL
#!/bin/sh
set -eu
svc_srcdir='$top_srcdir'
. '$top_srcdir/dev/services.sh'
case \$1 in
echo)
	svc_fcgi_stop '$state'
	/usr/bin/python3 '$top_srcdir/tests/stack/fcgi_echo.py' \\
	    '$state/run/fcgi.sock' >>'$state/log/fcgi-echo.log' 2>&1 &
	echo \$! >'$state/run/echo.pid'
	i=0
	until [ -S '$state/run/fcgi.sock' ]; do
		i=\$((i + 1))
		[ \$i -lt 50 ] || exit 1
		sleep 0.1
	done ;;
workers)
	svc_stop_pid '$state/run/echo.pid'
	svc_fcgi_start '$state' '$top_builddir/attendance-fcgi' \\
	    '$state/sso.conf' 2 ;;
*) exit 2 ;;
esac
CTL

status=0
ATT_BASE=$base ATT_ISSUER=$issuer ATT_NODE_DIR=$node_dir \
ATT_SHOTS=$state/shots ATT_CTL="sh $state/ctl" ATT_PENDING=$pending \
    node "$top_srcdir/tests/stack/sso-browser.mjs" || status=1

out=$top_builddir/sso-screenshots
rm -rf "$out"
cp -R "$state/shots" "$out" 2>/dev/null || true
echo "sso: screenshots in $out"
[ $status = 0 ] || fail "tests/stack/sso-browser.mjs failed"
svc_stop_pid "$state/run/oidc-provider.pid"
svc_fcgi_stop "$state"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state"/log/*.log || fail "sanitizer report in a server log"
echo "sso: the OpenID Connect sign-in works end to end through Apache"
