/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_store_impl: what the files of the alert store share
 * (hq_alert_store.c rules, hq_alert_outbox.c episodes and the outbox,
 * hq_alert_hours.c opening hours): small helpers over hq_db. Nothing
 * outside those files includes it; the rest of head office uses
 * hq_alert_store.h.
 */
#ifndef HQ_ALERT_STORE_IMPL_H
#define HQ_ALERT_STORE_IMPL_H

#include <stddef.h>
#include <stdint.h>

#include "hq_db.h"

/* Prepares sql; -1 with err "what: why". */
int hq_alert_prep(struct hq_db *s, const char *sql, struct hq_db_stmt **st, const char *what, char *err, size_t errlen);
/* Runs st to its end and finalises it. 0, or -1 with err. */
int hq_alert_run(struct hq_db *s, struct hq_db_stmt *st, const char *what, char *err, size_t errlen);
/* The next id of table (max + 1), inside a write transaction. */
int64_t hq_alert_next_id(struct hq_db *s, const char *table);
/* A write transaction under the process write lock (hq_store_write_lock); 0 or -1 with err. */
int hq_alert_tx_begin(struct hq_db *s, char *err, size_t errlen);
/* Commits (ok) or rolls back, and lets the write lock go. 0, or -1 with err. */
int hq_alert_tx_end(struct hq_db *s, int ok, char *err, size_t errlen);
/* Column i as text into out ("" for NULL); malloc'd by dup_col. */
void hq_alert_text_col(struct hq_db_stmt *st, int i, char *out, size_t len);
char *hq_alert_dup_col(struct hq_db_stmt *st, int i);

#endif
