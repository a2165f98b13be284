# shellcheck shell=sh
# dev/services.sh: start and stop the throwaway services of ./dev/up,
# ./dev/test and the test scripts: PostgreSQL, Redis, nginx and Apache,
# everything under one state directory, on unix sockets (nginx also on TCP
# when asked, Apache on TCP only).  Source it, then call the svc_*
# functions with the state directory.
#
# Layout of a state directory:
#   pg/data  pg/run (PostgreSQL socket)   run/  (pids, redis.sock, ...)
#   log/     (every server's log)         nginx/ (generated config, temp)
#   apache/  (generated config, the site from apache/attendance.conf)

SVC_PG_USER=${SVC_PG_USER:-postgres}
SVC_PG_SUPERUSER=postgres
svc_srcdir=${svc_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}

svc_die() {
	echo "services: $*" >&2
	exit 1
}

svc_pg_bindir() {
	for v in 17 16 15 14 13; do
		if [ -x "/usr/lib/postgresql/$v/bin/pg_ctl" ]; then
			echo "/usr/lib/postgresql/$v/bin"
			return 0
		fi
	done
	command -v pg_ctl >/dev/null 2>&1 && dirname "$(command -v pg_ctl)" &&
	    return 0
	return 1
}

# PostgreSQL refuses to run as root; then it runs as SVC_PG_USER.
svc_as_pg() {
	if [ "$(id -u)" = 0 ]; then
		# From /, since it may not enter the working directory.
		(cd / && runuser -u "$SVC_PG_USER" -- "$@")
	else
		"$@"
	fi
}

# svc_pg_dir STATE: the directory holding the cluster (data/, run/ with
# the socket, log/), as a path every command run as the PostgreSQL user
# can follow.  As root, PostgreSQL runs as SVC_PG_USER, who may be unable
# to enter STATE (a checkout under /root or another 0700 directory): the
# cluster then lives in /var/tmp, and STATE/pg is a symlink to it.
svc_pg_dir() {
	if [ -L "$1/pg" ]; then
		readlink "$1/pg"
	else
		echo "$1/pg"
	fi
}

# svc_pg_prepare STATE: makes the cluster's directory (svc_pg_dir) and
# says in one line when it is not under STATE.
svc_pg_prepare() {
	state=$1
	if [ -L "$state/pg" ] && [ ! -d "$state/pg/" ]; then
		# Its target was removed (rm -rf /var/tmp/...): start afresh.
		rm -f "$state/pg"
	fi
	if [ ! -e "$state/pg" ]; then
		mkdir -p "$state/pg"
		if [ "$(id -u)" = 0 ]; then
			id "$SVC_PG_USER" >/dev/null 2>&1 ||
			    svc_die "user $SVC_PG_USER missing (apt-get install postgresql)"
			chown "$SVC_PG_USER" "$state/pg"
			if ! runuser -u "$SVC_PG_USER" -- test -w "$state/pg"
			then
				rmdir "$state/pg"
				elsewhere=$(mktemp -d /var/tmp/attendance-pg.XXXXXX) ||
				    svc_die "cannot create a directory in /var/tmp"
				chmod 700 "$elsewhere"
				chown "$SVC_PG_USER" "$elsewhere"
				ln -s "$elsewhere" "$state/pg"
			fi
		fi
	fi
	if [ -L "$state/pg" ]; then
		echo "services: PostgreSQL's cluster lives in $(svc_pg_dir "$state")" \
		    "($SVC_PG_USER cannot enter $state; $state/pg links to it)" >&2
	fi
	return 0
}

# The libpq conninfo of the state directory's server, for database $2;
# the path is quoted, as it may hold spaces.
svc_pg_conninfo() {
	host=$(printf '%s' "$(svc_pg_dir "$1")/run" | sed "s/[\\\\']/\\\\&/g")
	echo "host='$host' user=${3:-$SVC_PG_SUPERUSER} dbname=${2:-attendance}"
}

# The role the workers and the relay run as (attendance.conf(5),
# database_runtime_role): it logs in, owns nothing, and gets rows and
# functions when attendance-admin migrate grants them.
SVC_PG_RUNTIME=attendance_app

# svc_pg_roles STATE: creates the runtime role once.
svc_pg_roles() {
	psql "$(svc_pg_conninfo "$1" postgres)" -qc "DO \$\$ BEGIN
	    CREATE ROLE $SVC_PG_RUNTIME LOGIN;
	    EXCEPTION WHEN duplicate_object THEN NULL; END \$\$" >/dev/null
}

# svc_db_config STATE: the configuration lines of the database, two
# roles: the workers as the runtime role, attendance-admin as the owner.
svc_db_config() {
	echo "database = $(svc_pg_conninfo "$1" attendance "$SVC_PG_RUNTIME")"
	echo "database_owner = $(svc_pg_conninfo "$1")"
	echo "database_runtime_role = $SVC_PG_RUNTIME"
}

svc_pg_running() {
	pgdir=$(svc_pg_dir "$1")
	[ -f "$pgdir/data/postmaster.pid" ] &&
	    svc_as_pg "$(svc_pg_bindir)/pg_ctl" -D "$pgdir/data" status \
	    >/dev/null 2>&1
}

svc_pg_start() {
	state=$1
	bindir=$(svc_pg_bindir) || svc_die "PostgreSQL not installed"
	mkdir -p "$state/log" "$state/run"
	svc_pg_prepare "$state"
	pgdir=$(svc_pg_dir "$state")
	if [ ! -f "$pgdir/data/PG_VERSION" ]; then
		svc_as_pg mkdir -p "$pgdir/run" "$pgdir/log"
		svc_as_pg "$bindir/initdb" -D "$pgdir/data" -A trust \
		    -U "$SVC_PG_SUPERUSER" -E UTF8 --locale=C.UTF-8 --nosync \
		    >"$state/log/initdb.log" 2>&1 ||
		    { cat "$state/log/initdb.log" >&2; svc_die "initdb failed"; }
	fi
	if ! svc_pg_running "$state"; then
		# Unix socket only, mode 0700: trust auth reaches no other
		# local user.  Durability is traded for speed: throwaway
		# data.  pg_ctl hands -o to a shell: the socket directory,
		# which may hold spaces, is quoted for it.
		sockdir=$(printf '%s' "$pgdir/run" | sed "s/'/'\\\\''/g")
		svc_as_pg "$bindir/pg_ctl" -D "$pgdir/data" -w -t 60 \
		    -l "$pgdir/log/postgres.log" -o "-k '$sockdir' \
		    -c listen_addresses= -c unix_socket_permissions=0700 \
		    -c fsync=off -c synchronous_commit=off \
		    -c full_page_writes=off -c max_connections=200" \
		    start >/dev/null ||
		    { cat "$pgdir/log/postgres.log" >&2; svc_die "PostgreSQL did not start"; }
	fi
	ln -sf "$pgdir/log/postgres.log" "$state/log/postgres.log" 2>/dev/null || true
}

svc_pg_createdb() {
	state=$1
	db=$2
	exists=$(psql "$(svc_pg_conninfo "$state" postgres)" -tAc \
	    "SELECT 1 FROM pg_database WHERE datname = '$db'")
	[ "$exists" = 1 ] ||
	    psql "$(svc_pg_conninfo "$state" postgres)" -qc \
	    "CREATE DATABASE \"$db\"" >/dev/null
	svc_pg_roles "$state"
}

svc_pg_stop() {
	state=$1
	if svc_pg_running "$state"; then
		svc_as_pg "$(svc_pg_bindir)/pg_ctl" \
		    -D "$(svc_pg_dir "$state")/data" -m fast -w stop \
		    >/dev/null 2>&1 || true
	fi
}

svc_redis_socket() {
	echo "$1/run/redis.sock"
}

# svc_require WHAT...: exits 77, automake's SKIP, naming the first of WHAT
# that is not installed: "postgresql", "nginx", "apache2" (often outside
# PATH) or a command.  ./dev/test installs them all.
svc_require() {
	for what in "$@"; do
		case $what in
		postgresql) svc_pg_bindir >/dev/null && continue ;;
		nginx)
			if command -v nginx >/dev/null || [ -x /usr/sbin/nginx ]
			then
				continue
			fi ;;
		apache2) [ -x /usr/sbin/apache2 ] && continue ;;
		*) command -v "$what" >/dev/null && continue ;;
		esac
		echo "SKIP: $what is not installed (./dev/test installs it)"
		exit 77
	done
}

# svc_require_built DIR PROGRAM...: exits 99, automake's hard error,
# unless each PROGRAM is built in DIR.
svc_require_built() {
	dir=$1
	shift
	for program in "$@"; do
		[ -x "$dir/$program" ] && continue
		echo "ERROR: $dir/$program is not built" >&2
		exit 99
	done
}

# svc_web_pages STATE SRCDIR BUILDDIR: the pages as nginx serves them, a
# copy in STATE/web with the npm packages in vendor/, for the browser
# tests.  The packages are the source tree's when ./dev/up or ./dev/test
# installed them from the current lock file, else the build tree's copy
# (make distcheck's source tree is read-only).  Sets svc_node_dir and
# svc_webroot; fails with a message when the packages cannot be had.
svc_web_pages() {
	svc_node_dir=$2/tools
	cmp -s "$2/tools/package-lock.json" \
	    "$svc_node_dir/node_modules/.attendance-lock.json" 2>/dev/null ||
	    svc_node_dir=$3/web-deps
	cp -R "$2/web" "$1/web" && chmod -R u+w "$1/web" &&
	    sh "$2/tools/web-deps.sh" "$svc_node_dir" "$1/web" || {
		echo "ERROR: could not install the npm packages" \
		    "(tools/web-deps.sh)" >&2
		return 1
	}
	svc_webroot=$1/web
}

# svc_free_port: a TCP port free on 127.0.0.1 now (the kernel's pick).
svc_free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# svc_state NAME: prints a new state directory for a test's stack,
# readable by the PostgreSQL user.  Pair it with svc_cleanup.
svc_state() {
	dir=$(mktemp -d "${TMPDIR:-/tmp}/attendance-$1.XXXXXX") &&
	    chmod 755 "$dir" && echo "$dir"
}

# svc_cleanup STATE: stops what runs in STATE and removes it, with the
# PostgreSQL data it links to (a test's EXIT trap).
svc_cleanup() {
	svc_stop_all "$1"
	rm -rf "$(svc_pg_dir "$1")" "$1"
}

# svc_config_isolate: unsets every ATTENDANCE_<KEY> of the environment,
# so that the configuration files a script writes are the whole truth.
svc_config_isolate() {
	for var in $(env | sed -n 's/^\(ATTENDANCE_[A-Z_]*\)=.*/\1/p'); do
		unset "$var"
	done
}

# svc_data_start STATE ADMIN [ORIGINS [LOG_LEVEL]]: PostgreSQL with the
# database "attendance", Redis, and STATE/attendance.conf naming them
# (allowed_origins ORIGINS, default http://localhost; log_level default
# info), migrated with the attendance-admin at ADMIN: what every test
# script's stack starts from.  The caller's ATTENDANCE_<KEY> variables
# are unset (svc_config_isolate).
svc_data_start() {
	state=$1
	svc_config_isolate
	svc_pg_start "$state"
	svc_pg_createdb "$state" attendance
	svc_redis_start "$state"
	cat >"$state/attendance.conf" <<CONF
$(svc_db_config "$state")
$(svc_redis_config "$state")
allowed_origins = ${3:-http://localhost}
log_level = ${4:-info}
CONF
	"$2" -c "$state/attendance.conf" migrate >/dev/null ||
	    svc_die "attendance-admin migrate failed"
}

svc_pid_alive() {
	[ -f "$1" ] && kill -0 "$(cat "$1")" 2>/dev/null
}

svc_redis_start() {
	state=$1
	command -v redis-server >/dev/null || svc_die "redis-server not installed"
	mkdir -p "$state/redis" "$state/run" "$state/log"
	# Redis with passwords (attendance.conf(5), redis_user): the
	# workers' and the relay's ACL user may publish, subscribe and ping
	# on the product's channels, nothing else; an admin user for the
	# tests and redis-cli; no default user.  Secrets in 0600 files.  A
	# Redis of an older ./dev/up, started without them, is restarted.
	if [ ! -s "$state/redis/password" ]; then
		svc_pid_alive "$state/run/redis.pid" && svc_redis_stop "$state"
		(umask 077
		od -An -tx1 -N16 /dev/urandom | tr -d ' \n' \
		    >"$state/redis/password"
		od -An -tx1 -N16 /dev/urandom | tr -d ' \n' \
		    >"$state/redis/admin-password"
		cat >"$state/redis/redis.conf" <<CONF
user default off
user attendance on >$(cat "$state/redis/password") resetchannels &attendance:* -@all +publish +subscribe +unsubscribe +ping
user admin on >$(cat "$state/redis/admin-password") ~* &* +@all
CONF
		)
	fi
	svc_pid_alive "$state/run/redis.pid" && return 0
	redis-server "$state/redis/redis.conf" --port 0 \
	    --unixsocket "$(svc_redis_socket "$state")" \
	    --unixsocketperm 700 --daemonize yes \
	    --pidfile "$state/run/redis.pid" \
	    --logfile "$state/log/redis.log" --dir "$state/redis" \
	    --save '' --appendonly no ||
	    svc_die "redis-server did not start"
	i=0
	until svc_redis_cli "$state" ping >/dev/null 2>&1; do
		i=$((i + 1))
		[ $i -lt 100 ] ||
		    { cat "$state/log/redis.log" >&2; svc_die "Redis did not answer"; }
		sleep 0.1
	done
}

# svc_redis_cli STATE ARGS...: redis-cli as the admin user.
svc_redis_cli() {
	svc_cli_state=$1
	shift
	REDISCLI_AUTH=$(cat "$svc_cli_state/redis/admin-password") \
	    redis-cli --user admin -s "$(svc_redis_socket "$svc_cli_state")" \
	    "$@"
}

# svc_redis_config STATE: the configuration lines of Redis, as the
# workers' and the relay's ACL user.
svc_redis_config() {
	echo "redis = unix:$(svc_redis_socket "$1")"
	echo "redis_user = attendance"
	echo "redis_password_file = $1/redis/password"
}

svc_redis_stop() {
	svc_stop_pid "$1/run/redis.pid"
}

# Stops the process of a pid file: TERM, then KILL after 10 s.
svc_stop_pid() {
	svc_pid_alive "$1" || { rm -f "$1"; return 0; }
	pid=$(cat "$1")
	kill "$pid" 2>/dev/null || true
	i=0
	while kill -0 "$pid" 2>/dev/null; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			kill -9 "$pid" 2>/dev/null || true
			break
		fi
		sleep 0.1
	done
	rm -f "$1"
}

# A path as a literal in the replacement of a sed s||| command.
svc_sed_escape() {
	printf '%s' "$1" | sed 's/[&|\\]/\\&/g'
}

# svc_nginx_start STATE LISTEN...: each LISTEN is "127.0.0.1:8080" or
# "unix:/path/to/socket".  The pages come from $svc_webroot when set (the
# browser test's copy), else from the source tree's web/.
svc_nginx_start() {
	state=$1
	shift
	# One quoted listen directive for each (sed's \n is a new line).
	# Not "listen": these functions share the caller's variables.
	svc_listen=""
	for address in "$@"; do
		address=$(svc_sed_escape "$address")
		svc_listen="$svc_listen${svc_listen:+\\n\\t\\t}listen \"$address\";"
	done
	svc_here=$(svc_sed_escape "$state")
	svc_web=$(svc_sed_escape "${svc_webroot:-$svc_srcdir/web}")
	svc_nginx_dir=$(svc_sed_escape "$svc_srcdir/nginx")
	command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] ||
	    svc_die "nginx not installed"
	nginx=$(command -v nginx || echo /usr/sbin/nginx)
	mkdir -p "$state/nginx/tmp" "$state/run" "$state/log"
	if [ "$(id -u)" = 0 ]; then
		user_line="user root root;"
	else
		user_line="# not root: workers run as the invoking user"
	fi
	sed -e "s|@USER_LINE@|$user_line|" -e "s|@PREFIX@|$svc_here/nginx|g" \
	    -e "s|@RUN@|$svc_here/run|g" -e "s|@LOG@|$svc_here/log|g" \
	    -e "s|@LISTEN@|$svc_listen|" -e "s|@WEBROOT@|$svc_web|g" \
	    -e "s|@NGINX@|$svc_nginx_dir|g" \
	    "$svc_srcdir/nginx/dev.conf.in" >"$state/nginx/nginx.conf"
	if svc_pid_alive "$state/run/nginx.pid"; then
		"$nginx" -p "$state/nginx" -c "$state/nginx/nginx.conf" \
		    -e "$state/log/nginx-error.log" -s reload
		return 0
	fi
	"$nginx" -p "$state/nginx" -c "$state/nginx/nginx.conf" \
	    -e "$state/log/nginx-error.log" ||
	    { cat "$state/log/nginx-error.log" >&2; svc_die "nginx did not start"; }
}

svc_nginx_stop() {
	svc_stop_pid "$1/run/nginx.pid"
}

# Apache's children cannot run as root: as root they run as this user,
# in root's group (which fcgi.sock and relay.sock are open to).
SVC_APACHE_USER=${SVC_APACHE_USER:-www-data}
SVC_APACHE_MODULES=/usr/lib/apache2/modules

# svc_apache_site STATE OUT: apache/attendance.conf's <VirtualHost *:443>,
# the production site, as the tests run it: without its SSL* lines (plain
# HTTP on loopback), on any address, with /run/attendance/ (the sockets)
# under STATE/run/, its web root $svc_web_dir, and its two example.edu
# origins those of $svc_apache_base and $svc_apache_oidc.  Literal
# replacements (awk's index(), no pattern), so that any path will do.
svc_apache_site() {
	SVC_RUN="$1/run/" SVC_WEB=$svc_web_dir SVC_BASE=$svc_apache_base \
	SVC_IDP=${svc_apache_oidc:-https://idp.example.edu} awk '
	function swap(s, from, to,    i, out) {
		out = ""
		while ((i = index(s, from)) > 0) {
			out = out substr(s, 1, i - 1) to
			s = substr(s, i + length(from))
		}
		return out s
	}
	/^<VirtualHost \*:443>/ { inside = 1; print "<VirtualHost *:*>"; next }
	!inside { next }
	/^[ \t]*SSL/ { next }
	{
		s = swap($0, "/run/attendance/", ENVIRON["SVC_RUN"])
		s = swap(s, "/usr/local/share/attendance/web",
		    ENVIRON["SVC_WEB"])
		s = swap(s, "https://attendance.example.edu",
		    ENVIRON["SVC_BASE"])
		s = swap(s, "https://idp.example.edu", ENVIRON["SVC_IDP"])
		print s
	}
	/^<\/VirtualHost>/ { exit }
	' "$svc_srcdir/apache/attendance.conf" >"$2"
	grep -q '^</VirtualHost>' "$2" ||
	    svc_die "no <VirtualHost *:443> in apache/attendance.conf"
}

# svc_apache_start STATE LISTEN...: Apache 2.4 (Debian's apache2, mpm_event)
# on each LISTEN, "127.0.0.1:PORT" (Apache listens on TCP only), with
# apache/dev.conf.in around the production site (svc_apache_site): /api/
# to STATE/run/fcgi.sock, /ws to STATE/run/relay.sock, the pages from
# $svc_webroot when set, else the source tree's web/.  With
# $svc_apache_oidc set to an OpenID Provider's issuer URL, mod_auth_openidc
# is loaded and guards /api/auth/sso as the sample says.  Its log level is
# $svc_apache_log_level (default warn).
svc_apache_start() {
	state=$1
	shift
	[ -x /usr/sbin/apache2 ] || svc_die "apache2 not installed"
	mkdir -p "$state/apache/run" "$state/run" "$state/log"
	svc_listen=""
	for address in "$@"; do
		address=$(svc_sed_escape "$address")
		svc_listen="$svc_listen${svc_listen:+\\n}Listen \"$address\""
	done
	svc_apache_base=http://$1
	svc_web_dir=${svc_webroot:-$svc_srcdir/web}
	if [ "$(id -u)" = 0 ]; then
		id "$SVC_APACHE_USER" >/dev/null 2>&1 ||
		    svc_die "no user $SVC_APACHE_USER (apt-get install apache2)"
		user_lines="User $SVC_APACHE_USER\\nGroup #$(id -g)"
		# Its children must reach the sockets and read the pages.
		runuser -u "$SVC_APACHE_USER" -- test -x "$state/run" ||
		    svc_die "$SVC_APACHE_USER cannot enter $state/run"
		if ! runuser -u "$SVC_APACHE_USER" -- \
		    test -r "$svc_web_dir/index.html"; then
			rm -rf "$state/apache/web"
			cp -R "$svc_web_dir" "$state/apache/web"
			chmod -R a+rX "$state/apache/web"
			svc_web_dir=$state/apache/web
		fi
	else
		user_lines="# not root: the children run as the invoking user"
	fi
	if [ -n "${svc_apache_oidc:-}" ]; then
		load_oidc="LoadModule auth_openidc_module"
		load_oidc="$load_oidc \"@MODULES@/mod_auth_openidc.so\""
	else
		load_oidc="# no OpenID Provider: mod_auth_openidc not loaded"
	fi
	svc_apache_site "$state" "$state/apache/site.conf"
	svc_here=$(svc_sed_escape "$state")
	sed -e "s|@LOAD_OPENIDC@|$load_oidc|" \
	    -e "s|@USER_LINES@|$user_lines|" -e "s|@LISTEN@|$svc_listen|" \
	    -e "s|@PREFIX@|$svc_here/apache|g" -e "s|@RUN@|$svc_here/run|g" \
	    -e "s|@LOG@|$svc_here/log|g" \
	    -e "s|@MODULES@|$SVC_APACHE_MODULES|g" \
	    -e "s|@SITE@|$svc_here/apache/site.conf|" \
	    -e "s|@LOG_LEVEL@|${svc_apache_log_level:-warn}|" \
	    "$svc_srcdir/apache/dev.conf.in" >"$state/apache/httpd.conf"
	svc_apache_stop "$state"
	/usr/sbin/apache2 -f "$state/apache/httpd.conf" -k start \
	    >"$state/log/apache-start.log" 2>&1 || {
		cat "$state/log/apache-start.log" >&2
		svc_die "Apache did not start"
	}
	i=0
	until svc_pid_alive "$state/run/apache.pid" &&
	    curl -s -o /dev/null "$svc_apache_base/"; do
		i=$((i + 1))
		if [ $i -ge 100 ]; then
			cat "$state/log/apache-error.log" >&2
			svc_die "Apache did not answer on $svc_apache_base"
		fi
		sleep 0.1
	done
}

svc_apache_stop() {
	svc_stop_pid "$1/run/apache.pid"
}

# svc_fcgi_start STATE WORKER CONFIG N: N preforked attendance-fcgi workers
# on STATE/run/fcgi.sock, the way ops run them: spawn-fcgi opens the socket
# and hands it (fd 0) to multiwatch, which forks the workers and restarts
# one that dies.
svc_fcgi_start() {
	state=$1
	worker=$2
	config=$3
	workers=${4:-2}
	command -v spawn-fcgi >/dev/null || svc_die "spawn-fcgi not installed"
	command -v multiwatch >/dev/null || svc_die "multiwatch not installed"
	mkdir -p "$state/run" "$state/log"
	svc_pid_alive "$state/run/fcgi.pid" && svc_fcgi_stop "$state"
	rm -f "$state/run/fcgi.sock"
	# -n: spawn-fcgi execs multiwatch in place (the pid we record), and
	# the workers keep stderr, our log.  As root, the socket is open to
	# root's group too: Apache's children (svc_apache_start) run in it.
	mode=0600
	[ "$(id -u)" = 0 ] && mode=0660
	spawn-fcgi -n -s "$state/run/fcgi.sock" -M "$mode" \
	    -- "$(command -v multiwatch)" -f "$workers" -- \
	    "$worker" -c "$config" >>"$state/log/fcgi.log" 2>&1 &
	echo $! >"$state/run/fcgi.pid"
	i=0
	until [ -S "$state/run/fcgi.sock" ] && svc_pid_alive "$state/run/fcgi.pid"; do
		i=$((i + 1))
		[ $i -lt 50 ] || svc_die "the FastCGI workers did not start"
		sleep 0.1
	done
}

svc_fcgi_stop() {
	svc_stop_pid "$1/run/fcgi.pid"
	rm -f "$1/run/fcgi.sock"
}

# svc_relay_start STATE RELAY CONFIG: the WebSocket relay (attendance-relay)
# on STATE/run/relay.sock, where nginx/dev.conf.in sends /ws, whatever
# relay_listen CONFIG says; its log goes to STATE/log/relay.log.
svc_relay_start() {
	state=$1
	relay=$2
	config=$3
	mkdir -p "$state/run" "$state/log"
	svc_pid_alive "$state/run/relay.pid" && svc_relay_stop "$state"
	rm -f "$state/run/relay.sock"
	# As root, the socket is open to root's group too (as fcgi.sock).
	mask=077
	[ "$(id -u)" = 0 ] && mask=007
	(umask "$mask" && ATTENDANCE_RELAY_LISTEN="unix:$state/run/relay.sock" \
	    exec "$relay" -c "$config") >>"$state/log/relay.log" 2>&1 &
	echo $! >"$state/run/relay.pid"
	i=0
	until [ -S "$state/run/relay.sock" ]; do
		i=$((i + 1))
		if [ $i -ge 50 ] || ! svc_pid_alive "$state/run/relay.pid"; then
			tail -n 20 "$state/log/relay.log" >&2
			svc_die "the relay did not start"
		fi
		sleep 0.1
	done
}

svc_relay_stop() {
	svc_stop_pid "$1/run/relay.pid"
	rm -f "$1/run/relay.sock"
}

svc_stop_all() {
	svc_fcgi_stop "$1"
	svc_relay_stop "$1"
	svc_nginx_stop "$1"
	svc_apache_stop "$1"
	svc_redis_stop "$1"
	svc_pg_stop "$1"
}

# Prints the last lines of every log of the state directory (for a failed
# test run).
svc_print_logs() {
	for f in "$1"/log/*.log; do
		[ -f "$f" ] || continue
		echo "----- $f (last 50 lines)" >&2
		tail -n 50 "$f" >&2
	done
}
