/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_eval: checks every alert rule against the ratings held, opens an
 * episode (and queues its messages) when a rule's condition starts to hold
 * for a store or kiosk, and clears it (queuing the all clear) when it ends.
 * Each episode is told once: the open one is in the database, so checking
 * again, or after a restart, sends nothing new while the condition lasts.
 *
 * What counts: presses flagged misuse or closed-hours never do; a window
 * rule (negative) counts ratings with a trusted time only (an unsynced
 * clock's "last 15 minutes" may be any time); the day's Happy Index counts
 * every rating of the store's local day, as the summaries do.
 */
#ifndef HQ_ALERT_EVAL_H
#define HQ_ALERT_EVAL_H

#include <stddef.h>
#include <stdint.h>

#include "hq_alert_store.h"
#include "hq_store.h"

/* Where messages go when a rule names no target of its own, and how links are made. */
struct hq_alert_env {
	const char *public_url;   /* the dashboard's base URL, no trailing slash needed */
	const char *webhook_url;  /* "" none */
	const char *mail_to;      /* "" none */
	const char *report_time;  /* HH:MM */
	int mail;                 /* an SMTP server is configured: queue mail */
};

/* What one check did. */
struct hq_alert_eval_stats {
	int opened, cleared;
};

/* Checks every enabled alert rule at now_ms. 0, or -1 with err (the rules after a failing one still run). */
int hq_alert_eval(struct hq_store *db, const struct hq_alert_env *env, int64_t now_ms,
		  struct hq_alert_eval_stats *st, char *err, size_t errlen);

/*
 * The messages for rule r to its targets (its own, else env's): a webhook
 * with json as body, a mail with subject and text. *out malloc'd (free with
 * hq_alert_msg_free and free). 0 or -1 (out of memory).
 */
int hq_alert_messages(const struct hq_alert_rule *r, const struct hq_alert_env *env, const char *json,
		      const char *subject, const char *text, struct hq_alert_msg **out, size_t *n);

/* The stores rule r watches (its store if it exists, or its region's). *out malloc'd, names. 0 or -1. */
int hq_alert_rule_stores(struct hq_store *db, const struct hq_alert_rule *r, char (**out)[HQ_NAME_MAX], size_t *n);

/* The zone of store (its first active kiosk's), into tz. 0, or -1 (no kiosk: "UTC" is filled). */
int hq_alert_store_zone(struct hq_store *db, const char *store, char tz[HQ_TZ_MAX]);

struct tzif;
/*
 * Minutes of opening hours (week, in zone z) within [from, to), counted by
 * quarter hour over at most the last 15 days; stops
 * counting once past cap_min. The silent rule's measure, shared with the
 * fleet page so both call the same kiosk silent.
 */
double hq_alert_open_minutes(const struct tzif *z, const struct day_hours week[7], int64_t from, int64_t to,
			     double cap_min);

/* "%"-escapes s for a URL's query into out. */
void hq_alert_url_escape(const char *s, char *out, size_t len);

#endif
