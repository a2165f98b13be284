/*
 * libFuzzer target: csv_read over any bytes until the end of the data.
 * Invariants: every call moves forward (so a bad file cannot loop), a
 * record has 1 to CSV_FIELDS_MAX fields of at most CSV_FIELD_MAX bytes
 * and no NUL, lines never go back, a malformed record says why and
 * leaves no fields behind.
 */
#include <assert.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "csv.h"

int	 LLVMFuzzerTestOneInput(const uint8_t *, size_t);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct csv_reader	 r;
	struct csv_record	 rec;
	const char		*why;
	size_t			 pos, i;
	unsigned long		 line = 0;
	int			 rc;

	memset(&rec, 0, sizeof(rec));
	csv_reader_init(&r, (const char *)data, size);
	for (;;) {
		pos = r.pos;
		why = NULL;
		rc = csv_read(&r, &rec, &why);
		assert(r.pos <= r.len);
		if (rc == 0) {
			assert(rec.count == 0 && r.pos == r.len);
			break;
		}
		assert(r.pos > pos);
		assert(rec.line >= line && rec.line <= r.line);
		line = rec.line;
		if (rc == -1) {
			assert(why != NULL && rec.count == 0);
			continue;
		}
		assert(rc == 1);
		assert(rec.count >= 1 && rec.count <= CSV_FIELDS_MAX);
		for (i = 0; i < rec.count; i++)
			assert(strlen(rec.fields[i]) <= CSV_FIELD_MAX);
	}
	csv_record_clear(&rec);
	return 0;
}
