#include <stdlib.h>
#include <string.h>

#include "csv.h"

void
csv_reader_init(struct csv_reader *r, const char *data, size_t len)
{
	r->data = data;
	r->len = len;
	r->pos = 0;
	r->line = 1;
	if (len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0)
		r->pos = 3;
}

void
csv_record_clear(struct csv_record *rec)
{
	size_t	 i;

	for (i = 0; i < rec->count; i++)
		free(rec->fields[i]);
	rec->count = 0;
}

static int
csv_at_line_end(const struct csv_reader *r)
{
	return r->pos >= r->len || r->data[r->pos] == '\n' ||
	    (r->data[r->pos] == '\r' && r->pos + 1 < r->len &&
	    r->data[r->pos + 1] == '\n');
}

/* Steps over a line end (if any) at pos. */
static void
csv_skip_line_end(struct csv_reader *r)
{
	if (r->pos < r->len && r->data[r->pos] == '\r')
		r->pos++;
	if (r->pos < r->len && r->data[r->pos] == '\n') {
		r->pos++;
		r->line++;
	}
}

/* After an error: resume at the start of the next physical line. */
static void
csv_skip_rest_of_line(struct csv_reader *r)
{
	while (r->pos < r->len && r->data[r->pos] != '\n')
		r->pos++;
	csv_skip_line_end(r);
}

/* Reads one field at pos into buf; returns 0 or -1 with *why. */
static int
csv_read_field(struct csv_reader *r, char *buf, size_t *outlen,
    const char **why)
{
	size_t	 n = 0;
	char	 c;

	if (r->pos < r->len && r->data[r->pos] == '"') {
		r->pos++;
		for (;;) {
			if (r->pos >= r->len) {
				*why = "unterminated quoted field";
				return -1;
			}
			c = r->data[r->pos++];
			if (c == '"') {
				if (r->pos < r->len && r->data[r->pos] == '"')
					r->pos++;
				else
					break;
			} else if (c == '\n')
				r->line++;
			if (c == '\0') {
				*why = "NUL byte in field";
				return -1;
			}
			if (n == CSV_FIELD_MAX) {
				*why = "field longer than 4096 bytes";
				return -1;
			}
			buf[n++] = c;
		}
		if (!csv_at_line_end(r) && r->data[r->pos] != ',') {
			*why = "text after a closing quote";
			return -1;
		}
	} else {
		while (!csv_at_line_end(r) && r->data[r->pos] != ',') {
			c = r->data[r->pos++];
			if (c == '"') {
				*why = "quote inside an unquoted field";
				return -1;
			}
			if (c == '\0') {
				*why = "NUL byte in field";
				return -1;
			}
			if (n == CSV_FIELD_MAX) {
				*why = "field longer than 4096 bytes";
				return -1;
			}
			buf[n++] = c;
		}
	}
	*outlen = n;
	return 0;
}

int
csv_read(struct csv_reader *r, struct csv_record *rec, const char **why)
{
	char	 buf[CSV_FIELD_MAX];
	size_t	 n;

	csv_record_clear(rec);

	/* Blank lines (a trailing one is common) are not records. */
	while (r->pos < r->len && csv_at_line_end(r))
		csv_skip_line_end(r);
	if (r->pos >= r->len)
		return 0;

	rec->line = r->line;
	for (;;) {
		if (csv_read_field(r, buf, &n, why) == -1)
			goto fail;
		if (rec->count == CSV_FIELDS_MAX) {
			*why = "more than 64 fields";
			goto fail;
		}
		if ((rec->fields[rec->count] = malloc(n + 1)) == NULL) {
			*why = "out of memory";
			goto fail;
		}
		memcpy(rec->fields[rec->count], buf, n);
		rec->fields[rec->count++][n] = '\0';
		if (csv_at_line_end(r))
			break;
		r->pos++;	/* the comma */
	}
	csv_skip_line_end(r);
	return 1;
fail:
	csv_record_clear(rec);
	csv_skip_rest_of_line(r);
	return -1;
}
