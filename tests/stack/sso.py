"""Single sign-on and the login throttle, against real workers.

Driven by tests/stack/sso.sh, which starts PostgreSQL and attendance-fcgi
and runs one phase per worker configuration.  This script speaks FastCGI
to the workers itself (tests/lib/fcgi_client.py): it is the web server,
so it sets what a web server's authentication module sets (REMOTE_USER,
OIDC_CLAIM_*), and REMOTE_ADDR, byte for byte.  Checks in the database go
through psql.

    sso.py PHASE SOCKET CONNINFO ADMIN CONFIG
"""

import concurrent.futures
import json
import os
import subprocess
import sys

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "lib"))
import checks  # noqa: E402
import fcgi_client  # noqa: E402
from checks import check  # noqa: E402

phase, sock, conninfo, admin, config = sys.argv[1:6]
checks.prefix = phase + ": "


def sql(query):
    out = subprocess.run(["psql", conninfo, "-XtAc", query], check=True,
                         capture_output=True, text=True).stdout
    return out.strip()


def add_user(role, username, email, password=None, external_id=None):
    args = [admin, "-c", config, "user", "add", "--role", role,
            "--username", username, "--email", email,
            "--display-name", username.title()]
    if external_id is not None:
        args += ["--external-id", external_id]
    else:
        args += ["--password-stdin"]
    subprocess.run(args, input=(password or "") + "\n", check=True,
                   capture_output=True, text=True)


def call(method, uri, params=None, body=b"", cookie=None,
         addr="127.0.0.1"):
    return fcgi_client.call(sock, method, uri, params, body, cookie, addr)


def sso(query="", cookie=None, **attrs):
    uri = "/api/auth/sso" + ("?" + query if query else "")
    return call("GET", uri, attrs, cookie=cookie)


def login(name, password, cookie=None, addr="127.0.0.1"):
    body = ('{"login": "%s", "password": "%s"}' % (name, password))
    return call("POST", "/api/auth/login", body=body.encode(),
                cookie=cookie, addr=addr)


def me(sid):
    return call("GET", "/api/auth/me", cookie=f"sid={sid}")


def signed_on(r, what, location="/"):
    check(r.status == 302 and r.header("Location") == location,
          f"{what}: 302 to {location}", repr(r))
    cookies = r.cookies()
    check("sid" in cookies and "HttpOnly" in cookies["sid"][1] and
          "SameSite=Lax" in cookies["sid"][1] and
          "Path=/" in cookies["sid"][1], f"{what}: the sid cookie",
          repr(r))
    return cookies


def refused(r, code, what):
    check(r.status == 302 and
          r.header("Location") == f"/?ssoError={code}" and
          not r.cookies() and not r.body, f"{what}: 302 ssoError={code}",
          repr(r))


def users():
    return int(sql("SELECT count(*) FROM users"))


# Attribute names as mod_auth_openidc passes them (sso.sh's config).
def claims(sub, email=None, name=None, username=None, role=None):
    out = {"REMOTE_USER": sub}
    if email is not None:
        out["OIDC_CLAIM_email"] = email
    if name is not None:
        out["OIDC_CLAIM_name"] = name
    if username is not None:
        out["OIDC_CLAIM_preferred_username"] = username
    if role is not None:
        out["OIDC_CLAIM_affiliation"] = role
    return out


def phase_off():
    for method in ("GET", "POST", "PUT"):
        r = call(method, "/api/auth/sso", claims("someone"))
        check(r.status == 404 and b'"not_found"' in r.body,
              f"sso off: {method} /api/auth/sso is 404", repr(r))
    r = call("GET", "/api/auth/methods")
    check(r.status == 200 and
          json.loads(r.body) == {"password": True, "sso": None},
          "methods: password", repr(r))


def phase_sso():
    r = call("GET", "/api/auth/methods")
    check(r.status == 200 and json.loads(r.body) ==
          {"password": True, "sso": {"label": "Campus login"}},
          "methods: password and the label", repr(r))
    r = call("POST", "/api/auth/sso", claims("x"))
    check(r.status == 405 and r.header("Allow") == "GET",
          "POST /api/auth/sso is 405", repr(r))

    before = users()
    refused(sso(), "unauthenticated", "no subject")
    refused(sso(REMOTE_USER=""), "unauthenticated", "an empty subject")
    refused(sso(HTTP_REMOTE_USER="mallory"), "unauthenticated",
            "a Remote-User header")
    refused(sso(HTTP_OIDC_CLAIM_EMAIL="m@example.edu",
                HTTP_REMOTE_USER="mallory", **{"REMOTE_USER": ""}),
            "unauthenticated", "headers, and an empty subject")

    # nginx's fastcgi_params sends REMOTE_USER as $remote_user, from the
    # client's own Basic header; a configuration that adds its own sends
    # a second copy.  Twice is none, whichever comes first.
    for first, second in (("victim", "real"), ("", "victim")):
        r = fcgi_client.Response(*fcgi_client.request(sock, [
            ("REQUEST_METHOD", "GET"), ("REQUEST_URI", "/api/auth/sso"),
            ("REMOTE_ADDR", "127.0.0.1"), ("REMOTE_USER", first),
            ("OIDC_CLAIM_email", "v@uni.example"),
            ("OIDC_CLAIM_affiliation", "student"),
            ("REMOTE_USER", second)]))
        refused(r, "unauthenticated",
                f"REMOTE_USER sent twice ('{first}', then '{second}')")
    check(users() == before, "nothing made by any of these")

    # First sign-on of a student: provisioned, with the mapped role.
    r = sso("next=%2Fscan.html%23t%3Dabc",
            **claims("s-1001@idp.example", "zoe@uni.example",
                     "Zo\u00eb \u00c5ngstr\u00f6m", "zoe.a", "member;student"))
    cookies = signed_on(r, "a new student", "/scan.html#t=abc")
    check("did" in cookies and "Path=/api/" in cookies["did"][1] and
          "Max-Age=34560000" in cookies["did"][1], "the device cookie",
          repr(r))
    sid = cookies["sid"][0]
    r = me(sid)
    user = json.loads(r.body)["user"] if r.status == 200 else {}
    check(user.get("role") == "student" and
          user.get("username") == "zoe.a" and
          user.get("displayName") == "Zo\u00eb \u00c5ngstr\u00f6m" and
          user.get("lastLoginAt") is not None,
          "the new student's login", repr(r))
    check(sql("SELECT external_id || ' ' || (password_hash IS NULL) FROM "
              "users WHERE username = 'zoe.a'") ==
          "s-1001@idp.example true",
          "an external id, no password")
    check(sql("SELECT count(*) FROM devices d JOIN device_accounts a ON "
              "a.device_id = d.id JOIN users u ON u.id = a.user_id WHERE "
              "u.username = 'zoe.a'") == "1", "the device remembered")
    # The account of single sign-on has no password to try.
    r = login("zoe.a", "")
    check(r.status == 401, "an empty password is no way in", repr(r))
    r = login("zoe.a", "anything")
    check(r.status == 401, "no password login for it", repr(r))

    # Again: the same account, attributes refreshed, role unchanged, the
    # device cookie kept.
    did = cookies["did"][0]
    r = sso(cookie=f"did={did}",
            **claims("s-1001@idp.example", "zoe.new@uni.example",
                     "Zoe Angstrom", "other", "faculty"))
    cookies = signed_on(r, "a second sign-on")
    check("did" not in cookies, "no new device cookie", repr(r))
    check(sql("SELECT role || ' ' || email || ' ' || display_name || ' ' "
              "|| username FROM users WHERE external_id = "
              "'s-1001@idp.example'") ==
          "student zoe.new@uni.example Zoe Angstrom zoe.a",
          "email and name follow, role and username stay")
    # An email another account holds is left as it was.
    add_user("student", "holder", "held@uni.example", "pw-holder-1")
    r = sso(**claims("s-1001@idp.example", "HELD@uni.example", None, None,
                     "student"))
    signed_on(r, "a sign-on with another's email")
    check(sql("SELECT email FROM users WHERE external_id = "
              "'s-1001@idp.example'") == "zoe.new@uni.example",
          "the email left as it was")

    # Professors: any professor value wins.
    r = sso(**claims("p-1@idp.example", "prof.p@uni.example", "Prof P",
                     None, "student, Staff"))
    signed_on(r, "a new professor")
    check(sql("SELECT role || ' ' || username FROM users WHERE "
              "external_id = 'p-1@idp.example'") == "professor p-1",
          "professor, username from the subject")

    # Linking by email: an account made by ops, no external id yet.
    add_user("professor", "jdoe", "J.Doe@uni.example", "pw-jdoe-12")
    n = users()
    r = sso(**claims("jd-77", "j.doe@UNI.example", "Jane Doe", None,
                     "member"))
    signed_on(r, "a sign-on linked by email")
    check(users() == n and sql("SELECT external_id || ' ' || role FROM "
                               "users WHERE username = 'jdoe'") ==
          "jd-77 professor", "linked, nothing created")
    # An account already linked to another subject is not taken.
    r = sso(**claims("jd-other", "j.doe@uni.example", None, None,
                     "student"))
    refused(r, "forbidden", "an email linked to another subject")

    # Usernames: the rules, then -2, -3.
    sso(**claims("u-a", "ua@uni.example", None, "m\u00fcller smith!",
                 "student"))
    sso(**claims("u-b", "ub@uni.example", None, "mllersmith", "student"))
    sso(**claims("u-c", "uc@uni.example", None, "MLLERSMITH", "student"))
    check(sql("SELECT string_agg(username, ' ' ORDER BY external_id) FROM "
              "users WHERE external_id IN ('u-a', 'u-b', 'u-c')") ==
          "mllersmith mllersmith-2 MLLERSMITH-3", "usernames made unique")
    sso(**claims("\u00e9\u00e8@idp.example", "ue@uni.example", None,
                 "\u00e9\u00e8\u00ea", "student"))
    check(sql("SELECT username FROM users WHERE email = 'ue@uni.example'")
          == "user", "a username of no allowed character")
    sso(**claims("kim@idp.example", "uk@uni.example", None, "!!!",
                 "student"))
    check(sql("SELECT username || ' ' || display_name FROM users WHERE "
              "email = 'uk@uni.example'") == "kim kim",
          "the subject's part before @, and the name of no name")
    long_name = "a" * 70
    sso(**claims("long-1", "ul@uni.example", None, long_name, "student"))
    check(sql("SELECT length(username) FROM users WHERE email = "
              "'ul@uni.example'") == "64", "a username cut to 64")

    # Refusals: nothing written.
    n = users()
    refused(sso(**claims("n-1", "n1@uni.example", None, None, "alumni")),
            "forbidden", "no known role value")
    refused(sso(**claims("n-2", "n2@uni.example", None, None, None)),
            "forbidden", "no role attribute")
    refused(sso(**claims("n-3", None, None, None, "student")), "forbidden",
            "no email")
    refused(sso(**claims("n-4", "not-an-email", None, None, "student")),
            "forbidden", "an email that is none")
    refused(sso(**claims("n-5", "Zoe.New@UNI.example", None, None,
                         "student")), "forbidden",
            "an email another (linked) account holds")
    refused(sso(**claims("s" * 257, "n6@uni.example", None, None,
                         "student")), "forbidden", "a subject of 257 bytes")
    refused(sso(**claims("n-7", "n7@uni.example", "x" * 201, None,
                         "student")), "forbidden",
            "a name of 201 characters")
    refused(sso(**claims("n-8", "n8@uni.example", None, None,
                         "student;" + "x" * 1020)), "forbidden",
            "a role attribute of 1028 bytes")
    refused(sso(**claims("n-8b", "n8b@uni.example", None, "u" * 257,
                         "student")), "forbidden",
            "a username attribute of 257 bytes")
    refused(sso(**{"REMOTE_USER": b"bad-\xff-utf8",
                   "OIDC_CLAIM_email": "n9@uni.example",
                   "OIDC_CLAIM_affiliation": "student"}), "forbidden",
            "a subject of invalid UTF-8")
    refused(sso(**{"REMOTE_USER": "n-10",
                   "OIDC_CLAIM_email": "n10@uni.example",
                   "OIDC_CLAIM_name": b"Bad \xc0\xaf name",
                   "OIDC_CLAIM_affiliation": "student"}), "forbidden",
            "a name of invalid UTF-8")
    refused(sso(**claims("n-11", "n11@uni.example", "tab\x1bescape", None,
                         "student")), "forbidden",
            "a control character in the name")
    check(users() == n, "no account made by any refusal")
    # A name of 90 CJK characters (270 bytes) and a long list of roles
    # are names and roles like any other.
    r = sso(**claims("cjk-1", "cjk@uni.example", "\u5b66" * 90, None,
                     ";".join(["member", "alum", "library-walk-in"] * 20 +
                              ["student"])))
    signed_on(r, "a long name of 270 bytes, 60 role values")
    check(sql("SELECT role || ' ' || length(display_name) FROM users "
              "WHERE external_id = 'cjk-1'") == "student 90",
          "taken whole")
    n = users()
    # libfcgi keeps parameters as C strings: a value ends at a NUL, which
    # no web server can send (Apache's variables and nginx's are C
    # strings too).  Whoever speaks FastCGI to the worker is trusted with
    # REMOTE_USER anyway; the point is that nothing breaks.
    r = sso(**{"REMOTE_USER": b"nul-1\x00tail",
               "OIDC_CLAIM_email": b"nul1@uni.example\x00x",
               "OIDC_CLAIM_affiliation": "student"})
    signed_on(r, "a NUL ends a value")
    check(sql("SELECT external_id || ' ' || email FROM users WHERE "
              "external_id LIKE 'nul-1%'") == "nul-1 nul1@uni.example",
          "the value before the NUL")

    # next: only a path of this site.
    for query, what in (("next=%2F%2Fevil.example", "//evil.example"),
                        ("next=%2F%5Cevil.example", "/\\evil.example"),
                        ("next=%2F%09%2Fevil.example", "/%09/evil.example"),
                        ("next=/%09/evil.example", "/<tab>/evil.example"),
                        ("next=javascript%3Aalert(1)", "javascript:"),
                        ("next=https%3A%2F%2Fevil.example%2F", "a full URL"),
                        ("next=%2Fa%0D%0ASet-Cookie%3A%20x%3D1", "CRLF"),
                        ("next=/" + "a" * 10240, "a 10 kB next")):
        r = sso(query, **claims("s-1001@idp.example"))
        signed_on(r, f"next {what}")
    r = sso("next=%2Fcourse.html%3Fid%3D1%26x%3D2",
            **claims("s-1001@idp.example"))
    signed_on(r, "next with a query", "/course.html?id=1&x=2")

    # Two first sign-ons of one new subject at once: one account.
    n = users()

    def first(i):
        return sso(**claims("race-1@idp.example", "race@uni.example",
                            "Race", None, "student"))
    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(first, range(8)))
    check(all(r.status == 302 and r.header("Location") == "/" and
              "sid" in r.cookies() for r in results),
          "8 parallel first sign-ons all sign on",
          repr([r.status for r in results]))
    check(users() == n + 1 and sql("SELECT count(*) FROM users WHERE "
                                   "external_id = 'race-1@idp.example'")
          == "1", "one account, not eight")
    # Accounts made by ops for single sign-on.
    add_user("professor", "ops-made", "ops@uni.example",
             external_id="ops-1@idp.example")
    r = sso(**claims("ops-1@idp.example", "ops@uni.example", None, None,
                     None))
    cookies = signed_on(r, "an account made with --external-id")
    r = me(cookies["sid"][0])
    check(r.status == 200 and
          json.loads(r.body)["user"]["username"] == "ops-made", "its login",
          repr(r))


def phase_closed():
    """password_login off, link by username, no provisioning."""
    r = call("GET", "/api/auth/methods")
    check(r.status == 200 and json.loads(r.body) ==
          {"password": False, "sso": {"label": "single sign-on"}},
          "methods: no password, the default label", repr(r))
    r = login("anyone", "anything")
    check(r.status == 404 and b'"not_found"' in r.body,
          "POST /api/auth/login is 404", repr(r))
    add_user("student", "lee", "lee@uni.example", "pw-lee-123")
    r = sso(**claims("lee-sub", "other@uni.example", None, "LEE", None))
    signed_on(r, "a sign-on linked by username")
    check(sql("SELECT external_id FROM users WHERE username = 'lee'") ==
          "lee-sub", "linked by username")
    n = users()
    refused(sso(**claims("new-sub", "new@uni.example", None, "newbie",
                         "student")), "forbidden", "no provisioning")
    check(users() == n, "nothing made")


def phase_secure():
    """public_base_url https://, cookie_secure auto."""
    r = sso(**claims("s-1001@idp.example"))
    cookies = signed_on(r, "a sign-on over https://")
    check(all("Secure" in attrs for _, attrs in cookies.values()),
          "every cookie Secure", repr(r))


def parallel(n, fn):
    with concurrent.futures.ThreadPoolExecutor(n) as pool:
        return list(pool.map(fn, range(n)))


def statuses(results):
    return sorted(r.status for r in results)


def failures(name):
    return int(sql("SELECT count(*) FROM login_failures f LEFT JOIN users "
                   "u ON u.id::text = f.name WHERE lower(u.username) = "
                   f"lower('{name}') OR f.name = lower('{name}')"))


def did_of(r):
    return r.cookies()["did"][0]


def phase_throttle():
    """window 60 s, 5 per name, 20 per address, trusted 198.51.100.0/24
    and 2001:db8:ffff::/48."""
    for u in ("racer", "alice", "bob", "carol", "dave", "erin"):
        add_user("student", u, f"{u}@uni.example", f"pw-{u}-right")

    # 30 attempts at once on one name: 5 password checks, no more.
    results = parallel(30, lambda i: login("racer", "wrong",
                                           addr=f"192.0.2.{i + 1}"))
    check(statuses(results) == [401] * 5 + [429] * 25,
          "30 parallel attempts on one name: 5 checked, 25 refused",
          repr(statuses(results)))
    check(failures("racer") == 5, "5 failures recorded, not more")
    r = login("RACER@uni.example", "pw-racer-right", addr="192.0.2.200")
    check(r.status == 429 and 1 <= int(r.header("Retry-After")) <= 60,
          "the right password is 429, with Retry-After", repr(r))
    check(failures("racer") == 5, "a 429 counts toward nothing")

    # 30 at once from one address, each on another name: 20 checked.
    results = parallel(30, lambda i: login(f"nobody{i}", "wrong",
                                           addr="203.0.113.7"))
    check(statuses(results) == [401] * 20 + [429] * 10,
          "30 parallel attempts from one address: 20 checked",
          repr(statuses(results)))
    r = login("carol", "pw-carol-right", addr="203.0.113.7")
    check(r.status == 429, "the address is locked, for everyone", repr(r))
    r = login("carol", "pw-carol-right", addr="::ffff:203.0.113.7")
    check(r.status == 429, "an IPv4-mapped address is that address",
          repr(r))
    r = login("carol", "pw-carol-right", addr="203.0.113.8")
    check(r.status == 200, "another address is not", repr(r))
    carol_did = did_of(r)
    r = login("carol", "pw-carol-right", cookie=f"did={carol_did}",
              addr="203.0.113.7")
    check(r.status == 200, "a device cookie of the account passes the "
          "locked address", repr(r))
    r = login("dave", "pw-dave-right", cookie=f"did={carol_did}",
              addr="203.0.113.7")
    check(r.status == 429, "another account's device cookie does not",
          repr(r))

    # IPv6 counts by /64.
    parallel(20, lambda i: login(f"v6-{i}", "wrong",
                                 addr=f"2001:db8:1:2::{i + 1:x}"))
    r = login("dave", "pw-dave-right", addr="2001:db8:1:2:ffff::9")
    check(r.status == 429, "an IPv6 /64 is one address", repr(r))
    r = login("dave", "pw-dave-right", addr="2001:db8:1:3::1")
    check(r.status == 200, "the next /64 is another", repr(r))

    # A login typed as a network's name is a name: attempts of such names
    # from two addresses at once never deadlock (500).
    results = parallel(24, lambda i: login(
        f"network 10.0.0.{2 - i % 2}/32", "wrong",
        addr=f"10.0.0.{1 + i % 2}"))
    check(all(r.status in (401, 429) for r in results),
          "names that look like networks: no deadlock",
          repr(statuses(results)))

    # A trusted IPv6 network narrower than the /64 that counts.
    results = parallel(25, lambda i: login(f"v6nat-{i}", "wrong",
                                           addr=f"2001:db8:eeee:1:8000::{i + 1:x}"))
    check(statuses(results) == [401] * 25,
          "a trusted /80 inside a /64 is trusted", repr(statuses(results)))

    # Trusted networks: a campus NAT.
    results = parallel(30, lambda i: login(f"nat-{i}", "wrong",
                                           addr="198.51.100.20"))
    check(statuses(results) == [401] * 30,
          "a trusted network has no address limit",
          repr(statuses(results)))
    r = login("dave", "pw-dave-right", addr="198.51.100.21")
    check(r.status == 200, "and its students log in", repr(r))
    results = parallel(25, lambda i: login(f"nat6-{i}", "wrong",
                                           addr=f"2001:db8:ffff:{i:x}::1"))
    check(statuses(results) == [401] * 25, "a trusted IPv6 network too",
          repr(statuses(results)))

    # A classmate types alice's username five times: alice's phone, which
    # holds her device cookie, still logs her in.
    r = login("alice", "pw-alice-right", addr="192.0.2.50")
    check(r.status == 200 and "did" in r.cookies(),
          "alice's login issues a device cookie", repr(r))
    alice_did = did_of(r)
    for i in range(5):
        login("alice", "guess", addr="192.0.2.51")
    r = login("alice", "pw-alice-right", addr="192.0.2.52")
    check(r.status == 429, "alice's name is locked for other browsers",
          repr(r))
    r = login("ALICE@uni.example", "pw-alice-right",
              cookie=f"did={alice_did}", addr="192.0.2.51")
    check(r.status == 200 and "did" not in r.cookies(),
          "alice's own browser logs her in (by email too)", repr(r))
    # Her own browser's failures lock that browser only.
    r = login("bob", "pw-bob-right", addr="192.0.2.60")
    bob_did = did_of(r)
    results = parallel(8, lambda i: login("bob", "typo",
                                          cookie=f"did={bob_did}",
                                          addr="192.0.2.60"))
    check(statuses(results) == [401] * 5 + [429] * 3,
          "a device's failures, in parallel, have the same limit",
          repr(statuses(results)))
    r = login("bob", "pw-bob-right", cookie=f"did={bob_did}",
              addr="192.0.2.60")
    check(r.status == 429, "that browser is locked", repr(r))
    r = login("bob", "pw-bob-right", addr="192.0.2.61")
    check(r.status == 200, "the name is not", repr(r))

    # Device cookies that are none: wrong shape, unknown, expired.
    for cookie, what in (("did=short", "a short device cookie"),
                         ("did=" + "*" * 43, "a device cookie of the "
                          "wrong alphabet"),
                         ("did=" + "A" * 43, "an unknown device cookie")):
        r = login("erin", "pw-erin-right", cookie=cookie, addr="192.0.2.70")
        check(r.status == 200 and "did" in r.cookies(),
              f"{what} is none: a new one", repr(r))
    erin_did = did_of(r)
    sql("UPDATE devices SET created_at = now() - interval '401 days' "
        "WHERE id = (SELECT max(id) FROM devices)")
    r = login("erin", "pw-erin-right", cookie=f"did={erin_did}",
              addr="192.0.2.70")
    check(r.status == 200 and "did" in r.cookies(),
          "an expired device cookie is none: a new one", repr(r))

    # A success erases no failure.
    for i in range(4):
        login("erin", "nope", addr="192.0.2.80")
    r = login("erin", "pw-erin-right", addr="192.0.2.80")
    check(r.status == 200, "4 failures, then the right password", repr(r))
    login("erin", "nope", addr="192.0.2.80")
    r = login("erin", "pw-erin-right", addr="192.0.2.80")
    check(r.status == 429, "the 5th failure after it locks the name",
          repr(r))
    check(sql("SELECT count(*) FROM login_failures WHERE name = "
              "'nobody1'") == "1", "unknown names count by their text")


{"off": phase_off, "sso": phase_sso, "closed": phase_closed,
 "secure": phase_secure, "throttle": phase_throttle}[phase]()
