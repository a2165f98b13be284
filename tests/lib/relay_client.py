#!/usr/bin/python3
"""The relay's integration checks, run by tests/stack/relay.sh against a stack
it started.  Debian's python3-websockets (10.x) is the strict RFC 6455
client; a small raw client sends what websockets refuses to (invalid
UTF-8, unmasked frames) and ignores pings.  Every wait is bounded.

Environment: RELAY_TEST_STATE (the stack's state directory) and
RELAY_TEST_CTL (a script taking redis-stop, redis-start, redis-pause,
redis-resume, pg-stop, pg-start, fcgi-restart, and sql STATEMENT).  A
second relay listens on run/relay2.sock, its logins check 30 s apart.
Prints one line per check; exits 1 at the first failure.
"""
import asyncio
import base64
import hashlib
import http.client
import json
import os
import re
import signal
import socket
import struct
import subprocess
import sys
import time
import uuid

import websockets

STATE = os.environ["RELAY_TEST_STATE"]
CTL = os.environ["RELAY_TEST_CTL"]
HTTP_SOCK = STATE + "/run/http.sock"
RELAY_SOCK = STATE + "/run/relay.sock"
REDIS_SOCK = STATE + "/run/redis.sock"
RELAY_LOG = STATE + "/log/relay.log"
RELAY2_SOCK = STATE + "/run/relay2.sock"
RELAY2_LOG = STATE + "/log/relay2.log"
LOGGED_OUT = 4401   # the relay's close code when the login ended
BY_MESSAGE = "logged out (logout message): closing with 4401"
BY_CHECK = "its login ended (login check): closing with 4401"
ORIGIN = "http://localhost"
GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TS = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
WAIT = 5.0          # an event that must come
QUIET = 0.5         # an event that must not come
checks = 0
T0 = time.monotonic()


class Failure(Exception):
    pass


def ok(what):
    global checks
    checks += 1
    print("ok %d - %s (%.1f s)" % (checks, what, time.monotonic() - T0),
          flush=True)


def check(cond, what):
    if not cond:
        raise Failure(what)


# --- HTTP through nginx ---------------------------------------------------

class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path, timeout=10):
        super().__init__("localhost", timeout=timeout)
        self.unix_path = path

    def connect(self):
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.settimeout(self.timeout)
        sock.connect(self.unix_path)
        self.sock = sock


def http_request(path, method="GET", body=None, sid=None, sock=HTTP_SOCK):
    conn = UnixHTTPConnection(sock)
    headers = {}
    data = None
    if body is not None:
        data = json.dumps(body)
        headers["Content-Type"] = "application/json"
    if sid is not None:
        headers["Cookie"] = "sid=" + sid
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        raw = resp.read()
        cookie = None
        for name, value in resp.getheaders():
            if name.lower() == "set-cookie" and value.startswith("sid="):
                cookie = value.split(";")[0][4:]
        try:
            parsed = json.loads(raw) if raw else None
        except ValueError:
            parsed = raw
        return resp.status, parsed, cookie
    finally:
        conn.close()


async def api(path, method="GET", body=None, sid=None, sock=HTTP_SOCK):
    """The HTTP call in a thread, so the loop keeps answering pings."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(
        None, lambda: http_request(path, method, body, sid, sock))


async def login(name, password):
    status, body, cookie = await api("/api/auth/login", "POST",
                                     {"login": name, "password": password})
    check(status == 200 and cookie, "login %s: %s %s" % (name, status, body))
    return cookie


async def expect(call, want, what):
    status, body, _ = await call
    check(status == want, "%s: got %s %s, expected %s" %
          (what, status, body, want))
    return body


async def ctl(what):
    """In a thread: the loop must go on answering the relay's pings."""
    loop = asyncio.get_running_loop()
    await loop.run_in_executor(None, lambda: subprocess.run(
        [CTL, what], check=True, timeout=90, stdout=subprocess.DEVNULL))


async def sql(statement):
    """One statement through psql; its output."""
    loop = asyncio.get_running_loop()
    done = await loop.run_in_executor(None, lambda: subprocess.run(
        [CTL, "sql", statement], check=True, timeout=30,
        stdout=subprocess.PIPE))
    return done.stdout.decode().strip()


def relay_log(path=RELAY_LOG):
    with open(path, errors="replace") as f:
        return f.read()


def sid_hash(sid):
    """token_hash(): BLAKE2b-256 of the cookie's text, as hex."""
    return hashlib.blake2b(sid.encode(), digest_size=32).hexdigest()


# --- WebSocket clients ---------------------------------------------------

def ws_uri(session):
    return "ws://localhost/ws?sessionId=" + session


async def ws_open(session, sid, origin=ORIGIN, sock=HTTP_SOCK):
    headers = {"Cookie": "sid=" + sid} if sid is not None else {}
    return await websockets.unix_connect(
        sock, ws_uri(session), origin=origin, extra_headers=headers,
        open_timeout=WAIT, close_timeout=WAIT)


async def ws_refused(session, sid, origin, want, what):
    try:
        ws = await ws_open(session, sid, origin)
    except websockets.exceptions.InvalidStatusCode as e:
        check(e.status_code == want, "%s: got %s, expected %s" %
              (what, e.status_code, want))
        ok("%s: %d, no socket" % (what, want))
        return
    await ws.close()
    raise Failure("%s: the upgrade was accepted" % what)


async def next_event(ws, timeout=WAIT, skip=("test:filler",)):
    """The next event on ws, skipping the filler of the queue test."""
    deadline = time.monotonic() + timeout
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            raise Failure("no event within %.1f s" % timeout)
        try:
            raw = await asyncio.wait_for(ws.recv(), left)
        except asyncio.TimeoutError:
            raise Failure("no event within %.1f s" % timeout)
        check(isinstance(raw, str), "a binary frame from the relay")
        msg = json.loads(raw)
        check(set(msg) == {"event", "data"}, "message shape: %s" % raw)
        if msg["event"] not in skip:
            return msg["event"], msg["data"]


async def expect_event(ws, name, timeout=WAIT):
    event, data = await next_event(ws, timeout)
    check(event == name, "expected %s, got %s %s" % (name, event, data))
    return data


async def expect_quiet(ws, timeout=QUIET):
    try:
        raw = await asyncio.wait_for(ws.recv(), timeout)
    except asyncio.TimeoutError:
        return
    raise Failure("unexpected message: %s" % raw)


async def expect_closed(ws, code, what, timeout=WAIT):
    try:
        await asyncio.wait_for(ws.wait_closed(), timeout)
    except asyncio.TimeoutError:
        raise Failure("%s: still open after %.1f s" % (what, timeout))
    check(ws.close_code == code, "%s: close code %s, expected %s" %
          (what, ws.close_code, code))


# A raw client: the handshake by hand, frames by hand.
class Raw:
    def __init__(self, reader, writer):
        self.reader = reader
        self.writer = writer

    @classmethod
    async def open(cls, session, sid, sock=RELAY_SOCK, origin=ORIGIN):
        reader, writer = await asyncio.wait_for(
            asyncio.open_unix_connection(sock), WAIT)
        key = base64.b64encode(os.urandom(16)).decode()
        writer.write((
            "GET /ws?sessionId=%s HTTP/1.1\r\nHost: localhost\r\n"
            "Upgrade: websocket\r\nConnection: Upgrade\r\n"
            "Sec-WebSocket-Key: %s\r\nSec-WebSocket-Version: 13\r\n"
            "Origin: %s\r\nCookie: sid=%s\r\n\r\n" %
            (session, key, origin, sid)).encode())
        head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), WAIT)
        lines = head.decode().split("\r\n")
        check(lines[0].startswith("HTTP/1.1 101 "), "raw upgrade: %s" %
              lines[0])
        accept = base64.b64encode(hashlib.sha1(
            (key + GUID).encode()).digest()).decode()
        check("Sec-WebSocket-Accept: " + accept in lines,
              "raw upgrade: Sec-WebSocket-Accept")
        return cls(reader, writer)

    def send(self, opcode, payload, mask=True, fin=True):
        head = bytes([(0x80 if fin else 0) | opcode])
        n = len(payload)
        m = 0x80 if mask else 0
        if n < 126:
            head += bytes([m | n])
        elif n < 65536:
            head += bytes([m | 126]) + struct.pack("!H", n)
        else:
            head += bytes([m | 127]) + struct.pack("!Q", n)
        if mask:
            key = os.urandom(4)
            payload = bytes(b ^ key[i % 4] for i, b in enumerate(payload))
            head += key
        self.writer.write(head + payload)

    async def frame(self, timeout=WAIT):
        """(opcode, payload) of the next frame; None at end of file."""
        try:
            b = await asyncio.wait_for(self.reader.readexactly(2), timeout)
        except asyncio.IncompleteReadError:
            return None
        n = b[1] & 0x7f
        if n == 126:
            n = struct.unpack("!H", await self.reader.readexactly(2))[0]
        elif n == 127:
            n = struct.unpack("!Q", await self.reader.readexactly(8))[0]
        check(not b[1] & 0x80, "the relay masked a frame")
        return b[0] & 0x0f, await self.reader.readexactly(n)

    async def close_code(self, timeout=WAIT):
        """The code of the close frame that comes, skipping the rest."""
        deadline = time.monotonic() + timeout
        while True:
            f = await self.frame(max(0.1, deadline - time.monotonic()))
            check(f is not None, "end of file without a close frame")
            if f[0] == 0x8:
                return struct.unpack("!H", f[1][:2])[0] if f[1] else None

    async def eof(self, timeout):
        """Reads until end of file; returns the opcodes seen."""
        seen = []
        deadline = time.monotonic() + timeout
        while True:
            try:
                f = await self.frame(max(0.1, deadline - time.monotonic()))
            except asyncio.TimeoutError:
                raise Failure("still open after %.1f s (saw %s)" %
                              (timeout, seen))
            if f is None:
                return seen
            seen.append(f[0])

    def close(self):
        self.writer.close()


def redis_auth():
    """AUTH as the test Redis's admin user (dev/services.sh): the stack's
    Redis has no default user."""
    with open(STATE + "/redis/admin-password") as f:
        return resp_command("AUTH", "admin", f.read().strip())


async def redis_connect():
    reader, writer = await asyncio.open_unix_connection(REDIS_SOCK)
    writer.write(redis_auth())
    reply = await asyncio.wait_for(reader.readline(), WAIT)
    check(reply == b"+OK\r\n", "AUTH: %r" % reply)
    return reader, writer


async def redis_publish(channel, message):
    """PUBLISH over RESP on the unix socket: the workers' channel."""
    reader, writer = await redis_connect()
    writer.write(resp_command("PUBLISH", channel, message))
    reply = await asyncio.wait_for(reader.readline(), WAIT)
    writer.close()
    check(reply.startswith(b":"), "PUBLISH: %r" % reply)
    return int(reply[1:])


def resp_command(*args):
    cmd = b"*%d\r\n" % len(args)
    for a in args:
        a = a.encode() if isinstance(a, str) else a
        cmd += b"$%d\r\n%s\r\n" % (len(a), a)
    return cmd


async def resp_read(reader):
    """One RESP reply: bulk strings as bytes, arrays as lists."""
    line = await reader.readline()
    check(line.endswith(b"\r\n"), "RESP: %r" % line)
    kind, rest = line[:1], line[1:-2]
    if kind == b"*":
        return [await resp_read(reader) for _ in range(int(rest))]
    if kind == b"$":
        if int(rest) < 0:
            return None
        return (await reader.readexactly(int(rest) + 2))[:-2]
    if kind == b":":
        return int(rest)
    return rest


class RedisSub:
    """A SUBSCRIBE of one channel on the unix socket, as a relay does."""

    @classmethod
    async def open(cls, channel):
        self = cls()
        self.reader, self.writer = await redis_connect()
        self.writer.write(resp_command("SUBSCRIBE", channel))
        reply = await asyncio.wait_for(resp_read(self.reader), WAIT)
        check(reply[:2] == [b"subscribe", channel.encode()],
              "SUBSCRIBE: %r" % reply)
        return self

    async def message(self, timeout=WAIT):
        reply = await asyncio.wait_for(resp_read(self.reader), timeout)
        check(reply[0] == b"message", "not a message: %r" % reply)
        return reply[2].decode()

    def close(self):
        self.writer.close()


async def healthz():
    return await api("/healthz", sock=RELAY_SOCK)


async def poll_healthz(status, what, timeout=20, sock=None):
    deadline = time.monotonic() + timeout
    while True:
        got, body, _ = await (healthz() if sock is None else
                              api("/healthz", sock=sock))
        if got == status and what(body):
            return body
        if time.monotonic() > deadline:
            raise Failure("/healthz still %s %s after %d s" %
                          (got, body, timeout))
        await asyncio.sleep(0.2)


# --- the checks ------------------------------------------------------------

async def scan(student, session, round_id, token):
    return await expect(api("/api/sessions/%s/rounds/%s/scan" %
                            (session, round_id), "POST", {"token": token},
                            student), 201, "scan")


async def qr(prof, session, round_id):
    await expect(api("/api/sessions/%s/rounds/%s/qr" % (session, round_id),
                     "POST", sid=prof), 202, ".../qr")


async def qr_updated_on_all(sockets, round_id):
    tokens = []
    for ws in sockets:
        data = await expect_event(ws, "round:qr-updated")
        check(data["roundId"] == round_id and len(data["token"]) == 43 and
              TS.match(data["expiresAt"]), "round:qr-updated: %s" % data)
        tokens.append(data["token"])
    check(len(set(tokens)) == 1, "the sockets got different tokens")
    return tokens[0]


async def window_session(prof, students, group):
    """(v1.1) Window mode: every scan of the one token is an
    attendance:recorded on the professor's socket, and no round:qr-updated
    follows; the screen's .../qr still renews the token."""
    body = await expect(api("/api/groups/%s/sessions" % group, "POST",
                            {"scanMode": "window", "qrTtlSeconds": 30},
                            prof), 201, "a window session")
    check(body["session"]["scanMode"] == "window",
          "scanMode: %s" % body["session"])
    session = body["session"]["id"]
    round_id = body["round"]["id"]
    ws = await ws_open(session, prof)
    await expect_event(ws, "round:started")
    await qr(prof, session, round_id)
    token = await qr_updated_on_all((ws,), round_id)
    for student in students:
        record = await scan(student, session, round_id, token)
        data = await expect_event(ws, "attendance:recorded")
        check(data["studentId"] == record["record"]["studentId"],
              "recorded: %s" % data)
    await expect_quiet(ws)
    ok("window mode: %d scans of one token, each attendance:recorded, "
       "no round:qr-updated" % len(students))
    await qr(prof, session, round_id)
    check(await qr_updated_on_all((ws,), round_id) != token,
          "the renewal sent the same token")
    await expect(api("/api/sessions/%s/end" % session, "PATCH", sid=prof),
                 200, "end the window session")
    data = await expect_event(ws, "session:ended")
    check(data["summary"] == {"totalRounds": 1,
                              "attendanceCount": len(students)},
          "session:ended: %s" % data)
    await expect_closed(ws, 1000, "after session:ended")
    ok("window mode: .../qr renews the token; session:ended")


async def main():
    prof = await login("prof", "prof-demo")
    prof2 = await login("prof2", "prof2-secret")
    students = [await login("student%02d" % i, "student-demo")
                for i in range(1, 5)]
    body = await expect(api("/api/courses", sid=prof), 200, "courses")
    course = body["courses"][0]["id"]
    body = await expect(api("/api/courses/%s/groups" % course, sid=prof),
                        200, "groups")
    groups = {g["name"]: g["id"] for g in body["groups"]}

    body = await expect(api("/api/groups/%s/sessions" % groups["Group A"],
                            "POST", {}, prof), 201, "start a session")
    session = body["session"]["id"]
    round1 = body["round"]["id"]
    ok("a class session started before any socket")

    # Upgrades refused, each with its status and no socket.
    await ws_refused(session, None, ORIGIN, 401, "no sid cookie")
    await ws_refused(session, "x" * 43, ORIGIN, 401, "a malformed sid")
    unknown = base64.urlsafe_b64encode(os.urandom(32)).decode().rstrip("=")
    await ws_refused(session, unknown, ORIGIN, 401, "an unknown sid")
    await ws_refused(session, students[0], ORIGIN, 403, "a student")
    await ws_refused(session, prof2, ORIGIN, 404, "another professor")
    await ws_refused(session, prof, "http://evil.example", 403,
                     "a foreign Origin")
    await ws_refused(session, prof, None, 403, "no Origin")
    await ws_refused(str(uuid.uuid4()), prof, ORIGIN, 404,
                     "an unknown session")
    await ws_refused("not-a-uuid", prof, ORIGIN, 404, "a malformed session")
    await ws_refused("", prof, ORIGIN, 404, "an empty sessionId")

    # Two screens of the professor, opened after the session started.
    a = await ws_open(session, prof)
    b = await ws_open(session, prof)
    for ws in (a, b):
        data = await expect_event(ws, "round:started")
        check(data == {"sessionId": session, "roundId": round1,
                       "roundNumber": 1, "startsAt": data["startsAt"]} and
              TS.match(data["startsAt"]), "round:started: %s" % data)
    ok("round:started for the active round first, on both sockets")

    await qr(prof, session, round1)
    token = await qr_updated_on_all((a, b), round1)
    ok(".../qr: the new token on both sockets")

    for i, student in enumerate(students[:2]):
        record = await scan(student, session, round1, token)
        for ws in (a, b):
            data = await expect_event(ws, "attendance:recorded")
            check(data["roundId"] == round1 and
                  data["studentId"] == record["record"]["studentId"] and
                  data["username"] == "student%02d" % (i + 1) and
                  data["status"] == "present", "recorded: %s" % data)
        new = await qr_updated_on_all((a, b), round1)
        check(new != token, "the scan did not rotate the token")
        token = new
    ok("each scan: attendance:recorded, then round:qr-updated with a "
       "new token, on both sockets")

    body = await expect(api("/api/sessions/%s/rounds" % session, "POST",
                            sid=prof), 201, "a new round")
    round2 = body["round"]["id"]
    for ws in (a, b):
        data = await expect_event(ws, "round:started")
        check(data["roundId"] == round2 and data["roundNumber"] == 2,
              "round 2: %s" % data)
    token = await qr_updated_on_all((a, b), round2)
    await scan(students[2], session, round2, token)
    for ws in (a, b):
        await expect_event(ws, "attendance:recorded")
    token = await qr_updated_on_all((a, b), round2)
    ok("a new round: round:started, round:qr-updated, scans")

    # What clients send: text ignored; the rest closes that socket only.
    await a.send("hello, relay")
    d = await ws_open(session, prof)
    await expect_event(d, "round:started")
    await d.send("x" * 5000)
    await expect_closed(d, 1009, "a 5000-byte message")
    ok("a message over 4 KiB: closed with 1009")
    e = await ws_open(session, prof)
    await expect_event(e, "round:started")
    await e.send(b"\x00\x01\x02")
    await expect_closed(e, 1003, "a binary message")
    ok("a binary message: closed with 1003")
    raw = await Raw.open(session, prof)
    raw.send(0x1, b'{"bad":"\xff\xfe"}')
    check(await raw.close_code() == 1007, "invalid UTF-8: not 1007")
    raw.close()
    ok("invalid UTF-8: closed with 1007")
    raw = await Raw.open(session, prof)
    raw.send(0x1, b"unmasked", mask=False)
    check(await raw.close_code() == 1002, "an unmasked frame: not 1002")
    raw.close()
    ok("an unmasked frame: closed with 1002")
    raw = await Raw.open(session, prof)
    raw.send(0x3, b"reserved opcode")
    check(await raw.close_code() == 1002, "a reserved opcode: not 1002")
    raw.close()
    ok("a reserved opcode: closed with 1002")
    await qr(prof, session, round2)
    token = await qr_updated_on_all((a, b), round2)
    ok("the other sockets kept receiving (and text was ignored)")

    # A client that never answers pings is dropped; the others answer.
    raw = await Raw.open(session, prof)
    await asyncio.sleep(0)
    seen = await raw.eof(timeout=12)
    check(0x9 in seen, "no ping before the drop: %s" % seen)
    raw.close()
    ok("a socket that missed its pong was pinged, then dropped")
    check("no pong: dropped" in relay_log(), "no log line for the pong")

    # A reader that stops reading is dropped at the queue bound (256 KiB
    # in this configuration; it connects straight to the relay so that
    # nginx's buffers do not add to it); the others, reading, get all
    # 2.5 MiB and the marker after it.
    c = await ws_open(session, prof, sock=RELAY_SOCK)
    await expect_event(c, "round:started")
    c.transport.pause_reading()
    readers = [asyncio.create_task(expect_event(ws, "test:marker", 30))
               for ws in (a, b)]
    pad = "p" * 32768
    channel = "attendance:session:" + session
    for i in range(80):
        await redis_publish(channel, json.dumps(
            {"event": "test:filler", "data": {"n": i, "pad": pad}}))
        await asyncio.sleep(0.01)
    await redis_publish(channel, json.dumps(
        {"event": "test:marker", "data": {"sessionId": session}}))
    for task in readers:
        data = await task
        check(data == {"sessionId": session}, "marker: %s" % data)
    c.transport.resume_reading()
    deadline = time.monotonic() + 10
    try:
        while True:
            left = deadline - time.monotonic()
            check(left > 0, "the reader that stopped was not dropped")
            await asyncio.wait_for(c.recv(), left)
    except asyncio.TimeoutError:
        raise Failure("the reader that stopped was not dropped")
    except websockets.exceptions.ConnectionClosed:
        pass
    check(c.close_code == 1006, "stopped reader: close code %s" %
          c.close_code)
    check("outgoing queue past 262144 bytes" in relay_log(),
          "no log line for the queue bound")
    ok("a reader that stopped was dropped at relay_max_queue; the others "
       "got all 2.5 MiB and the marker")

    # /healthz, and Redis stopped then started again mid-session.
    body = await poll_healthz(200, lambda b: True, timeout=5)
    check(body == {"status": "ok", "database": "ok", "redis": "ok"},
          "/healthz: %s" % body)
    ok("/healthz: 200 ok")
    await ctl("redis-stop")
    body = await poll_healthz(503, lambda b: b.get("redis") == "down")
    check(body == {"status": "degraded", "database": "ok", "redis": "down"},
          "/healthz with Redis down: %s" % body)
    ok("/healthz with Redis down: 503 degraded, redis down")
    await ctl("redis-start")
    for ws in (a, b):
        data = await expect_event(ws, "relay:resync", timeout=20)
        check(data == {"sessionId": session}, "relay:resync: %s" % data)
    ok("Redis back: relay:resync on both sockets")
    await poll_healthz(200, lambda b: True, timeout=10)
    await redis_publish("attendance:session:" + session, json.dumps(
        {"event": "test:marker", "data": {"n": 1}}))
    for ws in (a, b):
        check(await expect_event(ws, "test:marker") == {"n": 1}, "marker")
    ok("a message published after the resubscription reaches both")
    # A worker notices a restarted Redis only when a publish fails, and
    # that event is lost (lib/events.c): restart them, so that what
    # follows does not depend on which worker answers.
    await ctl("fcgi-restart")
    await qr(prof, session, round2)
    token = await qr_updated_on_all((a, b), round2)
    await scan(students[3], session, round2, token)
    for ws in (a, b):
        await expect_event(ws, "attendance:recorded")
    token = await qr_updated_on_all((a, b), round2)
    ok("events after the resubscription arrive on both sockets")

    await ctl("redis-stop")
    await ctl("redis-start")
    for ws in (a, b):
        await expect_event(ws, "relay:resync", timeout=20)
    ok("Redis restarted again: relay:resync again")

    # A hung Redis (stopped, its sockets open): only the heartbeat shows
    # it.  The relay rebuilds its contexts, and resyncs once it answers.
    await poll_healthz(200, lambda b: True, timeout=10)
    await ctl("redis-pause")
    try:
        await poll_healthz(503, lambda b: b.get("redis") == "down",
                           timeout=20)
        # /healthz turns at RELAY_REDIS_DEAD; the rebuild follows at
        # the next heartbeat tick.
        deadline = time.monotonic() + 5
        while "heartbeat lost" not in relay_log():
            check(time.monotonic() < deadline, "no heartbeat log line")
            await asyncio.sleep(0.2)
        ok("Redis hung: the lost heartbeat is noticed, /healthz 503")
    finally:
        await ctl("redis-resume")
    for ws in (a, b):
        await expect_event(ws, "relay:resync", timeout=20)
    await poll_healthz(200, lambda b: True, timeout=10)
    ok("Redis answering again: relay:resync, /healthz 200")
    await ctl("fcgi-restart")

    # PostgreSQL down: /healthz says so and upgrades get 503.
    await ctl("pg-stop")
    body = await poll_healthz(503, lambda b: b.get("database") == "down")
    check(body["redis"] == "ok", "/healthz with PostgreSQL down: %s" % body)
    ok("/healthz with PostgreSQL down: 503, database down")
    await ws_refused(session, prof, ORIGIN, 503, "PostgreSQL down")
    await ctl("pg-start")
    await poll_healthz(200, lambda b: True, timeout=20)
    f = await ws_open(session, prof)
    await expect_event(f, "round:started")
    await f.close()
    ok("PostgreSQL back: /healthz 200 and upgrades again")

    # (v1.1) A socket lives no longer than the login that opened it.
    # Two sockets of one login and one of another login of the same
    # professor on the second relay, whose periodic check is 30 s apart,
    # and one more of the first login on the first relay: the logout's
    # message closes the first login's, on both relays, and no other.
    # The second relay reconnects to PostgreSQL on its own back-off.
    await poll_healthz(200, lambda b: True, sock=RELAY2_SOCK)
    l1 = await login("prof", "prof-demo")
    l2 = await login("prof", "prof-demo")
    x1 = await ws_open(session, l1, sock=RELAY2_SOCK)
    x2 = await ws_open(session, l1, sock=RELAY2_SOCK)
    y = await ws_open(session, l2, sock=RELAY2_SOCK)
    x3 = await ws_open(session, l1)
    for ws in (x1, x2, y, x3):
        await expect_event(ws, "round:started")
    # What is not a login's hash on the channel closes nothing.
    for junk in ("", "garbage", "\\x" + sid_hash(l1), sid_hash(l1) + "0",
                 sid_hash(l1)[:63], sid_hash(l1)[:62] + "zz",
                 json.dumps({"event": "logout", "data": sid_hash(l1)})):
        n = await redis_publish("attendance:logins", junk)
        check(n == 2, "%d subscribers of attendance:logins, not the two "
              "relays" % n)
    await expect_quiet(x1)
    check(all(ws.open for ws in (x1, x2, y, x3)),
          "a message that is no login's hash closed a socket")
    ok("both relays hear the logins channel; messages that are no "
       "login's hash close nothing")
    logins = await RedisSub.open("attendance:logins")
    start = time.monotonic()
    await expect(api("/api/auth/logout", "POST", sid=l1), 204, "logout")
    for ws, what in ((x1, "first socket"), (x2, "second socket"),
                     (x3, "socket on the first relay")):
        await expect_closed(ws, LOGGED_OUT, "after logout: " + what,
                            timeout=max(0.1, start + 5 - time.monotonic()))
        check(ws.close_reason == "logged out", "close reason %r" %
              ws.close_reason)
    took = time.monotonic() - start
    check(relay_log(RELAY2_LOG).count(BY_MESSAGE) == 2,
          "the second relay did not close both by the logout message")
    ok("logout: that login's sockets closed with 4401 \"logged out\" on "
       "both relays within %.0f ms of the logout" % (took * 1000))
    message = await logins.message()
    logins.close()
    check(message == sid_hash(l1), "logout message %r, expected the sid's "
          "hash %s" % (message, sid_hash(l1)))
    ok("the logout message is the sid's hash, never the sid")
    await expect_quiet(y)
    await qr(prof, session, round2)
    token = await qr_updated_on_all((a, b, y), round2)
    ok("the other login's socket stayed open and got the next event")
    await ws_refused(session, l1, ORIGIN, 401, "a logged-out login")
    await y.close()

    # A logout while Redis is down: its message is lost, and the check at
    # relay_ping_interval (2 s here) closes the socket.
    l3 = await login("prof", "prof-demo")
    z = await ws_open(session, l3)
    await expect_event(z, "round:started")
    before = relay_log().count(BY_CHECK)
    await ctl("redis-stop")
    start = time.monotonic()
    await expect(api("/api/auth/logout", "POST", sid=l3), 204,
                 "logout with Redis down")
    await expect_closed(z, LOGGED_OUT, "logout while Redis was down",
                        timeout=10)
    took = time.monotonic() - start
    check(relay_log().count(BY_CHECK) == before + 1,
          "not closed by the login check")
    ok("a logout while Redis was down: closed with 4401 by the login "
       "check, %.1f s after the logout" % took)
    await ctl("redis-start")
    for ws in (a, b):
        await expect_event(ws, "relay:resync", timeout=20)
    await poll_healthz(200, lambda b: True, timeout=10)
    await ctl("fcgi-restart")

    # An expired login, closed by the check too; the live one's sockets
    # go on.
    l4 = await login("prof", "prof-demo")
    w = await ws_open(session, l4)
    await expect_event(w, "round:started")
    before = relay_log().count(BY_CHECK)
    start = time.monotonic()
    rows = await sql("UPDATE auth_sessions SET created_at = now() - "
                     "interval '1 minute', expires_at = now() - "
                     "interval '1 second' WHERE token_hash = '\\x%s' "
                     "RETURNING 1" % sid_hash(l4))
    check(rows == "1", "the login was not expired: %r" % rows)
    await expect_closed(w, LOGGED_OUT, "an expired login", timeout=10)
    took = time.monotonic() - start
    check(relay_log().count(BY_CHECK) == before + 1,
          "not closed by the login check")
    ok("an expired login: closed with 4401 by the login check, %.1f s "
       "after it expired" % took)
    await ws_refused(session, l4, ORIGIN, 401, "an expired login")
    await qr(prof, session, round2)
    token = await qr_updated_on_all((a, b), round2)
    ok("the sockets of the live login stayed open through the checks")

    # The end: session:ended, then close 1000 on every socket.
    await expect(api("/api/sessions/%s/end" % session, "PATCH", sid=prof),
                 200, "end the session")
    for ws in (a, b):
        data = await expect_event(ws, "session:ended")
        check(data["sessionId"] == session and TS.match(data["endedAt"]) and
              data["summary"] == {"totalRounds": 2, "attendanceCount": 4},
              "session:ended: %s" % data)
        await expect_closed(ws, 1000, "after session:ended")
    ok("session:ended, then close 1000 on both sockets")

    g = await ws_open(session, prof)
    await expect_quiet(g)
    await g.close()
    ok("an ended session still opens (it is the professor's), silently")

    await window_session(prof, students, groups["Group A"])

    # SIGTERM: every socket closes with 1001 and the relay exits.
    body = await expect(api("/api/groups/%s/sessions" % groups["Group B"],
                            "POST", {}, prof), 201, "a second session")
    h = await ws_open(body["session"]["id"], prof)
    await expect_event(h, "round:started")
    with open(STATE + "/run/relay.pid") as f:
        pid = int(f.read())
    os.kill(pid, signal.SIGTERM)
    await expect_closed(h, 1001, "SIGTERM")
    deadline = time.monotonic() + 5
    while os.path.exists("/proc/%d" % pid):
        check(time.monotonic() < deadline, "the relay outlived SIGTERM")
        await asyncio.sleep(0.1)
    ok("SIGTERM: close 1001, and the relay exited")


def run():
    try:
        asyncio.run(asyncio.wait_for(main(), 240))
    except Failure as e:
        print("not ok %d - %s (%.1f s)" % (checks + 1, e,
                                          time.monotonic() - T0), flush=True)
        return 1
    except asyncio.TimeoutError:
        print("not ok %d - the whole run took over 240 s" % (checks + 1))
        return 1
    print("relay_client: %d checks passed" % checks)
    return 0


if __name__ == "__main__":
    sys.exit(run())
