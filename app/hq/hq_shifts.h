/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_shifts: head office's record of each kiosk's shift schedules, and the
 * summary's figures per shift (GET /api/v1/summary?day=D&by=shift).
 *
 * Schedules arrive with the rating batches (protocol.h, "shifts") and are
 * kept as (kiosk, valid_from, definition), never overwritten: a store that
 * changes its shifts on Wednesday has Monday counted by Monday's schedule,
 * now and in every later summary.
 */
#ifndef HQ_SHIFTS_H
#define HQ_SHIFTS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "hq_store.h"
#include "protocol.h"

/*
 * Keeps the schedules of batch b for kiosk_id (repeats ignored), inside the
 * caller's open transaction: ingest writes them with the batch's ratings,
 * so an acknowledged batch never lacks its shift names. 0, or -1 on a
 * database error (the caller rolls the batch back).
 */
int hq_shifts_ingest(struct hq_store *s, const char *kiosk_id, const struct protocol_batch *b, int64_t now_ms);

/*
 * The "shifts" member of a summary for kiosk k on local date `date`: the
 * kiosk's own shifts, and its store's shifts grouped by name over every
 * kiosk of the store that has a schedule, each kiosk's ratings counted by
 * its own schedule and zone. *out is a new JSON object. 0 or -1 with err.
 */
int hq_shifts_summary(struct hq_store *s, const struct hq_kiosk *k, struct tzdate date, json_t **out, char *err,
		      size_t errlen);

#endif
