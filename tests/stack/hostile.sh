#!/bin/sh
# Hostile input against the real stack (nginx on a unix socket, two
# spawn-fcgi + multiwatch workers, PostgreSQL, Redis, the demo data); each
# request is bounded in time and must get the contract's answer, status
# and error.code (docs/decisions.md says what nginx answers by itself):
#   - malformed JSON (truncated, trailing garbage, two values, wrong
#     top-level type, NaN, comments, a BOM), a missing required body;
#     duplicate keys: the last one wins;
#   - 10,000 nested arrays or objects; huge numbers (1e999999, 400
#     digits, 2^64 + 5) and non-integers in qrTtlSeconds;
#   - invalid UTF-8 (bytes, overlongs, surrogates), raw NUL bytes and
#     \u0000 escapes in login, password, course names, bulk students;
#   - SQL metacharacters in login (401), in path ids (404) and in string
#     fields, which round-trip exactly; the tables are all there after;
#   - bodies over the worker's 64 KiB and over nginx's 1 MiB, with a
#     length or chunked; long and oversize URLs and cookies; malformed
#     HTTP framing (NUL in a header, Content-Length with chunked, ...);
#   - slow-loris: 8 connections (4 times the workers) hang mid-request
#     while health checks and a login are answered at once;
#   - a wrong method on every kind of route, and FOO, OPTIONS, HEAD (405
#     with Allow), unknown routes (404), a wrong Content-Type (415), a
#     foreign, empty or doubled Origin on state-changing requests (403
#     csrf_origin, before 401), a missing one (accepted);
#   - at the end the same workers are alive, health is 200, and their log
#     holds no sanitizer report and no 500.
set -eu
svc_srcdir=$top_srcdir
. "$top_srcdir/dev/services.sh"

python=/usr/bin/python3
svc_require postgresql nginx redis-server redis-cli spawn-fcgi multiwatch \
    curl psql $python
svc_require_built "$top_builddir" attendance-admin attendance-fcgi
helper() {
	"$python" "$top_srcdir/tests/stack/hostile.py" "$@"
}
started=$(date +%s)

state=$(svc_state hostile)
fail() {
	echo "FAIL: $*" >&2
	svc_print_logs "$state"
	exit 1
}
slow=
cleanup() {
	[ -z "$slow" ] || kill "$slow" 2>/dev/null || true
	svc_cleanup "$state"
}
trap cleanup EXIT
trap 'exit 1' INT TERM

svc_data_start "$state" "$top_builddir/attendance-admin"
conninfo=$(svc_pg_conninfo "$state")
admin() {
	"$top_builddir/attendance-admin" -c "$state/attendance.conf" "$@"
}
admin demo >/dev/null 2>&1 || fail "attendance-admin demo"
svc_fcgi_start "$state" "$top_builddir/attendance-fcgi" \
    "$state/attendance.conf" 2
svc_nginx_start "$state" "unix:$state/run/http.sock"
sock=$state/run/http.sock
u=http://localhost
J='Content-Type: application/json'
O='Origin: http://localhost'
evil='Origin: http://evil.example'
prof=$state/prof.jar
student=$state/student.jar
sql() {
	psql "$conninfo" -tAc "$1"
}

# http CURL-ARGS...: one request; prints the status, leaves the body in
# $state/body and the header lines in $state/headers.
http() {
	: >"$state/body"
	: >"$state/headers"
	curl -sS --max-time 10 --unix-socket "$sock" -o "$state/body" \
	    -D "$state/headers" -w '%{http_code}' "$@" 2>"$state/curl.err" ||
	    echo " (curl: $(cat "$state/curl.err"))"
}
# The start of the last body, for a failure's message.
shown() {
	head -c 300 "$state/body"
}
field() {
	helper field "$state/body" "$1"
}
header() {
	grep -i "^$1:" "$state/headers" | sed 's/^[^:]*: *//' | tr -d '\r'
}
# {"error":{"code":"...","message":"..."}}, as the worker's json-c and
# nginx's error_page write it.
errhead='\{"error":\{"code":'
errtail=',"message":"([^"\\]|\\.)*"\}\}'
n=0
ok() {
	n=$((n + 1))
	printf 'ok %d - %s\n' $n "$*"
}
# expect STATUS CODE WHAT CURL-ARGS...: the status, and when CODE is not
# "-", the contract's error body with that code, as JSON.
expect() {
	want=$1
	code=$2
	what=$3
	shift 3
	got=$(http "$@")
	[ "$got" = "$want" ] ||
	    fail "$what: answered $got, expected $want: $(shown)"
	if [ "$code" != - ]; then
		header Content-Type | grep -qi '^application/json' ||
		    fail "$what: $want is not JSON: $(shown)"
		# The whole body, one line: the contract's error object.
		[ "$(wc -l <"$state/body")" = 0 ] &&
		    grep -Eq "^$errhead\"$code\"$errtail\$" "$state/body" ||
		    fail "$what: not the error body of $code: $(shown)"
	fi
	ok "$what: $want $code"
}
# expect_allow ALLOW METHOD PATH WHAT: 405 with exactly these methods.
expect_allow() {
	expect 405 method_not_allowed "$4" -X "$2" -b "$prof" "$u$3"
	got=$(header Allow | tr -d ' ' | tr ',' '\n' | sort | paste -sd,)
	want=$(echo "$1" | tr -d ' ' | tr ',' '\n' | sort | paste -sd,)
	[ "$got" = "$want" ] || fail "$4: Allow: $(header Allow), expected $1"
}
# raw WANT WHAT FORMAT [ARG...]: sends printf's output as it is (what
# curl will not send); WANT is the status.
raw() {
	want=$1
	what=$2
	shift 2
	# shellcheck disable=SC2059
	got=$(printf "$@" | helper raw "$sock" "$state/body") ||
	    fail "$what: hostile.py raw"
	[ "$got" = "$want" ] ||
	    fail "$what: answered $got, expected $want: $(shown)"
	ok "$what: $want"
}
# file NAME: the path of a scratch file (a body) in the state directory.
file() {
	echo "$state/$1"
}
repeat() {
	awk -v s="$1" -v n="$2" 'BEGIN { while (n-- > 0) printf "%s", s }'
}

workers() {
	pgrep -P "$(cat "$state/run/fcgi.pid")" | sort
}
i=0
until [ "$(http $u/api/health)" = 200 ]; do
	i=$((i + 1))
	[ $i -lt 50 ] || fail "/api/health is not 200 after 5 s"
	sleep 0.1
done
before=$(workers)
[ "$(echo "$before" | wc -l)" = 2 ] || fail "expected 2 workers: $before"

expect 200 - "professor logs in" -c "$prof" -H "$J" \
    -d '{"login":"prof","password":"prof-demo"}' $u/api/auth/login
expect 200 - "student logs in" -c "$student" -H "$J" \
    -d '{"login":"student01","password":"student-demo"}' $u/api/auth/login
course=$(sql "SELECT id FROM courses WHERE code = 'CS101'")
group=$(sql "SELECT id FROM groups WHERE name = 'Group A'")
student01=$(sql "SELECT id FROM users WHERE username = 'student01'")
expect 201 - "a class session starts" -X POST -b "$prof" \
    $u/api/groups/$group/sessions
session=$(field session.id)
round=$(field round.id)
users=$(sql "SELECT count(*) FROM users")
enrollments=$(sql "SELECT count(*) FROM enrollments")

# --- Malformed JSON -----------------------------------------------------

login=$u/api/auth/login
expect 400 invalid_request "truncated JSON" -H "$J" \
    -d '{"login":"prof","password":"prof-de' $login
expect 400 invalid_request "trailing garbage" -H "$J" \
    -d '{"login":"prof","password":"prof-demo"} x' $login
expect 400 invalid_request "two objects" -H "$J" -d '{}{}' $login
for body in '[]' '"login"' '42' 'null' 'true' \
    '[{"login":"prof","password":"prof-demo"}]'; do
	expect 400 invalid_request "top-level $body" -H "$J" -d "$body" $login
done
expect 400 invalid_request "white space only" -H "$J" -d '   ' $login
expect 400 invalid_request "single quotes" -H "$J" \
    -d "{'login':'prof','password':'prof-demo'}" $login
expect 400 invalid_request "trailing comma" -H "$J" \
    -d '{"login":"prof","password":"prof-demo",}' $login
expect 400 invalid_request "a comment" -H "$J" \
    -d '/**/{"login":"prof","password":"prof-demo"}' $login
expect 400 invalid_request "NaN" -X POST -b "$prof" -H "$J" \
    -d '{"qrTtlSeconds":NaN}' $u/api/groups/$group/sessions
printf '\357\273\277{"login":"prof","password":"prof-demo"}' >"$(file bom)"
expect 400 invalid_request "a byte order mark" -H "$J" \
    --data-binary @"$(file bom)" $login
expect 400 invalid_request "login without a body" -X POST -H "$J" $login
expect 400 invalid_request "course without a body" -X POST -b "$prof" \
    -H "$J" $u/api/courses
# Every field of a PATCH is optional, and so is its body.
expect 200 - "PATCH without a body" -X PATCH -b "$prof" \
    -H "$J" $u/api/courses/$course
expect 400 invalid_request "wrong field type" -H "$J" \
    -d '{"login":["prof"],"password":"prof-demo"}' $login
# Duplicate keys: the contract is silent; json-c keeps the last one.
expect 200 - "duplicate keys, the last wins" -H "$J" \
    -d '{"login":"nobody","login":"prof","password":"prof-demo"}' $login
expect 401 invalid_credentials "duplicate keys, the last loses" -H "$J" \
    -d '{"login":"prof","login":"nobody","password":"prof-demo"}' $login

# --- Deep nesting and huge numbers --------------------------------------

repeat '[' 10000 >"$(file open)"
expect 400 invalid_request "10,000 [" -H "$J" --data-binary @"$(file open)" \
    $login
{ repeat '[' 10000; repeat ']' 10000; } >"$(file nested)"
expect 400 invalid_request "10,000 nested arrays" -H "$J" \
    --data-binary @"$(file nested)" $login
{ repeat '{"a":' 10000; printf 1; repeat '}' 10000; } >"$(file objects)"
expect 400 invalid_request "10,000 nested objects" -H "$J" \
    --data-binary @"$(file objects)" $login
{ printf '{"login":"x","password":"x","deep":'; repeat '[' 5000
    repeat ']' 5000; printf '}'; } >"$(file field)"
expect 400 invalid_request "an ignored field nested 5,000 deep" -H "$J" \
    --data-binary @"$(file field)" $login
digits=$(repeat 9 400)
for value in 1e999999 -1e999999 1e-999999 "$digits" "-$digits" \
    18446744073709551621 9223372036854775807 -9223372036854775808 \
    5.0 30.5 1e1 0 4 601 '"30"' true null '[30]' '{}'; do
	expect 400 invalid_request "qrTtlSeconds $(echo "$value" |
	    cut -c1-24)" -X POST -b "$prof" -H "$J" \
	    -d "{\"qrTtlSeconds\":$value}" $u/api/groups/$group/sessions
done
expect 400 invalid_request "lateAfterSeconds 1e308" -X POST -b "$prof" \
    -H "$J" -d '{"lateAfterSeconds":1e308}' $u/api/groups/$group/sessions
[ "$(sql "SELECT count(*) FROM sessions")" = 1 ] ||
    fail "a refused body started a class session"

# --- Invalid UTF-8 and NUL ----------------------------------------------

for bytes in '\377' '\300\257' '\355\240\200' '\364\220\200\200' \
    '\342\202' '\200' '\000'; do
	printf '{"login":"a'"$bytes"'b","password":"x"}' >"$(file utf8)"
	expect 400 invalid_request "login holding $bytes" -H "$J" \
	    --data-binary @"$(file utf8)" $login
done
printf '{"login":"prof","password":"prof-demo"}\000' >"$(file nul)"
expect 400 invalid_request "a NUL after the object" -H "$J" \
    --data-binary @"$(file nul)" $login
printf '{"code":"X1","name":"a\377","term":"t"}' >"$(file utf8)"
expect 400 invalid_request "course name holding \\377" -b "$prof" -H "$J" \
    --data-binary @"$(file utf8)" $u/api/courses
printf '{"code":"X1","name":"a\000b","term":"t"}' >"$(file utf8)"
expect 400 invalid_request "course name holding NUL" -b "$prof" -H "$J" \
    --data-binary @"$(file utf8)" $u/api/courses
expect 400 invalid_request 'login holding \u0000' -H "$J" \
    -d '{"login":"prof\u0000x","password":"prof-demo"}' $login
expect 400 invalid_request 'password holding \u0000' -H "$J" \
    -d '{"login":"prof","password":"prof-demo\u0000"}' $login
expect 400 invalid_request 'course name holding \u0000' -b "$prof" \
    -H "$J" -d '{"code":"X1","name":"a\u0000b","term":"t"}' $u/api/courses
expect 400 invalid_request 'a bulk student holding \u0000' -b "$prof" \
    -H "$J" -d '{"students":["student02","a\u0000b"]}' \
    $u/api/groups/$group/enrollments
expect 400 invalid_request 'a record status holding \u0000' -X PUT \
    -b "$prof" -H "$J" -d '{"status":"present\u0000"}' \
    $u/api/sessions/$session/rounds/$round/records/$student01
expect 403 invalid_token 'a scanned token holding \u0000' -b "$student" \
    -H "$J" -d '{"token":"\u0000"}' \
    $u/api/sessions/$session/rounds/$round/scan
# A lone surrogate escape is U+FFFD (json-c's reading): valid UTF-8.
expect 201 - 'course code holding \ud800' -b "$prof" -H "$J" \
    -d '{"code":"X\ud800","name":"lone surrogate","term":"t"}' \
    $u/api/courses
[ "$(field course.code)" = "$(printf 'X\357\277\275')" ] ||
    fail "\\ud800 read as $(field course.code)"
expect 404 not_found "invalid UTF-8 in a path id" -b "$prof" \
    "$u/api/courses/%ff%fe"
raw 404 "raw \\377 in a path id" \
    'GET /api/courses/\377\376 HTTP/1.1\r\nHost: localhost\r\n'\
'Cookie: %s\r\nConnection: close\r\n\r\n' \
    "sid=$(awk '$6 == "sid" { print $7 }' "$prof")"
grep -q '"code":"not_found"' "$state/body" || fail "raw \\377: body"
printf '\377' >"$(file cookie)"
expect 401 unauthenticated "invalid UTF-8 in the Cookie" \
    -H "Cookie: sid=$(cat "$(file cookie)")" $u/api/auth/me
expect 403 csrf_origin "invalid UTF-8 in the Origin" -H "$J" \
    -H "Origin: http://localhost$(cat "$(file cookie)")" \
    -d '{"login":"prof","password":"prof-demo"}' $login

# --- SQL metacharacters -------------------------------------------------

expect 401 invalid_credentials "login ' OR 1=1 --" -H "$J" \
    -d "{\"login\":\"' OR 1=1 --\",\"password\":\"x\"}" $login
expect 401 invalid_credentials 'login "; DROP TABLE users; --' -H "$J" \
    -d '{"login":"\"; DROP TABLE users; --","password":"x"}' $login
expect 401 invalid_credentials "login prof' --" -H "$J" \
    -d "{\"login\":\"prof' --\",\"password\":\"x\"}" $login
expect 401 invalid_credentials "password ' OR '1'='1" -H "$J" \
    -d "{\"login\":\"student02\",\"password\":\"' OR '1'='1\"}" $login
expect 401 unauthenticated "sid ' OR 1=1 --" \
    -H "Cookie: sid=' OR 1=1 --" $u/api/auth/me
for path in "sessions/'%20OR%201=1/rounds" \
    "sessions/$session'%20OR%20'1'='1/rounds" \
    "sessions/$session/rounds/1%20OR%201=1/qr"; do
	expect 404 not_found "POST /api/$path" -X POST -b "$prof" "$u/api/$path"
done
for path in "courses/1%20OR%201=1" "courses/'OR'1'='1" \
    "courses/%27%3B%20DROP%20TABLE%20courses%3B--" \
    "groups/$group'--/enrollments" "sessions/$session;--" \
    "professor/courses/'%20OR%201=1/stats"; do
	expect 404 not_found "GET /api/$path" -b "$prof" "$u/api/$path"
done
expect 404 not_found "DELETE /api/courses/' OR '1'='1" -X DELETE \
    -b "$prof" "$u/api/courses/%27%20OR%20%271%27%3D%271"
expect 404 not_found "DELETE an enrollment of student ' OR 1=1" \
    -X DELETE -b "$prof" \
    "$u/api/groups/$group/enrollments/'%20OR%201=1"
# Strings round-trip exactly.
cat >"$(file course)" <<'EOF'
{"code":"' OR 1=1 --","name":"Robert'); DROP TABLE courses; --",
 "term":"\"; DROP TABLE users; --",
 "description":"\\'; SELECT pg_sleep(10); -- $1 %s %n {} $$ \\x00 caf\u00e9"}
EOF
sqlcode="' OR 1=1 --"
sqlname="Robert'); DROP TABLE courses; --"
sqlterm='"; DROP TABLE users; --'
expect 201 - "a course named with SQL" -b "$prof" -H "$J" \
    --data-binary @"$(file course)" $u/api/courses
sqlcourse=$(field course.id)
expect 200 - "the course named with SQL reads back" -b "$prof" \
    $u/api/courses/$sqlcourse
[ "$(field course.code)" = "$sqlcode" ] || fail "code: $(field course.code)"
[ "$(field course.name)" = "$sqlname" ] || fail "name: $(field course.name)"
[ "$(field course.term)" = "$sqlterm" ] || fail "term: $(field course.term)"
want='\'\''; SELECT pg_sleep(10); -- $1 %s %n {} $$ \x00 café'
[ "$(field course.description)" = "$want" ] ||
    fail "description: $(field course.description)"
q='$q$'
[ "$(sql "SELECT count(*) FROM courses WHERE name = $q$sqlname$q")" = 1 ] ||
    fail "the course is not stored as sent"
expect 201 - "a group named with SQL" -b "$prof" -H "$J" \
    -d '{"name":"x'\''); DELETE FROM groups; --","meetingSchedule":"$$;"}' \
    $u/api/courses/$sqlcourse/groups
[ "$(field group.name)" = "x'); DELETE FROM groups; --" ] ||
    fail "group name: $(field group.name)"
[ "$(field group.meetingSchedule)" = '$$;' ] ||
    fail "meetingSchedule: $(field group.meetingSchedule)"
expect 404 not_found "enroll student ' OR 1=1 --" -b "$prof" -H "$J" \
    -d "{\"student\":\"' OR 1=1 --\"}" $u/api/groups/$group/enrollments
expect 200 - "bulk-enroll SQL names" -b "$prof" -H "$J" \
    -d "{\"students\":[\"' OR '1'='1\",\"student01' --\",\"%\"]}" \
    $u/api/groups/$group/enrollments
[ "$(field enrolled)" = '[]' ] || fail "enrolled: $(field enrolled)"
[ "$(field failed.2.error.code)" = not_found ] || fail "failed: $(shown)"
expect 403 invalid_token "scan token ' OR 1=1 --" -b "$student" -H "$J" \
    -d "{\"token\":\"' OR 1=1 --\"}" \
    $u/api/sessions/$session/rounds/$round/scan
expect 400 invalid_request "record status present' --" -X PUT -b "$prof" \
    -H "$J" -d "{\"status\":\"present' --\"}" \
    $u/api/sessions/$session/rounds/$round/records/$student01
for table in users courses groups enrollments sessions attendance_rounds \
    attendance_records qr_tokens auth_sessions; do
	[ "$(sql "SELECT to_regclass('public.$table') IS NOT NULL")" = t ] ||
	    fail "table $table is gone"
done
[ "$(sql "SELECT count(*) FROM users")" = "$users" ] ||
    fail "the users changed"
[ "$(sql "SELECT count(*) FROM enrollments")" = "$enrollments" ] ||
    fail "the enrollments changed"
ok "every table is there, users and enrollments unchanged"

# --- Oversize -----------------------------------------------------------

# The contract's 64 KiB: exactly is read, one more byte is the worker's
# 413 (JSON); past nginx's 1 MiB guard nginx answers, in JSON too.
pad() {
	printf '{"login":"nobody","password":"x","pad":"'
	repeat x $(($1 - 42))
	printf '"}'
}
pad 65536 >"$(file 64k)"
pad 65537 >"$(file 64k1)"
[ "$(wc -c <"$(file 64k)")" = 65536 ] || fail "pad: $(wc -c <"$(file 64k)")"
expect 401 invalid_credentials "a body of 64 KiB" -H "$J" \
    --data-binary @"$(file 64k)" $login
expect 413 payload_too_large "a body of 64 KiB + 1" -H "$J" \
    --data-binary @"$(file 64k1)" $login
expect 413 payload_too_large "a chunked body of 64 KiB + 1" -H "$J" \
    -H 'Transfer-Encoding: chunked' --data-binary @"$(file 64k1)" $login
repeat ' ' 2000000 >"$(file 2m)"
expect 413 payload_too_large "a body of 2 MB (nginx)" -H "$J" \
    --data-binary @"$(file 2m)" $login
expect 413 payload_too_large "a chunked body of 2 MB (nginx)" -H "$J" \
    -H 'Transfer-Encoding: chunked' --data-binary @"$(file 2m)" $login
# The order of checks: route and login come before the worker's size.
expect 404 not_found "64 KiB + 1 to an unknown route" -H "$J" \
    --data-binary @"$(file 64k1)" $u/api/nowhere
expect 401 unauthenticated "64 KiB + 1 without a login" -H "$J" \
    --data-binary @"$(file 64k1)" $u/api/courses
expect 403 forbidden "64 KiB + 1 from a student" -b "$student" -H "$J" \
    --data-binary @"$(file 64k1)" $u/api/courses
long=$(repeat a 7000)
expect 404 not_found "a 7,000-byte path" -b "$prof" "$u/api/$long"
expect 401 unauthenticated "a 7,000-byte sid" -H "Cookie: sid=$long" \
    $u/api/auth/me
expect 401 unauthenticated "1,300 cookies, no sid" \
    -H "Cookie: $(repeat 'a=1; ' 1300)" $u/api/auth/me
huge=$(repeat a 9000)
expect 414 - "a 9,000-byte URL (nginx)" "$u/api/$huge"
expect 400 - "a 9,000-byte Cookie (nginx)" -H "Cookie: sid=$huge" \
    $u/api/auth/me
expect 400 - "headers over 32 KiB (nginx)" -H "X-A: $long" -H "X-B: $long" \
    -H "X-C: $long" -H "X-D: $long" -H "X-E: $long" $u/api/health
# HTTP framing nginx refuses by itself (400, its HTML page).
raw 400 "NUL in a header (nginx)" 'GET /api/health HTTP/1.1\r\n'\
'Host: localhost\r\nX-A: a\000b\r\nConnection: close\r\n\r\n'
raw 400 "NUL in the request line (nginx)" 'GET /api/hea\000lth HTTP/1.1'\
'\r\nHost: localhost\r\nConnection: close\r\n\r\n'
raw 400 "HTTP/1.1 without Host (nginx)" \
    'GET /api/health HTTP/1.1\r\nConnection: close\r\n\r\n'
raw 400 "no request line (nginx)" 'GARBAGE\r\n\r\n'
for length in -1 99999999999999999999999 '2, 3'; do
	raw 400 "Content-Length: $length (nginx)" \
	    'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n'\
'Content-Type: application/json\r\nContent-Length: %s\r\n'\
'Connection: close\r\n\r\n{}' "$length"
done
raw 400 "Content-Length twice (nginx)" \
    'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n'\
'Content-Type: application/json\r\nContent-Length: 2\r\n'\
'Content-Length: 2\r\nConnection: close\r\n\r\n{}'
raw 400 "Content-Length with Transfer-Encoding (nginx)" \
    'POST /api/auth/login HTTP/1.1\r\nHost: localhost\r\n'\
'Content-Type: application/json\r\nContent-Length: 2\r\n'\
'Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n'\
'2\r\n{}\r\n0\r\n\r\n'

# --- Slow-loris ---------------------------------------------------------

# nginx reads headers and bodies before it passes a request on, so
# clients that hang mid-request hold no worker: 8 of them (two workers)
# while health checks and a login are answered at once.
helper slowloris "$sock" 8 "$state/slow" >"$state/slow.out" 2>&1 &
slow=$!
i=0
while ! [ -f "$state/slow/ready" ]; do
	i=$((i + 1))
	[ $i -lt 100 ] && kill -0 $slow 2>/dev/null ||
	    fail "slow-loris did not start: $(cat "$state/slow.out")"
	sleep 0.05
done
for i in 1 2 3 4 5 6; do
	got=$(curl -sS --max-time 5 --unix-socket "$sock" -o /dev/null \
	    -w '%{http_code} %{time_total}' $u/api/health) || true
	echo "$got" | awk '$1 != 200 || $2 > 1 { exit 1 }' ||
	    fail "health while 8 clients hang: $got (status, seconds)"
done
got=$(curl -sS --max-time 10 --unix-socket "$sock" -o /dev/null -H "$J" \
    -d '{"login":"student03","password":"student-demo"}' \
    -w '%{http_code} %{time_total}' $login) || true
echo "$got" | awk '$1 != 200 || $2 > 5 { exit 1 }' ||
    fail "login while 8 clients hang: $got (status, seconds)"
ok "8 hanging clients, 2 workers: health and login answered at once"
touch "$state/slow/stop"
wait $slow || fail "slow-loris: $(cat "$state/slow.out")"
slow=
cat "$state/slow.out"
ok "the hanging clients were answered once their requests were whole"

# --- Methods, routes, media types, Origin -------------------------------

s=$u/api/sessions/$session
r=rounds/$round
expect_allow POST GET /api/auth/login "GET login"
expect_allow POST GET /api/auth/logout "GET logout"
expect_allow GET POST /api/auth/me "POST me"
expect_allow GET DELETE /api/health "DELETE health"
expect_allow "POST, GET" PUT /api/courses "PUT courses"
expect_allow "GET, PATCH, DELETE" POST /api/courses/$course "POST a course"
expect_allow "POST, GET" DELETE /api/courses/$course/groups \
    "DELETE a course's groups"
expect_allow "GET, PATCH, DELETE" PUT /api/groups/$group "PUT a group"
expect_allow "POST, GET" PATCH /api/groups/$group/enrollments \
    "PATCH enrollments"
expect_allow DELETE GET /api/groups/$group/enrollments/$student01 \
    "GET an enrollment"
expect_allow "POST, GET" DELETE /api/groups/$group/sessions \
    "DELETE a group's sessions"
expect_allow GET DELETE /api/sessions/$session "DELETE a session"
expect_allow POST GET /api/sessions/$session/rounds "GET rounds"
expect_allow POST GET /api/sessions/$session/$r/qr "GET qr"
expect_allow PATCH POST /api/sessions/$session/end "POST end"
expect_allow PUT GET /api/sessions/$session/$r/records/$student01 \
    "GET a record"
expect_allow POST GET /api/sessions/$session/$r/scan "GET scan"
expect_allow GET POST /api/professor/sessions/$session/stats \
    "POST session stats"
expect_allow GET POST /api/professor/courses/$course/stats \
    "POST course stats"
expect_allow GET DELETE /api/students/me/stats "DELETE student stats"
expect_allow "GET, PATCH, DELETE" PUT "/api/courses/'%20OR%201=1" \
    "PUT a course with a bad id (route first)"
expect_allow "POST, GET" FOO /api/courses "method FOO"
expect_allow "POST, GET" OPTIONS /api/courses "method OPTIONS"
got=$(http -I $u/api/health)
[ "$got" = 405 ] && [ "$(header Allow)" = GET ] ||
    fail "HEAD /api/health: $got, Allow: $(header Allow)"
ok "method HEAD: 405 (Allow: GET, no body)"
expect 405 method_not_allowed "POST me with a foreign Origin (route first)" \
    -X POST -H "$evil" $u/api/auth/me
expect 405 - "TRACE (nginx)" -X TRACE $u/api/health
expect 400 - "lowercase get (nginx)" -X get $u/api/health
expect 400 - "%00 in the path (nginx)" -b "$prof" "$u/api/courses/%00"
for path in nowhere "" courses/ auth/login/ AUTH/LOGIN courses//groups \
    "courses/$course/groups/x" "sessions/$session/rounds/$round/x/y" \
    "courses/../health" "students/you/stats"; do
	expect 404 not_found "GET /api/$path" --path-as-is -b "$prof" \
	    "$u/api/$path"
done
for type in text/plain application/x-www-form-urlencoded \
    multipart/form-data application/jsonx 'application/json5' \
    'text/json' 'application/json-patch+json'; do
	expect 415 unsupported_media_type "Content-Type $type" \
	    -H "Content-Type: $type" \
	    -d '{"login":"prof","password":"prof-demo"}' $login
done
expect 415 unsupported_media_type "a body without Content-Type" \
    -H 'Content-Type:' -d '{"login":"prof","password":"prof-demo"}' $login
expect 200 - "Content-Type APPLICATION/JSON; charset=utf-8" \
    -H 'Content-Type: APPLICATION/JSON; charset=utf-8' \
    -d '{"login":"prof","password":"prof-demo"}' $login
expect 401 unauthenticated "no cookie" $u/api/courses
expect 401 unauthenticated "an unknown sid" \
    -H "Cookie: sid=$(repeat A 43)" $u/api/courses
expect 403 forbidden "a student creating a course" -b "$student" -H "$J" \
    -d '{"code":"X","name":"x","term":"t"}' $u/api/courses
expect 403 forbidden "a professor scanning" -b "$prof" -H "$J" \
    -d '{"token":"x"}' $u/api/sessions/$session/$r/scan
for origin in http://evil.example null http://localhost.evil.example \
    http://localhost:8080 https://localhost 'http://localhost/x' \
    'http://localhost http://evil.example'; do
	expect 403 csrf_origin "login from Origin $origin" -H "$J" \
	    -H "Origin: $origin" \
	    -d '{"login":"prof","password":"prof-demo"}' $login
	! header Set-Cookie | grep -q sid= || fail "a foreign Origin logged in"
done
expect 403 csrf_origin "an empty Origin" -H "$J" -H 'Origin;' \
    -d '{"login":"prof","password":"prof-demo"}' $login
expect 403 csrf_origin "a second, foreign Origin" -H "$J" -H "$O" \
    -H "$evil" -d '{"login":"prof","password":"prof-demo"}' $login
expect 403 csrf_origin "a foreign Origin before the login check" \
    -X POST -H "$evil" $u/api/auth/logout
expect 403 csrf_origin "a foreign Origin on DELETE" -X DELETE -b "$prof" \
    -H "$evil" $u/api/courses/$sqlcourse
expect 403 csrf_origin "a foreign Origin on PATCH" -X PATCH -b "$prof" \
    -H "$evil" $s/end
expect 403 csrf_origin "a foreign Origin on PUT" -X PUT -b "$prof" \
    -H "$evil" -H "$J" -d '{"status":"present"}' $s/$r/records/$student01
expect 200 - "a foreign Origin on GET" -b "$prof" -H "$evil" \
    $u/api/courses/$sqlcourse
expect 200 - "login without Origin" -H "$J" \
    -d '{"login":"prof","password":"prof-demo"}' $login
expect 200 - "login from Origin HTTP://LOCALHOST/" -H "$J" \
    -H 'Origin: HTTP://LOCALHOST/' \
    -d '{"login":"prof","password":"prof-demo"}' $login
[ "$(sql "SELECT is_active FROM sessions")" = t ] ||
    fail "a refused request ended the session"

# --- What reaches the log ----------------------------------------------

# An Origin with terminal escapes and a line break (refused, and logged),
# and a password typed into the login field (logged only as a hash).
expect 403 csrf_origin "an Origin with terminal escapes" -X POST \
    -H "$(printf 'Origin: http://x\033]0;pwned\007\033[2Jz')" $login
expect 401 invalid_credentials "a password in the login field" -H "$J" \
    -d '{"login":"Tr0ub4dor&3-secret","password":"x"}' $login
! grep -q "$(printf '\033')" "$state/log/fcgi.log" ||
    fail "a raw escape character reached the workers' log"
grep -q 'refused Origin http://x\\x1b\]0;pwned\\x07\\x1b\[2Jz' \
    "$state/log/fcgi.log" || fail "the refused Origin is not logged escaped"
! grep -q 'Tr0ub4dor' "$state/log/fcgi.log" ||
    fail "an unknown login name reached the log as typed"
grep -q 'failed login of unknown name #[0-9a-f]\{8\} from' \
    "$state/log/fcgi.log" || fail "an unknown name is not logged as a hash"
ok "the log holds escapes and hashes, not what the client sent"

# --- Afterwards ---------------------------------------------------------

[ "$(workers)" = "$before" ] ||
    fail "the workers changed: $(echo $before) then $(workers | paste -sd' ')"
ok "the same two workers are alive"
expect 200 - "health at the end" $u/api/health
[ "$(field status)" = ok ] || fail "health: $(cat "$state/body")"
svc_pid_alive "$state/run/nginx.pid" || fail "nginx is gone"
! grep 'exited on signal' "$state/log/nginx-error.log" ||
    fail "an nginx worker died"
svc_fcgi_stop "$state"
! grep -E 'ERROR: (Address|Leak)Sanitizer|runtime error:' \
    "$state/log/fcgi.log" || fail "sanitizer report in the worker log"
! grep -E ': 5[0-9][0-9] ' "$state/log/fcgi.log" ||
    fail "a request was answered 5xx"
ok "no sanitizer report, no 5xx in the workers' log"
echo "hostile: $n checks in $(($(date +%s) - started)) s"
