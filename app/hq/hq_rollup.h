/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_rollup: fills a roll-up table once, after an upgrade added it.
 *
 * Ingest keeps every roll-up (rating_days, rating_hours) in the batch's own
 * transaction; a database from before the migration that added one has
 * ratings but no rows in it. The first reader (or `tally-hq migrate`) fills
 * it from what the database holds, under the write lock and in one
 * transaction, and marks it done in dash_state under its name, so every
 * later reader pays one cached probe.
 */
#ifndef HQ_ROLLUP_H
#define HQ_ROLLUP_H

#include <stddef.h>

#include "hq_store.h"

struct hq_rollup {
	const char *name;    /* the table, and its mark in dash_state */
	const char *reader;  /* for errors: "summary", "dashboard" */
	const char *filling; /* logged before a fill, or NULL */
	const char *filled;  /* logged after it */
	/* Writes every row from the database's other tables; inside the transaction. */
	int (*rebuild)(struct hq_store *s, char *err, size_t errlen);
};

/* 0 when the roll-up is filled (now or before); -1 with err set. */
int hq_rollup_ready(struct hq_store *s, const struct hq_rollup *r, char *err, size_t errlen);

#endif
