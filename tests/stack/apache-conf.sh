#!/bin/sh
# The production sample apache/attendance.conf is valid for apache2 -t,
# with a throwaway self-signed certificate in place of the real one, and
# so is each single sign-on sample (apache/sso-*.conf) included where the
# site's comment says, when its module is installed: mod_auth_openidc
# (./dev/up installs it), mod_auth_mellon, mod_shib.  The files a sample
# names are made here (a passphrase, an SP key and certificate, metadata),
# since Apache reads some of them while it parses.
set -eu
apache2=$(command -v apache2 || echo /usr/sbin/apache2)
moddir=/usr/lib/apache2/modules
if ! [ -x "$apache2" ] || ! [ -d "$moddir" ] ||
    ! command -v openssl >/dev/null; then
	echo "SKIP: apache2 (Debian's layout) or openssl is not installed"
	exit 77
fi
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attendance-apache.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj /CN=localhost \
    -keyout "$tmp/key.pem" -out "$tmp/cert.pem" 2>/dev/null

# The modules the site needs, less those built into this apache2.
builtin=$("$apache2" -l)
{
	echo "ServerRoot \"$tmp\""
	echo "ServerName localhost"
	echo "PidFile \"$tmp/httpd.pid\""
	echo "Mutex \"file:$tmp\""
	echo "ErrorLog \"$tmp/error.log\""
	echo "Define APACHE_LOG_DIR \"$tmp\""
	echo "TypesConfig /etc/mime.types"
	for m in mpm_event authz_core authn_core authz_user log_config mime \
	    alias headers ssl socache_shmcb proxy proxy_fcgi proxy_http; do
		case $builtin in
		*"mod_$m.c"*) continue ;;
		esac
		echo "LoadModule ${m}_module \"$moddir/mod_$m.so\""
	done
} >"$tmp/base.conf"

# The site, with the sample $1 (or nothing) at its place for single
# sign-on.
site() {
	place='#Include /etc/apache2/attendance-sso.conf'
	grep -q "^[[:space:]]*$place" "$top_srcdir/apache/attendance.conf" || {
		echo "apache-conf: apache/attendance.conf has no place for" \
		    "the single sign-on samples" >&2
		exit 1
	}
	cert=/etc/ssl/certs/attendance.example.edu.pem
	key=/etc/ssl/private/attendance.example.edu.key
	sed -e "s|$cert|\"$tmp/cert.pem\"|" -e "s|$key|\"$tmp/key.pem\"|" \
	    -e "s|^\([[:space:]]*\)$place|\1${1:+Include \"$1\"}|" \
	    "$top_srcdir/apache/attendance.conf"
}

# check NAME MODULE-LINE [SAMPLE]: apache2 -t on the site with it.
check() {
	conf=$tmp/$(echo "$1" | tr / _)
	{
		cat "$tmp/base.conf"
		[ -z "$2" ] || echo "$2"
		site "${3:-}"
	} >"$conf"
	if ! "$apache2" -t -f "$conf" >"$conf.out" 2>&1; then
		cat "$conf.out" >&2
		echo "FAIL: apache2 -t refuses $1" >&2
		exit 1
	fi
	echo "apache-conf: $1 passes apache2 -t"
}

check apache/attendance.conf ""

if [ -f "$moddir/mod_auth_openidc.so" ]; then
	head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$tmp/pass"
	echo >>"$tmp/pass"
	sed "s|/etc/apache2/attendance-oidc-passphrase|'$tmp/pass'|" \
	    "$top_srcdir/apache/sso-openidc.conf" >"$tmp/sso-openidc.conf"
	check apache/sso-openidc.conf \
	    "LoadModule auth_openidc_module \"$moddir/mod_auth_openidc.so\"" \
	    "$tmp/sso-openidc.conf"
else
	echo "apache-conf: not checked: apache/sso-openidc.conf" \
	    "(libapache2-mod-auth-openidc is not installed)"
fi

if [ -f "$moddir/mod_auth_mellon.so" ]; then
	mkdir "$tmp/mellon"
	cp "$tmp/key.pem" "$tmp/mellon/attendance.key"
	cp "$tmp/cert.pem" "$tmp/mellon/attendance.cert"
	for f in attendance.xml idp-metadata.xml; do
		printf '%s%s%s\n' '<EntityDescriptor' \
		    ' xmlns="urn:oasis:names:tc:SAML:2.0:metadata"' \
		    ' entityID="https://example.edu/'"$f"'"/>' \
		    >"$tmp/mellon/$f"
	done
	sed "s|/etc/apache2/mellon/\([^ ]*\)|\"$tmp/mellon/\1\"|" \
	    "$top_srcdir/apache/sso-mellon.conf" >"$tmp/sso-mellon.conf"
	check apache/sso-mellon.conf \
	    "LoadModule auth_mellon_module \"$moddir/mod_auth_mellon.so\"
MellonLockFile \"$tmp/mellon.lock\"" \
	    "$tmp/sso-mellon.conf"
else
	echo "apache-conf: not checked: apache/sso-mellon.conf" \
	    "(libapache2-mod-auth-mellon is not installed)"
fi

if [ -f "$moddir/mod_shib.so" ]; then
	check apache/sso-shibboleth.conf \
	    "LoadModule mod_shib \"$moddir/mod_shib.so\"" \
	    "$top_srcdir/apache/sso-shibboleth.conf"
else
	echo "apache-conf: not checked: apache/sso-shibboleth.conf" \
	    "(libapache2-mod-shib is not installed)"
fi
