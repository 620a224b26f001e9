/* SPDX-License-Identifier: Apache-2.0 */
/*
 * hq_alert_store: alert rules, their episodes, the outbox of messages to
 * send, and kiosks' opening hours, in head office's database (migration 7
 * of hq_store.c). Written against hq_db.h, so it runs on SQLite and
 * PostgreSQL alike. The rules are in hq_alert_store.c, episodes and the
 * outbox in hq_alert_outbox.c, opening hours in hq_alert_hours.c.
 *
 * A rule belongs to a store or a region and is one of:
 *   negative  the share of negative faces is >= threshold % within the last
 *             window_min minutes, with at least min_ratings ratings
 *   index     the Happy Index of the store's local day so far is below
 *             threshold, after at least min_ratings ratings
 *   silent    a kiosk has sent nothing for threshold hours of its opening hours
 *   daily, weekly  a report (hq_report.h), sent at send_at (HH:MM, "" the
 *             configured time) in the store's zone
 * Misuse and closed-hours presses are never counted (hq_alert_eval.c).
 *
 * An episode opens, and its messages are queued, in one transaction; so
 * does its all clear: a crash in between neither loses nor repeats one.
 */
#ifndef HQ_ALERT_STORE_H
#define HQ_ALERT_STORE_H

#include <stddef.h>
#include <stdint.h>

#include "hours.h"
#include "hq_store.h"

#define HQ_ALERT_URL_MAX 512
#define HQ_ALERT_SECRET_MAX 128
#define HQ_ALERT_MAIL_MAX 512
#define HQ_ALERT_DETAIL_MAX 256

struct hq_alert_rule {
	int64_t id;                    /* 0: not saved yet */
	char kind[16];                 /* negative, index, silent, daily, weekly */
	char scope_kind[8];            /* store, region */
	char scope[HQ_NAME_MAX];
	double threshold;              /* negative: %; index: Happy Index; silent: hours; reports: unused */
	int window_min;                /* negative only */
	int min_ratings;               /* negative, index */
	char send_at[8];               /* reports: HH:MM, "" the configured report_time */
	char webhook[HQ_ALERT_URL_MAX];    /* "" the configured webhook_url */
	char secret[HQ_ALERT_SECRET_MAX];  /* "" the configured webhook_secret; never shown */
	char mail_to[HQ_ALERT_MAIL_MAX];   /* comma-separated; "" the configured mail_to */
	int enabled;
	int64_t updated_ms;
};

/* Whether kind is a report (daily, weekly) rather than an alert. */
int hq_alert_is_report(const char *kind);

/* The defaults of a new rule of kind (negative: 50 % in 15 min, at least 4). 0, or -1 for an unknown kind. */
int hq_alert_rule_defaults(struct hq_alert_rule *r, const char *kind);

/* Checks r's fields (not whether its scope exists). 0, or -1 with err filled. */
int hq_alert_rule_check(const struct hq_alert_rule *r, char *err, size_t errlen);

/* Saves r: a new rule when r->id is 0 (r->id gets its id), else replaces rule r->id. 0; 1 no such rule; -1 with err. */
int hq_alert_rule_save(struct hq_store *db, struct hq_alert_rule *r, int64_t now_ms, char *err, size_t errlen);
/* Deletes rule id and closes its open episodes without a message. 0; 1 no such rule; -1 with err. */
int hq_alert_rule_delete(struct hq_store *db, int64_t id, char *err, size_t errlen);
/* Every rule by id; *out malloc'd. 0 or -1 with err. */
int hq_alert_rule_list(struct hq_store *db, struct hq_alert_rule **out, size_t *n, char *err, size_t errlen);
/* Rule id: 1 found, 0 none, -1 error. */
int hq_alert_rule_get(struct hq_store *db, int64_t id, struct hq_alert_rule *out);

struct hq_alert_episode {
	int64_t id, rule_id;
	char kind[16];                 /* the rule's (filled by hq_alert_episode_list) */
	char subject[HQ_NAME_MAX];     /* the store, or the kiosk for silent */
	char store[HQ_NAME_MAX];
	int64_t opened_ms, cleared_ms; /* cleared 0: still open */
	double value;                  /* the figure when it opened */
	int ratings;
	char detail[HQ_ALERT_DETAIL_MAX];
};

/* One message to send: channel "webhook" (target a URL) or "mail" (target recipients). */
struct hq_alert_msg {
	int64_t id, rule_id;
	char channel[8];
	char *target, *subject, *body;   /* owned (hq_alert_msg_free) */
	int attempts;
	int64_t created_ms;
};
void hq_alert_msg_free(struct hq_alert_msg *m, size_t n);

/* The open episode of (rule, subject): 1 found, 0 none, -1 error. */
int hq_alert_episode_open_of(struct hq_store *db, int64_t rule_id, const char *subject, struct hq_alert_episode *out);

/*
 * Opens episode e (e->id gets its id) and queues msgs[0..n) for it in one
 * transaction. The messages' bodies may name the episode: every "{episode}"
 * in a target, subject or body becomes its id. 0, or -1 with err.
 */
int hq_alert_episode_open(struct hq_store *db, struct hq_alert_episode *e, struct hq_alert_msg *msgs, size_t n,
			  int64_t now_ms, char *err, size_t errlen);
/* Clears episode id at now_ms and queues msgs in one transaction. 0, or -1 with err. */
int hq_alert_episode_clear(struct hq_store *db, int64_t id, struct hq_alert_msg *msgs, size_t n, int64_t now_ms,
			   char *err, size_t errlen);

/*
 * The most recent episodes (open first, then by opening, newest first),
 * at most limit, of the stores user may see (NULL: all). *out malloc'd.
 */
int hq_alert_episode_list(struct hq_store *db, const char *user, int open_only, int limit,
			  struct hq_alert_episode **out, size_t *n, char *err, size_t errlen);

/*
 * Records that report rule_id for period (e.g. "2026-11-28", "2026-W47")
 * is sent and queues msgs, in one transaction: 1 done, 0 it was already
 * (nothing queued), -1 with err.
 */
int hq_alert_report_queue(struct hq_store *db, int64_t rule_id, const char *period, struct hq_alert_msg *msgs,
			  size_t n, int64_t now_ms, char *err, size_t errlen);

/* Up to max messages due at now_ms (not sent, not given up), oldest first. *out malloc'd. 0 or -1. */
int hq_alert_outbox_due(struct hq_store *db, int64_t now_ms, size_t max, struct hq_alert_msg **out, size_t *n,
			char *err, size_t errlen);
/* When the next unsent message is due (INT64_MAX: none). 0 or -1. */
int hq_alert_outbox_next(struct hq_store *db, int64_t *next_ms);
/*
 * The outcome of one attempt at message id: sent (ok 1), retry at next_ms,
 * or given up (next_ms 0). error is kept (never a secret: hq_deliver's text).
 */
int hq_alert_outbox_result(struct hq_store *db, int64_t id, int ok, int64_t now_ms, int64_t next_ms,
			   const char *error, char *err, size_t errlen);

/* Sets kiosk_id's opening hours: week[0..7) Sunday first, hours.h's text. 0; 1 no such kiosk; -1 with err. */
int hq_alert_hours_set(struct hq_store *db, const char *kiosk_id, const char *const week[7], char *err, size_t errlen);
/* kiosk_id's opening hours into week (open all day without a row). 0 or -1. */
int hq_alert_hours_get(struct hq_store *db, const char *kiosk_id, struct day_hours week[7]);

#endif
