#!/usr/bin/python3
"""Memory of idle WebSockets at attendance-relay.

Logs in as the demo professor through nginx, starts a class session in
Group B (or reuses the active one; bench/relay_latency.py uses Group A),
then opens COUNT WebSockets straight to the relay's socket, each with a
complete handshake (the 101 and the round:started frame read), keeps them
idle and compares the relay's RSS (VmRSS of /proc/PID/status) before and
after.  Measure a freshly started relay: freed memory stays in its heap.

    bench/relay_idle.py STATE [COUNT [HOLD]]

HOLD: seconds to keep the sockets open after measuring (default 0), to
measure something else meanwhile (bench/relay_latency.py).  Raw sockets
answer no ping: give the relay a relay_ping_interval longer than that.

STATE is a stack's state directory (./dev/up's var/, or one of the test
scripts'): STATE/run/http.sock (nginx), STATE/run/relay.sock and
STATE/run/relay.pid.  The relay needs relay_max_sockets above COUNT and
a descriptor limit to match; so does this process (it raises its soft
limit to the hard one).  Debian's /usr/bin/python3, no websockets needed.
"""
import asyncio
import base64
import os
import resource
import sys
import time

import stack_http

STATE = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
HOLD = float(sys.argv[3]) if len(sys.argv) > 3 else 0
HTTP_SOCK = STATE + "/run/http.sock"
RELAY_SOCK = STATE + "/run/relay.sock"


def api(path, method="GET", body=None, sid=None):
    return stack_http.api(HTTP_SOCK, path, method, body, sid)


def rss_kib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS")


def session_of_prof():
    _, _, sid = api("/api/auth/login", "POST",
                    {"login": "prof", "password": "prof-demo"})
    _, body, _ = api("/api/courses", sid=sid)
    course = body["courses"][0]["id"]
    _, body, _ = api("/api/courses/%s/groups" % course, sid=sid)
    group = [g for g in body["groups"] if g["name"] == "Group B"][0]["id"]
    status, body, _ = api("/api/groups/%s/sessions" % group, "POST", {}, sid)
    if status == 201:
        return sid, body["session"]["id"]
    _, body, _ = api("/api/groups/%s/sessions" % group, sid=sid)
    return sid, [s for s in body["sessions"] if s["isActive"]][0]["id"]


async def open_one(session, sid, sockets, sem):
    async with sem:
        reader, writer = await asyncio.open_unix_connection(RELAY_SOCK)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((
            "GET /ws?sessionId=%s HTTP/1.1\r\nHost: localhost\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
            "Origin: http://localhost\r\nCookie: sid=%s\r\n\r\n" %
            (session, key, sid)).encode())
        head = await reader.readuntil(b"\r\n\r\n")
        if not head.startswith(b"HTTP/1.1 101"):
            raise RuntimeError(head.decode(errors="replace"))
        b = await reader.readexactly(2)         # round:started
        n = b[1] & 0x7f
        if n == 126:
            n = int.from_bytes(await reader.readexactly(2), "big")
        await reader.readexactly(n)
        sockets.append((reader, writer))


async def main():
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    with open(STATE + "/run/relay.pid") as f:
        pid = int(f.read())
    sid, session = session_of_prof()
    # One socket first, so the loop, the session and the Redis
    # subscription exist before the baseline.
    sockets = []
    sem = asyncio.Semaphore(256)
    await open_one(session, sid, sockets, sem)
    await asyncio.sleep(1)
    before = rss_kib(pid)
    t0 = time.monotonic()
    await asyncio.gather(*(open_one(session, sid, sockets, sem)
                           for _ in range(COUNT)))
    took = time.monotonic() - t0
    await asyncio.sleep(2)
    after = rss_kib(pid)
    print("%d idle WebSockets opened in %.1f s (%.0f upgrades/s)" %
          (COUNT, took, COUNT / took))
    print("relay RSS: %d KiB before, %d KiB after: %.0f bytes per socket" %
          (before, after, (after - before) * 1024.0 / COUNT), flush=True)
    await asyncio.sleep(HOLD)
    for _, w in sockets:
        w.close()
    await asyncio.sleep(3)
    print("relay RSS after closing them: %d KiB" % rss_kib(pid))


asyncio.run(main())
