# shellcheck shell=bash
# Shared by ./dev/up, ./dev/test and ./dev/admin: the Debian packages the
# project needs, and the build.  Source it from the repository root.

# Build, run and test dependencies, all from Debian 12.
DEV_PACKAGES="build-essential autoconf automake pkg-config
	libfcgi-dev libpq-dev libjson-c-dev libsodium-dev libhiredis-dev
	libcriterion-dev libcurl4-openssl-dev
	libev-dev nettle-dev python3-websockets
	postgresql redis-server nginx spawn-fcgi multiwatch
	apache2 libapache2-mod-auth-openidc
	curl mandoc openssl chromium clang"
# Node.js and npm (the pages' QR library, the browser test): Debian's,
# unless one with npm is there already (NodeSource's nodejs conflicts with
# Debian's npm).
command -v npm >/dev/null 2>&1 || DEV_PACKAGES="$DEV_PACKAGES nodejs npm"

dev_say() {
	printf '%s\n' "$*" >&2
}

dev_die() {
	dev_say "error: $*"
	exit 1
}

dev_as_root() {
	if [ "$(id -u)" = 0 ]; then
		"$@"
	elif command -v sudo >/dev/null; then
		sudo "$@"
	else
		dev_die "need root or sudo to run: $*"
	fi
}

# Installs what is missing; says nothing when everything is there.
dev_install_packages() {
	local missing="" pkg
	for pkg in $DEV_PACKAGES; do
		if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null |
		    grep -q "install ok installed"; then
			missing="$missing $pkg"
		fi
	done
	[ -n "$missing" ] || return 0
	dev_say "installing:$missing"
	dev_as_root env DEBIAN_FRONTEND=noninteractive apt-get update -qq ||
	    dev_die "apt-get update failed"
	# shellcheck disable=SC2086
	dev_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	    --no-install-recommends $missing >/dev/null ||
	    dev_die "apt-get install failed:$missing"
}

# The npm packages of tools/package-lock.json, and the QR library the
# pages load, copied into web/vendor/ (see tools/web-deps.sh); and those of
# the test fixture OpenID Provider (tests/stack/oidc/deps.sh).
dev_web_deps() {
	sh tools/web-deps.sh || dev_die "tools/web-deps.sh failed"
	sh tests/stack/oidc/deps.sh || dev_die "tests/stack/oidc/deps.sh failed"
}

# dev_build DIR [CONFIGURE-ARGS...]: an out-of-tree build in DIR.
dev_build() {
	local dir=$1
	shift
	if [ ! -x configure ] || [ configure.ac -nt configure ] ||
	    [ Makefile.am -nt Makefile.in ]; then
		autoreconf -fi >/dev/null 2>&1 || autoreconf -fi ||
		    dev_die "autoreconf failed"
	fi
	mkdir -p "$dir"
	# Before tests/ was laid out by kind, the suites were the programs
	# tests/unit, tests/db and tests/api, where directories are now.
	for old in "$dir/tests/unit" "$dir/tests/db" "$dir/tests/api"; do
		[ -f "$old" ] && rm -f "$old" "$dir"/tests/*.o
	done
	if [ ! -f "$dir/Makefile" ] || [ configure -nt "$dir/config.status" ] ||
	    [ "$(cat "$dir/.configure-args" 2>/dev/null)" != "$*" ]; then
		(cd "$dir" && ../configure -q "$@") ||
		    dev_die "configure failed in $dir"
		printf '%s' "$*" >"$dir/.configure-args"
	fi
	make -s -C "$dir" -j"$(nproc)" >/dev/null ||
	    make -C "$dir" || dev_die "build failed in $dir"
}
