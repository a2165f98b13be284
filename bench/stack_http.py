"""The JSON API of a running stack, over nginx's unix socket: what the
bench/ scripts in Python share.  Debian's /usr/bin/python3, standard
library only."""
import http.client
import json
import socket


class UnixHTTPConnection(http.client.HTTPConnection):
    def __init__(self, path):
        super().__init__("localhost", timeout=10)
        self.unix_path = path

    def connect(self):
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self.sock.connect(self.unix_path)


def api(http_sock, path, method="GET", body=None, sid=None):
    """One request; returns (status, JSON body or None, new sid or None)."""
    conn = UnixHTTPConnection(http_sock)
    headers = {"Content-Type": "application/json"}
    if sid:
        headers["Cookie"] = "sid=" + sid
    conn.request(method, path, json.dumps(body) if body is not None
                 else None, headers)
    resp = conn.getresponse()
    raw = resp.read()
    cookie = None
    for k, v in resp.getheaders():
        if k.lower() == "set-cookie" and v.startswith("sid="):
            cookie = v.split(";")[0][4:]
    return resp.status, json.loads(raw) if raw else None, cookie
