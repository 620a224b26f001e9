/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_report: the daily and weekly report of a store or region (the
 * figures, the mail, the webhook body) and when each is due.
 *
 * A report rule (hq_alert_store.h, kind daily or weekly) is due once its
 * send time (send_at, or [alerts] report_time) has passed in its store's
 * zone: a daily one each day for the day before, a weekly one on Mondays
 * for the ISO week before. A region's covers the same dates in each of
 * its stores' own local days, and is due once the send time has passed in
 * every one of their zones: when the last store's period has closed (its
 * stores in Auckland and Los Angeles get Sunday's report on Monday
 * morning in Los Angeles, with Los Angeles's Sunday evening in it). A
 * period missed entirely (head office down all that day) is not sent
 * later; one sent is never sent again (report_runs).
 *
 * Figures leave misuse and closed-hours presses out (and say how many);
 * the best hour is the local hour with the highest Happy Index among those
 * with at least HQ_REPORT_HOUR_MIN ratings of a trusted time.
 */
#ifndef HQ_REPORT_H
#define HQ_REPORT_H

#include <stddef.h>
#include <stdint.h>

#include "hq_alert_eval.h"
#include "hq_store.h"
#include "tzday.h"

#define HQ_REPORT_MAX_DAYS 7
#define HQ_REPORT_HOUR_MIN 3

struct hq_report_figures {
	struct tzdate from;          /* first local day */
	int days;                    /* 1 or 7 */
	int64_t ratings;             /* counted: misuse and closed-hours presses left out */
	int64_t misuse, closed;      /* the presses left out */
	double happy_index;          /* -1: no ratings */
	double positive_pct;         /* -1: no ratings */
	double prev_happy_index;     /* the period before; -1: no ratings then */
	int best_hour;               /* local hour 0..23, -1 none */
	double best_hour_index;
	int64_t best_hour_ratings;
	double day_index[HQ_REPORT_MAX_DAYS];   /* -1: none that day */
	int64_t day_ratings[HQ_REPORT_MAX_DAYS];
};

/*
 * The figures of stores[0..n) for `days` dates from `from`, each store's
 * ratings of its own local day in its zone tzs[i] (the best hour: each
 * store's local hour). 0, or -1 with err.
 */
int hq_report_figures(struct hq_store *db, char (*stores)[HQ_NAME_MAX], char (*tzs)[HQ_TZ_MAX], size_t n,
		      struct tzdate from, int days, struct hq_report_figures *out, char *err, size_t errlen);

/* Parses "YYYY-Www" (an ISO week) into its Monday. 0, or -1. */
int hq_report_parse_week(const char *s, struct tzdate *monday);
/* The ISO week of date as "YYYY-Www". */
void hq_report_week_name(struct tzdate date, char out[16]);

/*
 * Queues every report due at now_ms (see above). queued counts the
 * reports queued. 0, or -1 with err (the other rules still run).
 */
int hq_report_queue_due(struct hq_store *db, const struct hq_alert_env *env, int64_t now_ms, int *queued,
			char *err, size_t errlen);

#endif
