/*
 * lib/csv.h: RFC 4180 records, the line each one starts on, and recovery
 * after a malformed record so an import can report every bad line.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <criterion/criterion.h>

#include "csv.h"

/* A reader over a string literal, NUL bytes and all. */
#define READER(r, lit)	csv_reader_init((r), (lit), sizeof(lit) - 1)

static void
record_init(struct csv_record *rec)
{
	memset(rec, 0, sizeof(*rec));
}

/* Reads the next record and checks its line and fields (NULL-ended). */
static void
expect_record(struct csv_reader *r, struct csv_record *rec,
    unsigned long line, const char *const *fields)
{
	const char	*why = NULL;
	size_t		 i;
	int		 rc;

	rc = csv_read(r, rec, &why);
	cr_assert_eq(rc, 1, "expected a record at line %lu, got %d (%s)",
	    line, rc, why != NULL ? why : "");
	cr_assert_eq(rec->line, line, "record at line %lu, not %lu",
	    rec->line, line);
	for (i = 0; fields[i] != NULL; i++) {
		cr_assert_lt(i, rec->count, "line %lu: only %zu fields",
		    line, rec->count);
		cr_assert_str_eq(rec->fields[i], fields[i],
		    "line %lu field %zu", line, i);
	}
	cr_assert_eq(rec->count, i, "line %lu: %zu fields, not %zu", line,
	    rec->count, i);
}

/* Reads the next record and expects it to be malformed. */
static void
expect_error(struct csv_reader *r, struct csv_record *rec,
    unsigned long line, const char *reason)
{
	const char	*why = NULL;

	cr_assert_eq(csv_read(r, rec, &why), -1, "line %lu was accepted",
	    line);
	cr_assert_not_null(why);
	cr_assert_str_eq(why, reason);
	cr_assert_eq(rec->line, line, "error at line %lu, not %lu",
	    rec->line, line);
	cr_assert_eq(rec->count, 0, "a malformed record keeps no fields");
}

static void
expect_end(struct csv_reader *r, struct csv_record *rec)
{
	const char	*why = NULL;

	cr_assert_eq(csv_read(r, rec, &why), 0);
	cr_assert_eq(rec->count, 0);
	/* The end is sticky. */
	cr_assert_eq(csv_read(r, rec, &why), 0);
}

#define FIELDS(...)	((const char *const[]){ __VA_ARGS__, NULL })

Test(csv, simple_rows)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "username,email,name\nalice,a@x.org,Alice\n");
	expect_record(&r, &rec, 1, FIELDS("username", "email", "name"));
	expect_record(&r, &rec, 2, FIELDS("alice", "a@x.org", "Alice"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, empty_input)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "");
	expect_end(&r, &rec);
	READER(&r, "\n\r\n\n");
	expect_end(&r, &rec);
	READER(&r, "\xef\xbb\xbf");
	expect_end(&r, &rec);
}

Test(csv, quoted_commas)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "\"Doe, Jane\",jane,\"a,b,c\"\n");
	expect_record(&r, &rec, 1, FIELDS("Doe, Jane", "jane", "a,b,c"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, doubled_quotes)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "\"say \"\"hi\"\"\",\"\"\"\",\"\"\n");
	expect_record(&r, &rec, 1, FIELDS("say \"hi\"", "\"", ""));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, embedded_newlines)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "id,note\n"
	    "1,\"two\nlines\"\n"
	    "2,\"three\r\nlines\n\"\n"
	    "3,x\n");
	expect_record(&r, &rec, 1, FIELDS("id", "note"));
	expect_record(&r, &rec, 2, FIELDS("1", "two\nlines"));
	/* Starts on line 4; its two newlines push the next one to 7. */
	expect_record(&r, &rec, 4, FIELDS("2", "three\r\nlines\n"));
	expect_record(&r, &rec, 7, FIELDS("3", "x"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, crlf)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "a,b\r\n\"c\",\"d\"\r\n,\r\n");
	expect_record(&r, &rec, 1, FIELDS("a", "b"));
	expect_record(&r, &rec, 2, FIELDS("c", "d"));
	expect_record(&r, &rec, 3, FIELDS("", ""));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, missing_final_newline)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "a,b\nc,d");
	expect_record(&r, &rec, 1, FIELDS("a", "b"));
	expect_record(&r, &rec, 2, FIELDS("c", "d"));
	expect_end(&r, &rec);
	READER(&r, "x,\"y\"");
	expect_record(&r, &rec, 1, FIELDS("x", "y"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, bom_skipped)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "\xef\xbb\xbfusername,email\nbob,b@x.org\n");
	expect_record(&r, &rec, 1, FIELDS("username", "email"));
	expect_record(&r, &rec, 2, FIELDS("bob", "b@x.org"));
	expect_end(&r, &rec);
	/* Only at the start: elsewhere it is data. */
	READER(&r, "a\n\xef\xbb\xbf" "b\n");
	expect_record(&r, &rec, 1, FIELDS("a"));
	expect_record(&r, &rec, 2, FIELDS("\xef\xbb\xbf" "b"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, blank_lines_skipped)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "\n\na,b\n\r\n\nc\n\n");
	expect_record(&r, &rec, 3, FIELDS("a", "b"));
	expect_record(&r, &rec, 6, FIELDS("c"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, empty_fields)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "a,,b\na,b,\n,,\n\"\",x\n");
	expect_record(&r, &rec, 1, FIELDS("a", "", "b"));
	expect_record(&r, &rec, 2, FIELDS("a", "b", ""));
	expect_record(&r, &rec, 3, FIELDS("", "", ""));
	expect_record(&r, &rec, 4, FIELDS("", "x"));
	expect_end(&r, &rec);
	/* A trailing comma at the very end still counts. */
	READER(&r, "a,");
	expect_record(&r, &rec, 1, FIELDS("a", ""));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, spaces_are_data)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, " a , b \n");
	expect_record(&r, &rec, 1, FIELDS(" a ", " b "));
	csv_record_clear(&rec);
}

Test(csv, unterminated_quote)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "ok,1\nbad,\"never closed\nmore,2\n");
	expect_record(&r, &rec, 1, FIELDS("ok", "1"));
	/* The open quote takes the rest of the data with it. */
	expect_error(&r, &rec, 2, "unterminated quoted field");
	expect_end(&r, &rec);
}

Test(csv, text_after_closing_quote)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "\"a\"b,c\nx,y\n");
	expect_error(&r, &rec, 1, "text after a closing quote");
	expect_record(&r, &rec, 2, FIELDS("x", "y"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, quote_inside_unquoted_field)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "first\nab\"c,d\r\nx,y\r\n");
	expect_record(&r, &rec, 1, FIELDS("first"));
	expect_error(&r, &rec, 2, "quote inside an unquoted field");
	expect_record(&r, &rec, 3, FIELDS("x", "y"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, nul_byte)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "a\0b,c\n\"q\0\",d\nx\n");
	expect_error(&r, &rec, 1, "NUL byte in field");
	expect_error(&r, &rec, 2, "NUL byte in field");
	expect_record(&r, &rec, 3, FIELDS("x"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, field_too_long)
{
	struct csv_reader	 r;
	struct csv_record	 rec;
	char			*data, *p;
	const char		*why = NULL;
	size_t			 len;

	record_init(&rec);
	/* CSV_FIELD_MAX fits; one more byte, quoted or not, does not. */
	len = (CSV_FIELD_MAX + 1) + 1 + (CSV_FIELD_MAX + 3) + 1 +
	    CSV_FIELD_MAX + 1 + 3;
	cr_assert_not_null(data = malloc(len));
	p = data;
	memset(p, 'x', CSV_FIELD_MAX + 1);
	p += CSV_FIELD_MAX + 1;
	*p++ = '\n';
	*p++ = '"';
	memset(p, 'y', CSV_FIELD_MAX + 1);
	p += CSV_FIELD_MAX + 1;
	*p++ = '"';
	*p++ = '\n';
	memset(p, 'z', CSV_FIELD_MAX);
	p += CSV_FIELD_MAX;
	*p++ = '\n';
	memcpy(p, "ok\n", 3);
	p += 3;
	cr_assert_eq((size_t)(p - data), len);

	csv_reader_init(&r, data, len);
	expect_error(&r, &rec, 1, "field longer than 4096 bytes");
	expect_error(&r, &rec, 2, "field longer than 4096 bytes");
	cr_assert_eq(csv_read(&r, &rec, &why), 1);
	cr_assert_eq(rec.line, 3);
	cr_assert_eq(rec.count, 1);
	cr_assert_eq(strlen(rec.fields[0]), CSV_FIELD_MAX);
	cr_assert_eq(rec.fields[0][CSV_FIELD_MAX - 1], 'z');
	expect_record(&r, &rec, 4, FIELDS("ok"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
	free(data);
}

/* A line of n one-letter fields. */
static char *
make_fields(size_t n)
{
	char	*s;
	size_t	 i;

	cr_assert_not_null(s = malloc(2 * n + 1));
	for (i = 0; i < n; i++) {
		s[2 * i] = (char)('a' + i % 26);
		s[2 * i + 1] = i + 1 < n ? ',' : '\n';
	}
	s[2 * n] = '\0';
	return s;
}

Test(csv, too_many_fields)
{
	struct csv_reader	 r;
	struct csv_record	 rec;
	char			*many, *max, *data;
	const char		*why = NULL;

	record_init(&rec);
	many = make_fields(CSV_FIELDS_MAX + 1);
	max = make_fields(CSV_FIELDS_MAX);
	cr_assert_neq(asprintf(&data, "%s%sok\n", many, max), -1);

	csv_reader_init(&r, data, strlen(data));
	expect_error(&r, &rec, 1, "more than 64 fields");
	cr_assert_eq(csv_read(&r, &rec, &why), 1);
	cr_assert_eq(rec.line, 2);
	cr_assert_eq(rec.count, CSV_FIELDS_MAX);
	cr_assert_str_eq(rec.fields[CSV_FIELDS_MAX - 1], "l");
	expect_record(&r, &rec, 3, FIELDS("ok"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
	free(many);
	free(max);
	free(data);
}

/* The next record's line counts the newlines of the bad one. */
Test(csv, resume_after_multiline_error)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "\"a\nb\"x,y\nok\n");
	expect_error(&r, &rec, 1, "text after a closing quote");
	expect_record(&r, &rec, 3, FIELDS("ok"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

/* Every bad line of a file is reported in one pass. */
Test(csv, several_errors)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	READER(&r, "h1,h2\n"
	    "a\"\n"
	    "good,1\n"
	    "\"x\"y\n"
	    "\n"
	    "good,2");
	expect_record(&r, &rec, 1, FIELDS("h1", "h2"));
	expect_error(&r, &rec, 2, "quote inside an unquoted field");
	expect_record(&r, &rec, 3, FIELDS("good", "1"));
	expect_error(&r, &rec, 4, "text after a closing quote");
	expect_record(&r, &rec, 6, FIELDS("good", "2"));
	expect_end(&r, &rec);
	csv_record_clear(&rec);
}

Test(csv, clear_is_idempotent)
{
	struct csv_reader	 r;
	struct csv_record	 rec;

	record_init(&rec);
	csv_record_clear(&rec);
	READER(&r, "a,b\n");
	expect_record(&r, &rec, 1, FIELDS("a", "b"));
	csv_record_clear(&rec);
	cr_assert_eq(rec.count, 0);
	csv_record_clear(&rec);
}
