"""Slow bodies (issue "Security hardening", 3), against two real workers.

Four clients trickle a body, one byte every half second, as they would
through Apache's mod_proxy_fcgi, which passes a body on as it arrives:
each is dropped once request_body_timeout (2 s here) has passed, nothing
is written, and /api/health is answered meanwhile.  A body that arrives
slowly but within the deadline is taken.

    slow-body.py WORKER-SOCKET PSQL-CONNINFO
"""

import concurrent.futures
import json
import os
import subprocess
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import fcgi_client  # noqa: E402
from checks import fail, ok  # noqa: E402

sock, conninfo = sys.argv[1:3]


def call(method, uri, body=b"", cookie=None, trickle=None):
    params = {"REQUEST_METHOD": method, "REQUEST_URI": uri,
              "REMOTE_ADDR": "127.0.0.1"}
    if body:
        params["CONTENT_TYPE"] = "application/json"
    if cookie:
        params["HTTP_COOKIE"] = cookie
    return fcgi_client.request(sock, params, body, timeout=30,
                               trickle=trickle)


status, headers, body = call("POST", "/api/auth/login",
                             b'{"login": "prof", "password": "prof-demo"}')
if status != 200:
    fail(f"login: {status} {body!r}")
sid = [v for n, v in headers if n.lower() == "set-cookie" and
       v.startswith("sid=")][0].split(";")[0]


def slow(i):
    started = time.monotonic()
    body = json.dumps({"code": f"SLOW{i}", "name": "Trickled",
                       "term": "2026F"}).encode()
    try:
        status, _, out = call("POST", "/api/courses", body, sid,
                              trickle=0.5)
        return f"answered {status} {out[:80]!r}", time.monotonic() - started
    except (OSError, ConnectionError):
        return "dropped", time.monotonic() - started


with concurrent.futures.ThreadPoolExecutor(4) as pool:
    slows = [pool.submit(slow, i) for i in range(4)]
    time.sleep(0.5)
    started = time.monotonic()
    status, _, body = call("GET", "/api/health")
    took = time.monotonic() - started
    results = [f.result() for f in slows]
if status != 200:
    fail(f"health while bodies trickle: {status} {body!r}")
# Four slow clients, two workers, 2 s each: health waits 4 s at most.
if took > 6:
    fail(f"health answered after {took:.1f} s while bodies trickled")
ok(f"health answered in {took:.1f} s while 4 bodies trickled into 2 "
   "workers")
for what, took in results:
    if what != "dropped" or took > 8:
        fail(f"a trickled body: {what} after {took:.1f} s")
ok("each trickled body dropped within its deadline "
   f"({max(t for _, t in results):.1f} s at most)")
n = subprocess.run(["psql", conninfo, "-XtAc",
                    "SELECT count(*) FROM courses WHERE code LIKE 'SLOW%'"],
                   check=True, capture_output=True, text=True).stdout.strip()
if n != "0":
    fail(f"{n} courses written by dropped requests")
ok("nothing written by a dropped request")

body = json.dumps({"code": "OK1", "name": "Slow but in time",
                   "term": "2026F"}).encode()
started = time.monotonic()
status, _, out = call("POST", "/api/courses", body, sid, trickle=0.02)
if status != 201:
    fail(f"a body slow but within the deadline: {status} {out!r}")
ok(f"a body taking {time.monotonic() - started:.1f} s, within the "
   "deadline, is taken")
