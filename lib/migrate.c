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
    " applied_at timestamptz NOT NULL DEFAULT now());"
    "CREATE TABLE IF NOT EXISTS schema_functions ("
    " name text PRIMARY KEY,"
    " checksum text NOT NULL,"
    " applied_at timestamptz NOT NULL DEFAULT now())";

/*
 * v1's migrations, squashed into the first file of sql/migrations/ before
 * anything was deployed: a database that applied all of them has exactly
 * the baseline's tables, and its functions are replaced by the function
 * files like any others.
 */
#define MIGRATE_V1_FILES	"{001_schema.sql,002_api.sql," \
	"003_token_records.sql,004_stats_speed.sql,005_scan_speed.sql}"

/* Hex BLAKE2b-256 of a file's text: detects a changed file. */
static void
migrate_checksum(const struct migration *m, char out[65])
{
	unsigned char	 digest[32];

	crypto_generichash(digest, sizeof(digest),
	    (const unsigned char *)m->sql, m->len, NULL, 0);
	sodium_bin2hex(out, 65, digest, sizeof(digest));
}

/*
 * Takes a database that applied v1's migrations as at the baseline: their
 * rows give way to the baseline's, which keeps the time of the first.
 */
static enum at_error
migrate_squash_v1(PGconn *conn, char **cause)
{
	PGresult	*res = NULL;
	char		 sum[65];
	const char	*params[3];
	long		 n, all;
	enum at_error	 rc;

	params[0] = MIGRATE_V1_FILES;
	rc = db_query(conn, "SELECT count(*), cardinality($1::text[]) "
	    "FROM schema_migrations WHERE name = ANY($1::text[])", 1, params,
	    &res, cause);
	if (rc != AT_OK)
		goto out;
	n = strtol(PQgetvalue(res, 0, 0), NULL, 10);
	all = strtol(PQgetvalue(res, 0, 1), NULL, 10);
	PQclear(res);
	res = NULL;
	if (n == 0)
		goto out;
	if (n != all) {
		*cause = util_printf("the database applied %ld of v1's %ld "
		    "migrations %s: finish with the version that wrote them "
		    "first", n, all, MIGRATE_V1_FILES);
		rc = AT_ECONFLICT;
		goto out;
	}
	log_info("v1's migrations %s are %s", MIGRATE_V1_FILES,
	    migrate_files[0].name);
	migrate_checksum(&migrate_files[0], sum);
	params[1] = migrate_files[0].name;
	params[2] = sum;
	rc = db_query(conn, "WITH v1 AS (DELETE FROM schema_migrations "
	    "WHERE name = ANY($1::text[]) RETURNING applied_at) "
	    "INSERT INTO schema_migrations (name, checksum, applied_at) "
	    "SELECT $2, $3, min(applied_at) FROM v1", 3, params, &res, cause);
out:
	PQclear(res);
	return rc;
}

/*
 * Marks which files of list are recorded in table (done[i] = 1) with the
 * same checksum.  For numbered migrations (refuse_changed) a changed
 * file is an error; a changed function file is simply not done.
 */
static enum at_error
migrate_read_applied(PGconn *conn, const char *table,
    const struct migration *list, size_t count, int refuse_changed,
    unsigned char *done, char **cause)
{
	PGresult	*res = NULL;
	char		 sql[64], sum[65];
	size_t		 i;
	enum at_error	 rc;
	int		 row;

	snprintf(sql, sizeof(sql), "SELECT name, checksum FROM %s", table);
	if ((rc = db_query(conn, sql, 0, NULL, &res, cause)) != AT_OK)
		return rc;
	for (row = 0; row < PQntuples(res); row++) {
		const char	*name = PQgetvalue(res, row, 0);

		for (i = 0; i < count; i++)
			if (strcmp(list[i].name, name) == 0)
				break;
		if (i == count)
			continue;	/* from a newer version: keep going */
		migrate_checksum(&list[i], sum);
		if (strcmp(sum, PQgetvalue(res, row, 1)) == 0)
			done[i] = 1;
		else if (refuse_changed) {
			*cause = util_printf("%s was changed after it was "
			    "applied; add a new migration instead", name);
			rc = AT_ECONFLICT;
			goto out;
		}
	}
out:
	PQclear(res);
	return rc;
}

/* Runs one file and records it in table, inside the caller's
 * transaction. */
static enum at_error
migrate_apply(PGconn *conn, const char *table, const struct migration *m,
    char **cause)
{
	PGresult	*res = NULL;
	char		*body = NULL, *why = NULL, *sql = NULL;
	char		 sum[65];
	const char	*params[2];
	enum at_error	 rc;

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
	sql = util_printf("INSERT INTO %s (name, checksum) VALUES ($1, $2) "
	    "ON CONFLICT (name) DO UPDATE SET checksum = EXCLUDED.checksum, "
	    "applied_at = now()", table);
	if (sql == NULL) {
		rc = AT_ENOMEM;
		goto out;
	}
	rc = db_query(conn, sql, 2, params, &res, &why);
out:
	if (rc != AT_OK)
		*cause = util_printf("%s: %s", m->name,
		    why != NULL ? why : error_string(rc));
	free(why);
	free(sql);
	free(body);
	PQclear(res);
	return rc;
}

/* Applies the files of list not marked done, counting them in *n. */
static enum at_error
migrate_apply_pending(PGconn *conn, const char *table,
    const struct migration *list, size_t count, const unsigned char *done,
    size_t *n, char **cause)
{
	size_t	 i;
	enum at_error	 rc;

	for (i = 0; i < count; i++) {
		if (done[i])
			continue;
		log_info("applying %s", list[i].name);
		if ((rc = migrate_apply(conn, table, &list[i], cause)) != AT_OK)
			return rc;
		(*n)++;
	}
	return AT_OK;
}

enum at_error
migrate_grant(PGconn *conn, const char *role, char **cause)
{
	char		*quoted, *sql;
	enum at_error	 rc;

	*cause = NULL;
	if ((quoted = PQescapeIdentifier(conn, role, strlen(role))) == NULL)
		return AT_ENOMEM;
	sql = util_printf(
	    "BEGIN;"
	    "GRANT USAGE ON SCHEMA public TO %s;"
	    "GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA "
	    "public TO %s;"
	    "REVOKE ALL ON schema_migrations, schema_functions FROM %s;"
	    "GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO %s;"
	    "GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA public TO %s;"
	    "COMMIT", quoted, quoted, quoted, quoted, quoted);
	PQfreemem(quoted);
	if (sql == NULL)
		return AT_ENOMEM;
	rc = db_command(conn, sql, cause);
	if (rc != AT_OK)
		db_rollback(conn);
	free(sql);
	return rc;
}

enum at_error
migrate_run(PGconn *conn, struct migrate_counts *applied, char **cause)
{
	unsigned char	*done = NULL, *fresh = NULL;
	enum at_error	 rc;
	int		 begun = 0;

	memset(applied, 0, sizeof(*applied));
	*cause = NULL;
	done = calloc(migrate_file_count + 1, 1);
	fresh = calloc(migrate_function_count + 1, 1);
	if (done == NULL || fresh == NULL) {
		rc = AT_ENOMEM;
		goto out;
	}
	if ((rc = db_command(conn, "BEGIN", cause)) != AT_OK)
		goto out;
	begun = 1;
	/* Held to the end of the transaction. */
	if ((rc = db_command(conn, "SELECT pg_advisory_xact_lock("
	    MIGRATE_LOCK_KEY ")", cause)) != AT_OK ||
	    (rc = db_command(conn, migrate_bootstrap_sql, cause)) != AT_OK ||
	    (rc = migrate_squash_v1(conn, cause)) != AT_OK ||
	    (rc = migrate_read_applied(conn, "schema_migrations",
	    migrate_files, migrate_file_count, 1, done, cause)) != AT_OK ||
	    (rc = migrate_read_applied(conn, "schema_functions",
	    migrate_functions, migrate_function_count, 0, fresh,
	    cause)) != AT_OK ||
	    (rc = migrate_apply_pending(conn, "schema_migrations",
	    migrate_files, migrate_file_count, done, &applied->migrations,
	    cause)) != AT_OK ||
	    (rc = migrate_apply_pending(conn, "schema_functions",
	    migrate_functions, migrate_function_count, fresh,
	    &applied->functions, cause)) != AT_OK)
		goto out;
	rc = db_command(conn, "COMMIT", cause);
	begun = 0;
out:
	if (begun)
		db_rollback(conn);
	if (rc != AT_OK) {
		memset(applied, 0, sizeof(*applied));
		if (*cause == NULL)
			*cause = util_printf("%s", error_string(rc));
	}
	free(done);
	free(fresh);
	return rc;
}
