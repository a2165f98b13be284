"""The database that stops answering (issue "Security hardening", 4).

A TCP listener in front of PostgreSQL's unix socket that, while the file
MODE says "hang", accepts connections and never answers (a host whose
database froze, a firewall that drops), and otherwise forwards them.
Then the checks, through FastCGI (tests/lib/fcgi_client.py):

    db-timeouts.py proxy PORT-FILE MODE-FILE PG-SOCKET
    db-timeouts.py check WORKER-SOCKET MODE-FILE TIMEOUT PSQL-CONNINFO
"""

import concurrent.futures
import os
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import fcgi_client  # noqa: E402
from checks import fail, ok  # noqa: E402


def pipe(a, b):
    try:
        while True:
            data = a.recv(65536)
            if not data:
                break
            b.sendall(data)
    except OSError:
        pass
    finally:
        for s in (a, b):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass


def proxy(port_file, mode_file, pg_socket):
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(64)
    held = []
    with open(port_file + ".tmp", "w") as f:
        f.write(str(listener.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    while True:
        conn, _ = listener.accept()
        with open(mode_file) as f:
            mode = f.read().strip()
        if mode == "hang":
            held.append(conn)	# accepted, never answered
            continue
        upstream = socket.socket(socket.AF_UNIX)
        upstream.connect(pg_socket)
        for a, b in ((conn, upstream), (upstream, conn)):
            threading.Thread(target=pipe, args=(a, b), daemon=True).start()


def call(sock, method, uri, body=b"", cookie=None):
    params = {"REQUEST_METHOD": method, "REQUEST_URI": uri,
              "REMOTE_ADDR": "127.0.0.1"}
    if body:
        params["CONTENT_TYPE"] = "application/json"
    if cookie:
        params["HTTP_COOKIE"] = cookie
    started = time.monotonic()
    status, headers, out = fcgi_client.request(sock, params, body,
                                               timeout=60)
    return status, out, time.monotonic() - started


def check(sock, mode_file, timeout, conninfo):
    timeout = float(timeout)
    login = b'{"login": "prof", "password": "prof-demo"}'

    # The database answers: a login, for a cookie.
    status, body, _ = call(sock, "POST", "/api/auth/login", login)
    if status != 200:
        fail(f"login with the database up: {status} {body!r}")
    sid = None
    ok("a login with the database up")

    with open(mode_file, "w") as f:
        f.write("hang\n")
    # The connection goes: a worker notices when it next connects.  Kill
    # the backends so every worker has to connect again.
    subprocess.run(["psql", conninfo, "-XtAc",
                    "SELECT count(pg_terminate_backend(pid)) FROM "
                    "pg_stat_activity WHERE application_name = '' AND "
                    "pid <> pg_backend_pid() AND backend_type = "
                    "'client backend'"], check=True, capture_output=True)
    time.sleep(0.2)

    def one(i):
        if i % 2:
            return call(sock, "GET", "/api/health")
        return call(sock, "POST", "/api/auth/login", login)
    with concurrent.futures.ThreadPoolExecutor(4) as pool:
        results = list(pool.map(one, range(4)))
    for status, body, took in results:
        if status != 503:
            fail(f"a hung database: {status} {body!r}")
        # Two workers, four requests: at most two timeouts in a row.
        if took > 2 * timeout + 2:
            fail(f"a hung database: answered after {took:.1f} s "
                 f"(timeout {timeout} s)")
    if not any(b'"unavailable"' in body for _, body, _ in results):
        fail("no 503 unavailable error body")
    if not any(b'"database":"down"' in body for _, body, _ in results):
        fail("health does not say the database is down")
    ok("a hung database: 503 within the connect timeout "
       f"({max(t for _, _, t in results):.1f} s for 4 requests "
       "on 2 workers)")

    with open(mode_file, "w") as f:
        f.write("forward\n")
    deadline = time.monotonic() + 10
    while True:
        status, body, _ = call(sock, "GET", "/api/health")
        if status == 200:
            break
        if time.monotonic() > deadline:
            fail(f"no recovery: {status} {body!r}")
        time.sleep(0.2)
    status, body, _ = call(sock, "POST", "/api/auth/login", login)
    if status != 200:
        fail(f"login after recovery: {status} {body!r}")
    ok("recovered: the same workers answer again")

    # A lock held elsewhere: lock_timeout, then 503, nothing written.
    holder = subprocess.Popen(
        ["psql", conninfo, "-Xq", "-c", "BEGIN", "-c",
         "LOCK TABLE auth_sessions IN ACCESS EXCLUSIVE MODE", "-c",
         "SELECT pg_sleep(8)", "-c", "COMMIT"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    status, body, took = call(sock, "POST", "/api/auth/login", login)
    holder.wait()
    if status != 503 or b'"unavailable"' not in body or took > 4:
        fail(f"a held lock: {status} {body!r} after {took:.1f} s")
    ok(f"a held lock: 503 unavailable after {took:.1f} s (lock_timeout)")


if sys.argv[1] == "proxy":
    proxy(*sys.argv[2:5])
else:
    check(*sys.argv[2:6])
