#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <criterion/criterion.h>

#include "support.h"

#define SUPPORT_PARAMS_MAX	16
#define SUPPORT_ARGS_MAX	32

static const char *
support_env(const char *name)
{
	const char	*v = getenv(name);

	cr_assert(v != NULL && *v != '\0', "%s is not set: run the suite "
	    "through tests/db/db.sh (make check)", name);
	return v;
}

static void
support_conninfo(char out[SUPPORT_CONNINFO_SIZE], const char *dbname)
{
	snprintf(out, SUPPORT_CONNINFO_SIZE, "host=%s user=%s dbname=%s",
	    support_env("ATTENDANCE_TEST_PGHOST"),
	    support_env("ATTENDANCE_TEST_PGUSER"), dbname);
}

PGconn *
support_db_connect(const char *conninfo)
{
	PGconn	*conn = PQconnectdb(conninfo);

	cr_assert(conn != NULL && PQstatus(conn) == CONNECTION_OK,
	    "connect %s: %s", conninfo, PQerrorMessage(conn));
	PQsetNoticeProcessor(conn, NULL, NULL);
	return conn;
}

void
support_db_create(int migrated, char conninfo[SUPPORT_CONNINFO_SIZE])
{
	static unsigned	 counter;
	char		 admin[SUPPORT_CONNINFO_SIZE], name[64], sql[256];
	PGconn		*conn;
	PGresult	*res;

	snprintf(name, sizeof(name), "t_%ld_%u_%u", (long)getpid(),
	    counter++, (unsigned)rand());
	if (migrated)
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s TEMPLATE %s",
		    name, support_env("ATTENDANCE_TEST_TEMPLATE"));
	else
		snprintf(sql, sizeof(sql), "CREATE DATABASE %s", name);
	support_conninfo(admin, "postgres");
	conn = support_db_connect(admin);
	res = PQexec(conn, sql);
	cr_assert(PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
	    PQresultErrorMessage(res));
	PQclear(res);
	PQfinish(conn);
	support_conninfo(conninfo, name);
}

static PGresult *
support_vexec(PGconn *conn, const char *sql, va_list ap)
{
	const char	*params[SUPPORT_PARAMS_MAX], *p;
	int		 n = 0;

	while ((p = va_arg(ap, const char *)) != NULL) {
		cr_assert(n < SUPPORT_PARAMS_MAX, "too many parameters");
		params[n++] = p;
	}
	return PQexecParams(conn, sql, n, NULL, params, NULL, NULL, 0);
}

const char *
support_db_state(PGconn *conn, const char *sql, ...)
{
	static char	 state[8];
	PGresult	*res;
	const char	*s;
	va_list		 ap;

	va_start(ap, sql);
	res = support_vexec(conn, sql, ap);
	va_end(ap);
	state[0] = '\0';
	if (PQresultStatus(res) != PGRES_COMMAND_OK &&
	    PQresultStatus(res) != PGRES_TUPLES_OK) {
		s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
		snprintf(state, sizeof(state), "%s", s != NULL ? s : "?????");
	}
	PQclear(res);
	return state;
}

char *
support_db_value(PGconn *conn, const char *sql, ...)
{
	PGresult	*res;
	char		*value;
	va_list		 ap;

	va_start(ap, sql);
	res = support_vexec(conn, sql, ap);
	va_end(ap);
	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK ||
	    PQresultStatus(res) == PGRES_COMMAND_OK, "%s: %s", sql,
	    PQresultErrorMessage(res));
	value = strdup(PQntuples(res) > 0 && PQnfields(res) > 0 ?
	    PQgetvalue(res, 0, 0) : "");
	cr_assert(value != NULL);
	PQclear(res);
	return value;
}

long
support_db_long(PGconn *conn, const char *sql, ...)
{
	PGresult	*res;
	long		 n;
	va_list		 ap;

	va_start(ap, sql);
	res = support_vexec(conn, sql, ap);
	va_end(ap);
	cr_assert(PQresultStatus(res) == PGRES_TUPLES_OK &&
	    PQntuples(res) > 0, "%s: %s", sql, PQresultErrorMessage(res));
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	PQclear(res);
	return n;
}

/* Appends what fd has to *buf; returns 0 at end of file. */
static int
support_drain(int fd, char **buf, size_t *len)
{
	char	 chunk[4096];
	ssize_t	 n;
	char	*grown;

	n = read(fd, chunk, sizeof(chunk));
	if (n < 0 && errno == EINTR)
		return 1;
	if (n <= 0)
		return 0;
	grown = realloc(*buf, *len + (size_t)n + 1);
	cr_assert(grown != NULL);
	memcpy(grown + *len, chunk, (size_t)n);
	*len += (size_t)n;
	grown[*len] = '\0';
	*buf = grown;
	return 1;
}

int
support_admin(const char *conninfo, const char *stdin_text, char **out,
    char **err, ...)
{
	const char	*argv[SUPPORT_ARGS_MAX], *a;
	int		 in[2], o[2], e[2], status, argc = 0;
	size_t		 olen = 0, elen = 0;
	struct pollfd	 fds[2];
	pid_t		 pid;
	va_list		 ap;

	argv[argc++] = support_env("ATTENDANCE_ADMIN");
	/* No configuration file of the machine's: only what the test sets. */
	argv[argc++] = "-c";
	argv[argc++] = "/dev/null";
	va_start(ap, err);
	while ((a = va_arg(ap, const char *)) != NULL) {
		cr_assert(argc < SUPPORT_ARGS_MAX - 1, "too many arguments");
		argv[argc++] = a;
	}
	va_end(ap);
	argv[argc] = NULL;

	cr_assert(pipe(in) == 0 && pipe(o) == 0 && pipe(e) == 0);
	pid = fork();
	cr_assert(pid != -1);
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(o[1], 1);
		dup2(e[1], 2);
		close(in[1]);
		close(o[0]);
		close(e[0]);
		if (conninfo != NULL)
			setenv("ATTENDANCE_DATABASE", conninfo, 1);
		execv(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(in[0]);
	close(o[1]);
	close(e[1]);
	if (stdin_text != NULL && *stdin_text != '\0')
		cr_assert(write(in[1], stdin_text, strlen(stdin_text)) ==
		    (ssize_t)strlen(stdin_text));
	close(in[1]);

	*out = strdup("");
	*err = strdup("");
	cr_assert(*out != NULL && *err != NULL);
	fds[0].fd = o[0];
	fds[1].fd = e[0];
	fds[0].events = fds[1].events = POLLIN;
	while (fds[0].fd != -1 || fds[1].fd != -1) {
		if (poll(fds, 2, -1) == -1) {
			cr_assert(errno == EINTR, "poll: %s", strerror(errno));
			continue;
		}
		if (fds[0].revents != 0 && !support_drain(o[0], out, &olen)) {
			close(o[0]);
			fds[0].fd = -1;
		}
		if (fds[1].revents != 0 && !support_drain(e[0], err, &elen)) {
			close(e[0]);
			fds[1].fd = -1;
		}
	}
	cr_assert(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

char *
support_write_file(const char *text)
{
	char	*path;
	int	 fd;
	size_t	 len = strlen(text);
	const char	*dir = getenv("TMPDIR");

	if (asprintf(&path, "%s/attendance-test-XXXXXX",
	    dir != NULL && *dir != '\0' ? dir : "/tmp") == -1)
		path = NULL;
	cr_assert(path != NULL);
	fd = mkstemp(path);
	cr_assert(fd != -1, "mkstemp: %s", strerror(errno));
	cr_assert(write(fd, text, len) == (ssize_t)len);
	close(fd);
	return path;
}
