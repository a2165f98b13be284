#!/bin/sh
# tools/web-deps.sh [NODE_DIR [WEB_DIR]]: installs the npm packages of
# tools/package-lock.json (exact versions, `npm ci`) into NODE_DIR
# (default tools/, next to the lock file), then copies the pages' two
# libraries into WEB_DIR/vendor/ (default web/; "-" skips the copy).
#
# The pages use two libraries, both generated into web/vendor/ and
# git-ignored: qrcode-generator as an ES module (qrcode.js, the live
# screen's QR), and jsqr's browser build (jsqr.js, loaded by the scan
# page's decoding worker, js/qr-worker.js, where the browser has no
# BarcodeDetector).  The other packages are the browser tests'
# (playwright-core, pngjs; they decode with jsqr too).  ./dev/up and
# ./dev/test run this; tests/stack/browser.sh runs it with a NODE_DIR in the build
# tree when the source tree has no installed copy (make distcheck).  Quiet
# and quick when nothing changed: the lock file is compared with the one
# last installed.
set -eu
srcdir=$(cd "$(dirname "$0")/.." && pwd)
node_dir=${1:-$srcdir/tools}
web_dir=${2:-$srcdir/web}

command -v npm >/dev/null 2>&1 ||
    { echo "web-deps: npm is missing (apt-get install nodejs npm)" >&2; exit 1; }

mkdir -p "$node_dir"
node_dir=$(cd "$node_dir" && pwd)
if [ "$node_dir" != "$srcdir/tools" ]; then
	cp "$srcdir/tools/package.json" "$srcdir/tools/package-lock.json" \
	    "$node_dir/"
fi
stamp=$node_dir/node_modules/.attendance-lock.json
if ! cmp -s "$srcdir/tools/package-lock.json" "$stamp" 2>/dev/null; then
	log=$(mktemp "${TMPDIR:-/tmp}/web-deps.XXXXXX")
	if ! (cd "$node_dir" && npm ci --no-audit --no-fund \
	    --loglevel=error) >"$log" 2>&1; then
		cat "$log" >&2
		rm -f "$log"
		echo "web-deps: npm ci failed in $node_dir" >&2
		exit 1
	fi
	rm -f "$log"
	cp "$srcdir/tools/package-lock.json" "$stamp"
fi

if [ "$web_dir" != - ]; then
	mkdir -p "$web_dir/vendor"
	src=$node_dir/node_modules/qrcode-generator/dist/qrcode.mjs
	# .js, not .mjs: nginx's mime.types knows .js as JavaScript, and a
	# module script served with another type is refused by browsers.
	cmp -s "$src" "$web_dir/vendor/qrcode.js" 2>/dev/null ||
	    cp "$src" "$web_dir/vendor/qrcode.js"
	# A classic script (UMD: it sets self.jsQR), for importScripts().
	src=$node_dir/node_modules/jsqr/dist/jsQR.js
	cmp -s "$src" "$web_dir/vendor/jsqr.js" 2>/dev/null ||
	    cp "$src" "$web_dir/vendor/jsqr.js"
fi
