#!/usr/bin/python3
"""A FastCGI responder that answers every request with the parameters it
got, as JSON: [[name, value], ...] in the order they came.  The stack
tests put it on the workers' socket to see what a web server in front
hands the worker (tests/stack/apache.sh, tests/stack/oidc.sh): which
identity, which attributes, and what a client cannot forge.

Usage: fcgi_echo.py SOCKET.  One connection at a time, as a worker; the
socket is made with mode 0660 (as svc_fcgi_start's for root).
"""
import json
import os
import socket
import struct
import sys

BEGIN, END, PARAMS, STDIN, STDOUT = 1, 3, 4, 5, 6


def read_exact(conn, n):
    data = b""
    while len(data) < n:
        chunk = conn.recv(n - len(data))
        if not chunk:
            raise EOFError
        data += chunk
    return data


def length(data, i):
    if data[i] >> 7:
        return struct.unpack("!I", data[i:i + 4])[0] & 0x7fffffff, i + 4
    return data[i], i + 1


def pairs(data):
    out = []
    i = 0
    while i < len(data):
        n, i = length(data, i)
        v, i = length(data, i)
        name = data[i:i + n].decode("utf-8", "backslashreplace")
        value = data[i + n:i + n + v].decode("utf-8", "backslashreplace")
        out.append([name, value])
        i += n + v
    return out


def record(kind, rid, content):
    return struct.pack("!BBHHBB", 1, kind, rid, len(content), 0, 0) + content


def answer(conn):
    params = b""
    rid = 1
    while True:
        _, kind, rid, n, pad, _ = struct.unpack("!BBHHBB", read_exact(conn, 8))
        content = read_exact(conn, n)
        read_exact(conn, pad)
        if kind == PARAMS:
            params += content
        elif kind == STDIN and n == 0:
            break
    body = json.dumps(pairs(params)).encode()
    out = (b"Status: 200 OK\r\nContent-Type: application/json\r\n"
           b"Content-Length: %d\r\n\r\n" % len(body)) + body
    for k in range(0, len(out), 65535):
        conn.sendall(record(STDOUT, rid, out[k:k + 65535]))
    conn.sendall(record(STDOUT, rid, b"") +
                 record(END, rid, b"\0" * 8))


def main():
    path = sys.argv[1]
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    old = os.umask(0o117)
    sock.bind(path)
    os.umask(old)
    sock.listen(16)
    while True:
        conn, _ = sock.accept()
        try:
            conn.settimeout(10)
            answer(conn)
        except (EOFError, OSError, struct.error):
            pass
        finally:
            conn.close()


if __name__ == "__main__":
    main()
