"""Proof of presence (contract v1.1: scan evidence and flags, a course's
networks, the record list), against real workers, PostgreSQL and Redis.

Driven by tests/stack/presence.sh.  It speaks FastCGI to the workers as
a web server does (tests/lib/fcgi_client.py), so it chooses each scan's
REMOTE_ADDR and User-Agent; the raw QR tokens it scans come from Redis,
as the relay gets them; the database is read through psql.

    presence.py SOCKET CONNINFO REDIS-SOCKET REDIS-ADMIN-PASSWORD-FILE
"""

import json
import os
import socket
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import fcgi_client  # noqa: E402
from checks import check  # noqa: E402

sock, conninfo, redis_sock, redis_password_file = sys.argv[1:5]
ORIGIN = "http://localhost"


def sql(query):
    return subprocess.run(["psql", conninfo, "-XtAc", query], check=True,
                          capture_output=True, text=True).stdout.strip()


def call(method, uri, body=None, cookie=None, addr="10.20.1.5",
         agent="Mozilla/5.0 (phone)"):
    params = {"HTTP_ORIGIN": ORIGIN}
    if agent is not None:
        params["HTTP_USER_AGENT"] = agent
    data = json.dumps(body).encode() if body is not None else b""
    return fcgi_client.call(sock, method, uri, params, data, cookie, addr)


def json_of(r):
    return json.loads(r.body) if r.body else None


def login(name, password):
    r = call("POST", "/api/auth/login", {"login": name, "password": password})
    assert r.status == 200, repr(r)
    return "sid=" + r.cookies()["sid"][0]


class Events:
    """The session's channel in Redis, as the relay subscribes to it."""

    def __init__(self, session):
        self.s = socket.socket(socket.AF_UNIX)
        self.s.settimeout(5)
        self.s.connect(redis_sock)
        with open(redis_password_file) as f:
            password = f.read().strip()
        self.buf = b""
        self.pending = []
        self.send("AUTH", "admin", password)
        assert self.line() == b"+OK"
        self.send("SUBSCRIBE", "attendance:session:" + session)
        self.reply()

    def send(self, *args):
        out = b"*%d\r\n" % len(args)
        for a in args:
            a = a.encode()
            out += b"$%d\r\n%s\r\n" % (len(a), a)
        self.s.sendall(out)

    def line(self):
        while b"\r\n" not in self.buf:
            self.buf += self.s.recv(65536)
        line, _, self.buf = self.buf.partition(b"\r\n")
        return line

    def reply(self):
        line = self.line()
        if line[:1] == b"*":
            return [self.reply() for _ in range(int(line[1:]))]
        if line[:1] == b"$":
            n = int(line[1:])
            while len(self.buf) < n + 2:
                self.buf += self.s.recv(65536)
            data, self.buf = self.buf[:n], self.buf[n + 2:]
            return data
        return line

    def read(self, timeout):
        """The next event from Redis, or None after timeout seconds."""
        self.s.settimeout(timeout)
        try:
            message = self.reply()
        except socket.timeout:
            return None
        finally:
            self.s.settimeout(5)
        return json.loads(message[2])

    def next(self, name):
        """The first event of that name not taken yet; the others wait."""
        for i, event in enumerate(self.pending):
            if event["event"] == name:
                return self.pending.pop(i)["data"]
        while True:
            event = self.read(5)
            assert event is not None, f"no {name} within 5 s"
            if event["event"] == name:
                return event["data"]
            self.pending.append(event)

    def latest(self, name):
        """The last event of that name so far; the earlier ones go."""
        while (event := self.read(0.3)) is not None:
            self.pending.append(event)
        mine = [e for e in self.pending if e["event"] == name]
        assert mine, f"no {name}"
        self.pending = [e for e in self.pending if e["event"] != name]
        return mine[-1]["data"]


prof = login("prof", "prof-demo")
other = login("prof2", "prof2-pass")
course = json_of(call("GET", "/api/courses", cookie=prof))["courses"][0]
group = json_of(call("GET", f"/api/courses/{course['id']}/groups",
                     cookie=prof))["groups"][0]

# The course's networks: canonical, without repeats, in order.
r = call("PATCH", f"/api/courses/{course['id']}",
         {"allowedNetworks": ["10.20.0.0/16", "2001:DB8::/32", "10.20.0.0/16",
                              "192.0.2.7"]}, cookie=prof)
check(r.status == 200 and json_of(r)["course"]["allowedNetworks"] ==
      ["10.20.0.0/16", "2001:db8::/32", "192.0.2.7/32"] and
      json_of(r)["course"]["networkPolicy"] == "flag",
      "allowedNetworks canonical, repeats dropped, policy flag by default",
      repr(r))
for bad, what in ((["10.0.0.5/8"], "a host part set"),
                  (["10.0.0.0/33"], "a prefix over 32"),
                  (["::ffff:10.0.0.1/200"], "a prefix over 128"),
                  (["10.0.0"], "three parts"), ([], "an empty list"),
                  ([7], "a number"), ("10.0.0.0/8", "a string"),
                  (["10.%d.0.0/16" % i for i in range(51)], "51 entries")):
    r = call("PATCH", f"/api/courses/{course['id']}",
             {"allowedNetworks": bad}, cookie=prof)
    check(r.status == 400 and json_of(r)["error"]["code"] ==
          "invalid_request", f"allowedNetworks of {what}: 400", repr(r))
for bad in ("block", None, 1):
    r = call("PATCH", f"/api/courses/{course['id']}",
             {"networkPolicy": bad}, cookie=prof)
    check(r.status == 400, f"networkPolicy {bad!r}: 400", repr(r))
check(sql(f"SELECT array_length(allowed_networks, 1) FROM courses WHERE "
          f"id = '{course['id']}'") == "3", "nothing written by a refusal")

# A session: its tokens come from Redis.
r = call("POST", f"/api/groups/{group['id']}/sessions", {}, cookie=prof)
check(r.status == 201 and json_of(r)["session"]["qrTtlSeconds"] == 15,
      "a session's default qrTtlSeconds is 15", repr(r))
session = json_of(r)["session"]["id"]
rnd = json_of(r)["round"]["id"]
events = Events(session)


def token():
    r = call("POST", f"/api/sessions/{session}/rounds/{rnd}/qr", cookie=prof)
    assert r.status == 202, repr(r)
    return events.next("round:qr-updated")["token"]


def scan(student_cookie, tok, addr="10.20.1.5", device=None,
         agent="Mozilla/5.0 (phone)"):
    cookie = student_cookie + (f"; did={device}" if device else "")
    return call("POST", f"/api/sessions/{session}/rounds/{rnd}/scan",
                {"token": tok}, cookie=cookie, addr=addr, agent=agent)


s1, s2, s3 = (login(f"student0{i}", "student-demo") for i in (1, 2, 3))
r = scan(s1, token())
recorded = events.next("attendance:recorded")
check(r.status == 201 and "did" in r.cookies() and
      "Path=/api/" in r.cookies()["did"][1] and
      recorded["flags"] == ["no_device"],
      "a scan without a device cookie gets one, and the flag no_device",
      repr(r))
did1 = r.cookies()["did"][0]
tok = events.next("round:qr-updated")["token"]
r = scan(s2, tok, device=did1)
recorded = events.next("attendance:recorded")
check(r.status == 201 and "did" not in r.cookies() and
      recorded["flags"] == ["shared_device"],
      "a second student on the first one's phone: shared_device", repr(r))
check(sql(f"SELECT flags FROM attendance_records WHERE session_id = "
          f"'{session}' ORDER BY recorded_at") ==
      "{shared_device,no_device}\n{shared_device}",
      "the earlier record of that device flagged in the same transaction")
tok = events.next("round:qr-updated")["token"]
r = scan(s3, tok, addr="198.51.100.9", device="x" * 43,
         agent="A" * 10000)
recorded = events.next("attendance:recorded")
check(r.status == 201 and recorded["flags"] ==
      ["outside_network", "no_device"] and "did" in r.cookies(),
      "outside the networks: outside_network; a forged device cookie is "
      "none", repr(r))
check(sql(f"SELECT octet_length(user_agent) || ' ' || host(address) FROM "
          f"attendance_records r JOIN users u ON u.id = r.student_id WHERE "
          f"u.username = 'student03'") == "200 198.51.100.9",
      "the evidence: a User-Agent cut to 200 bytes, the address")

# Policy refuse: 403 outside_network, in the contract's order, the token
# untouched.
r = call("PATCH", f"/api/courses/{course['id']}",
         {"networkPolicy": "refuse"}, cookie=prof)
assert r.status == 200, repr(r)
tok = events.next("round:qr-updated")["token"]
s4, s5 = login("student04", "student-demo"), login("student05",
                                                   "student-demo")
r = scan(s4, tok, addr="203.0.113.4")
check(r.status == 403 and json_of(r)["error"]["code"] == "outside_network",
      "policy refuse: 403 outside_network", repr(r))
r = scan(s1, tok, addr="203.0.113.4")
check(r.status == 409 and json_of(r)["error"]["code"] == "already_recorded",
      "already_recorded comes before outside_network", repr(r))
r = scan(s5, tok, addr="2001:db8::77", agent="Zo\xeb \xff")
check(r.status == 201, "the same token still works from inside (IPv6)",
      repr(r))
check(sql("SELECT count(*) FROM attendance_records r JOIN users u ON "
          "u.id = r.student_id WHERE u.username = 'student04'") == "0",
      "nothing written for the refused scan")

# The professor's override keeps no evidence and no flags.
student2 = sql("SELECT id FROM users WHERE username = 'student02'")
r = call("PUT", f"/api/sessions/{session}/rounds/{rnd}/records/{student2}",
         {"status": "excused"}, cookie=prof)
check(r.status == 200, "an override", repr(r))

# The record list.
r = call("GET", f"/api/sessions/{session}/records", cookie=prof)
records = json_of(r)["records"] if r.status == 200 else []
by = {x["username"]: x for x in records}
check(r.status == 200 and [x["username"] for x in records] ==
      ["student01", "student03", "student05", "student02"],
      "the records of the session, in the order they came", repr(r))
check(by["student01"]["source"] == "scan" and
      by["student01"]["flags"] == ["shared_device", "no_device"] and
      by["student01"]["address"] == "10.20.1.5" and
      by["student01"]["roundNumber"] == 1 and
      set(by["student01"]) == {"id", "sessionId", "roundId", "studentId",
                               "status", "recordedAt", "roundNumber",
                               "username", "displayName", "source",
                               "flags", "address"},
      "a RecordDetail: source, flags, address", repr(records))
check(by["student02"]["source"] == "professor" and
      by["student02"]["flags"] == [] and by["student02"]["address"] is None
      and by["student02"]["status"] == "excused",
      "an override: source professor, no flags, no address",
      repr(by.get("student02")))
check(by["student05"]["address"] == "2001:db8::77",
      "an IPv6 address as text", repr(by.get("student05")))
r = call("GET", f"/api/sessions/{session}/records", cookie=other)
check(r.status == 404, "another professor's session: 404", repr(r))
r = call("GET", f"/api/sessions/{session}/records", cookie=s1)
check(r.status == 403, "a student: 403", repr(r))
r = call("GET", "/api/sessions/not-a-uuid/records", cookie=prof)
check(r.status == 404, "a malformed id: 404", repr(r))

# The typed code (POST /api/scan/code): the code of the live token, as a
# student types it, is a scan with source "code".
s6, s7 = login("student06", "student-demo"), login("student07",
                                                   "student-demo")
r = call("PATCH", f"/api/courses/{course['id']}",
         {"allowedNetworks": None}, cookie=prof)
check(r.status == 200 and json_of(r)["course"]["allowedNetworks"] is None,
      "allowedNetworks null clears the list", repr(r))
call("POST", f"/api/sessions/{session}/rounds/{rnd}/qr", cookie=prof)
live = events.latest("round:qr-updated")
code = live["code"]
check(len(code) == 8 and all(c in "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
                             for c in code),
      "round:qr-updated carries the code: 8 of Crockford's base32",
      repr(live))
typed = (code[:4] + "-" + code[4:]).lower().replace("0", "o").replace(
    "1", "l")
r = call("POST", "/api/scan/code", {"code": " " + typed + " "}, cookie=s6)
check(r.status == 201, "the code typed in lower case, grouped, with o "
      "for 0 and l for 1: 201", repr(r))
check(events.latest("attendance:recorded")["username"] == "student06",
      "attendance:recorded for the typed code")
check(sql("SELECT source FROM attendance_records r JOIN users u ON "
          "u.id = r.student_id WHERE u.username = 'student06'") == "code",
      "its record's source is code")
check(events.latest("round:qr-updated")["code"] != code,
      "the typed code, like a scan, moves the code on")
r = call("POST", "/api/scan/code", {"code": code}, cookie=s7)
check(r.status == 409 and json_of(r)["error"]["code"] == "token_used",
      "a used code: 409 token_used", repr(r))
r = call("POST", "/api/scan/code", {"code": code}, cookie=prof)
check(r.status == 403 and json_of(r)["error"]["code"] == "forbidden",
      "a professor: 403", repr(r))
for body, what in (({}, "no code"), ({"code": 12345678}, "a number")):
    r = call("POST", "/api/scan/code", body, cookie=s7)
    check(r.status == 400, f"{what}: 400", repr(r))
for bad in ("ABCD-EFG", "ABCDEFGHJ", "ABCDEFGU", "ABCD EFG!", "",
            "UUUUUUUU", "ZZZZZZZZ", "00000000", "11111111"):
    r = call("POST", "/api/scan/code", {"code": bad}, cookie=s7)
    assert r.status == 403 and json_of(r)["error"]["code"] == \
        "invalid_token", (bad, repr(r))
check(True, "nine codes of the wrong shape, or naming no token: 403 "
      "invalid_token")
r = call("POST", "/api/scan/code", {"code": "YYYYYYYY"}, cookie=s7)
check(r.status == 403, "the tenth: 403 still", repr(r))
call("POST", f"/api/sessions/{session}/rounds/{rnd}/qr", cookie=prof)
good = events.latest("round:qr-updated")["code"]
r = call("POST", "/api/scan/code", {"code": good}, cookie=s7)
check(r.status == 429 and json_of(r)["error"]["code"] == "rate_limited" and
      1 <= int(r.header("Retry-After")) <= 600,
      "after 10 invalid_token answers, 429 with Retry-After, even for the "
      "right code", repr(r))
tok = good
r = scan(s7, token())
check(r.status == 201, "QR scans are not limited", repr(r))

# Wrong codes racing in parallel count each other: 10 checked, no more.
import concurrent.futures  # noqa: E402
s8 = login("student08", "student-demo")
with concurrent.futures.ThreadPoolExecutor(16) as pool:
    results = list(pool.map(lambda i: call(
        "POST", "/api/scan/code", {"code": "YYYYYYY%d" % (i % 8 + 2)},
        cookie=s8), range(40)))
answers = sorted(json_of(r)["error"]["code"] for r in results)
check(answers == ["invalid_token"] * 10 + ["rate_limited"] * 30,
      "40 wrong codes at once: 10 invalid_token, 30 rate_limited",
      repr(answers))
check(all("wrong codes" in json_of(r)["error"]["message"] for r in results
          if r.status == 429), "the 429 speaks of codes, not logins")

# An address that is no address counts as outside the networks: under
# policy refuse it is refused before its token is looked at, from the
# scan's first, unlocked read as from its locked one.
r = call("PATCH", f"/api/courses/{course['id']}",
         {"allowedNetworks": ["10.20.0.0/16"], "networkPolicy": "refuse"},
         cookie=prof)
assert r.status == 200, repr(r)
s9 = login("student09", "student-demo")
for tok_, what in (("x" * 43, "an unknown token"), (token(), "a live token")):
    r = scan(s9, tok_, addr="not an address")
    check(r.status == 403 and json_of(r)["error"]["code"] ==
          "outside_network", f"no address, policy refuse, {what}: 403 "
          "outside_network", repr(r))
r = call("PATCH", f"/api/courses/{course['id']}",
         {"allowedNetworks": None, "networkPolicy": "flag"}, cookie=prof)
assert r.status == 200, repr(r)

# Window mode: nothing orders the scans of one token, so students on one
# phone may scan at the same moment; each of their records must still
# say shared_device (the device's row orders them).
r = call("PATCH", f"/api/sessions/{session}/end", cookie=prof)
assert r.status == 200, repr(r)
r = call("POST", f"/api/groups/{group['id']}/sessions",
         {"scanMode": "window", "qrTtlSeconds": 600}, cookie=prof)
assert r.status == 201, repr(r)
session = json_of(r)["session"]["id"]
events = Events(session)
pair = []
for name in ("student10", "student11"):
    r = call("POST", "/api/auth/login", {"login": name,
                                         "password": "student-demo"})
    assert r.status == 200, repr(r)
    pair.append("sid=" + r.cookies()["sid"][0])
did = r.cookies()["did"][0]
unflagged = 0
with concurrent.futures.ThreadPoolExecutor(2) as pool:
    for i in range(8):
        if i == 0:
            rnd = sql(f"SELECT id FROM attendance_rounds WHERE session_id "
                      f"= '{session}' AND ends_at IS NULL")
            tok = token()
        else:
            r = call("POST", f"/api/sessions/{session}/rounds", cookie=prof)
            assert r.status == 201, repr(r)
            rnd = json_of(r)["round"]["id"]
            tok = events.next("round:qr-updated")["token"]
        answers = list(pool.map(lambda c: scan(c, tok, device=did), pair))
        assert all(a.status == 201 for a in answers), repr(answers)
        unflagged += int(sql(f"SELECT count(*) FROM attendance_records "
                             f"WHERE round_id = '{rnd}' AND NOT "
                             f"'shared_device' = ANY (flags)"))
check(unflagged == 0, "window mode: two students on one phone at once, "
      "8 rounds: every record shared_device", f"{unflagged} unflagged")
