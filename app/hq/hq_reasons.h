/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_reasons: follow-up answers at head office. A batch's "reasons"
 * (protocol.h) are applied to the ratings they belong to inside the
 * batch's own transaction, and counted per kiosk, quarter hour and kind in
 * reason_counts (migration 7 in hq_store.c) for summaries and the API.
 *
 * Exactly once: an answer is written to a rating that has none; the same
 * answer again (a batch whose ack was lost) changes nothing and counts
 * nothing; another answer for a rating that has one is a conflict
 * (field "reason"), like any other content that differs. An answer for a
 * rating head office does not hold is dropped with a log line (its rating
 * is a gap that head office names). Misuse and closed ratings keep their
 * answer but are not counted, as their ratings are not.
 */
#ifndef HQ_REASONS_H
#define HQ_REASONS_H

#include <stddef.h>
#include <stdint.h>

#include "hq_store.h"
#include "protocol.h"

/*
 * Applies b's reasons for kiosk_id's install (its row id in installs),
 * inside the caller's open transaction. Conflicts are added to c (the
 * caller rolls the batch back). 0, or -1 on a database error.
 */
int hq_reasons_ingest(struct hq_store *s, const char *kiosk_id, int64_t install_ref,
		      const struct protocol_batch *b, struct protocol_conflict *c);

/* One reason and how often it was given. */
struct hq_reason_count {
	char reason[65];
	int positive;            /* given after a positive rating */
	int64_t n;
};

/*
 * Counted answers of kiosk_id (NULL: every kiosk of store; both NULL: the
 * chain) in [from_ms, to_ms), most given first, at most max. Returns how
 * many were filled, or -1 with err.
 */
int hq_reasons_top(struct hq_store *s, const char *kiosk_id, const char *store, int64_t from_ms, int64_t to_ms,
		   struct hq_reason_count *out, int max, char *err, size_t errlen);

/*
 * Adds a "reasons" member to the summary JSON *body (GET /api/v1/summary):
 * the day's counted answers of the kiosk, of its store and of the chain,
 * each [{"reason":..,"after":"positive"|"negative","count":N},...], most
 * given first. *body is replaced (malloc'd), *len updated. 0, or -1 with
 * err (body unchanged).
 */
struct tzdate;
int hq_reasons_add_to_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date, char **body,
			      size_t *len, char *err, size_t errlen);

#endif
