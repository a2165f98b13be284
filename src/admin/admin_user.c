#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "admin_args.h"
#include "admin_user.h"
#include "csv.h"
#include "password.h"
#include "sso.h"
#include "user_store.h"
#include "util.h"
#include "validate.h"

#define IMPORT_FILE_MAX		(64L * 1024 * 1024)
#define IMPORT_ROWS_MAX		100000
#define IMPORT_HEADER		"role,username,email,display_name,password"
#define IMPORT_HEADER_SSO	IMPORT_HEADER ",external_id"

/* The columns of a file; the last one is optional. */
enum { IMPORT_ROLE, IMPORT_USERNAME, IMPORT_EMAIL, IMPORT_DISPLAY_NAME,
    IMPORT_PASSWORD, IMPORT_EXTERNAL_ID, IMPORT_FIELDS };

static const char *const import_columns[IMPORT_FIELDS] = {
	"role", "username", "email", "display_name", "password", "external_id"
};

/* One account being created, with the storage its strings point into. */
struct admin_user_row {
	struct csv_record	 record;
	unsigned long		 line;
	char			 hash[PASSWORD_HASH_SIZE];
};

/*
 * Checks one account's fields (trimmed in place, except the password,
 * which is taken as typed); a password or an external id (NULL for
 * none, "" too) is needed.  *why is static.
 */
static int
admin_user_check(char *role, char *username, char *email,
    char *display_name, const char *password, char *external_id,
    const char **why)
{
	const char	*reason;

	if (validate_role(util_trim(role), why) == -1 ||
	    validate_username(util_trim(username), why) == -1 ||
	    validate_email(util_trim(email), why) == -1)
		return -1;
	if (validate_text(util_trim(display_name), VALIDATE_NAME_MAX,
	    &reason) == -1) {
		*why = strcmp(reason, "is empty") == 0 ?
		    "display name is empty" :
		    strcmp(reason, "is too long") == 0 ?
		    "display name is longer than 200 characters" :
		    "display name must be UTF-8 text without control "
		    "characters";
		return -1;
	}
	if (external_id != NULL && *util_trim(external_id) != '\0') {
		if (!sso_attribute_ok(external_id, SSO_ATTRIBUTE_MAX)) {
			*why = "external id must be at most 256 bytes of UTF-8 "
			    "text without control characters";
			return -1;
		}
		if (password == NULL || password[0] == '\0')
			return 0;
	}
	if (password == NULL) {
		*why = "external id is empty";
		return -1;
	}
	return validate_password(password, why);
}

static void
admin_user_report_taken(const char *where, const struct user_new *u)
{
	if (u->taken & USER_TAKEN_USERNAME)
		fprintf(stderr, "%s: username '%s' is already taken\n", where,
		    u->username);
	if (u->taken & USER_TAKEN_EMAIL)
		fprintf(stderr, "%s: email '%s' is already taken\n", where,
		    u->email);
	if (u->taken & USER_TAKEN_EXTERNAL_ID)
		fprintf(stderr, "%s: external id '%s' is already taken\n",
		    where, u->external_id);
}

static int
admin_user_add(struct admin *admin, int argc, char **argv)
{
	struct admin_args_user_add args;
	struct user_new		 user;
	char			 password[VALIDATE_PASSWORD_MAX + 1];
	char			 hash[PASSWORD_HASH_SIZE];
	char			 role[16], *username = NULL, *email = NULL;
	char			*display_name = NULL, *external_id = NULL;
	char			*cause = NULL;
	const char		*why;
	enum at_error		 rc;
	int			 status = ADMIN_EXIT_FAILURE;

	if (admin_args_parse_user_add(argc, argv, &args, &cause) == -1) {
		admin_error("%s", cause != NULL ? cause : "out of memory");
		free(cause);
		return ADMIN_EXIT_USAGE;
	}
	snprintf(role, sizeof(role), "%s", args.role);
	username = strdup(args.username);
	email = strdup(args.email);
	display_name = strdup(args.display_name);
	if (args.external_id != NULL)
		external_id = strdup(args.external_id);
	if (username == NULL || email == NULL || display_name == NULL ||
	    (args.external_id != NULL && external_id == NULL)) {
		admin_error("out of memory");
		goto out;
	}
	if (strlen(args.role) >= sizeof(role))
		role[0] = '\0';		/* too long to be valid */
	password[0] = '\0';
	if ((external_id == NULL &&
	    admin_args_read_password(stdin, password, &why) == -1) ||
	    admin_user_check(role, username, email, display_name,
	    external_id == NULL ? password : NULL, external_id, &why) == -1) {
		admin_error("user add: %s", why);
		goto out;
	}
	if (external_id == NULL && password_hash(password, hash) != AT_OK) {
		admin_error("user add: cannot hash the password (out of "
		    "memory)");
		goto out;
	}
	if (admin_connect(admin) != 0)
		goto out;
	memset(&user, 0, sizeof(user));
	user.role = role;
	user.username = username;
	user.email = email;
	user.display_name = display_name;
	user.password_hash = external_id == NULL ? hash : NULL;
	user.external_id = external_id;
	rc = user_store_create(admin->conn, &user, 1, &cause);
	if (rc == AT_ECONFLICT && user.taken != 0)
		admin_user_report_taken("attendance-admin: user add", &user);
	else if (rc != AT_OK)
		admin_error("user add: %s", cause != NULL ? cause :
		    error_string(rc));
	else {
		printf("%s\n", user.id);
		status = ADMIN_EXIT_OK;
	}
out:
	sodium_memzero(password, sizeof(password));
	free(cause);
	free(username);
	free(email);
	free(display_name);
	free(external_id);
	return status;
}

/* Reads a whole file of at most IMPORT_FILE_MAX bytes; *data is malloc'd. */
static int
admin_user_slurp(const char *path, char **data, size_t *len)
{
	FILE	*fp;
	char	*buf = NULL;
	size_t	 n = 0, cap = 0, got;
	int	 rc = -1;

	if ((fp = fopen(path, "rb")) == NULL) {
		admin_error("%s: %s", path, strerror(errno));
		return -1;
	}
	for (;;) {
		if (n == cap) {
			char	*grown;

			cap = cap == 0 ? 65536 : cap * 2;
			if ((grown = realloc(buf, cap + 1)) == NULL) {
				admin_error("%s: out of memory", path);
				goto out;
			}
			buf = grown;
		}
		got = fread(buf + n, 1, cap - n, fp);
		n += got;
		if (n > IMPORT_FILE_MAX) {
			admin_error("%s: larger than 64 MiB", path);
			goto out;
		}
		if (got == 0)
			break;
	}
	if (ferror(fp)) {
		admin_error("%s: %s", path, strerror(errno));
		goto out;
	}
	buf[n] = '\0';
	*data = buf;
	*len = n;
	buf = NULL;
	rc = 0;
out:
	free(buf);
	fclose(fp);
	return rc;
}

/* The header: *columns is its count, with or without external_id. */
static int
admin_user_check_header(const char *path, const struct csv_record *rec,
    size_t *columns)
{
	size_t	 i;

	if (rec->count == IMPORT_FIELDS || rec->count == IMPORT_FIELDS - 1) {
		for (i = 0; i < rec->count; i++)
			if (strcmp(util_trim(rec->fields[i]),
			    import_columns[i]) != 0)
				break;
		if (i == rec->count) {
			*columns = rec->count;
			return 0;
		}
	}
	fprintf(stderr, "%s:%lu: header must be " IMPORT_HEADER " (or "
	    IMPORT_HEADER_SSO ")\n", path, rec->line);
	return -1;
}

struct admin_user_key {
	const char	*value;
	size_t		 row;
	int		 exact;	/* compared as bytes, not without case */
};

static int
admin_user_key_differ(const struct admin_user_key *a,
    const struct admin_user_key *b)
{
	return a->exact ? strcmp(a->value, b->value) :
	    util_strcasecmp(a->value, b->value);
}

static int
admin_user_key_compare(const void *a, const void *b)
{
	const struct admin_user_key	*ka = a, *kb = b;
	int				 c;

	if ((c = admin_user_key_differ(ka, kb)) != 0)
		return c;
	return ka->row < kb->row ? -1 : ka->row > kb->row;
}

/* Reports rows that repeat an earlier row's field; returns how many. */
static size_t
admin_user_find_repeats(const char *path, struct admin_user_row *rows,
    size_t count, int field, struct admin_user_key *keys)
{
	size_t	 i, bad = 0;

	for (i = 0; i < count; i++) {
		keys[i].value = rows[i].record.fields[field];
		keys[i].row = i;
		/* Usernames and emails are unique without regard to case;
		 * a subject is the identity provider's, byte for byte. */
		keys[i].exact = field == IMPORT_EXTERNAL_ID;
	}
	qsort(keys, count, sizeof(*keys), admin_user_key_compare);
	/* Empty external ids are none, and repeat nothing. */
	for (i = 1; i < count; i++) {
		if (admin_user_key_differ(&keys[i], &keys[i - 1]) != 0 ||
		    keys[i].value[0] == '\0')
			continue;
		fprintf(stderr, "%s:%lu: %s '%s' repeats line %lu\n", path,
		    rows[keys[i].row].line, import_columns[field],
		    keys[i].value, rows[keys[i - 1].row].line);
		bad++;
	}
	return bad;
}

/* An import in progress: the good rows so far, and how many were bad. */
struct admin_import {
	const char		*path;
	struct admin_user_row	*rows;	/* rows[0..count) hold fields */
	size_t			 count, capacity;
	size_t			 bad;
	size_t			 columns;	/* of the header */
};

/*
 * The first phase: every row on its own, each bad one reported as
 * FILE:LINE: reason.  Returns -1 when out of memory.
 */
static int
admin_import_read(struct admin_import *im, struct csv_reader *reader)
{
	struct admin_user_row	*row, *grown;
	const char		*why;
	char			**f;
	int			 r;

	for (;;) {
		if (im->count == IMPORT_ROWS_MAX) {
			fprintf(stderr, "%s:%lu: more than %d rows\n", im->path,
			    reader->line, IMPORT_ROWS_MAX);
			im->bad++;
			return 0;
		}
		if (im->count == im->capacity) {
			im->capacity = im->capacity == 0 ? 64 :
			    im->capacity * 2;
			grown = realloc(im->rows,
			    im->capacity * sizeof(*im->rows));
			if (grown == NULL)
				return -1;
			im->rows = grown;
			memset(im->rows + im->count, 0, (im->capacity -
			    im->count) * sizeof(*im->rows));
		}
		row = &im->rows[im->count];
		if ((r = csv_read(reader, &row->record, &why)) == 0)
			return 0;
		row->line = row->record.line;
		if (r == -1) {
			fprintf(stderr, "%s:%lu: %s\n", im->path, row->line,
			    why);
			im->bad++;
			continue;
		}
		f = row->record.fields;
		if (row->record.count != im->columns) {
			fprintf(stderr, "%s:%lu: expected %zu fields (%s), "
			    "found %zu\n", im->path, row->line, im->columns,
			    im->columns == IMPORT_FIELDS ? IMPORT_HEADER_SSO :
			    IMPORT_HEADER, row->record.count);
		} else if (admin_user_check(f[IMPORT_ROLE], f[IMPORT_USERNAME],
		    f[IMPORT_EMAIL], f[IMPORT_DISPLAY_NAME],
		    f[IMPORT_PASSWORD], im->columns == IMPORT_FIELDS ?
		    f[IMPORT_EXTERNAL_ID] : NULL, &why) == -1)
			fprintf(stderr, "%s:%lu: %s\n", im->path, row->line,
			    why);
		else {
			im->count++;
			continue;
		}
		csv_record_clear(&row->record);
		im->bad++;
	}
}

/*
 * The last phase, once every row is good: hash the passwords (slow by
 * design) and store all rows at once, or none, reporting each row that
 * clashes with an existing account.
 */
static int
admin_import_store(struct admin *admin, struct admin_import *im)
{
	struct user_new	*users;
	char		*cause = NULL, where[512];
	size_t		 i, taken = 0;
	enum at_error	 rc;
	int		 status = ADMIN_EXIT_FAILURE;

	if ((users = calloc(im->count, sizeof(*users))) == NULL) {
		admin_error("out of memory");
		return ADMIN_EXIT_FAILURE;
	}
	for (i = 0; i < im->count; i++) {
		char	**f = im->rows[i].record.fields;

		if (f[IMPORT_PASSWORD][0] != '\0' &&
		    password_hash(f[IMPORT_PASSWORD], im->rows[i].hash) !=
		    AT_OK) {
			admin_error("cannot hash a password (out of memory)");
			goto out;
		}
		users[i].role = f[IMPORT_ROLE];
		users[i].username = f[IMPORT_USERNAME];
		users[i].email = f[IMPORT_EMAIL];
		users[i].display_name = f[IMPORT_DISPLAY_NAME];
		users[i].password_hash = f[IMPORT_PASSWORD][0] != '\0' ?
		    im->rows[i].hash : NULL;
		if (im->columns == IMPORT_FIELDS &&
		    f[IMPORT_EXTERNAL_ID][0] != '\0')
			users[i].external_id = f[IMPORT_EXTERNAL_ID];
	}
	if (admin_connect(admin) != 0)
		goto out;
	rc = user_store_create(admin->conn, users, im->count, &cause);
	if (rc == AT_ECONFLICT) {
		for (i = 0; i < im->count; i++) {
			if (users[i].taken == 0)
				continue;
			snprintf(where, sizeof(where), "%s:%lu", im->path,
			    im->rows[i].line);
			admin_user_report_taken(where, &users[i]);
			taken++;
		}
		if (taken == 0)
			admin_error("%s: %s", im->path, cause != NULL ? cause :
			    "username or email already taken");
		admin_error("%s: %zu row%s conflict with existing users, "
		    "nothing imported", im->path, taken, taken == 1 ? "" : "s");
		goto out;
	}
	if (rc != AT_OK) {
		admin_error("%s: %s, nothing imported", im->path,
		    cause != NULL ? cause : error_string(rc));
		goto out;
	}
	printf("%zu user%s imported\n", im->count, im->count == 1 ? "" : "s");
	status = ADMIN_EXIT_OK;
out:
	free(users);
	free(cause);
	return status;
}

/*
 * user import FILE.csv: all rows or none.  Three phases: each row on its
 * own, then repeats among the rows, then the store (which finds clashes
 * with existing accounts); every bad row of a phase is reported before
 * the import stops.
 */
static int
admin_user_import(struct admin *admin, int argc, char **argv)
{
	struct admin_import	 im;
	struct csv_reader	 reader;
	struct csv_record	 header;
	struct admin_user_key	*keys = NULL;
	const char		*why;
	char			*data = NULL;
	size_t			 len = 0, i;
	int			 status = ADMIN_EXIT_FAILURE, r;

	memset(&im, 0, sizeof(im));
	memset(&header, 0, sizeof(header));
	if (argc != 2) {
		admin_error("usage: user import FILE.csv");
		return ADMIN_EXIT_USAGE;
	}
	im.path = argv[1];
	if (admin_user_slurp(im.path, &data, &len) == -1)
		return ADMIN_EXIT_FAILURE;
	csv_reader_init(&reader, data, len);
	if ((r = csv_read(&reader, &header, &why)) != 1) {
		fprintf(stderr, "%s:%lu: %s\n", im.path, r == 0 ? 1UL :
		    header.line, r == 0 ? "empty file, expected the header "
		    IMPORT_HEADER : why);
		goto out;
	}
	if (admin_user_check_header(im.path, &header, &im.columns) == -1)
		goto out;
	if (admin_import_read(&im, &reader) == -1) {
		admin_error("out of memory");
		goto out;
	}
	if (im.count > 0) {
		if ((keys = calloc(im.count, sizeof(*keys))) == NULL) {
			admin_error("out of memory");
			goto out;
		}
		im.bad += admin_user_find_repeats(im.path, im.rows, im.count,
		    IMPORT_USERNAME, keys);
		im.bad += admin_user_find_repeats(im.path, im.rows, im.count,
		    IMPORT_EMAIL, keys);
		if (im.columns == IMPORT_FIELDS)
			im.bad += admin_user_find_repeats(im.path, im.rows,
			    im.count, IMPORT_EXTERNAL_ID, keys);
	}
	if (im.bad > 0)
		admin_error("%s: %zu bad row%s, nothing imported", im.path,
		    im.bad, im.bad == 1 ? "" : "s");
	else if (im.count == 0)
		admin_error("%s: no rows after the header, nothing imported",
		    im.path);
	else
		status = admin_import_store(admin, &im);
out:
	for (i = 0; i < im.count; i++) {
		sodium_memzero(im.rows[i].record.fields[IMPORT_PASSWORD],
		    strlen(im.rows[i].record.fields[IMPORT_PASSWORD]));
		csv_record_clear(&im.rows[i].record);
	}
	csv_record_clear(&header);
	if (data != NULL)
		sodium_memzero(data, len);
	free(im.rows);
	free(keys);
	free(data);
	return status;
}

int
admin_user_main(struct admin *admin, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "add") == 0)
		return admin_user_add(admin, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return admin_user_import(admin, argc - 1, argv + 1);
	admin_error("usage: user add ... | user import FILE.csv");
	return ADMIN_EXIT_USAGE;
}
