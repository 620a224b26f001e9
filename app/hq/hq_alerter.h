/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alerter: tally-hq's alert thread. It checks the rules (hq_alert_eval),
 * queues the reports due (hq_report) and sends what the outbox holds
 * (hq_deliver), on its own database connection: woken after each ingest
 * group that stored ratings, and at least every check_s seconds (a silent
 * kiosk makes no ingest), and when a retry falls due.
 *
 * A failed delivery is tried again after retry_s, doubling per failure up
 * to an hour, until max_attempts; then given up and logged. The outbox is
 * in the database, so a restart resumes the retries.
 */
#ifndef HQ_ALERTER_H
#define HQ_ALERTER_H

#include <stddef.h>
#include <stdint.h>

#include "hq_alert_eval.h"
#include "hq_deliver.h"

struct hq_alerter_options {
	const char *db_path;
	struct hq_alert_env env;
	struct hq_deliver_conf deliver;
	const char *webhook_secret;   /* for rules without their own; "" none */
	double check_s;
	double retry_s;
	int max_attempts;
};

/* What one pass does. */
enum { HQ_ALERTER_ALERTS = 1, HQ_ALERTER_REPORTS = 2, HQ_ALERTER_SEND = 4 };

/* What one pass did. */
struct hq_alerter_pass_stats {
	int opened, cleared, reports, sent, failed, gave_up;
};

/*
 * One pass at now_ms on db: checks alerts, queues reports and sends what
 * is due, as `what` says. For the thread and for `tally-hq alerts check` /
 * `report --now` (a clock of the caller's). 0, or -1 with err.
 */
int hq_alerter_pass(struct hq_store *db, const struct hq_alerter_options *o, int64_t now_ms, unsigned what,
		    struct hq_alerter_pass_stats *st, char *err, size_t errlen);

struct hq_alerter;

/* Starts the thread with its own connection. 0, or -1 with err. */
int hq_alerter_start(struct hq_alerter **out, const struct hq_alerter_options *o, char *err, size_t errlen);
/* Wakes the thread for a check now (cheap; any thread). */
void hq_alerter_poke(void *alerter);
/* Finishes the pass under way and stops. */
void hq_alerter_stop(struct hq_alerter *a);

#endif
