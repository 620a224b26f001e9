/* SPDX-License-Identifier: Apache-2.0 */
/*
 * outbox: the kiosk store seen as a queue of ratings head office has not
 * acknowledged yet (ratings.acked = 0), for tally-sync and tallyctl.
 *
 * Rows leave the queue in seq order, and only by outbox_mark_acked after
 * head office said 200 to the batch that carried them. Nothing here deletes
 * an unacknowledged row; outbox_prune removes acknowledged ones past the
 * retention period. Write transactions are short (BEGIN IMMEDIATE, at most
 * a few thousand rows), so the kiosk's store_add never waits long for them.
 */
#ifndef TALLY_OUTBOX_H
#define TALLY_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "protocol.h"
#include "rating.h"
#include "store.h"
#include "timefix.h"

/*
 * Queued rows as the wire carries them (rating and corrected time). One
 * batch is reused from call to call; outbox_batch_free releases it.
 */
struct outbox_batch {
	struct protocol_rating *rows;
	size_t n, cap;
	/* Follow-up answers head office has not acknowledged: of this batch's
	 * rows, or of rows it acknowledged before (the answer came later). */
	struct protocol_reason *reasons;
	size_t nreasons, reasons_cap;
};

void outbox_batch_free(struct outbox_batch *b);

/*
 * Loads up to limit unacknowledged rows, lowest seq first, replacing b's
 * rows, and up to limit unacknowledged answers of ratings head office
 * holds or this batch carries (never of a rating sent later). A batch with
 * no rows may still carry answers. 0 or -1.
 */
int outbox_next(struct store *s, int limit, struct outbox_batch *b, char *err, size_t errlen);

/*
 * Marks exactly the rows of b acknowledged, in one transaction, then its
 * answers in another. 0, or -1: the rows (then none are) or the answers
 * are left unmarked and go again (head office takes a repeat as such).
 */
int outbox_mark_acked(struct store *s, const struct outbox_batch *b, char *err, size_t errlen);

/* 1 when at least one row (or answer) is unacknowledged, 0 when none, -1 on error. Cheap (index). */
int outbox_pending(struct store *s);

struct outbox_counts {
	int64_t unsent;            /* unacknowledged rows */
	int64_t acked;             /* acknowledged rows still kept */
	int64_t first_unsent_seq;  /* 0: none */
	int64_t oldest_unsent_ms;  /* its wall time (corrected if known); 0: none */
	int64_t last_seq;          /* highest seq held; 0: empty */
};

int outbox_counts(struct store *s, struct outbox_counts *c, char *err, size_t errlen);

/*
 * Deletes acknowledged rows whose time (corrected, else wall) is before
 * before_ms, a few thousand per transaction. Returns rows deleted, or -1.
 */
int64_t outbox_prune(struct store *s, int64_t before_ms, char *err, size_t errlen);

/*
 * Stores corrected_ms for every unacknowledged unsynced row that a later
 * synced reading of its boot can correct: a synced row of the same boot
 * further on in the store, or now (NULL when the clock is not synced now).
 * 1 when such rows might exist is cheap to test, so this is fast when there
 * is nothing to do. Returns the number of rows corrected, or -1.
 */
int64_t outbox_fix_times(struct store *s, const struct timefix_ref *now, char *err, size_t errlen);

#endif
