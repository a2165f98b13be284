#!/bin/sh
# tests/stack/oidc/deps.sh [NODE_DIR]: installs the npm packages of
# tests/stack/oidc/package-lock.json (oidc-provider, exact versions, `npm
# ci`, from npm's cache when it has them) into NODE_DIR (default
# tests/stack/oidc/, next to the lock file; its node_modules/ is
# git-ignored), for the test fixture OpenID Provider (provider.mjs).
# ./dev/test runs it (dev/common.sh, dev_web_deps); tests/stack/oidc.sh
# runs it with a NODE_DIR in the build tree when the source tree has no
# installed copy (make distcheck).  Quiet and quick when nothing changed:
# the lock file is compared with the one last installed.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
node_dir=${1:-$here}

command -v npm >/dev/null 2>&1 ||
    { echo "oidc deps: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }

mkdir -p "$node_dir"
node_dir=$(cd "$node_dir" && pwd)
if [ "$node_dir" != "$here" ]; then
	cp "$here/package.json" "$here/package-lock.json" "$node_dir/"
fi
stamp=$node_dir/node_modules/.attendance-lock.json
cmp -s "$here/package-lock.json" "$stamp" 2>/dev/null && exit 0
log=$(mktemp "${TMPDIR:-/tmp}/oidc-deps.XXXXXX")
if ! (cd "$node_dir" && npm ci --prefer-offline --no-audit --no-fund \
    --loglevel=error) >"$log" 2>&1; then
	cat "$log" >&2
	rm -f "$log"
	echo "oidc deps: npm ci failed in $node_dir" >&2
	exit 1
fi
rm -f "$log"
cp "$here/package-lock.json" "$stamp"
