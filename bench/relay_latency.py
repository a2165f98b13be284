#!/usr/bin/python3
"""Scan to round:qr-updated delay, as the professor's screen sees it.

Through nginx, the way a browser goes: the demo professor starts a class
session in Group A and opens its WebSocket; then the demo students of
Group A (student01..student15) scan in turn, COUNT scans in all, a new
round every 15 scans.  For each scan it measures, with one monotonic
clock, from just before the scan request is sent to:
  - the round:qr-updated of that scan arriving on the WebSocket;
  - the scan's HTTP response (201) arriving.
The next scan uses the token that event carried, as a real screen would.
Then, to isolate the relay's own hop, it PUBLISHes COUNT small events on
the session's channel itself (RESP over Redis's unix socket) and times
each until it arrives on the WebSocket (Redis -> relay -> nginx -> here).

    bench/relay_latency.py STATE [COUNT]

STATE is a stack's state directory (STATE/run/http.sock is nginx).
Needs Debian's python3-websockets.
"""
import asyncio
import json
import statistics
import sys
import time

import stack_http

import websockets

STATE = sys.argv[1]
COUNT = int(sys.argv[2]) if len(sys.argv) > 2 else 1000
HTTP_SOCK = STATE + "/run/http.sock"
REDIS_SOCK = STATE + "/run/redis.sock"
PER_ROUND = 15


def api(path, method="GET", body=None, sid=None):
    return stack_http.api(HTTP_SOCK, path, method, body, sid)


def login(name, password):
    status, body, sid = api("/api/auth/login", "POST",
                            {"login": name, "password": password})
    assert status == 200, (status, body)
    return sid


async def wait_event(ws, name):
    while True:
        msg = json.loads(await asyncio.wait_for(ws.recv(), 10))
        if msg["event"] == name:
            return msg["data"]


def pct(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(round(p / 100.0 *
                                                 (len(values) - 1))))]


async def main():
    loop = asyncio.get_running_loop()
    prof = login("prof", "prof-demo")
    students = [login("student%02d" % i, "student-demo")
                for i in range(1, PER_ROUND + 1)]
    _, body, _ = api("/api/courses", sid=prof)
    course = body["courses"][0]["id"]
    _, body, _ = api("/api/courses/%s/groups" % course, sid=prof)
    group = [g for g in body["groups"] if g["name"] == "Group A"][0]["id"]
    _, body, _ = api("/api/groups/%s/sessions" % group, sid=prof)
    for s in body["sessions"]:
        if s["isActive"]:
            api("/api/sessions/%s/end" % s["id"], "PATCH", sid=prof)
    status, body, _ = api("/api/groups/%s/sessions" % group, "POST", {},
                          prof)
    assert status == 201, (status, body)
    session = body["session"]["id"]
    round_id = body["round"]["id"]
    ws = await websockets.unix_connect(
        HTTP_SOCK, "ws://localhost/ws?sessionId=" + session,
        origin="http://localhost", extra_headers={"Cookie": "sid=" + prof})
    await wait_event(ws, "round:started")
    api("/api/sessions/%s/rounds/%s/qr" % (session, round_id), "POST",
        sid=prof)
    token = (await wait_event(ws, "round:qr-updated"))["token"]

    to_event, to_response = [], []
    for i in range(COUNT):
        if i > 0 and i % PER_ROUND == 0:
            status, body, _ = await loop.run_in_executor(None, lambda: api(
                "/api/sessions/%s/rounds" % session, "POST", sid=prof))
            assert status == 201, (status, body)
            round_id = body["round"]["id"]
            token = (await wait_event(ws, "round:qr-updated"))["token"]
        student = students[i % PER_ROUND]
        path = "/api/sessions/%s/rounds/%s/scan" % (session, round_id)
        t0 = time.monotonic()
        call = loop.run_in_executor(None, lambda: api(
            path, "POST", {"token": token}, student))
        data = await wait_event(ws, "round:qr-updated")
        t_event = time.monotonic()
        status, body, _ = await call
        assert status == 201, (status, body)
        to_response.append(time.monotonic() - t0)
        to_event.append(t_event - t0)
        token = data["token"]
    hop = []
    reader, writer = await asyncio.open_unix_connection(REDIS_SOCK)
    channel = ("attendance:session:" + session).encode()
    for i in range(COUNT):
        msg = json.dumps({"event": "bench:ping", "data": {"n": i}}).encode()
        cmd = (b"*3\r\n$7\r\nPUBLISH\r\n$%d\r\n%s\r\n$%d\r\n%s\r\n" %
               (len(channel), channel, len(msg), msg))
        t0 = time.monotonic()
        writer.write(cmd)
        await wait_event(ws, "bench:ping")
        hop.append(time.monotonic() - t0)
        await reader.readline()
    writer.close()
    await ws.close()
    api("/api/sessions/%s/end" % session, "PATCH", sid=prof)

    for name, values in (("scan sent -> round:qr-updated on the socket",
                          to_event),
                         ("scan sent -> HTTP 201 received", to_response),
                         ("PUBLISH sent -> event on the socket", hop)):
        ms = [v * 1000 for v in values]
        print("%s: median %.2f ms, p99 %.2f ms, max %.2f ms (%d samples)" %
              (name, statistics.median(ms), pct(ms, 99), max(ms), len(ms)))


asyncio.run(main())
