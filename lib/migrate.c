#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "db.h"
#include "log.h"
#include "migrate.h"
#include "util.h"

/* Serializes concurrent `migrate` runs (an arbitrary, fixed key). */
#define MIGRATE_LOCK_KEY	"7311031"

static const char migrate_bootstrap_sql[] =
    "CREATE TABLE IF NOT EXISTS schema_migrations ("
    " name text PRIMARY KEY,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

/* Hex BLAKE2b-256 of a file's text: detects an edited, applied file. */
static void
migrate_checksum(const struct migration *m, char out[65])
{
	unsigned char	 digest[32];

	crypto_generichash(digest, sizeof(digest),
	    (const unsigned char *)m->sql, m->len, NULL, 0);
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}

/*
 * Marks which embedded files are applied (done[i] = 1), checking that
 * their text is unchanged.
 */
static int
migrate_read_applied(PGconn *conn, unsigned char *done, char **cause)
{
	PGresult	*res = NULL;
	char		 sum[65];
	size_t		 i;
	int		 row, rc;

	rc = db_query(conn, "SELECT name, checksum FROM schema_migrations",
	    0, NULL, &res, cause);
	if (rc != AT_OK)
		return rc;
	for (row = 0; row < PQntuples(res); row++) {
		const char	*name = PQgetvalue(res, row, 0);

		for (i = 0; i < migrate_file_count; i++)
			if (strcmp(migrate_files[i].name, name) == 0)
				break;
		if (i == migrate_file_count)
			continue;	/* from a newer version: keep going */
		migrate_checksum(&migrate_files[i], sum);
		if (strcmp(sum, PQgetvalue(res, row, 1)) != 0) {
			*cause = util_printf("%s was changed after it was "
			    "applied; add a new migration instead", name);
			rc = AT_ECONFLICT;
			goto out;
		}
		done[i] = 1;
	}
out:
	PQclear(res);
	return rc;
}

static int
migrate_apply(PGconn *conn, const struct migration *m, char **cause)
{
	PGresult	*res = NULL;
	char		*body = NULL, *why = NULL;
	char		 sum[65];
	const char	*params[2];
	int		 rc;

	if ((rc = db_command(conn, "BEGIN", &why)) != AT_OK)
		goto out;
	if ((body = malloc(m->len + 1)) == NULL) {
		rc = AT_ENOMEM;
		goto out;
	}
	memcpy(body, m->sql, m->len);
	body[m->len] = '\0';
	/* Simple query protocol: a file may hold many statements. */
	if ((rc = db_command(conn, body, &why)) != AT_OK)
		goto out;
	migrate_checksum(m, sum);
	params[0] = m->name;
	params[1] = sum;
	rc = db_query(conn, "INSERT INTO schema_migrations (name, checksum) "
	    "VALUES ($1, $2)", 2, params, &res, &why);
	if (rc != AT_OK)
		goto out;
	rc = db_command(conn, "COMMIT", &why);
out:
	if (rc != AT_OK) {
		char	*ignored = NULL;

		if (PQstatus(conn) == CONNECTION_OK &&
		    db_command(conn, "ROLLBACK", &ignored) != AT_OK)
			free(ignored);
		*cause = util_printf("%s: %s", m->name,
		    why != NULL ? why : error_string(rc));
	}
	free(why);
	free(body);
	PQclear(res);
	return rc;
}

static int
migrate_lock(PGconn *conn, const char *how, char **cause)
{
	PGresult	*res = NULL;
	char		 sql[64];
	int		 rc;

	snprintf(sql, sizeof(sql), "SELECT %s(" MIGRATE_LOCK_KEY ")", how);
	rc = db_query(conn, sql, 0, NULL, &res, cause);
	PQclear(res);
	return rc;
}

int
migrate_run(PGconn *conn, size_t *applied, char **cause)
{
	unsigned char	*done = NULL;
	char		*ignored = NULL;
	size_t		 i;
	int		 rc, locked = 0;

	*applied = 0;
	*cause = NULL;
	if ((rc = migrate_lock(conn, "pg_advisory_lock", cause)) != AT_OK)
		goto out;
	locked = 1;
	if ((rc = db_command(conn, migrate_bootstrap_sql, cause)) != AT_OK)
		goto out;
	if ((done = calloc(migrate_file_count + 1, 1)) == NULL) {
		rc = AT_ENOMEM;
		goto out;
	}
	if ((rc = migrate_read_applied(conn, done, cause)) != AT_OK)
		goto out;
	for (i = 0; i < migrate_file_count; i++) {
		if (done[i])
			continue;
		log_info("applying %s", migrate_files[i].name);
		rc = migrate_apply(conn, &migrate_files[i], cause);
		if (rc != AT_OK)
			goto out;
		(*applied)++;
	}
out:
	if (locked && migrate_lock(conn, "pg_advisory_unlock",
	    &ignored) != AT_OK)
		free(ignored);
	if (rc != AT_OK && *cause == NULL)
		*cause = util_printf("%s", error_string(rc));
	free(done);
	return rc;
}

int
migrate_pending(PGconn *conn, size_t *pending, char **cause)
{
	PGresult	*res = NULL;
	unsigned char	*done = NULL;
	size_t		 i;
	int		 rc;

	*pending = migrate_file_count;
	*cause = NULL;
	rc = db_query(conn, "SELECT to_regclass('schema_migrations') IS NULL",
	    0, NULL, &res, cause);
	if (rc != AT_OK)
		goto out;
	if (strcmp(PQgetvalue(res, 0, 0), "t") == 0)
		goto out;
	if ((done = calloc(migrate_file_count + 1, 1)) == NULL) {
		rc = AT_ENOMEM;
		goto out;
	}
	if ((rc = migrate_read_applied(conn, done, cause)) != AT_OK)
		goto out;
	for (i = 0; i < migrate_file_count; i++)
		if (done[i])
			(*pending)--;
out:
	PQclear(res);
	free(done);
	return rc;
}
