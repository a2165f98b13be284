"""The CSV export cut by a database failure mid-file (issue 15).

A proxy between nginx and the worker passes everything on, but once
armed holds what the worker sends after its first 64 KiB: the worker
blocks writing, PostgreSQL blocks sending, and the test ends the
worker's database connection (pg_terminate_backend).  Then the proxy
lets the rest through.  The worker must not end the response as a
complete one ends: no FastCGI end of request, a record no web server
takes (version 0) instead, and the file's last line end withheld.  nginx
must fail the download (the chunked body's last chunk never comes), and
what the client got is the start of the whole file.  The next export, of
the same worker (reconnected), is whole.  And when the web server goes
away mid-file (the proxy drops both connections), the worker cancels the
query and keeps its database connection for the next request.

    export-cut.py STATE COURSE-ID PSQL-CONNINFO LINES
"""

import http.client
import os
import socket
import struct
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
from checks import check, fail, ok  # noqa: E402

state, course, conninfo, lines = sys.argv[1:5]
lines = int(lines)
run = os.path.join(state, "run")
path = f"/api/professor/courses/{course}/export.csv"
HOLD_AFTER = 64 * 1024


class Proxy:
    """nginx's connections to the worker, passed through; what the worker
    sent on the last connection is kept in from_worker.  armed, for the
    next connection: "hold" (until release is set) or "drop" the
    connections after HOLD_AFTER bytes from the worker."""

    def __init__(self, front, worker):
        self.worker = worker
        self.armed = None
        self.held = threading.Event()
        self.release = threading.Event()
        self.from_worker = b""
        self.listener = socket.socket(socket.AF_UNIX)
        self.listener.bind(front)
        self.listener.listen(8)
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self):
        while True:
            front, _ = self.listener.accept()
            back = socket.socket(socket.AF_UNIX)
            back.connect(self.worker)
            hold, self.armed = self.armed, None
            self.from_worker = b""
            threading.Thread(target=self.pipe, args=(front, back),
                             daemon=True).start()
            threading.Thread(target=self.answer, args=(back, front, hold),
                             daemon=True).start()

    @staticmethod
    def pipe(src, dst):
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                dst.sendall(data)
        except OSError:
            pass

    def answer(self, back, front, hold):
        try:
            while True:
                if hold and len(self.from_worker) >= HOLD_AFTER:
                    self.held.set()
                    if hold == "drop":
                        break
                    self.release.wait()
                    hold = None
                data = back.recv(65536)
                if not data:
                    break
                self.from_worker += data
                front.sendall(data)
        except OSError:
            pass
        # The end of the worker's connection is the end of the response
        # for nginx: shut it, which a close would not do while pipe()
        # still reads from it.
        for s in (front, back):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            s.close()


class UnixHTTP(http.client.HTTPConnection):
    def __init__(self, sock_path):
        super().__init__("localhost", timeout=60)
        self.sock_path = sock_path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX)
        self.sock.settimeout(60)
        self.sock.connect(self.sock_path)


def get(method, uri, body=None, headers=None):
    """(status, headers, body, error): error is the exception that cut
    the body short, or None."""
    c = UnixHTTP(os.path.join(run, "http.sock"))
    c.request(method, uri, body=body, headers=headers or {})
    r = c.getresponse()
    try:
        data, error = r.read(), None
    except http.client.IncompleteRead as e:
        data, error = e.partial, e
    c.close()
    return r.status, r, data, error


def psql(sql):
    return subprocess.run(["psql", conninfo, "-XtAc", sql], check=True,
                          capture_output=True, text=True).stdout.strip()


def records(data):
    """The FastCGI records of data: (version, type) of each, in order."""
    out, i = [], 0
    while i + 8 <= len(data):
        version, kind, _, length, padding = struct.unpack(
            "!BBHHBx", data[i:i + 8])
        out.append((version, kind))
        if version != 1:
            break
        i += 8 + length + padding
    return out


proxy = Proxy(os.path.join(run, "fcgi.sock"), os.path.join(run, "worker.sock"))
status, r, body, _ = get("POST", "/api/auth/login",
                         b'{"login": "prof", "password": "prof-demo"}',
                         {"Content-Type": "application/json"})
if status != 200:
    fail(f"login: {status} {body!r}")
cookie = r.getheader("Set-Cookie").split(";")[0]

proxy.armed = "hold"
cut = {}
client = threading.Thread(target=lambda: cut.update(zip(
    ("status", "response", "body", "error"),
    get("GET", path, headers={"Cookie": cookie}))))
client.start()
check(proxy.held.wait(30), "the proxy holds the export after 64 KiB")
# The worker now blocks writing, and PostgreSQL sending, mid-file.
terminated = psql("SELECT count(*) FROM (SELECT pg_terminate_backend(pid) "
                  "FROM pg_stat_activity WHERE query LIKE "
                  "'%api_course_export%' AND pid <> pg_backend_pid()) x")
check(terminated == "1", "the export's database connection is ended "
      "mid-file", f"({terminated} ended)")
proxy.release.set()
client.join(60)
if client.is_alive() or "status" not in cut:
    fail("the cut export was not answered")

check(cut["status"] == 200 and cut["response"].getheader("Content-Type") ==
      "text/csv; charset=utf-8", "the cut export began as a CSV download",
      f"({cut['status']})")
kinds = records(proxy.from_worker)
check(3 not in [k for _, k in kinds], "the worker sent no end of request")
check(kinds[-1][0] == 0, "the worker ended with a record of version 0",
      f"(the last: {kinds[-1]})")
check(isinstance(cut["error"], http.client.IncompleteRead),
      "nginx failed the download: the body's last chunk never came",
      f"({len(cut['body'])} bytes read without error)")
partial = cut["body"]
check(partial.startswith(b"\xef\xbb\xbfcourse_code,") and
      not partial.endswith(b"\r\n"),
      "the file received lacks its last line end",
      f"(it ends {partial[-20:]!r})")

status, r, whole, error = get("GET", path, headers={"Cookie": cookie})
check(status == 200 and error is None and whole.endswith(b"\r\n"),
      "the next export, the same worker's, is whole", f"({status}, {error})")
ends = whole.count(b"\r\n")
check(ends == 1 + lines, f"it has the header and {lines} lines",
      f"({ends} line ends)")
check(len(partial) < len(whole) and whole.startswith(partial),
      "what the cut download got is the start of the whole file",
      f"({len(partial)} of {len(whole)} bytes)")

# The web server gone mid-file: the worker's writes fail.
log = os.path.join(state, "log", "fcgi.log")
with open(log) as f:
    connects = f.read().count("connected to the database")
proxy.held.clear()
proxy.armed = "drop"
status, r, body, error = get("GET", path, headers={"Cookie": cookie})
check(proxy.held.is_set() and len(body) < len(whole),
      "the proxy dropped the export mid-file", f"({len(body)} bytes)")
for _ in range(50):
    with open(log) as f:
        text = f.read()
    if "the web server closed the connection after" in text:
        break
    time.sleep(0.1)
check("the web server closed the connection after" in text,
      "the worker saw the web server go")
running = psql("SELECT count(*) FROM pg_stat_activity WHERE query LIKE "
               "'%api_course_export%' AND state = 'active' AND "
               "pid <> pg_backend_pid()")
check(running == "0", "its query was cancelled", f"({running} running)")
status, r, again, error = get("GET", path, headers={"Cookie": cookie})
check(status == 200 and error is None and again == whole,
      "the next export is whole again", f"({status}, {error})")
with open(log) as f:
    check(f.read().count("connected to the database") == connects,
          "on the database connection it had: nothing was left on it")
