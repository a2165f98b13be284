#!/usr/bin/python3
"""Checks through a web server in front of the workers, run by
tests/stack/apache.sh; the first argument says which:

  flow       a real part of the API through FRONT_BASE (Apache): the
             pages, a login, a course, a group, an enrollment, a class
             session, a new round, the QR token on the professor's
             WebSocket, a student's scan and the relay's events for it,
             the end; the contract's JSON for the front end's refusals.
             FRONT_PROF and FRONT_STUDENT are "login:password".
  params     with tests/stack/fcgi_echo.py in place of the workers: what
             each front end of FRONT_BASES hands the worker on
             /api/auth/sso when a client sends an identity of its own
             (Remote-User, X-Remote-User, Basic credentials): no
             REMOTE_USER; and REQUEST_URI, REMOTE_ADDR, HTTP_COOKIE as
             the worker reads them.
  sso-spoof  the workers with sso = on, through each of FRONT_BASES: those
             headers are no identity (302 to /?ssoError=unauthenticated,
             no cookie).

Over loopback TCP, as a browser: http.client for HTTP, Debian's
python3-websockets for the relay's socket.  Prints one line per check;
exits 1 at the first failure.
"""
import base64
import asyncio
import http.client
import json
import os
import sys
import time
import urllib.parse

import websockets

BASE = os.environ.get("FRONT_BASE") or os.environ["FRONT_BASES"].split()[0]
ORIGIN = BASE
HOST = urllib.parse.urlsplit(BASE).netloc
WAIT = 5.0
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


def request(path, method="GET", body=None, sid=None, headers=None,
            raw=None, host=None):
    """(status, headers as a list of pairs, parsed body)."""
    conn = http.client.HTTPConnection(host or HOST, timeout=10)
    hdrs = dict(headers or {})
    data = raw
    if body is not None:
        data = json.dumps(body)
        hdrs["Content-Type"] = "application/json"
    if sid is not None:
        hdrs["Cookie"] = "sid=" + sid
    if method != "GET":
        hdrs.setdefault("Origin", ORIGIN)
    try:
        conn.request(method, path, body=data, headers=hdrs)
        resp = conn.getresponse()
        text = resp.read()
        try:
            parsed = json.loads(text) if text else None
        except ValueError:
            parsed = text
        return resp.status, resp.getheaders(), parsed
    finally:
        conn.close()


def header(headers, name):
    for k, v in headers:
        if k.lower() == name.lower():
            return v
    return None


def expect(want, what, *args, **kwargs):
    status, headers, body = request(*args, **kwargs)
    check(status == want, "%s: %s %s, expected %s" % (what, status, body,
                                                      want))
    return headers, body


def expect_error(want, code, what, *args, **kwargs):
    headers, body = expect(want, what, *args, **kwargs)
    ctype = header(headers, "Content-Type") or ""
    check(ctype.startswith("application/json"),
          "%s: Content-Type %s" % (what, ctype))
    check(isinstance(body, dict) and body.get("error", {}).get("code") ==
          code, "%s: body %s, expected the error %s" % (what, body, code))
    ok("%s: %d %s" % (what, want, code))
    return headers


def login(who):
    name, password = who.split(":", 1)
    headers, body = expect(200, "login " + name, "/api/auth/login", "POST",
                           {"login": name, "password": password})
    sid = None
    for k, v in headers:
        if k.lower() == "set-cookie" and v.startswith("sid="):
            sid = v.split(";")[0][4:]
    check(sid, "login %s: no sid cookie" % name)
    ok("login %s through the front end: 200 and a sid cookie" % name)
    return sid, body["user"]


def pages():
    for path, kind, marker in (
            ("/", "text/html", b"<title>Log in"),
            ("/scan", "text/html", b'src="/js/scan.js"'),
            ("/js/scan.js", "text/javascript", b"import"),
            ("/app.css", "text/css", b"")):
        status, headers, body = request(path)
        ctype = header(headers, "Content-Type") or ""
        check(status == 200 and ctype.startswith(kind) and marker in body,
              "GET %s: %s %s" % (path, status, ctype))
    ok("the pages: /, /scan (scan.html), a module script as JavaScript")


def errors(prof):
    expect_error(404, "not_found", "an unknown API route", "/api/nope")
    # AllowEncodedSlashes NoDecode: the worker answers, not Apache.
    expect_error(404, "not_found", "an encoded slash in an id",
                 "/api/courses/a%2Fb", sid=prof)
    expect_error(403, "csrf_origin", "a foreign Origin", "/api/courses",
                 "POST", {"code": "X"}, sid=prof,
                 headers={"Origin": "http://evil.example"})
    # Over the contract's 64 KiB: the worker's 413 or Apache's
    # LimitRequestBody, the same JSON either way.
    expect_error(413, "payload_too_large", "a body of 70 KiB",
                 "/api/courses", "POST", sid=prof,
                 raw=b'{"x":"' + b"a" * 70000 + b'"}',
                 headers={"Content-Type": "application/json"})
    expect_error(413, "payload_too_large", "a body of 2 MB",
                 "/api/courses", "POST", sid=prof,
                 raw=b"a" * 2000000,
                 headers={"Content-Type": "application/json"})


def health():
    headers, body = expect(200, "GET /api/health", "/api/health")
    check(body == {"status": "ok", "database": "ok", "redis": "ok"},
          "health: %s" % body)
    ok("GET /api/health through the front end: ok")


async def ws_open(session, sid, origin=ORIGIN):
    headers = {"Cookie": "sid=" + sid} if sid is not None else {}
    return await websockets.connect(
        "ws://%s/ws?sessionId=%s" % (HOST, session), origin=origin,
        extra_headers=headers, open_timeout=WAIT, close_timeout=WAIT)


async def refused(session, sid, origin, want, what):
    try:
        ws = await ws_open(session, sid, origin)
    except websockets.exceptions.InvalidStatusCode as e:
        check(e.status_code == want, "%s: %s, expected %s" %
              (what, e.status_code, want))
        ok("%s: %d, no socket" % (what, want))
        return
    await ws.close()
    raise Failure("%s: the upgrade was accepted" % what)


async def event(ws, name):
    try:
        raw = await asyncio.wait_for(ws.recv(), WAIT)
    except asyncio.TimeoutError:
        raise Failure("no %s within %.1f s" % (name, WAIT))
    msg = json.loads(raw)
    check(msg.get("event") == name, "expected %s, got %s" % (name, raw))
    return msg["data"]


async def api(*args, **kwargs):
    """HTTP in a thread, so that the loop answers the relay's pings."""
    loop = asyncio.get_running_loop()
    return await loop.run_in_executor(None, lambda: expect(*args, **kwargs))


async def flow(prof, student, student_user):
    _, body = await api(201, "a course", "/api/courses", "POST",
                        {"code": "AP101", "name": "Apache in front",
                         "term": "2026 Fall"}, sid=prof)
    course = body["course"]["id"]
    _, body = await api(201, "a group", "/api/courses/%s/groups" % course,
                        "POST", {"name": "Group 1"}, sid=prof)
    group = body["group"]["id"]
    _, body = await api(201, "an enrollment",
                        "/api/groups/%s/enrollments" % group, "POST",
                        {"student": student_user["username"]}, sid=prof)
    check(body["enrollment"]["studentId"] == student_user["id"],
          "enrollment: %s" % body)
    ok("a course, a group and an enrollment through the front end")
    _, body = await api(201, "a session", "/api/groups/%s/sessions" % group,
                        "POST", {"qrTtlSeconds": 60}, sid=prof)
    session = body["session"]["id"]
    round1 = body["round"]["id"]
    ok("a class session started: 201")

    await refused(session, None, ORIGIN, 401, "the relay without a sid")
    await refused(session, prof, "http://evil.example", 403,
                  "the relay from a foreign Origin")
    await refused(session, student, ORIGIN, 403, "the relay for a student")

    ws = await ws_open(session, prof)
    data = await event(ws, "round:started")
    check(data["roundId"] == round1, "round:started on connect: %s" % data)
    ok("the relay's WebSocket through the front end: round:started")

    _, body = await api(201, "a new round", "/api/sessions/%s/rounds" %
                        session, "POST", sid=prof)
    round2 = body["round"]["id"]
    data = await event(ws, "round:started")
    check(data["roundId"] == round2 and data["roundNumber"] == 2,
          "round:started: %s" % data)
    data = await event(ws, "round:qr-updated")
    check(data["roundId"] == round2 and len(data["token"]) == 43,
          "round:qr-updated: %s" % data)
    ok("a new round: round:started and round:qr-updated with its token")

    _, body = await api(202, "a QR refresh", "/api/sessions/%s/rounds/%s/qr"
                        % (session, round2), "POST", sid=prof)
    data = await event(ws, "round:qr-updated")
    token = data["token"]
    ok("a QR refresh: 202, and the token arrives on the socket only")

    _, body = await api(201, "the scan", "/api/sessions/%s/rounds/%s/scan"
                        % (session, round2), "POST", {"token": token},
                        sid=student)
    record = body["record"]
    check(record["studentId"] == student_user["id"] and
          record["status"] in ("present", "late"), "scan: %s" % body)
    ok("the student scans the token through the front end: 201")
    data = await event(ws, "attendance:recorded")
    check(data["studentId"] == student_user["id"] and
          data["roundId"] == round2 and
          data["username"] == student_user["username"],
          "attendance:recorded: %s" % data)
    ok("attendance:recorded on the professor's socket")
    data = await event(ws, "round:qr-updated")
    check(data["roundId"] == round2 and data["token"] != token,
          "round:qr-updated after the scan: %s" % data)
    ok("round:qr-updated with the next token")

    await api(409, "the same token again", "/api/sessions/%s/rounds/%s/scan"
              % (session, round2), "POST", {"token": token}, sid=student)
    _, body = await api(200, "the end", "/api/sessions/%s/end" % session,
                        "PATCH", sid=prof)
    data = await event(ws, "session:ended")
    check(data["summary"]["attendanceCount"] == 1, "session:ended: %s" %
          data)
    try:
        await asyncio.wait_for(ws.wait_closed(), WAIT)
    except asyncio.TimeoutError:
        raise Failure("the socket is still open after session:ended")
    check(ws.close_code == 1000, "close code %s" % ws.close_code)
    ok("the end: session:ended, then close 1000 through the front end")


# What a client sends to pass for someone: headers a web server might
# have turned into an identity, and Basic credentials (nginx's
# $remote_user, which its fastcgi_params passes as REMOTE_USER, comes
# from any Authorization header, checked or not).
SPOOF = {
    "Remote-User": "mallory",
    "X-Remote-User": "mallory",
    "Authorization": "Basic " + base64.b64encode(b"mallory:x").decode(),
    "Cookie": "theme=dark; sid=not-a-session",
}
SSO_PATH = "/api/auth/sso?next=/courses.html"


def params():
    for base in os.environ["FRONT_BASES"].split():
        host = urllib.parse.urlsplit(base).netloc
        status, _, got = request(SSO_PATH, headers=SPOOF, host=host)
        check(status == 200 and isinstance(got, list),
              "%s: the echo answered %s %s" % (base, status, got))
        p = {}
        for name, value in got:
            p.setdefault(name, value)
        check(not p.get("REMOTE_USER"),
              "%s: REMOTE_USER is %r for a client's headers" %
              (base, p.get("REMOTE_USER")))
        check("AUTH_TYPE" not in p, "%s: AUTH_TYPE %r" %
              (base, p.get("AUTH_TYPE")))
        check(p.get("HTTP_REMOTE_USER") == "mallory",
              "%s: HTTP_REMOTE_USER %r" % (base, p.get("HTTP_REMOTE_USER")))
        ok("%s: Remote-User, X-Remote-User and Basic credentials reach "
           "/api/auth/sso as HTTP_* only, REMOTE_USER empty" % base)
        check(p.get("REQUEST_URI") == SSO_PATH and
              p.get("REQUEST_METHOD") == "GET" and
              p.get("REMOTE_ADDR") == "127.0.0.1" and
              p.get("HTTP_COOKIE") == SPOOF["Cookie"],
              "%s: %s" % (base, {k: p.get(k) for k in (
                  "REQUEST_URI", "REQUEST_METHOD", "REMOTE_ADDR",
                  "HTTP_COOKIE")}))
        ok("%s: REQUEST_URI, REQUEST_METHOD, REMOTE_ADDR and HTTP_COOKIE "
           "as the worker reads them" % base)


def sso_spoof():
    for base in os.environ["FRONT_BASES"].split():
        host = urllib.parse.urlsplit(base).netloc
        status, headers, body = request(SSO_PATH, headers=SPOOF, host=host)
        location = header(headers, "Location")
        check(status == 302 and location == "/?ssoError=unauthenticated",
              "%s: GET /api/auth/sso with a client's Remote-User: %s %s %s"
              % (base, status, location, body))
        cookies = [v for k, v in headers if k.lower() == "set-cookie"]
        check(not cookies, "%s: cookies set: %s" % (base, cookies))
        ok("%s: a client's Remote-User, X-Remote-User and Basic "
           "credentials are no identity: 302 to "
           "/?ssoError=unauthenticated, no cookie" % base)


def main():
    mode = sys.argv[1] if len(sys.argv) > 1 else "flow"
    try:
        if mode == "params":
            params()
        elif mode == "sso-spoof":
            sso_spoof()
        else:
            pages()
            health()
            prof, _ = login(os.environ["FRONT_PROF"])
            student, student_user = login(os.environ["FRONT_STUDENT"])
            errors(prof)
            asyncio.run(flow(prof, student, student_user))
    except Failure as e:
        print("not ok - %s" % e, flush=True)
        return 1
    print("frontend %s: %d checks passed" % (mode, checks))
    return 0


if __name__ == "__main__":
    sys.exit(main())
