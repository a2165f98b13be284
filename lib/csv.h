/*
 * An RFC 4180 CSV reader over a buffer the caller owns: comma-separated,
 * double-quoted fields with "" for a quote, quoted fields may span lines,
 * CRLF or LF line ends, an optional UTF-8 byte order mark, blank lines
 * skipped.  A malformed record is reported and skipped, so a caller can
 * report every bad line of a file in one pass.
 */
#ifndef ATTENDANCE_CSV_H
#define ATTENDANCE_CSV_H

#include <stddef.h>

#define CSV_FIELD_MAX	4096	/* bytes in one field */
#define CSV_FIELDS_MAX	64	/* fields in one record */

struct csv_reader {
	const char	*data;
	size_t		 len, pos;
	unsigned long	 line;		/* physical line at pos, from 1 */
};

struct csv_record {
	char		*fields[CSV_FIELDS_MAX];	/* malloc'd, owned */
	size_t		 count;
	unsigned long	 line;		/* where the record starts */
};

void	 csv_reader_init(struct csv_reader *, const char *data, size_t len);

/*
 * Reads the next record into rec (cleared first).  Returns 1 for a
 * record, 0 at the end of the data, -1 for a malformed record with *why
 * set to a static reason and rec->line to its line; reading goes on at
 * the next line.  Out of memory is -1 with *why "out of memory".
 */
int	 csv_read(struct csv_reader *, struct csv_record *rec,
	    const char **why);

/* Frees the fields; the record itself is the caller's. */
void	 csv_record_clear(struct csv_record *);

#endif
