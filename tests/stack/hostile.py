#!/usr/bin/python3
"""Raw-socket helpers of tests/stack/hostile.sh (standard library only).

  hostile.py field FILE PATH
      Prints the value at PATH (dotted, e.g. error.code) of the JSON
      object in FILE: a string as it is, anything else as JSON.  Exits 1
      when FILE is not JSON or PATH is not in it.

  hostile.py raw SOCKET OUT
      Sends standard input as it is (bytes curl will not send: NUL in a
      header, both Content-Length and Transfer-Encoding, ...) to the HTTP
      server on the unix SOCKET, writes the whole answer to OUT, prints
      its status code ("none" when the server closed without one).

  hostile.py slowloris SOCKET N DIR
      Opens N connections that hang mid-request: some send nothing,
      some drip their headers, some send their headers and drip the body,
      one byte every DRIP seconds.  Creates DIR/ready once every one is
      hanging; when DIR/stop appears, sends the rest of each request at
      once and checks its answer (a health check's 200, a login body's
      400 invalid_request).  A connection answered or closed while it
      hangs is a failure.  Prints one line per connection; exits 1 on
      failure.

Every socket operation is bounded in time (TIMEOUT).
"""
import json
import os
import select
import socket
import sys
import threading
import time

TIMEOUT = 5.0       # any one answer
DRIP = 0.05         # seconds between two dripped bytes
HANG_MAX = 20.0     # the longest the caller may take to say stop


def read_answer(sock):
    """The whole answer to a "Connection: close" request."""
    sock.settimeout(TIMEOUT)
    chunks = []
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        try:
            data = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            break
        if not data:
            break
        chunks.append(data)
    return b"".join(chunks)


def status_of(answer):
    parts = answer.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) >= 2 and parts[0].startswith(b"HTTP/"):
        return parts[1].decode("ascii", "replace")
    return "none"


def body_of(answer):
    return answer.split(b"\r\n\r\n", 1)[-1]


def cmd_field(path, dotted):
    try:
        with open(path, "rb") as f:
            value = json.loads(f.read().decode("utf-8"))
        for key in dotted.split("."):
            value = value[int(key)] if isinstance(value, list) else \
                value[key]
    except (ValueError, KeyError, IndexError, TypeError) as e:
        print("hostile.py: %s: %s: %r" % (path, dotted, e), file=sys.stderr)
        return 1
    if not isinstance(value, str):
        value = json.dumps(value)
    sys.stdout.buffer.write(value.encode("utf-8"))
    return 0


def connect(path):
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.settimeout(TIMEOUT)
    sock.connect(path)
    return sock


def cmd_raw(path, out):
    request = sys.stdin.buffer.read()
    sock = connect(path)
    try:
        try:
            sock.sendall(request)
        except (BrokenPipeError, ConnectionResetError):
            pass        # the server may answer and close mid-request
        answer = read_answer(sock)
    finally:
        sock.close()
    with open(out, "wb") as f:
        f.write(answer)
    print(status_of(answer))
    return 0


class Slow(threading.Thread):
    """One connection hanging mid-request until DIR/stop exists."""

    def __init__(self, n, kind, path, stop):
        super().__init__(daemon=True)
        self.n, self.kind, self.stop = n, kind, stop
        self.ready = threading.Event()
        self.result = None
        self.rest = b""
        self.dripped_count = 0
        if kind == "body":
            body = b'{"pad":"' + b"x" * 400 + b'","login":""}'
            head = (b"POST /api/auth/login HTTP/1.1\r\n"
                    b"Host: localhost\r\n"
                    b"Content-Type: application/json\r\n"
                    b"Content-Length: %d\r\n"
                    b"Connection: close\r\n\r\n" % len(body))
            self.sent, self.dripped = head, body
            self.want, self.code = "400", b'"code":"invalid_request"'
        else:
            head = (b"GET /api/health HTTP/1.1\r\nHost: localhost\r\n"
                    b"User-Agent: slow-" + b"x" * 400 + b"\r\n"
                    b"Connection: close\r\n\r\n")
            self.sent, self.dripped = b"", head
            self.want, self.code = "200", b'"status":"ok"'
        if kind == "idle":
            self.dripped, self.rest = b"", head
        self.sock = connect(path)

    def run(self):
        try:
            self.result = self.hang()
        except OSError as e:
            self.result = "error: %r" % e
        finally:
            self.ready.set()
            self.sock.close()

    def hang(self):
        sock = self.sock
        if self.sent:
            sock.sendall(self.sent)
        i = 0
        deadline = time.monotonic() + HANG_MAX
        # Keep the last byte back: the request never completes.
        while not os.path.exists(self.stop):
            if time.monotonic() > deadline:
                return "never told to stop"
            if i < len(self.dripped) - 1:
                sock.sendall(self.dripped[i:i + 1])
                i += 1
            if self.kind == "idle" or i >= 8:
                self.ready.set()
            r, _, _ = select.select([sock], [], [], DRIP)
            if r:
                return "answered or closed while hanging (after %d " \
                    "bytes)" % i
        sock.sendall(self.rest + self.dripped[i:])
        answer = read_answer(sock)
        status = status_of(answer)
        if status != self.want or self.code not in body_of(answer):
            return "answered %s, expected %s: %r" % (status, self.want,
                                                     answer[-200:])
        self.dripped_count = i
        return None


def cmd_slowloris(path, n, state):
    kinds = ("body", "headers", "idle")
    stop = os.path.join(state, "stop")
    os.makedirs(state, exist_ok=True)
    conns = [Slow(i, kinds[i % 3], path, stop) for i in range(n)]
    for c in conns:
        c.start()
    for c in conns:
        c.ready.wait(HANG_MAX)
    open(os.path.join(state, "ready"), "w").close()
    failed = 0
    for c in conns:
        c.join(HANG_MAX + 2 * TIMEOUT)
        if c.is_alive():
            c.result = "still running"
        if c.result is None:
            print("slow %d (%s): hung %d bytes, then answered %s" %
                  (c.n, c.kind, c.dripped_count, c.want))
        else:
            failed += 1
            print("slow %d (%s): %s" % (c.n, c.kind, c.result))
    return 1 if failed else 0


def main(argv):
    if len(argv) == 3 and argv[0] == "field":
        return cmd_field(argv[1], argv[2])
    if len(argv) == 3 and argv[0] == "raw":
        return cmd_raw(argv[1], argv[2])
    if len(argv) == 4 and argv[0] == "slowloris":
        return cmd_slowloris(argv[1], int(argv[2]), argv[3])
    print("usage: hostile.py field FILE PATH | raw SOCKET OUT | "
          "slowloris SOCKET N DIR", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
