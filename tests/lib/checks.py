"""TAP-like lines for the Python stack tests: "ok N - what", and on the
first failure "FAIL: what" and exit status 1."""

import sys

_count = 0
prefix = ""


def ok(what):
    global _count
    _count += 1
    print(f"ok {_count} - {prefix}{what}", flush=True)


def fail(what):
    print(f"FAIL: {prefix}{what}", flush=True)
    sys.exit(1)


def check(cond, what, detail=""):
    if not cond:
        fail(f"{what} {detail}".rstrip())
    ok(what)
