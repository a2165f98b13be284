#!/bin/sh
# The production sample nginx/attendance.conf is valid for nginx -t, with
# a throwaway self-signed certificate in place of the real one, and so is
# the single sign-on sample nginx/sso-auth-request.conf included where the
# site's comment says.
set -eu
if ! command -v openssl >/dev/null || ! { command -v nginx >/dev/null ||
    [ -x /usr/sbin/nginx ]; }; then
	echo "SKIP: nginx or openssl is not installed"
	exit 77
fi
nginx=$(command -v nginx || echo /usr/sbin/nginx)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attendance-nginx.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null
# The site's commented-out include of the single sign-on locations.
sso_place='#include /etc/nginx/attendance-sso.conf;'
sed -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
    "$top_srcdir/nginx/sso-auth-request.conf" >"$tmp/sso.conf"
grep -q "^[[:space:]]*$sso_place" "$top_srcdir/nginx/attendance.conf" || {
	echo "nginx-conf: nginx/attendance.conf has no place for the" \
	    "single sign-on sample" >&2
	exit 1
}
# site SSO: the sample for nginx -t; with SSO "yes", its sign-on location
# replaced by the single sign-on sample, as the comment there says.
site() {
	sed -e "s|^\([[:space:]]*ssl_certificate\) .*|\1 \"$tmp/cert.pem\";|" \
	    -e "s|^\([[:space:]]*ssl_certificate_key\) .*|\1 \"$tmp/key.pem\";|" \
	    -e "s|include fastcgi_params;|include /etc/nginx/fastcgi_params;|" \
	    -e "s|/var/log/nginx/\([^;]*\);|\"$tmp/\1\";|" \
	    -e "s|include /etc/nginx/attendance-headers.conf;|include \"$top_srcdir/nginx/security-headers.conf\";|" \
	    "$top_srcdir/nginx/attendance.conf" |
	if [ "$1" = yes ]; then
		awk -v place="$sso_place" -v sso="$tmp/sso.conf" '
		    /^\tlocation = \/api\/auth\/sso \{/ { skip = 1; next }
		    skip && /^\t}/ { skip = 0; next }
		    skip { next }
		    index($0, place) { print "\tinclude \"" sso "\";"; next }
		    { print }'
	else
		cat
	fi
}
for sso in no yes; do
	site $sso >"$tmp/site.conf"
	cat >"$tmp/nginx.conf" <<CONF
pid "$tmp/nginx.pid";
error_log "$tmp/error.log";
events {}
http {
	include /etc/nginx/mime.types;
	include "$tmp/site.conf";
}
CONF
	"$nginx" -t -q -p "$tmp" -c "$tmp/nginx.conf" -e "$tmp/error.log" || {
		echo "nginx-conf: nginx -t refuses the sample (single sign-on:" \
		    "$sso)" >&2
		exit 1
	}
done
echo "nginx-conf: nginx/attendance.conf and nginx/sso-auth-request.conf" \
    "pass nginx -t"
