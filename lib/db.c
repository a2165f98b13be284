#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "log.h"
#include "util.h"

/* libpq messages end with a newline; the callers print one line. */
static char *
db_message(const char *message)
{
	char	*copy, *p;

	if ((copy = strdup(message != NULL ? message : "")) == NULL)
		return NULL;
	/* libpq continues long messages on tab-indented lines. */
	for (p = copy; *p != '\0'; p++)
		if (*p == '\n' || *p == '\t')
			*p = ' ';
	util_trim(copy);
	if (*copy == '\0') {
		free(copy);
		copy = strdup("unknown database error");
	}
	return copy;
}

/* Server notices ("relation already exists, skipping") are debug news. */
static void
db_notice(void *arg, const char *message)
{
	char	*line;

	if ((line = db_message(message)) != NULL)
		log_debug("postgres: %s", line);
	free(line);
}

/*
 * The keywords of a connection: the conninfo, expanded as dbname, then
 * the timeouts, each only where the conninfo sets none.  The options
 * (the session's settings) are ours followed by the conninfo's own, so
 * that a -c of the conninfo, coming later, wins in the server too.
 */
struct db_params {
	const char	*keywords[5];
	const char	*values[5];
	char		 connect[16], tcp[16];
	char		 options[1024];
};

static const char *
db_param_of(PQconninfoOption *parsed, const char *keyword)
{
	PQconninfoOption	*o;

	for (o = parsed; o != NULL && o->keyword != NULL; o++)
		if (strcmp(o->keyword, keyword) == 0)
			return o->val;
	return NULL;
}

/* Appends "-c name=Ns" (seconds > 0), or name itself (seconds -1). */
static void
db_option(char *options, size_t size, const char *name, int seconds)
{
	size_t	 used = strlen(options);

	if (seconds == 0 || name[0] == '\0')
		return;
	if (seconds < 0)
		snprintf(options + used, size - used, "%s%s",
		    used > 0 ? " " : "", name);
	else
		snprintf(options + used, size - used, "%s-c %s=%ds",
		    used > 0 ? " " : "", name, seconds);
}

static void
db_params(struct db_params *p, const char *conninfo,
    const struct db_timeouts *t, PQconninfoOption *parsed)
{
	const char	*theirs;
	size_t		 n = 0;

	memset(p, 0, sizeof(*p));
	p->keywords[n] = "dbname";
	p->values[n++] = conninfo;
	if (t == NULL)
		return;
	if (t->connect > 0 && db_param_of(parsed, "connect_timeout") == NULL) {
		snprintf(p->connect, sizeof(p->connect), "%d", t->connect);
		p->keywords[n] = "connect_timeout";
		p->values[n++] = p->connect;
	}
	if (t->connect > 0 &&
	    db_param_of(parsed, "tcp_user_timeout") == NULL) {
		snprintf(p->tcp, sizeof(p->tcp), "%d", t->connect * 1000);
		p->keywords[n] = "tcp_user_timeout";
		p->values[n++] = p->tcp;
	}
	if ((theirs = db_param_of(parsed, "options")) == NULL)
		theirs = "";
	/* 0 sets nothing: the role's or the database's own settings hold. */
	db_option(p->options, sizeof(p->options), "statement_timeout",
	    t->statement);
	db_option(p->options, sizeof(p->options), "lock_timeout", t->lock);
	db_option(p->options, sizeof(p->options),
	    "idle_in_transaction_session_timeout", t->idle_transaction);
	db_option(p->options, sizeof(p->options), theirs, -1);
	p->keywords[n] = "options";
	p->values[n] = p->options;
}

/* PQconnectdbParams() or PQconnectStartParams() with those keywords. */
static PGconn *
db_open(const char *conninfo, const struct db_timeouts *t, int blocking)
{
	struct db_params	 p;
	PQconninfoOption	*parsed;
	PGconn			*conn;

	parsed = PQconninfoParse(conninfo, NULL);
	db_params(&p, conninfo, t, parsed);
	conn = blocking ? PQconnectdbParams(p.keywords, p.values, 1) :
	    PQconnectStartParams(p.keywords, p.values, 1);
	PQconninfoFree(parsed);
	return conn;
}

PGconn *
db_connect_start(const char *conninfo, const struct db_timeouts *t)
{
	return db_open(conninfo, t, 0);
}

enum at_error
db_connect(const char *conninfo, const struct db_timeouts *t, PGconn **out,
    char **cause)
{
	PGconn	*conn;

	*out = NULL;
	*cause = NULL;
	if ((conn = db_open(conninfo, t, 1)) == NULL) {
		*cause = strdup("out of memory");
		return AT_ENOMEM;
	}
	if (PQstatus(conn) != CONNECTION_OK) {
		*cause = db_message(PQerrorMessage(conn));
		PQfinish(conn);
		return AT_EUNAVAILABLE;
	}
	PQsetNoticeProcessor(conn, db_notice, NULL);
	*out = conn;
	return AT_OK;
}

const char *
db_sqlstate(const PGresult *res)
{
	const char	*s;

	if (res == NULL)
		return "";
	s = PQresultErrorField(res, PG_DIAG_SQLSTATE);
	return s != NULL ? s : "";
}

const char *
db_constraint(const PGresult *res)
{
	const char	*s;

	if (res == NULL)
		return "";
	s = PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME);
	return s != NULL ? s : "";
}

enum at_error
db_error(PGconn *conn, const PGresult *res)
{
	const char	*state = db_sqlstate(res);

	if (PQstatus(conn) != CONNECTION_OK || res == NULL)
		return AT_EUNAVAILABLE;
	/*
	 * Class 08 is a connection exception; 57P01..57P03 are shutdowns
	 * and "cannot connect now": the database, not the request, failed.
	 */
	if (strncmp(state, "08", 2) == 0 || strncmp(state, "57P", 3) == 0)
		return AT_EUNAVAILABLE;
	/*
	 * statement_timeout (57014) and lock_timeout (55P03): the database
	 * is too slow to answer, and the statement was rolled back, so the
	 * request had no effect, which is what 503 says.
	 */
	if (strcmp(state, "57014") == 0 || strcmp(state, "55P03") == 0)
		return AT_EUNAVAILABLE;
	if (strcmp(state, "23505") == 0 || strcmp(state, "23503") == 0)
		return AT_ECONFLICT;
	if (strcmp(state, "23514") == 0 || strcmp(state, "23502") == 0 ||
	    strncmp(state, "22", 2) == 0)
		return AT_EINVALID;
	return AT_EINTERNAL;
}

static enum at_error
db_check(PGconn *conn, PGresult *res, char **cause)
{
	ExecStatusType	 status;

	status = res != NULL ? PQresultStatus(res) : PGRES_FATAL_ERROR;
	if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK)
		return AT_OK;
	if (cause != NULL)
		*cause = db_message(res != NULL ? PQresultErrorMessage(res) :
		    PQerrorMessage(conn));
	return db_error(conn, res);
}

enum at_error
db_command(PGconn *conn, const char *sql, char **cause)
{
	PGresult	*res;
	enum at_error	 rc;

	if (cause != NULL)
		*cause = NULL;
	res = PQexec(conn, sql);
	rc = db_check(conn, res, cause);
	PQclear(res);
	return rc;
}

enum at_error
db_query(PGconn *conn, const char *sql, int nparams,
    const char *const *params, PGresult **out, char **cause)
{
	PGresult	*res;
	enum at_error	 rc;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	res = PQexecParams(conn, sql, nparams, NULL, params, NULL, NULL, 0);
	if ((rc = db_check(conn, res, cause)) != AT_OK) {
		PQclear(res);
		return rc;
	}
	*out = res;
	return AT_OK;
}

void
db_rollback(PGconn *conn)
{
	if (PQstatus(conn) == CONNECTION_OK &&
	    PQtransactionStatus(conn) != PQTRANS_IDLE)
		PQclear(PQexec(conn, "ROLLBACK"));
}

enum at_error
db_prepare(PGconn *conn, const struct db_statement *statements,
    size_t count, char **cause)
{
	PGresult	*res;
	size_t		 i;
	enum at_error	 rc = AT_OK;

	if (cause != NULL)
		*cause = NULL;
	for (i = 0; i < count && rc == AT_OK; i++) {
		res = PQprepare(conn, statements[i].name, statements[i].sql,
		    statements[i].nparams, NULL);
		rc = db_check(conn, res, cause);
		PQclear(res);
	}
	return rc;
}

enum at_error
db_run(PGconn *conn, const struct db_statement *statement,
    const char *const *params, PGresult **out, char **cause)
{
	PGresult	*res;
	enum at_error	 rc;

	*out = NULL;
	if (cause != NULL)
		*cause = NULL;
	res = PQexecPrepared(conn, statement->name, statement->nparams,
	    params, NULL, NULL, 0);
	if ((rc = db_check(conn, res, cause)) != AT_OK) {
		PQclear(res);
		return rc;
	}
	*out = res;
	return AT_OK;
}

/* Stops the statement running on conn: its remaining rows need not come. */
static void
db_cancel(PGconn *conn)
{
	PGcancel	*cancel;
	char		 why[256];

	if ((cancel = PQgetCancel(conn)) == NULL)
		return;
	if (!PQcancel(cancel, why, sizeof(why)))
		log_warn("cancelling a statement: %s", why);
	PQfreeCancel(cancel);
}

enum at_error
db_stream(PGconn *conn, const struct db_statement *statement,
    const char *const *params, db_row_fn row, void *arg, char **cause)
{
	PGresult	*res;
	const char	*values[DB_STREAM_COLUMNS];
	enum at_error	 rc = AT_OK, stop = AT_OK;
	int		 i, n;

	if (cause != NULL)
		*cause = NULL;
	if (!PQsendQueryPrepared(conn, statement->name, statement->nparams,
	    params, NULL, NULL, 0)) {
		if (cause != NULL)
			*cause = db_message(PQerrorMessage(conn));
		rc = db_error(conn, NULL);
		goto out;
	}
	/*
	 * Fails only right after a send that failed.  Were it ever to fail,
	 * the rows would come in one result, whole: refused, not taken for
	 * no rows.
	 */
	if (!PQsetSingleRowMode(conn)) {
		if (cause != NULL)
			*cause = db_message("single-row mode refused");
		rc = AT_EINTERNAL;
	}
	/* Every result is read, to the last, whatever happens: the
	 * connection is then ready for the next statement. */
	while ((res = PQgetResult(conn)) != NULL) {
		if (PQresultStatus(res) == PGRES_SINGLE_TUPLE) {
			if (rc == AT_OK && stop == AT_OK) {
				n = PQnfields(res);
				if (n > DB_STREAM_COLUMNS)
					n = DB_STREAM_COLUMNS;
				for (i = 0; i < n; i++)
					values[i] = PQgetisnull(res, 0, i) ?
					    NULL : PQgetvalue(res, 0, i);
				if ((stop = row(arg, values, n)) != AT_OK)
					db_cancel(conn);
			}
		} else if (rc == AT_OK && stop == AT_OK)
			rc = db_check(conn, res, cause);
		PQclear(res);
	}
out:
	return stop != AT_OK ? stop : rc;
}

char *
db_array_literal(const char *const *items, size_t count)
{
	size_t		 i, len = 3;
	const char	*p;
	char		*out, *q;

	for (i = 0; i < count; i++) {
		len += 5;	/* "", or NULL, and a comma */
		for (p = items[i]; p != NULL && *p != '\0'; p++)
			len += (*p == '"' || *p == '\\') ? 2 : 1;
	}
	if ((out = malloc(len)) == NULL)
		return NULL;
	q = out;
	*q++ = '{';
	for (i = 0; i < count; i++) {
		if (i > 0)
			*q++ = ',';
		if (items[i] == NULL) {
			memcpy(q, "NULL", 4);
			q += 4;
			continue;
		}
		*q++ = '"';
		for (p = items[i]; *p != '\0'; p++) {
			if (*p == '"' || *p == '\\')
				*q++ = '\\';
			*q++ = *p;
		}
		*q++ = '"';
	}
	*q++ = '}';
	*q = '\0';
	return out;
}

char *
db_conninfo_redacted(const char *conninfo)
{
	PQconninfoOption	*options, *o;
	char			*out = NULL, *next, *err = NULL;

	if ((options = PQconninfoParse(conninfo, &err)) == NULL) {
		PQfreemem(err);
		return strdup("(unparsable connection string)");
	}
	if ((out = strdup("")) == NULL)
		goto out;
	for (o = options; o->keyword != NULL; o++) {
		if (o->val == NULL)
			continue;
		/* dispchar "*" is libpq's mark of a secret (password,
		 * sslpassword). */
		next = util_printf("%s%s%s=%s", out, *out != '\0' ? " " : "",
		    o->keyword, o->dispchar[0] == '*' ? "***" : o->val);
		free(out);
		if ((out = next) == NULL)
			goto out;
	}
out:
	PQconninfoFree(options);
	return out;
}
