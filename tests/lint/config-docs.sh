#!/bin/sh
# Every configuration key of the table in lib/config.c is in the sample
# etc/attendance.conf (with its real default) and in attendance.conf(5);
# the sample itself parses.
set -eu
admin="$top_builddir/attendance-admin"
sample="$top_srcdir/etc/attendance.conf"
man="$top_srcdir/doc/attendance.conf.5"
tmp=$(mktemp -d "${TMPDIR:-/tmp}/attendance-config.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
status=0

# The defaults, as the program prints them with no file and no variable.
env -i PATH="$PATH" "$admin" -c /dev/null config >"$tmp/defaults" ||
    { echo "FAIL: attendance-admin config"; exit 1; }
# The sample with its "# key = value" lines uncommented.
sed -n 's/^#[[:space:]]*\([a-z_][a-z_]*[[:space:]]*=.*\)$/\1/p' "$sample" \
    >"$tmp/sample.conf"
env -i PATH="$PATH" "$admin" -c "$tmp/sample.conf" config \
    >"$tmp/from-sample" ||
    { echo "FAIL: the sample does not parse"; exit 1; }

keys=$(sed 's/ = .*//' "$tmp/defaults")
for key in $keys; do
	if ! grep -q "^#[[:space:]]*$key[[:space:]]*=" "$sample"; then
		echo "FAIL: $key is missing from etc/attendance.conf"
		status=1
	fi
	if ! grep -q "^\.It Cm $key\$" "$man"; then
		echo "FAIL: $key is missing from doc/attendance.conf.5"
		status=1
	fi
done
# database may differ: the sample shows a fuller example.
if ! diff "$tmp/defaults" "$tmp/from-sample" | grep '^[<>]' |
    grep -v '^[<>] database = ' >"$tmp/diff"; then
	:
fi
if [ -s "$tmp/diff" ]; then
	echo "FAIL: the sample's values differ from the built-in defaults:"
	cat "$tmp/diff"
	status=1
fi
[ $status = 0 ] && echo "config-docs: $(echo "$keys" | wc -w) keys documented"
exit $status
