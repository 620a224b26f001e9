/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_copy: moves a head office from one database to another
 * (`tally-hq copy --from SQLITE_PATH --to URI`), typically from SQLite to
 * PostgreSQL when a chain outgrows one machine. Every table is copied in
 * one transaction on the target and verified before it commits: the rows
 * of each table counted on both sides, and each kiosk's ratings summed up
 * into a checksum on both sides (printed). A mismatch, or any error,
 * rolls the target back to what it was.
 */
#ifndef HQ_COPY_H
#define HQ_COPY_H

#include <stddef.h>
#include <stdint.h>

struct hq_copy_options {
	const char *from;      /* the source: an SQLite path (or a URI) at this build's schema version */
	const char *to;        /* the target: a URI (or a path); migrated to this build's schema first */
	int replace;           /* a target holding ratings is emptied first; otherwise it is refused */
	void (*progress)(void *arg, const char *line); /* one line per table and per kiosk, or NULL */
	void *arg;
};

/* Tables copied, in the order they go in (users before the tables that refer to them). */
extern const char *const hq_copy_tables[];

/* Copies o->from into o->to. 0; 1 when the target holds ratings and o->replace is 0; -1 with err. */
int hq_copy(const struct hq_copy_options *o, char *err, size_t errlen);

/* `tally-hq copy ...`: argv[0] is "copy". The exit status. */
int hq_copy_main(int argc, char **argv);

#endif
