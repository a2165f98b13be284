"""A FastCGI client (the protocol's Responder role), standard library only.

It plays the web server in front of attendance-fcgi: the tests choose the
parameters a web server sets (REMOTE_USER, REMOTE_ADDR, a module's
variables), which no HTTP client can, byte for byte (NULs, bad UTF-8).

    status, headers, body = request(sock, {"REQUEST_METHOD": "GET", ...})

headers is a list of (name, value) pairs as the worker wrote them.
"""

import socket
import struct
import time

FCGI_VERSION = 1
FCGI_BEGIN_REQUEST = 1
FCGI_END_REQUEST = 3
FCGI_PARAMS = 4
FCGI_STDIN = 5
FCGI_STDOUT = 6
FCGI_STDERR = 7
FCGI_RESPONDER = 1


def _record(kind, content, request_id=1):
    return struct.pack("!BBHHBx", FCGI_VERSION, kind, request_id,
                       len(content), 0) + content


def _length(n):
    return bytes([n]) if n < 128 else struct.pack("!I", n | 0x80000000)


def _bytes(s):
    return s if isinstance(s, bytes) else s.encode("utf-8")


def encode_params(params):
    """params: a dict, or a list of (name, value) pairs, which may name
    one parameter twice as a web server may."""
    out = b""
    pairs = params.items() if isinstance(params, dict) else params
    for name, value in pairs:
        name, value = _bytes(name), _bytes(value)
        out += _length(len(name)) + _length(len(value)) + name + value
    return out


def _read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise ConnectionError("the worker closed the connection")
        data += chunk
    return data


def request(address, params, body=b"", timeout=15, trickle=None):
    """One request; address is a unix socket path or (host, port).

    With trickle (seconds), the body goes one byte per record, that long
    apart, as a slow client's would through a web server that does not
    buffer it (Apache's mod_proxy_fcgi).  A worker that drops the request
    closes the connection: ConnectionError."""
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    conn = socket.socket(family, socket.SOCK_STREAM)
    conn.settimeout(timeout)
    try:
        conn.connect(address)
        if body and isinstance(params, dict):
            params = dict(params)
            params.setdefault("CONTENT_LENGTH", str(len(body)))
        out = _record(FCGI_BEGIN_REQUEST,
                      struct.pack("!HB5x", FCGI_RESPONDER, 0))
        encoded = encode_params(params)
        for i in range(0, len(encoded), 65535):
            out += _record(FCGI_PARAMS, encoded[i:i + 65535])
        out += _record(FCGI_PARAMS, b"")
        if trickle is not None:
            conn.sendall(out)
            out = b""
            for i in range(len(body)):
                conn.sendall(_record(FCGI_STDIN, body[i:i + 1]))
                time.sleep(trickle)
        else:
            for i in range(0, len(body), 65535):
                out += _record(FCGI_STDIN, body[i:i + 65535])
        out += _record(FCGI_STDIN, b"")
        conn.sendall(out)
        stdout = b""
        while True:
            head = _read_exact(conn, 8)
            _, kind, _, length, padding = struct.unpack("!BBHHBx", head)
            content = _read_exact(conn, length + padding)[:length]
            if kind == FCGI_STDOUT:
                stdout += content
            elif kind == FCGI_END_REQUEST:
                break
    finally:
        conn.close()
    head, _, body = stdout.partition(b"\r\n\r\n")
    status, headers = 200, []
    for line in head.decode("latin-1").split("\r\n"):
        name, _, value = line.partition(":")
        value = value.strip()
        if name.lower() == "status":
            status = int(value.split()[0])
        elif name:
            headers.append((name, value))
    return status, headers, body


class Response:
    def __init__(self, status, headers, body):
        self.status = status
        self.headers = headers
        self.body = body

    def header(self, name):
        for n, v in self.headers:
            if n.lower() == name.lower():
                return v
        return None

    def cookies(self):
        """Set-Cookie, by name: (value, the attributes' text)."""
        out = {}
        for n, v in self.headers:
            if n.lower() == "set-cookie":
                pair, _, attrs = v.partition(";")
                name, _, value = pair.partition("=")
                out[name.strip()] = (value, attrs)
        return out

    def __repr__(self):
        return f"{self.status} {self.headers} {self.body[:200]!r}"


def call(sock, method, uri, params=None, body=b"", cookie=None,
         addr="127.0.0.1"):
    """A request as nginx's fastcgi_params would send it, from addr, with
    params (the web server's own, or a test's) on top; a Response."""
    path, _, query = uri.partition("?")
    p = {"REQUEST_METHOD": method, "REQUEST_URI": uri,
         "QUERY_STRING": query, "DOCUMENT_URI": path,
         "REMOTE_ADDR": addr, "SERVER_PROTOCOL": "HTTP/1.1",
         "HTTP_HOST": "localhost"}
    if body:
        p["CONTENT_TYPE"] = "application/json"
    if cookie:
        p["HTTP_COOKIE"] = cookie
    p.update(params or {})
    return Response(*request(sock, p, body))
